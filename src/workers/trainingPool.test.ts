import { describe, expect, it } from 'vitest';
import { cohortTable } from '../core/cohort/evaluate';
import { train, type TrainOptions } from '../core/model/train';
import { modelCard, modelOnnx } from '../core/model/trainedCard';
import { trainSiteTable } from '../core/model/siteTraining';
import { recordsToCsv } from '../core/csv';
import { nodeFoldsWorker } from './nodeTrainingPool';
import { poolSize, trainInPool, type FoldsWorker, type TrainingPool } from './trainingPool';

const options: TrainOptions = { target: 'measured_dose_gy_per_gbq', truthCol: 'true_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type' };
const card = (r: ReturnType<typeof train>) => modelCard(r, { kind: 'lmm', target: options.target, name: 'pool-test', synthetic: true, tracer: '18F-DCFPyL', givenFeatures: false, created: new Date(0) });

/** A pool of 2 worker_threads recording how many workers started and which patients each was handed. */
function countingPool(sources: (string | undefined)[] = [undefined, undefined]) {
  const handed: string[][] = [];
  let started = 0;
  const pool: TrainingPool = {
    size: sources.length,
    spawn: () => {
      const w = nodeFoldsWorker(sources[started++]), mine: string[] = [];
      handed.push(mine);
      const api = { prepare: w.api.prepare, choiceOnAllPatients: w.api.choiceOnAllPatients, outerFolds: (ps: string[]) => { mine.push(...ps); return w.api.outerFolds(ps); } };
      return { ...w, api } as unknown as FoldsWorker;
    },
  };
  return { pool, handed, started: () => started };
}

describe('trainInPool (outer folds in worker_threads)', () => {
  const { rows } = cohortTable(24, 12, 'sourced');

  it('gives exactly the sequential result: the same card and ONNX bytes, every patient in one of 2 workers', async () => {
    const sequential = train(rows, options);
    const { pool, handed, started } = countingPool();
    const pooled = await trainInPool(rows, options, pool);
    expect(started()).toBe(2);
    expect(handed.every((h) => h.length > 0)).toBe(true);
    expect(handed.flat().sort()).toEqual([...new Set(rows.map((r) => r.patient_id))].sort());
    expect(JSON.stringify(pooled)).toBe(JSON.stringify(sequential));
    expect(card(pooled)).toEqual(card(sequential));
    expect(Buffer.from(modelOnnx(pooled, card(pooled))).equals(Buffer.from(modelOnnx(sequential, card(sequential))))).toBe(true);
  }, 120_000);

  it('sizes the pool: 1 core → 1, 2 → 2, 3 → 2, 8 → 4 (every worker prepares the table again)', () => {
    expect([1, 2, 3, 5, 8, 64].map(poolSize)).toEqual([1, 2, 2, 4, 4, 4]);
  });
  it('trains in-process below 20 patients (no worker started)', async () => {
    const small = cohortTable(9, 13, 'sourced').rows;
    const { pool, started } = countingPool();
    expect(JSON.stringify(await trainInPool(small, options, pool))).toBe(JSON.stringify(train(small, options)));
    expect(started()).toBe(0);
  });

  it("a bad table fails with train()'s own message", async () => {
    const bad = rows.map((r, i) => (i === 3 ? { ...r, measured_dose_gy_per_gbq: 'n/a' } : r));
    expect(() => train(bad, options)).toThrow('1 bad value(s): row 5: target measured_dose_gy_per_gbq = "n/a"');
    await expect(trainInPool(bad, options, countingPool().pool)).rejects.toThrow('1 bad value(s): row 5: target measured_dose_gy_per_gbq = "n/a"');
  });

  it('a worker that fails or stops rejects the training, naming what happened', async () => {
    await expect(trainInPool(rows, options, countingPool([undefined, "throw new Error('no memory left for the folds')"]).pool))
      .rejects.toThrow('training worker failed: no memory left for the folds');
    await expect(trainInPool(rows, options, countingPool(['process.exit(3)', undefined]).pool))
      .rejects.toThrow('training worker stopped before its folds were done (exit code 3)');
  }, 120_000);

  it('in the site training (as the browser runs it), a failed worker is a refusal naming the file and the worker, nothing written', async () => {
    const csv = recordsToCsv([...Object.keys(rows[0]), 'tracer'], rows.map((r) => ({ ...r, tracer: '18F-DCFPyL' })));
    const site = { target: options.target, group: options.group, typeCol: 'type', model: 'lmm' as const, name: 'site-table', realData: false, force: true };
    const failed = await trainSiteTable(csv, 'site-table.csv', site, undefined, (t, o) => trainInPool(t, o, countingPool([undefined, "throw new Error('no memory left for the folds')"]).pool));
    expect(failed).toEqual({ ok: false, problem: 'site-table.csv: training worker failed: no memory left for the folds', notes: [] });
    const ok = await trainSiteTable(csv, 'site-table.csv', site, undefined, (t, o) => trainInPool(t, o, countingPool().pool));
    const local = await trainSiteTable(csv, 'site-table.csv', site);
    expect(ok.ok && local.ok && Buffer.from(ok.onnx).equals(Buffer.from(local.onnx))).toBe(true);
  }, 120_000);
});
