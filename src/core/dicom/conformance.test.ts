// Every DICOM object the project writes passes dciodvfy (Debian's dicom3tools, the DICOM conformance
// judge) with 0 errors: the phantom's CT and PT, and SEG, RTSTRUCT and RT Dose on its PET grid.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { ptReference, writeCtSeries, writePtSeries } from '../phantom/dicom';
import { writeSeg } from '../io/seg';
import { writeRtstruct } from '../io/rtstruct';
import { structureDoseMap, writeRtDose } from './rtdose';
import { readDicomSeries } from './read';
import { PT_SOP_CLASS } from './write';
import { sourceSeriesOf } from '../io/structureMapping';
import { toEnhanced } from '../../../test-support/enhanced';

const DCIODVFY = '/usr/bin/dciodvfy';

/** The phantom's PET as one Enhanced PET instance, as a SEG or RTSTRUCT drawn on it references it. */
function enhancedSource() {
  const { volume, series, sorted } = readDicomSeries([{ name: 'enhanced.dcm', data: toEnhanced(writePtSeries(p).files) }]);
  expect(volume.dims).toEqual(p.labels.dims);
  return sourceSeriesOf(series, sorted, PT_SOP_CLASS);
}
const p = generatePatient(defaultPatientSpec(7, { lesions: 3, imaging: { ctSpacing: [6, 6, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 420 } }));
const dir = mkdtempSync(join(tmpdir(), 'psma-dciodvfy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** dciodvfy's error lines for one object (it reports on stderr; its exit status does not count errors). */
function errors(name: string, data: ArrayBuffer): string[] {
  const file = join(dir, name);
  writeFileSync(file, new Uint8Array(data));
  const r = spawnSync(DCIODVFY, [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`${DCIODVFY} could not run (${r.error.message}): install Debian's dicom3tools`);
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
}

describe('dciodvfy: 0 errors on every object the project writes', () => {
  const kidney = { label: 1, name: 'Kidney L', color: [1, 2, 3] as [number, number, number], interpretedType: 'ORGAN' };
  const cases: [string, () => ArrayBuffer][] = [
    ['CT (phantom)', () => writeCtSeries(p).files[0].data],
    ['PT (phantom)', () => writePtSeries(p).files[0].data],
    ['SEG', () => writeSeg(p.labels, ptReference(p))],
    ['RTSTRUCT', () => writeRtstruct(p.labels, ptReference(p), [kidney])],
    ['RT Dose', () => writeRtDose(structureDoseMap(p.labels, new Map([[1, 2.5]])), ptReference(p))],
    // Drawn on an Enhanced (multi-frame) PET: one referenced instance, each slice by its frame number.
    ['SEG on an Enhanced PET', () => writeSeg(p.labels, enhancedSource())],
    ['RTSTRUCT on an Enhanced PET', () => writeRtstruct(p.labels, enhancedSource(), [kidney])],
  ];
  it.each(cases)('%s', (name, write) => {
    expect(errors(`${name.replace(/\W+/g, '_')}.dcm`, write())).toEqual([]);
  });
});
