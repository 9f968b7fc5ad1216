import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../test-support/paths';
import { defaultPatientSpec, generatePatient, suvbwFactor } from '../core/phantom/generate';
import { writePtSeries } from '../core/phantom/dicom';
import { writeNifti } from '../core/io/nifti';
import { parseCsv } from '../core/csv';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/extract.ts', ...args], { cwd: REPO_DIR, encoding: 'utf8' });

/** A one-patient cohort (kidneys only, coarse grid) whose PET is written as DICOM with the agent, or as NIfTI. */
function cohort(tracer: string, pet: 'dicom' | 'nifti'): string {
  const dir = mkdtempSync(join(tmpdir(), 'extract-'));
  const p = generatePatient(defaultPatientSpec(2, { id: 'P1', tracer, lesions: 0, imaging: { ctSpacing: [10, 10, 10], petSpacing: [6, 6, 6], zBottomMm: 220, zTopMm: 370 } }));
  const pdir = join(dir, 'patients', 'P1');
  mkdirSync(join(pdir, 'pt'), { recursive: true });
  if (pet === 'dicom') for (const f of writePtSeries(p).files) writeFileSync(join(pdir, 'pt', f.name), new Uint8Array(f.data));
  else {
    const f = suvbwFactor(p.spec);
    writeFileSync(join(pdir, 'pet_suv.nii.gz'), writeNifti({ ...p.pet, data: p.pet.data.map((v) => v * f) }));
  }
  writeFileSync(join(pdir, 'labels.nii.gz'), writeNifti(p.labels));
  writeFileSync(join(dir, 'patients.csv'), 'patient_id,egfr_ml_min_1_73m2\nP1,70\n');
  writeFileSync(join(dir, 'structures.csv'), 'patient_id,structure_id,type,name,site,measured_dose_gy_per_gbq\nP1,P1-KL,kidney,Kidney L,,0.4\nP1,P1-KR,kidney,Kidney R,,0.45\n');
  return dir;
}

describe('extract CLI: the tracer gate', () => {
  it('a PSMA-coded DICOM PET: the table gets a tracer column', () => {
    const dir = cohort('18F-DCFPyL', 'dicom');
    const r = cli('--cohort', dir, '--out', join(dir, 't.csv'));
    expect(r.status, r.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 't.csv'), 'utf8'));
    expect(rows.map((x) => x.tracer)).toEqual(['18F-DCFPyL', '18F-DCFPyL']);
  }, 120_000);
  it('every structure left out is written beside the table with its reason', () => {
    const dir = cohort('18F-DCFPyL', 'dicom');
    writeFileSync(join(dir, 'structures.csv'), `${readFileSync(join(dir, 'structures.csv'), 'utf8')}P1,P1-LL,lacrimal,Lacrimal L,,0.9\n`);
    const r = cli('--cohort', dir, '--out', join(dir, 't.csv'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 structure\(s\) left out, each with its reason → .*t\.dropped\.csv/);
    const dropped = parseCsv(readFileSync(join(dir, 't.dropped.csv'), 'utf8'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ patient_id: 'P1', structure_id: 'P1-LL', name: 'Lacrimal L', type: 'lacrimal' });
    expect(dropped[0].reason.length).toBeGreaterThan(5);
  }, 120_000);
  it('an FDG PET is refused, naming the folder and the tracer', () => {
    const dir = cohort('18F-FDG', 'dicom');
    const r = cli('--cohort', dir, '--out', join(dir, 't.csv'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(join(dir, 'patients', 'P1', 'pt'));
    expect(r.stderr).toMatch(/P1: .*18F-FDG \(fluorodeoxyglucose\), not a PSMA ligand/);
    // --tracer does not override a header that names another agent.
    const over = cli('--cohort', dir, '--out', join(dir, 't.csv'), '--tracer', '18F-DCFPyL');
    expect(over.status).toBe(1);
    expect(over.stderr).toMatch(/header says 18F-FDG/);
  }, 60_000);
  it('NIfTI PET needs --tracer; a non-PSMA or unknown --tracer is refused; with a PSMA ligand it is written', () => {
    const dir = cohort('18F-DCFPyL', 'nifti');
    const none = cli('--cohort', dir, '--out', join(dir, 't.csv'));
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/pet_suv\.nii\.gz: NIfTI has no header naming the PET tracer: give --tracer NAME/);
    const fdg = cli('--cohort', dir, '--out', join(dir, 't.csv'), '--tracer', 'FDG');
    expect(fdg.status).toBe(1);
    expect(fdg.stderr).toMatch(/not a PSMA ligand/);
    const banana = cli('--cohort', dir, '--out', join(dir, 't.csv'), '--tracer', 'banana');
    expect(banana.status).toBe(2);
    expect(banana.stderr).toMatch(/--tracer "banana" is not a known agent \(known: /);
    const ok = cli('--cohort', dir, '--out', join(dir, 't.csv'), '--tracer', 'PSMA-1007');
    expect(ok.status, ok.stderr).toBe(0);
    expect(parseCsv(readFileSync(join(dir, 't.csv'), 'utf8'))[0].tracer).toBe('18F-PSMA-1007');
  }, 120_000);
});
