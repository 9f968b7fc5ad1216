// Web Worker: the dose model in onnxruntime-web (wasm served by the app itself, single thread). `load` is
// where a model and its card are validated (core/dose/modelSession.ts).
import { expose } from 'comlink';
import { openModel, inferWith, type Infer } from '../core/dose/modelSession';
import type { PredictRow } from '../core/model/doseModel';

let infer: Infer | undefined;

const api = {
  /** Loads a model; returns the contract problem (undefined when the model and card match). */
  async load(bytes: Uint8Array, card: unknown): Promise<{ problem?: string; sessionMs: number }> {
    const m = await openModel(bytes, card);
    if ('problem' in m) return { problem: m.problem, sessionMs: 0 };
    infer = inferWith(m);
    return { sessionMs: m.sessionMs };
  },
  async predict(rows: PredictRow[]) {
    if (!infer) throw new Error('no model is loaded');
    return infer(rows);
  },
};
export type InferenceApi = typeof api;
expose(api);
