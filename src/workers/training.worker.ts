// Web Worker: *Train site model* (core/model/siteTraining.ts). Loaded only when the site panel first trains, so
// the trainer stays out of the page's main chunk; cancelling terminates the worker.
import { expose, transfer } from 'comlink';
import { trainSiteTable, type SiteTrainingOptions } from '../core/model/siteTraining';

const api = {
  train(csv: string, file: string, options: SiteTrainingOptions, stage: (what: string) => void) {
    const r = trainSiteTable(csv, file, options, (what) => void stage(what));
    return r.ok ? transfer(r, [r.onnx.buffer as ArrayBuffer]) : r;
  },
};
export type TrainingApi = typeof api;
expose(api);
