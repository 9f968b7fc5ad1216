// From feature rows to model inputs and back: which rows a model can predict (type covered, every input
// column finite), their input vectors (card transforms applied) and the predictions per structure.
import type { ModelCard } from '../model/card';
import type { PredictRow } from '../model/doseModel';
import type { OrtPrediction } from '../model/runtime';
import { applyInputs, outsideTrainingRange } from './inputs';
import type { FeatureRow, SkippedStructure } from './rows';
import type { StructurePrediction } from './plan';

/** Feature-table columns the model reads (each once, in card order). */
export function neededColumns(card: Pick<ModelCard, 'inputs'>): string[] {
  return [...new Set(card.inputs.map((c) => c.from))];
}

/** The model's input vector for raw column values. */
export function modelInput(card: Pick<ModelCard, 'inputs'>, raw: Record<string, string | number>, type: string): PredictRow {
  return { values: applyInputs(Object.fromEntries(neededColumns(card).map((k) => [k, Number(raw[k])])), card.inputs), type };
}

export interface PredictionInputs {
  /** Rows the model covers, in the order of `inputs`. */
  usable: FeatureRow[];
  inputs: PredictRow[];
  /** Rows left out, the reason naming the missing columns or "type not covered". */
  skipped: SkippedStructure[];
}

export function predictionInputs(card: Pick<ModelCard, 'inputs' | 'types'>, rows: FeatureRow[]): PredictionInputs {
  const needed = neededColumns(card);
  const missing = (r: FeatureRow) => needed.filter((k) => !Number.isFinite(Number(r[k])));
  const usable = rows.filter((r) => card.types.includes(String(r.type)) && !missing(r).length);
  const skipped = rows.filter((r) => !usable.includes(r)).map((r) => ({
    id: String(r.structure_id), name: String(r.name), type: String(r.type), reason: missing(r).join(', ') || 'type not covered',
  }));
  return { usable, inputs: usable.map((r) => modelInput(card, r, String(r.type))), skipped };
}

/** Model outputs (same order as the usable rows) as per-structure predictions, with the ROI volume for mass weighting. */
export function toPredictions(usable: FeatureRow[], outputs: OrtPrediction[], card?: Pick<ModelCard, 'inputs' | 'perType'>): StructurePrediction[] {
  if (outputs.length !== usable.length) throw new Error(`the model returned ${outputs.length} predictions for ${usable.length} structures`);
  return usable.map((r, i) => {
    const volumeMl = Number(r.volume_ml);
    if (!(volumeMl > 0)) throw new Error(`${r.name}: the feature row has no positive volume_ml (${r.volume_ml})`);
    const type = String(r.type);
    const outside = card ? outsideTrainingRange(card, modelInput(card, r, type)) : [];
    const populationValue = !!card?.perType.find((t) => t.type === type)?.populationValue;
    return {
      name: String(r.name), type, gyPerGBq: outputs[i].prediction, lo: outputs[i].pi90[0], hi: outputs[i].pi90[1], volumeMl,
      ...(populationValue ? { populationValue } : {}), ...(outside.length ? { outsideTrainingRange: outside } : {}),
    };
  });
}
