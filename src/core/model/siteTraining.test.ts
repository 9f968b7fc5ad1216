import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../../test-support/paths';
import { generateCohort } from '../cohort/model';
import { recordsToCsv } from '../csv';
import { trainSiteTable, type SiteTrainingOptions } from './siteTraining';

// A site table without images: PET uptake and volume as measured, weight, the tracer and the measured dose.
function siteCsv(patients: number): string {
  const c = generateCohort({ patients, seed: 11 });
  const cols = ['patient_id', 'structure_id', 'type', 'name', 'tracer', 'suv_mean', 'volume_ml', 'weight_kg', 'feature_profile', 'measured_dose_gy_per_gbq'];
  return recordsToCsv(cols, c.flatMap((p) => p.structures.filter((s) => s.type !== 'lacrimal').map((s) => ({
    patient_id: `S${p.id}`, structure_id: `S${p.id}-${s.name}`, type: s.type, name: s.name, tracer: '18F-DCFPyL', suv_mean: s.petSuvObserved, volume_ml: s.volumeMl,
    weight_kg: p.biomarkers.weight_kg, feature_profile: 'clinical-PET-x', measured_dose_gy_per_gbq: s.measuredDoseGyPerGBq,
  }))));
}

const options: SiteTrainingOptions = { target: 'measured_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type', model: 'lmm', name: 'site-table', realData: false, force: false };

describe('trainSiteTable (the training worker)', () => {
  it('writes the card and ONNX graph npm run train writes for the same table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psma-site-'));
    const csv = siteCsv(12);
    writeFileSync(join(dir, 'site-table.csv'), csv);
    // At 12 patients the parotid model is worse than the population mean here: refused, or written with force.
    const refused = await trainSiteTable(csv, 'site-table.csv', options);
    expect(refused.ok ? '' : refused.problem).toMatch(/^the model is worse than the population mean in cross-validation for parotid .*"Write it anyway" writes it/);
    const stages: string[] = [];
    const r = await trainSiteTable(csv, 'site-table.csv', { ...options, force: true }, (s) => stages.push(s));
    expect(r.ok, r.ok ? '' : r.problem).toBe(true);
    if (!r.ok) return;
    expect(stages[1]).toBe('leave-one-patient-out cross-validation and fit on 12 patients, ' + (csv.trim().split('\n').length - 1) + ' structures');
    expect(r.notes).toContain('column feature_profile excluded: no numbers (text column)');
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', '--data', join(dir, 'site-table.csv'), '--target', 'measured_dose_gy_per_gbq', '--group', 'patient_id', '--type-col', 'type', '--name', 'site-table', '--force', '--out', join(dir, 'm')], { cwd: REPO_DIR, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const node = JSON.parse(readFileSync(join(dir, 'm', 'model-card.json'), 'utf8'));
    expect({ ...JSON.parse(JSON.stringify(r.card)), created: '' }).toEqual({ ...node, created: '' });
    expect(r.card.notForClinicalUse).toBe(true);
    expect(r.card.trainingData.worseThanPopulationMean).toEqual(['parotid']);
    expect(Buffer.from(r.onnx).equals(readFileSync(join(dir, 'm', 'model.onnx')))).toBe(true);
  }, 120_000);

  it("refuses three patients with the training guard's message", async () => {
    const r = await trainSiteTable(siteCsv(3), 'site-table.csv', options);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/^site-table\.csv: too few patients to train: .*kidney has 3.* \(at least 5 per structure type; --min-patients changes this\)$/);
  });
});
