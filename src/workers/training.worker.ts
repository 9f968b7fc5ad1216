// Web Worker: *Train site model* (core/model/siteTraining.ts). Loaded only when the site panel first trains, so
// the trainer stays out of the page's main chunk; cancelling terminates the worker, and with it the folds workers
// it starts (browserTrainingPool.ts; from 20 patients the outer cross-validation folds run there).
import { expose, transfer } from 'comlink';
import { trainSiteTable, type SiteTrainingOptions } from '../core/model/siteTraining';
import { trainInPool } from './trainingPool';
import { browserTrainingPool } from './browserTrainingPool';

const api = {
  async train(csv: string, file: string, options: SiteTrainingOptions, stage: (what: string) => void) {
    let foldWorkers = 0;
    const r = await trainSiteTable(csv, file, options, (what) => void stage(what), (table, o) => trainInPool(table, o, browserTrainingPool(), { onStart: (n) => { foldWorkers = n; } }));
    return r.ok ? transfer({ ...r, foldWorkers }, [r.onnx.buffer as ArrayBuffer]) : r;
  },
};
export type TrainingApi = typeof api;
expose(api);
