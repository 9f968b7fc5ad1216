// Runs an exported dose model with onnxruntime-web (the same runtime in Node, workers and the page).
import * as ort from 'onnxruntime-web';
import { onnxInputs, type DoseModel, type PredictRow } from './doseModel';

export async function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  ort.env.wasm.numThreads = 1;
  try {
    return await ort.InferenceSession.create(bytes);
  } catch (e) {
    throw new Error(`not a loadable ONNX model: ${(e as Error).message}`);
  }
}

export interface OrtPrediction { prediction: number; pi90: [number, number] }

export async function runSession(session: ort.InferenceSession, model: Pick<DoseModel, 'inputs' | 'types'>, rows: PredictRow[]): Promise<OrtPrediction[]> {
  const missing = ['features', 'type_onehot'].filter((n) => !session.inputNames.includes(n));
  if (missing.length) throw new Error(`the ONNX model lacks the input(s) ${missing.join(', ')} the model card describes`);
  const { features, onehot } = onnxInputs(model as DoseModel, rows);
  const out = await session.run({
    features: new ort.Tensor('float32', features, [rows.length, model.inputs.length]),
    type_onehot: new ort.Tensor('float32', onehot, [rows.length, model.types.length]),
  });
  const p = out.prediction.data as Float32Array, lo = out.pi_lo.data as Float32Array, hi = out.pi_hi.data as Float32Array;
  return rows.map((_, i) => ({ prediction: p[i], pi90: [lo[i], hi[i]] }));
}
