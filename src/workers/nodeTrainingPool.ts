// Node training pool (npm run train, bench): worker_threads running the same fold code, loaded through tsx's
// loader API as nodeFeaturePool.ts does (the project ships no compiled JS).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { TrainOptions, TrainResult } from '../core/model/train';
import { poolSize, trainInPool, type FoldsApi, type FoldsWorker, type TrainingPool } from './trainingPool';

const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
const entry = new URL('./trainingFolds.node-worker.ts', import.meta.url).href;
const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;

/** Starts a folds worker from `source` (evaluated; the folds entry by default). */
export function nodeFoldsWorker(source = bootstrap): FoldsWorker {
  const worker = new Worker(source, { eval: true });
  const failed = new Promise<never>((_, reject) => {
    worker.on('error', (e) => reject(new Error(`training worker failed: ${e.message}`)));
    worker.on('exit', (code) => reject(new Error(`training worker stopped before its folds were done (exit code ${code})`)));
  });
  failed.catch(() => undefined);
  return { api: wrap<FoldsApi>(nodeEndpoint(worker)), terminate: () => void worker.terminate(), failed };
}

export function nodeTrainingPool(size = poolSize(availableParallelism())): TrainingPool {
  return { size, spawn: () => nodeFoldsWorker() };
}

/** train() with the outer folds in worker_threads (in-process below 20 patients). */
export const trainInNodePool = (table: Record<string, string>[], options: TrainOptions, pool = nodeTrainingPool()): Promise<TrainResult> => trainInPool(table, options, pool);
