// One SUV path: for the same structure of a phantom patient written as DICOM, the features CLI, extract's
// row and the viewer's study (assembleStudy → labelStats) give the same SUVmax and SUVmean.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../test-support/paths';
import { defaultPatientSpec, generatePatient } from '../core/phantom/generate';
import { writePtSeries } from '../core/phantom/dicom';
import { readDicomFiles } from '../core/dicom/read';
import { writeNifti } from '../core/io/nifti';
import { assembleStudy } from '../core/study';
import { labelStats } from '../core/labelStats';
import { parseCsv, recordsToCsv } from '../core/csv';
import { structureByName } from '../core/vocabulary';

const cli = (name: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', `src/cli/${name}.ts`, ...args], { cwd: REPO_DIR, encoding: 'utf8' });

describe('SUVmax / SUVmean of one structure', () => {
  const p = generatePatient(defaultPatientSpec(9, { id: 'P1', lesions: 1, imaging: { ctSpacing: [8, 8, 8], petSpacing: [6, 6, 6], zBottomMm: 200, zTopMm: 420 } }));
  const pt = writePtSeries(p).files;
  const root = mkdtempSync(join(tmpdir(), 'psma-suv-'));
  const pdir = join(root, 'patients', 'P1');
  mkdirSync(join(pdir, 'pt'), { recursive: true });
  for (const f of pt) writeFileSync(join(pdir, 'pt', f.name.replace(/[/\\]/g, '_')), new Uint8Array(f.data));
  writeFileSync(join(pdir, 'labels.nii.gz'), writeNifti(p.labels));
  const names = ['Kidney L', 'Kidney R', 'Liver'];
  writeFileSync(join(root, 'patients.csv'), recordsToCsv(['patient_id', 'weight_kg'], [{ patient_id: 'P1', weight_kg: p.spec.weightKg }]));
  writeFileSync(join(root, 'structures.csv'), recordsToCsv(['patient_id', 'structure_id', 'type', 'name'], names.map((n) => ({ patient_id: 'P1', structure_id: `P1-${n}`, type: structureByName(n)!.type, name: n }))));

  it('is the same through the features CLI, extract and the viewer', () => {
    const study = assembleStudy(readDicomFiles(pt).series);
    const viewer = labelStats(p.labels, study.pet!.suv).get(structureByName('Kidney L')!.label)!;
    const f = cli('features', '--image', join(pdir, 'pt'), '--mask', join(pdir, 'labels.nii.gz'), '--label', 'Kidney L');
    expect(f.status, f.stderr).toBe(0);
    const features = JSON.parse(f.stdout).uptake;
    const e = cli('extract', '--cohort', root, '--out', join(root, 'table.csv'));
    expect(e.status, e.stderr).toBe(0);
    const row = parseCsv(readFileSync(join(root, 'table.csv'), 'utf8')).find((r) => r.name === 'Kidney L')!;
    expect(viewer.max).toBeGreaterThan(5);
    for (const [max, mean] of [[features.suvmax, features.suvmean], [Number(row.suv_max), Number(row.suv_mean)]]) {
      expect(Math.abs(max / viewer.max! - 1)).toBeLessThan(1e-6);
      expect(Math.abs(mean / viewer.mean! - 1)).toBeLessThan(1e-6);
    }
  }, 120_000);
});
