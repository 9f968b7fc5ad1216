import { describe, expect, it } from 'vitest';
import { demoSource, DEMO_TRUTH } from './demo';
import { localFilesSource } from './localFiles';
import type { LoadReport } from './source';
import { defaultPatientSpec, generatePatient } from '../core/phantom/generate';
import { writePtSeries } from '../core/phantom/dicom';

function recorder() {
  const statuses: string[] = [], progress: [string, number, number][] = [];
  const report: LoadReport = { status: (t) => statuses.push(t), progress: (id, _label, done, total) => progress.push([id, done, total]) };
  return { report, statuses, progress };
}

describe('data sources', () => {
  it('the demo gives a PET and a CT series and its truth as the structure set', async () => {
    const r = recorder();
    const got = await demoSource().load(r.report);
    expect(got.series.map((s) => s.modality).sort()).toEqual(['CT', 'PT']);
    expect(got.structures?.source).toBe(DEMO_TRUTH);
    expect(got.structures?.labels.data.some((v) => v > 0)).toBe(true);
    expect(r.statuses).toEqual(['Generating the demo patient…']);
  });

  it('local files: DICOM series with progress, other files in a notice; nothing readable is an error', async () => {
    const small = generatePatient(defaultPatientSpec(5, { lesions: 1, imaging: { ctSpacing: [8, 8, 8], petSpacing: [8, 8, 8], zBottomMm: 300, zTopMm: 360 } }));
    const files = writePtSeries(small).files.map((f) => new File([f.data], f.name));
    const notes = new File(['not a DICOM file'], 'notes.txt');
    const r = recorder();
    const got = await localFilesSource([...files, notes]).load(r.report);
    expect(got.series.map((s) => s.modality)).toEqual(['PT']);
    expect(got.notices).toEqual([expect.stringMatching(/^1 file\(s\) skipped: notes\.txt/)]);
    expect(r.progress.at(-1)).toEqual(['local', files.length + 1, files.length + 1]);
    await expect(localFilesSource([notes]).load(recorder().report)).rejects.toThrow(/No DICOM images in the chosen files\. notes\.txt/);
  });
});
