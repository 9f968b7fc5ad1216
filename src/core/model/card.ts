// The model card: what a model was trained on, what it expects and how well it did. The model loader
// (core/dose/model.ts) validates a site's model against it before use.
import type { DoseModel } from './doseModel';
import type { Ensemble } from './trees';
import type { InputColumn } from '../dose/inputs';

export interface Metrics { n: number; mape: number; mae: number; r2: number; coverage90?: number }
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
  trainingData: { name: string; rows: number; patients: number; synthetic: boolean; cohort?: Record<string, unknown> };
  target: { column: string; units: string; transform: 'log' | 'none' };
  inputs: InputColumn[];
  types: string[];
  perType: { type: string; features: string[]; means: number[]; sds: number[]; fixedEffects: number[]; groupVariance: number; residualVariance: number; covBeta: number[][]; trees?: { ensemble: Ensemble; q90: number } }[];
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
      type: t.type, features: t.features, means: t.means, sds: t.sds, trees: t.trees,
      fit: { beta: t.fixedEffects, groupVar: t.groupVariance, residVar: t.residualVariance, covBeta: t.covBeta, nObs: 0, nGroups: 0, reml: NaN },
    })),
  };
}

/** Checks a card's contract (fields, inputs, outputs); returns what differs, empty when valid. */
export function validateCard(card: unknown, session?: { inputNames: readonly string[]; outputNames: readonly string[] }): string[] {
  const c = card as Partial<ModelCard>;
  const problems: string[] = [];
  if (!c || typeof c !== 'object') return ['the model card is not a JSON object'];
  for (const f of ['id', 'target', 'inputs', 'types', 'perType', 'trainingData'] as const) if (!(f in c)) problems.push(`card field "${f}" is missing`);
  if (c.target && c.target.units !== 'Gy/GBq') problems.push(`target units are "${c.target.units}", the viewer needs Gy/GBq`);
  if (c.perType && c.inputs) {
    const names = new Set(c.inputs.map((i) => i.name));
    for (const t of c.perType) for (const f of t.features) if (!names.has(f)) problems.push(`type ${t.type} uses feature "${f}" that is not among the inputs`);
  }
  if (session) {
    for (const n of ['features', 'type_onehot']) if (!session.inputNames.includes(n)) problems.push(`ONNX input "${n}" is missing (the model has ${session.inputNames.join(', ')})`);
    for (const n of ['prediction', 'pi_lo', 'pi_hi']) if (!session.outputNames.includes(n)) problems.push(`ONNX output "${n}" is missing (the model has ${session.outputNames.join(', ')})`);
  }
  return problems;
}
