// From feature rows to model inputs and back: which rows a model can predict (type covered, every input
// column finite), their input vectors (card transforms applied) and the predictions per structure.
import type { ModelCard } from '../model/card';
import type { PredictRow } from '../model/doseModel';
import type { OrtPrediction } from '../model/runtime';
import { applyInputs, outsideTrainingRange, type InputColumn } from './inputs';
import { biomarker } from './biomarkers';
import type { FeatureRow, SkippedStructure } from './rows';
import type { StructurePrediction } from './plan';

/** A card as prediction reads it: its inputs and, per structure type, the inputs that type's model uses. */
export type CardInputs = Pick<ModelCard, 'inputs'> & { perType?: { type: string; features: string[] }[] };

/**
 * The inputs a structure type's model reads (all of the card's without a type, or for a card without per-type
 * features): a kidney needs no tumour-only input, so a missing PSA skips only the types whose model uses it.
 */
export function typeInputs(card: CardInputs, type?: string): InputColumn[] {
  if (type === undefined || !card.perType) return card.inputs;
  const t = card.perType.find((x) => x.type === type) ?? (card.perType.length === 1 ? card.perType[0] : undefined);
  return t ? card.inputs.filter((c) => t.features.includes(c.name)) : card.inputs;
}

/** Feature-table columns the model reads for a structure type, or for any type (each once, in card order). */
export function neededColumns(card: CardInputs, type?: string): string[] {
  return [...new Set(typeInputs(card, type).map((c) => c.from))];
}

/** Uptake columns that are positive in any structure with uptake (≤ 0: no uptake, or SUV scaled wrongly). */
const POSITIVE = new Set(['suv_max', 'suv_mean', 'suv_peak', 'volume_ml', 'tlu']);

/**
 * Why the model cannot predict a row, one problem per column (the column, the value found and what is allowed:
 * a number; biomarkers within the plausible range of biomarkers.ts and ranges.ts; uptake and log-transformed
 * inputs above 0); empty when it can.
 */
export function rowProblems(card: CardInputs & Pick<ModelCard, 'types'>, raw: Record<string, string | number | undefined>, type: string): string[] {
  if (!card.types.includes(type)) return [`structure type "${type}" is not covered by the model (${card.types.join(', ')})`];
  const inputs = typeInputs(card, type);
  const logged = new Set(inputs.filter((c) => c.transform === 'log').map((c) => c.from));
  const problems: string[] = [];
  for (const col of neededColumns(card, type)) {
    const text = raw[col];
    const empty = text === undefined || String(text).trim() === '';
    const v = typeof text === 'number' ? text : empty ? NaN : Number(text);
    const b = biomarker(col);
    if (empty && b) { problems.push(`${b.label} (${col}) is not given; the ${type} model needs it`); continue; }
    if (!Number.isFinite(v)) { problems.push(`${col} = ${empty ? '(empty)' : JSON.stringify(String(text))} is not a number`); continue; }
    if (b && (v < b.min || v > b.max)) problems.push(`${col} = ${v} is outside the plausible ${b.min}–${b.max} ${b.unit} (${b.label})`);
    else if (!(v > 0) && (POSITIVE.has(col) || logged.has(col))) problems.push(`${col} = ${v} must be greater than 0${logged.has(col) ? ' (the model takes its logarithm)' : ''}`);
  }
  return problems;
}

/** The model's input vector for raw column values: the inputs of the row's type only. */
export function modelInput(card: CardInputs, raw: Record<string, string | number>, type: string): PredictRow {
  return { values: applyInputs(Object.fromEntries(neededColumns(card, type).map((k) => [k, Number(raw[k])])), typeInputs(card, type)), type };
}

export interface PredictionInputs {
  /** Rows the model covers, in the order of `inputs`. */
  usable: FeatureRow[];
  inputs: PredictRow[];
  /** Rows left out, the reason naming the missing columns or "type not covered". */
  skipped: SkippedStructure[];
}

export function predictionInputs(card: CardInputs & Pick<ModelCard, 'types'>, rows: FeatureRow[]): PredictionInputs {
  const problems = new Map(rows.map((r) => [r, rowProblems(card, r, String(r.type))]));
  const usable = rows.filter((r) => !problems.get(r)!.length);
  const skipped = rows.filter((r) => !usable.includes(r)).map((r) => ({
    id: String(r.structure_id), name: String(r.name), type: String(r.type), reason: problems.get(r)!.join('; '),
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
