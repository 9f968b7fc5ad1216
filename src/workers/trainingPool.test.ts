import { describe, expect, it } from 'vitest';
import { cohortTable } from '../core/cohort/evaluate';
import { train, type TrainOptions } from '../core/model/train';
import { modelCard, modelOnnx } from '../core/model/trainedCard';
import { nodeFoldsWorker } from './nodeTrainingPool';
import { trainInPool, type FoldsWorker, type TrainingPool } from './trainingPool';

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
      const api = { prepare: w.api.prepare, outerFolds: (ps: string[]) => { mine.push(...ps); return w.api.outerFolds(ps); } };
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
});
