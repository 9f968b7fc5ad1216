// Loading a dose model (ONNX + card) into onnxruntime-web: the one place a card is validated, used by the
// inference worker and the Node CLIs. Pulls in the ONNX runtime: not for the page's main bundle.
import type * as ort from 'onnxruntime-web';
import { createSession, runSession, type OrtPrediction } from '../model/runtime';
import { modelFromCard, validateCard, type ModelCard } from '../model/card';
import { readOnnxMetadata } from '../model/onnx';
import type { PredictRow } from '../model/doseModel';

export interface LoadedModel { session: ort.InferenceSession; card: ModelCard; sessionMs: number }

/** Model and card checked against the contract; a problem message instead when they don't fit. Throws when the bytes are no ONNX model. */
export async function openModel(bytes: Uint8Array, card: unknown): Promise<LoadedModel | { problem: string }> {
  const problems = validateCard(card);
  if (problems.length) return { problem: `The model card does not match the contract: ${problems.join('; ')}` };
  const t = performance.now();
  const session = await createSession(bytes);
  let metadata: Record<string, string>;
  try { metadata = readOnnxMetadata(bytes); } catch (e) { return { problem: `The model file is not a readable ONNX model (${(e as Error).message})` }; }
  const more = validateCard(card, { inputNames: session.inputNames, outputNames: session.outputNames, metadata });
  if (more.length) return { problem: `The model does not match its card: ${more.join('; ')}` };
  return { session, card: card as ModelCard, sessionMs: performance.now() - t };
}

export type Infer = (rows: PredictRow[]) => Promise<{ predictions: OrtPrediction[]; ms: number }>;

/** Inference on a loaded model (what the pipeline's `infer` expects). */
export function inferWith(model: LoadedModel): Infer {
  const m = modelFromCard(model.card);
  return async (rows) => {
    const t = performance.now();
    const predictions = await runSession(model.session, m, rows);
    return { predictions, ms: performance.now() - t };
  };
}
