// A pool of feature workers (one per core), one ROI per task, buffers transferred, progress and cancellation.
import { wrap, transfer, type Remote } from 'comlink';
import type { RoiResult, RoiTask } from '../core/radiomics/task';

interface Api { runTask(task: RoiTask): RoiResult }

export interface PoolWorker { api: Remote<Api>; terminate: () => void; /** Rejects if the worker dies. */ failed?: Promise<never> }

export interface FeaturePool {
  size: number;
  run(tasks: RoiTask[], opts?: { onProgress?: (done: number, total: number, last: RoiResult) => void; signal?: AbortSignal }): Promise<RoiResult[]>;
  close(): void;
}

export class CancelledError extends Error {
  constructor() { super('feature extraction was cancelled'); }
}

export function createFeaturePool(size: number, spawn: () => PoolWorker): FeaturePool {
  const workers = Array.from({ length: Math.max(1, size) }, spawn);
  return {
    size: workers.length,
    async run(tasks, opts = {}) {
      const results: RoiResult[] = new Array(tasks.length);
      // Largest ROIs first (longest-processing-time order): the lanes finish closer together.
      const order = tasks.map((_, n) => n).sort((a, b) => tasks[b].image.data.length - tasks[a].image.data.length);
      let next = 0, done = 0;
      const aborted = () => opts.signal?.aborted;
      const lane = async (w: PoolWorker) => {
        while (next < tasks.length) {
          if (aborted()) throw new CancelledError();
          const n = order[next++];
          const t = tasks[n];
          const call = w.api.runTask(transfer(t, [t.image.data.buffer, t.mask.buffer]));
          const r = await (w.failed ? Promise.race([call, w.failed]) : call);
          results[n] = r;
          opts.onProgress?.(++done, tasks.length, r);
        }
      };
      await Promise.all(workers.map(lane));
      if (aborted()) throw new CancelledError();
      return results;
    },
    close() {
      for (const w of workers) w.terminate();
    },
  };
}

/** Browser pool: navigator.hardwareConcurrency workers. */
export function browserFeaturePool(size = navigator.hardwareConcurrency || 2): FeaturePool {
  return createFeaturePool(size, () => {
    const worker = new Worker(new URL('./features.worker.ts', import.meta.url), { type: 'module' });
    const failed = new Promise<never>((_, reject) => worker.addEventListener('error', (e) => reject(new Error(`feature worker failed: ${e.message}`))));
    failed.catch(() => undefined);
    return { api: wrap<Api>(worker), terminate: () => worker.terminate(), failed };
  });
}

let pagePool: FeaturePool | undefined;

/**
 * The page's feature pool, created once and kept (workers loaded and compiled stay so for the next Compute);
 * `warmUp(i)` gives synthetic ROIs, run three per worker (e.g. small to organ-sized). A pool whose worker failed is replaced on the next call.
 */
export function pageFeaturePool(warmUp?: (index: number) => RoiTask): FeaturePool {
  if (pagePool) return pagePool;
  const pool = browserFeaturePool();
  const run: FeaturePool['run'] = async (tasks, opts) => {
    try {
      return await pool.run(tasks, opts);
    } catch (e) {
      if (!(e instanceof CancelledError) && pagePool === kept) { pagePool = undefined; pool.close(); }
      throw e;
    }
  };
  const kept: FeaturePool = { size: pool.size, run, close: () => undefined };
  pagePool = kept;
  if (warmUp) void run(Array.from({ length: 3 * pool.size }, (_, i) => warmUp(i))).catch(() => undefined);
  return kept;
}
