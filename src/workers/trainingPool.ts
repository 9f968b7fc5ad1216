// Training with its outer LOPO folds spread over workers (core/model/train.ts `prepareTraining`): every worker
// prepares from the same table and options and runs the folds of the patients it is handed; the caller merges them
// in table order, so the result is train()'s to the last bit. Below POOL_MIN_PATIENTS (worker start-up costs more
// than the folds) and with a pool of one it trains in-process. Spawning is the caller's: Node (nodeTrainingPool.ts)
// or the browser (browserTrainingPool.ts).
import type { Remote } from 'comlink';
import { prepareTraining, train, type PatientFolds, type PreparedTraining, type TrainOptions, type TrainResult, type TypeChoice } from '../core/model/train';

/** What a folds worker exposes (trainingFolds.worker.ts, trainingFolds.node-worker.ts). */
export interface FoldsApi {
  prepare(table: Record<string, string>[], options: TrainOptions): void;
  outerFolds(patients: string[]): PatientFolds[];
  choiceOnAllPatients(): TypeChoice[];
}

export interface FoldsWorker { api: Remote<FoldsApi>; terminate: () => void; /** Rejects with a clear message if the worker dies. */ failed: Promise<never> }

export interface TrainingPool { size: number; spawn: () => FoldsWorker }

/** Fewer patients than this train in-process. */
export const POOL_MIN_PATIENTS = 20;

/**
 * Workers for `cores` logical cores: one core left to the caller, but 2 on a 2-core machine (the caller only waits),
 * and at most 4: every worker prepares the table again, so more add memory and start-up for little gain.
 */
export const poolSize = (cores: number) => (cores <= 1 ? 1 : Math.min(4, Math.max(2, cores - 1)));

/** The worker side: one prepared training per worker, then folds of any patients. */
export function foldsApi(): FoldsApi {
  let prepared: PreparedTraining | undefined;
  const ready = () => { if (!prepared) throw new Error('training worker: folds asked before prepare'); return prepared; };
  return {
    prepare(table, options) { prepared = prepareTraining(table, options); },
    outerFolds(patients) { return ready().outerFolds(patients); },
    choiceOnAllPatients() { return ready().choiceOnAllPatients(); },
  };
}

/**
 * train(table, options) with the outer folds in `pool.size` workers. The table is validated here first (a bad
 * table fails with train()'s own message); a worker that fails rejects the whole training, naming the worker's
 * error, and every worker is terminated either way.
 */
export async function trainInPool(table: Record<string, string>[], options: TrainOptions, pool: TrainingPool, o: { minPatients?: number; /** Told how many workers run the folds (not called in-process). */ onStart?: (workers: number) => void } = {}): Promise<TrainResult> {
  const patientCount = new Set(table.map((r) => r[options.group])).size;
  // One worker would only add its start-up and its own preparation to the same sequential work.
  if (pool.size < 2 || patientCount < (o.minPatients ?? POOL_MIN_PATIENTS)) return train(table, options);
  // Workers start loading while this thread validates the table and prepares its own copy (for finish; no folds).
  const workers = Array.from({ length: pool.size }, pool.spawn);
  o.onStart?.(workers.length);
  try {
    const ready = workers.map((w) => Promise.race([w.api.prepare(table, options), w.failed]));
    for (const r of ready) r.catch(() => undefined); // awaited below; a bad table throws here first
    const prepared = prepareTraining(table, options);
    const patients = [...prepared.patients];
    // The choice on every patient from the first worker (it has the cross-products built; this thread never builds them).
    const choice = ready[0].then(() => Promise.race([workers[0].api.choiceOnAllPatients(), workers[0].failed]));
    choice.catch(() => undefined);
    // Small chunks handed to whichever worker is free (the machine's cores are shared), merged by patient.
    const chunk = Math.max(1, Math.ceil(patients.length / (4 * workers.length)));
    const folds: PatientFolds[] = [];
    let next = 0;
    const take = () => patients.slice(next, (next += chunk));
    await Promise.all(workers.map(async (w, k) => {
      let mine = take(); // every worker's first chunk at once, the rest to whichever is free
      await ready[k];
      while (mine.length) {
        folds.push(...(await Promise.race([w.api.outerFolds(mine), w.failed])));
        mine = take();
      }
    }));
    return prepared.finish(folds, await choice);
  } finally {
    for (const w of workers) w.terminate();
  }
}
