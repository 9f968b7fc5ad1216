// The model card: what a model was trained on, what it expects and how well it did. The model loader
// (core/dose/model.ts) validates a site's model against it before use.
import { ONNX_INPUTS_KEY, ONNX_TYPES_KEY, type DoseModel } from './doseModel';
import type { Ensemble } from './trees';
import type { InputColumn } from '../dose/inputs';

export interface Metrics { n: number; male?: number; mape: number; mae: number; r2: number; coverage90?: number }
/** Leave-one-patient-out metrics per structure type, with the baselines they are compared to. */
export type CrossValidation = Record<string, { model: Metrics; modelVsTruth?: Metrics; populationMean: Metrics; published?: Metrics }>;
/** 'per-type' (separate LMMs) or 'pooled' (type interactions, shared variance components). */
export type ModelVariant = 'per-type' | 'pooled';

export interface ModelCard {
  id: string;
  version: string;
  created: string;
  modelType: 'lmm' | 'trees';
  notForClinicalUse: boolean;
  intendedUse: string;
  limitations: string[];
  tracer: string;
  therapyAgent: string;
  trainingData: {
    name: string; rows: number; patients: number; synthetic: boolean; cohort?: Record<string, unknown>;
    /** What training did with each column of the table, the imputed medians, and types written although worse than the population mean (--force). */
    columns?: { column: string; decision: string; reason: string }[]; imputed?: Record<string, number>; worseThanPopulationMean?: string[];
  };
  target: { column: string; units: string; transform: 'log' | 'none' };
  inputs: InputColumn[];
  types: string[];
  perType: { type: string; features: string[]; means: number[]; sds: number[]; fixedEffects: number[]; groupVariance: number; residualVariance: number; covBeta: number[][]; trees?: { ensemble: Ensemble; q90: number };
    /** 90 % interval half-width on the log scale (conformal), and whether the type gets a population value. */
    intervalQ90?: number; populationValue?: boolean; inputSpec?: string;
    /** Pre-specified inputs shrunk toward the population value: the model's weight on the log scale (1 = not shrunk). */
    shrink?: number;
    /** The prediction is the median dose; × this gives the mean (Duan's smearing). */
    smearing?: number;
    /** Training range [min, max] of each feature (transform applied), in the order of `features`. */
    inputRanges?: [number, number][] }[];
  onnx: { inputs: { name: string; shape: (string | number)[] }[]; outputs: string[] };
  cv: CrossValidation;
  variant?: ModelVariant;
  lopoMapeByVariant?: Record<string, number>;
  baselines: Record<string, { value: number; source: string }>;
  oracle?: Record<string, unknown>;
}

export function modelFromCard(card: ModelCard): DoseModel {
  return {
    kind: card.modelType, inputs: card.inputs.map((c) => c.name), types: card.types, logTarget: card.target.transform === 'log',
    perType: card.perType.map((t) => ({
      type: t.type, features: t.features, means: t.means, sds: t.sds, trees: t.trees, ...(t.intervalQ90 !== undefined ? { intervalQ90: t.intervalQ90 } : {}),
      fit: { beta: t.fixedEffects, groupVar: t.groupVariance, residVar: t.residualVariance, covBeta: t.covBeta, nObs: 0, nGroups: 0, reml: NaN },
    })),
  };
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNums = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** What a loaded ONNX model says about itself: its graph's input/output names and its metadata_props. */
export interface LoadedGraph { inputNames: readonly string[]; outputNames: readonly string[]; metadata?: Record<string, string> }

/**
 * Checks a card's contract (fields and their types, inputs, per-type coefficients) and, with the loaded
 * graph, that the card's input columns and types are the graph's, in the graph's order (ONNX metadata
 * written by `toOnnx`). Returns what differs, empty when valid; never throws on malformed JSON.
 */
export function validateCard(card: unknown, graph?: LoadedGraph): string[] {
  const problems: string[] = [];
  if (!card || typeof card !== 'object' || Array.isArray(card)) return ['the model card is not a JSON object'];
  const c = card as Record<string, unknown>;
  for (const f of ['id', 'target', 'inputs', 'types', 'perType', 'trainingData'] as const) if (!(f in c)) problems.push(`card field "${f}" is missing`);
  if ('id' in c && !isStr(c.id)) problems.push('card field "id" must be a text');
  if ('modelType' in c && c.modelType !== 'lmm' && c.modelType !== 'trees') problems.push(`card field "modelType" is ${JSON.stringify(c.modelType)} (lmm or trees)`);
  const target = c.target as Record<string, unknown> | undefined;
  if (target !== undefined && (typeof target !== 'object' || target === null)) problems.push('card field "target" must be an object');
  else if (target && target.units !== 'Gy/GBq') problems.push(`target units are "${String(target.units)}", the viewer needs Gy/GBq`);
  const inputs = Array.isArray(c.inputs) && c.inputs.every((i) => i && typeof i === 'object' && isStr((i as { name?: unknown }).name)) ? (c.inputs as { name: string }[]).map((i) => i.name) : undefined;
  if ('inputs' in c && !inputs) problems.push('card field "inputs" must be a list of {name, from, transform}');
  const types = Array.isArray(c.types) && c.types.every(isStr) ? (c.types as string[]) : undefined;
  if ('types' in c && !types) problems.push('card field "types" must be a list of structure types');
  const td = c.trainingData as Record<string, unknown> | undefined;
  if (td !== undefined && (typeof td !== 'object' || td === null)) problems.push('card field "trainingData" must be an object');
  else if (td?.synthetic === true && c.notForClinicalUse !== true) problems.push('the model was trained on synthetic data but its card does not say "not for clinical use"');
  if ('perType' in c && !Array.isArray(c.perType)) problems.push('card field "perType" must be a list');
  else if (Array.isArray(c.perType) && inputs && types) {
    const names = new Set(inputs);
    for (const [n, t] of (c.perType as Record<string, unknown>[]).entries()) {
      const type = isStr(t?.type) ? t.type : `#${n + 1}`;
      const feats = Array.isArray(t?.features) && t.features.every(isStr) ? (t.features as string[]) : undefined;
      if (!feats) { problems.push(`type ${type}: "features" must be a list of input names`); continue; }
      for (const f of feats) if (!names.has(f)) problems.push(`type ${type} uses feature "${f}" that is not among the inputs`);
      if (!types.includes(type)) problems.push(`type ${type} has coefficients but is not among the card's types`);
      if (c.modelType === 'trees') continue;
      const k = feats.length;
      if (!isNums(t.means, k) || !isNums(t.sds, k) || !(t.sds as number[]).every((v) => v > 0)) problems.push(`type ${type}: "means" and "sds" must be ${k} finite numbers (sds positive)`);
      if (!isNums(t.fixedEffects, k + 1)) problems.push(`type ${type}: "fixedEffects" must be ${k + 1} finite numbers (intercept first)`);
      if (!Array.isArray(t.covBeta) || t.covBeta.length !== k + 1 || !t.covBeta.every((r) => isNums(r, k + 1))) problems.push(`type ${type}: "covBeta" must be a ${k + 1}×${k + 1} matrix`);
      for (const v of ['groupVariance', 'residualVariance'] as const) if (!(typeof t[v] === 'number' && (t[v] as number) >= 0)) problems.push(`type ${type}: "${v}" must be a number ≥ 0`);
      if (t.intervalQ90 !== undefined && !(typeof t.intervalQ90 === 'number' && Number.isFinite(t.intervalQ90) && t.intervalQ90 >= 0)) problems.push(`type ${type}: "intervalQ90" must be a number ≥ 0 (the 90 % interval half-width on the log scale)`);
    }
    for (const type of types) if (!(c.perType as { type?: unknown }[]).some((t) => t?.type === type)) problems.push(`type ${type} is listed but has no coefficients`);
  }
  if (graph) {
    for (const n of ['features', 'type_onehot']) if (!graph.inputNames.includes(n)) problems.push(`ONNX input "${n}" is missing (the model has ${graph.inputNames.join(', ')})`);
    for (const n of ['prediction', 'pi_lo', 'pi_hi']) if (!graph.outputNames.includes(n)) problems.push(`ONNX output "${n}" is missing (the model has ${graph.outputNames.join(', ')})`);
    problems.push(...orderProblems('input columns', ONNX_INPUTS_KEY, inputs, graph.metadata), ...orderProblems('structure types', ONNX_TYPES_KEY, types, graph.metadata));
    // Transforms, target and tracer, where the graph records them (models trained by this version do).
    const recorded = contractDetails(c as Partial<ModelCard>);
    for (const [key, value] of Object.entries(recorded)) {
      const g = graph.metadata?.[key];
      if (g !== undefined && g !== value) problems.push(`the card and the ONNX graph disagree on ${key.replace('psma_dose_', '')}: card ${value}, graph ${g}`);
    }
  }
  return problems;
}

/** The rest of the model contract train writes into the ONNX metadata: each input's transform and source column, the target, the tracer. */
export function contractDetails(card: Partial<Pick<ModelCard, 'inputs' | 'target' | 'tracer'>>): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(card.inputs) && card.inputs.every((c) => c && typeof c === 'object')) out.psma_dose_transforms = JSON.stringify(card.inputs.map((c) => `${c.transform}(${c.from})`));
  if (card.target && typeof card.target === 'object') out.psma_dose_target = `${card.target.transform}(${card.target.column})`;
  if (typeof card.tracer === 'string') out.psma_dose_tracer = card.tracer;
  return out;
}

/** The card's list must be the graph's, in the same order (a reordered card would feed columns to the wrong coefficients). */
function orderProblems(what: string, key: string, card: string[] | undefined, metadata: Record<string, string> | undefined): string[] {
  if (!card) return [];
  const raw = metadata?.[key];
  if (raw === undefined) return [`the ONNX model does not record its ${what} (metadata "${key}"): retrain it with this version's npm run train`];
  let graph: unknown;
  try { graph = JSON.parse(raw); } catch { return [`the ONNX metadata "${key}" is not a JSON list`]; }
  if (!Array.isArray(graph)) return [`the ONNX metadata "${key}" is not a JSON list`];
  if (graph.length === card.length && graph.every((g, n) => g === card[n])) return [];
  const first = card.findIndex((x, n) => x !== graph[n]);
  return [`the card lists its ${what} in another order than the ONNX graph (position ${first + 1}: card "${card[first] ?? '(none)'}", graph "${String(graph[first] ?? '(none)')}"): the doses would be wrong`];
}
