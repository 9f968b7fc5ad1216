import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../test-support/paths';
import { generateCohort } from '../core/cohort/model';
import { structuresCsv, petMetricsCsv, patientsCsv } from '../core/cohort/tables';
import { parseCsv } from '../core/csv';
import { predictRow } from '../core/model/doseModel';
import { modelFromCard } from '../core/model/card';
import { applyInputs } from '../core/dose/inputs';

const cli = (name: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', `src/cli/${name}.ts`, ...args], { cwd: REPO_DIR, encoding: 'utf8' });

function table(dir: string): string {
  const c = generateCohort({ patients: 30, seed: 4 });
  const s = parseCsv(structuresCsv(c)), m = parseCsv(petMetricsCsv(c)), p = parseCsv(patientsCsv(c));
  const rows = s.map((r, i) => ({ ...r, suv_mean: m[i].suv_mean, volume_ml: m[i].volume_ml, egfr: p.find((x) => x.patient_id === r.patient_id)!.egfr_ml_min_1_73m2 }));
  const cols = Object.keys(rows[0]);
  const path = join(dir, 'table.csv');
  writeFileSync(path, [cols.join(','), ...rows.map((r) => cols.map((c) => (r as Record<string, string>)[c]).join(','))].join('\n') + '\n');
  return path;
}

describe('train / predict CLIs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psma-model-'));
  const data = table(dir);
  /** The table with a tracer column (what `npm run extract` writes). */
  const withTracer = (tracer: string) => {
    const [head, ...lines] = readFileSync(data, 'utf8').trim().split('\n');
    const path = join(dir, `table-${tracer.replace(/[^A-Za-z0-9]/g, '')}.csv`);
    writeFileSync(path, [`${head},tracer`, ...lines.map((l) => `${l},${tracer}`)].join('\n') + '\n');
    return path;
  };
  it('train writes model.onnx and a card; predict prints the contract JSON equal to the TypeScript model', () => {
    const t = cli('train', '--data', data, '--target', 'measured_dose_gy_per_gbq', '--truth', 'true_dose_gy_per_gbq', '--group', 'patient_id', '--type-col', 'type', '--tracer', 'Pylarify', '--out', join(dir, 'm'));
    expect(t.status, t.stderr).toBe(0);
    const card = JSON.parse(readFileSync(join(dir, 'm', 'model-card.json'), 'utf8'));
    expect(card.tracer).toBe('18F-DCFPyL');
    expect(card.notForClinicalUse).toBe(true);
    expect(card.intendedUse).toMatch(/NOT FOR CLINICAL USE/);
    expect(Object.keys(card.cv)).toEqual(expect.arrayContaining(['kidney', 'tumour']));
    const p = cli('predict', '--model', join(dir, 'm'), '--data', data, '--tracer', '18F-DCFPyL');
    expect(p.status, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout);
    const rows = parseCsv(readFileSync(data, 'utf8'));
    expect(out.length).toBe(rows.length);
    expect(out[0].tracer).toBe('18F-DCFPyL');
    expect(out[0].tracerCaveat).toBeUndefined();
    const model = modelFromCard(card);
    out.forEach((o: { row: number; prediction: number; pi90: [number, number]; model: string }, i: number) => {
      expect(o.row).toBe(i);
      expect(o.model).toBe(card.id);
      const raw = Object.fromEntries(card.inputs.map((c: { from: string }) => [c.from, Number(rows[i][c.from])]));
      const ts = predictRow(model, { values: applyInputs(raw, card.inputs), type: rows[i].type });
      expect(Math.abs(o.prediction - ts.prediction) / ts.prediction).toBeLessThan(1e-5);
      expect(o.pi90[0]).toBeLessThan(o.prediction);
      expect(o.pi90[1]).toBeGreaterThan(o.prediction);
    });
    // Every type records its training range and how its inputs were chosen; a row far outside is flagged.
    for (const t of card.perType) {
      expect(t.inputRanges).toHaveLength(t.features.length);
      expect(['constant', 'prespecified', 'automatic']).toContain(t.inputSpec);
      expect(t.intervalQ90).toBeGreaterThan(0);
      expect(t.smearing).toBeGreaterThan(0.9); // mean ≥ median for a right-skewed dose, within reason
      expect(t.smearing).toBeLessThan(1.5);
    }
    expect(out[0].mean / out[0].prediction).toBeCloseTo(card.perType.find((t: { type: string }) => t.type === rows[0].type).smearing, 6);
    const far = join(dir, 'far.csv');
    const lines = readFileSync(data, 'utf8').trim().split('\n');
    const head = lines[0].split(','), k = head.indexOf('suv_mean');
    const usesSuv = new Set(card.perType.filter((t: { features: string[] }) => t.features.includes('log_suv_mean')).map((t: { type: string }) => t.type));
    const at = lines.findIndex((l, i) => i > 0 && usesSuv.has(l.split(',')[head.indexOf('type')]));
    expect(at).toBeGreaterThan(0);
    const row = lines[at].split(','); row[k] = String(Number(row[k]) * 40);
    writeFileSync(far, [...lines.slice(0, at), row.join(','), ...lines.slice(at + 1)].join('\n') + '\n');
    const flagged = cli('predict', '--model', join(dir, 'm'), '--data', far, '--tracer', '18F-DCFPyL');
    expect(flagged.status, flagged.stderr).toBe(0);
    expect(JSON.parse(flagged.stdout)[at - 1].outsideTrainingRange.join(' ')).toMatch(/suv_mean [\d.]+ above the training range/);
    expect(flagged.stderr).toMatch(/outside the training range \(extrapolation\)/);
  });
  it('--model trees: boosted trees with a random intercept, exported as TreeEnsembleRegressor, predict equals TypeScript', () => {
    const args = ['--data', data, '--target', 'measured_dose_gy_per_gbq', '--group', 'patient_id', '--type-col', 'type', '--model', 'trees', '--tracer', '18F-DCFPyL', '--out', join(dir, 't')];
    // At 30 patients the trees lose to the population mean for some types: refused, then written with --force and recorded.
    const refused = cli('train', ...args);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/worse than the population mean in cross-validation for kidney.*nothing written/);
    expect(existsSync(join(dir, 't', 'model-card.json'))).toBe(false);
    const t = cli('train', ...args, '--force');
    expect(t.status, t.stderr).toBe(0);
    const card = JSON.parse(readFileSync(join(dir, 't', 'model-card.json'), 'utf8'));
    expect(card.modelType).toBe('trees');
    expect(card.trainingData.worseThanPopulationMean).toContain('kidney');
    const p = cli('predict', '--model', join(dir, 't'), '--data', data, '--tracer', '18F-DCFPyL');
    expect(p.status, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout);
    const rows = parseCsv(readFileSync(data, 'utf8'));
    const model = modelFromCard(card);
    out.forEach((o: { prediction: number }, i: number) => {
      const raw = Object.fromEntries(card.inputs.map((c: { from: string }) => [c.from, Number(rows[i][c.from])]));
      const ts = predictRow(model, { values: applyInputs(raw, card.inputs), type: rows[i].type });
      expect(Math.abs(o.prediction - ts.prediction) / ts.prediction).toBeLessThan(1e-5);
    });
  });
  it('bad input gets a message and a non-zero exit', () => {
    expect(cli('train', '--data', data, '--target', 'nope', '--group', 'patient_id', '--tracer', '18F-DCFPyL', '--out', join(dir, 'x')).stderr).toMatch(/missing column\(s\): nope/);
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'patient_id,y,x\nA,1,2\nA,2,3\nA,3,5\n');
    expect(cli('train', '--data', one, '--target', 'y', '--group', 'patient_id', '--features', 'x', '--tracer', '18F-DCFPyL', '--out', join(dir, 'y')).stderr).toMatch(/too few patients to train: the table has 1 \(at least 5 per structure type; --min-patients changes this\)/);
    const bad = join(dir, 'bad.onnx');
    writeFileSync(join(dir, 'm', 'model.onnx.bak'), '');
    writeFileSync(bad, 'x');
    const notModel = join(dir, 'nm');
    spawnSync('mkdir', ['-p', notModel]);
    writeFileSync(join(notModel, 'model.onnx'), 'not onnx');
    writeFileSync(join(notModel, 'model-card.json'), readFileSync(join(dir, 'm', 'model-card.json')));
    const r = cli('predict', '--model', notModel, '--data', data);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not a loadable ONNX model/);
  });
  it('train names the tracer from the table, the cohort or --tracer, and refuses a missing or non-PSMA one', () => {
    const base = ['--data', data, '--target', 'measured_dose_gy_per_gbq', '--group', 'patient_id', '--type-col', 'type', '--features', 'suv_mean', '--force'];
    const none = cli('train', ...base, '--out', join(dir, 'n1'));
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/does not name its PET tracer: give --tracer NAME \(known PSMA ligands: 18F-DCFPyL/);
    const fdg = cli('train', ...base, '--tracer', 'FDG', '--out', join(dir, 'n2'));
    expect(fdg.status).toBe(2);
    expect(fdg.stderr).toMatch(/not a PSMA ligand/);
    const cohortDir = join(dir, 'cohort');
    mkdirSync(cohortDir, { recursive: true });
    writeFileSync(join(cohortDir, 'cohort.json'), JSON.stringify({ name: 'c', seed: 1, version: '0', patients: 30, tracer: '18F-DCFPyL' }));
    expect(cli('train', ...base, '--cohort', cohortDir, '--out', join(dir, 'c1')).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'c1', 'model-card.json'), 'utf8')).tracer).toBe('18F-DCFPyL');
    const clash = cli('train', ...base, '--cohort', cohortDir, '--tracer', '68Ga-PSMA-11', '--out', join(dir, 'c2'));
    expect(clash.stderr).toMatch(/--tracer says 68Ga-PSMA-11 but .*cohort\.json says 18F-DCFPyL/);
    const col = withTracer('18F-PSMA-1007');
    expect(cli('train', '--data', col, ...base.slice(2), '--out', join(dir, 'c3')).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'c3', 'model-card.json'), 'utf8')).tracer).toBe('18F-PSMA-1007');
  });
  it('predict gates each row\'s tracer against the card: blocked, confirm (--accept-tracer, caveat in the output), ok', () => {
    const m = join(dir, 'm');
    const fdg = cli('predict', '--model', m, '--data', withTracer('18F-FDG'));
    expect(fdg.status).toBe(1);
    expect(fdg.stderr).toMatch(/row\(s\) with tracer "18F-FDG": The PET was acquired with 18F-FDG \(fluorodeoxyglucose\), not a PSMA ligand/);
    expect(cli('predict', '--model', m, '--data', withTracer('18F-FDG'), '--accept-tracer').status).toBe(1);
    const other = cli('predict', '--model', m, '--data', withTracer('18F-PSMA-1007'));
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/hepatobiliary.*--accept-tracer/);
    const accepted = cli('predict', '--model', m, '--data', withTracer('18F-PSMA-1007'), '--accept-tracer');
    expect(accepted.status, accepted.stderr).toBe(0);
    expect(accepted.stderr).toMatch(/warning: .*hepatobiliary/);
    const out = JSON.parse(accepted.stdout);
    expect(out[0].tracer).toBe('18F-PSMA-1007');
    expect(out[0].tracerCaveat).toMatch(/hepatobiliary/);
    const unknown = cli('predict', '--model', m, '--data', data);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/not given \(no tracer column, no --tracer\).*not identified/);
    expect(cli('predict', '--model', m, '--data', withTracer('18F-DCFPyL')).status).toBe(0);
    expect(cli('predict', '--model', m, '--data', withTracer('18F-DCFPyL'), '--tracer', '18F-PSMA-1007').stderr).toMatch(/tracer column says "18F-DCFPyL" but --tracer says "18F-PSMA-1007"/);
  });
});
