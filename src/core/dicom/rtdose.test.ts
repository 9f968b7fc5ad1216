import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { structureDoseMap, writeRtDose } from './rtdose';

describe('RT Dose', () => {
  it('is read by pydicom with the dose values (× DoseGridScaling) on the grid', () => {
    const labels = { dims: [4, 3, 2] as [number, number, number], spacing: [4, 4, 5] as [number, number, number], origin: [-10, 20, 30] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number], data: new Uint8Array(24).map((_, n) => (n % 5 === 0 ? 1 : n % 7 === 0 ? 21 : 0)) };
    const dose = structureDoseMap(labels, new Map([[1, 3.2], [21, 22.5]]));
    const f = join(mkdtempSync(join(tmpdir(), 'rtdose-')), 'dose.dcm');
    writeFileSync(f, new Uint8Array(writeRtDose(dose, { studyUid: '1.2.3', frameOfReferenceUid: '1.2.4', patientName: 'X', patientId: 'P1' })));
    const out = execFileSync('/usr/bin/python3', ['-c', 'import sys,pydicom; d=pydicom.dcmread(sys.argv[1]); a=d.pixel_array*float(d.DoseGridScaling); print(d.Modality, d.DoseUnits, a.shape, round(float(a.max()),4), round(float(a.sum()),3))', f], { encoding: 'utf8' }).trim();
    const sum = Array.from(dose.data).reduce((s, v) => s + v, 0);
    expect(out).toBe(`RTDOSE GY (2, 3, 4) 22.5 ${+sum.toFixed(3)}`);
  });
});
