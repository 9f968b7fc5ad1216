// Web Worker: the dose model in onnxruntime-web (wasm served by the app itself, single thread).
import { expose } from 'comlink';
import type * as ort from 'onnxruntime-web';
import { createSession, runSession, type OrtPrediction } from '../core/model/runtime';
import { modelFromCard, validateCard, type ModelCard } from '../core/model/card';
import type { PredictRow } from '../core/model/doseModel';

let session: ort.InferenceSession | undefined;
let card: ModelCard | undefined;

const api = {
  /** Loads a model; returns contract problems (empty when the model and card match). */
  async load(bytes: Uint8Array, modelCard: ModelCard): Promise<{ problems: string[]; sessionMs: number }> {
    const problems = validateCard(modelCard);
    if (problems.length) return { problems, sessionMs: 0 };
    const t = performance.now();
    const s = await createSession(bytes);
    const more = validateCard(modelCard, s);
    if (more.length) return { problems: more, sessionMs: 0 };
    session = s;
    card = modelCard;
    return { problems: [], sessionMs: performance.now() - t };
  },
  async predict(rows: PredictRow[]): Promise<{ predictions: OrtPrediction[]; ms: number }> {
    if (!session || !card) throw new Error('no model is loaded');
    const t = performance.now();
    const predictions = await runSession(session, modelFromCard(card), rows);
    return { predictions, ms: performance.now() - t };
  },
};
export type InferenceApi = typeof api;
expose(api);
