// Browser training pool: folds workers started by the training worker (nested dedicated workers), so that
// terminating the training worker (Cancel training) ends them too and the page's thread only waits.
import { wrap } from 'comlink';
import { poolSize, type FoldsApi, type TrainingPool } from './trainingPool';

export function browserTrainingPool(size = poolSize(navigator.hardwareConcurrency || 2)): TrainingPool {
  return {
    size,
    spawn: () => {
      const worker = new Worker(new URL('./trainingFolds.worker.ts', import.meta.url), { type: 'module' });
      const failed = new Promise<never>((_, reject) => {
        worker.addEventListener('error', (e) => reject(new Error(`training worker failed: ${e.message || 'the folds worker could not start'}`)));
        worker.addEventListener('messageerror', () => reject(new Error('training worker failed: a message could not be read')));
      });
      failed.catch(() => undefined);
      return { api: wrap<FoldsApi>(worker), terminate: () => worker.terminate(), failed };
    },
  };
}
