// What `npm run train` and the browser's *Train site model* write after `train`: the refusal of a model worse
// than the population mean, the model card and the ONNX graph, and the cross-validation summary. One place, so
// that a model trained in the browser is the CLI's to the byte (apart from the creation time).
import { PUBLISHED_GY_PER_GBQ, type TrainResult } from './train';
import { toOnnx } from './doseModel';
import { contractDetails, type ModelCard } from './card';

export interface CardOptions {
  kind: 'lmm' | 'trees';
  target: string;
  name: string;
  synthetic: boolean;
  tracer: string;
  /** The columns were given (--features): the card says "given" instead of "automatic". */
  givenFeatures: boolean;
  /** The virtual cohort's cohort.json, when the table came from one. */
  cohort?: { seed?: unknown; version?: unknown; patients?: unknown; scenario?: unknown; oracle?: Record<string, unknown> };
  /** Types worse than the population mean written anyway (--force). */
  worse?: string[];
  created?: Date;
}

/** Types whose cross-validated MALE is more than 5 % above the population mean's (never written silently). */
export function worseThanPopulationMean(r: Pick<TrainResult, 'cv'>): string[] {
  return Object.entries(r.cv).filter(([, m]) => m.model.male !== undefined && m.populationMean.male !== undefined && m.model.male > m.populationMean.male * 1.05).map(([t]) => t);
}

/** The refusal `train` prints for such types, without --force. */
export function worseMessage(r: Pick<TrainResult, 'cv'>, worse: string[], force = '--force'): string {
  return `the model is worse than the population mean in cross-validation for ${worse.join(', ')} (MALE ${worse.map((t) => `${r.cv[t].model.male!.toFixed(3)} vs ${r.cv[t].populationMean.male!.toFixed(3)}`).join(', ')}); nothing written. More patients are needed, or ${force} writes it and the card records it`;
}

export function modelCard(r: TrainResult, o: CardOptions): ModelCard {
  const created = o.created ?? new Date();
  const id = `${o.name}-${o.kind}-${created.toISOString().slice(0, 10)}`;
  const { cohort, synthetic } = o;
  return {
    id, version: '0.1.0', created: created.toISOString(), modelType: o.kind, notForClinicalUse: synthetic,
    intendedUse: synthetic
      ? 'NOT FOR CLINICAL USE. Trained on synthetic (virtual) patients; for software testing and demonstration only.'
      : 'Research use: preview of 177Lu-PSMA cycle-1 absorbed dose per structure from pre-therapy PSMA PET/CT. Not a medical device.',
    limitations: [
      'Population-level prediction: a new patient gets no random effect; the interval includes the between-patient variance.',
      'Valid only for the tracer, scanner protocol, contouring practice and dosimetry method of the training data.',
      'Local electron-deposition dosimetry; no cross-dose.',
    ],
    tracer: o.tracer, therapyAgent: '177Lu-PSMA',
    trainingData: {
      name: o.name, rows: r.rows, patients: r.groups, synthetic, ...(cohort ? { cohort: { seed: cohort.seed, version: cohort.version, patients: cohort.patients, scenario: cohort.scenario ?? 'sourced' } } : {}),
      columns: r.columns, imputed: r.imputed, ...(o.worse?.length ? { worseThanPopulationMean: o.worse } : {}),
    },
    target: { column: o.target, units: 'Gy/GBq', transform: r.model.logTarget ? 'log' : 'none' },
    inputs: r.inputColumns, types: r.model.types,
    perType: r.model.perType.map((t) => ({ type: t.type, features: t.features, means: t.means, sds: t.sds, fixedEffects: t.fit.beta, groupVariance: t.fit.groupVar, residualVariance: t.fit.residVar, covBeta: t.fit.covBeta, ...(t.trees ? { trees: t.trees } : {}),
      ...(t.intervalQ90 !== undefined ? { intervalQ90: t.intervalQ90 } : {}), ...(t.ranges ? { inputRanges: t.ranges } : {}), ...(t.smearing !== undefined ? { smearing: t.smearing } : {}), populationValue: r.populationValueTypes.includes(t.type), inputSpec: r.inputSpecs[t.type] ?? (o.givenFeatures ? 'given' : 'automatic'),
      ...(t.shrink !== undefined ? { shrink: t.shrink } : {}) })),
    onnx: { inputs: [{ name: 'features', shape: ['N', r.model.inputs.length] }, { name: 'type_onehot', shape: ['N', r.model.types.length] }], outputs: ['prediction', 'pi_lo', 'pi_hi'] },
    cv: r.cv, variant: r.variant, lopoMapeByVariant: r.lopoMapeByVariant, baselines: PUBLISHED_GY_PER_GBQ, ...(cohort?.oracle ? { oracle: cohort.oracle } : {}),
  };
}

/** The ONNX graph of a trained model, with the card's contract in its metadata. */
export function modelOnnx(r: TrainResult, card: ModelCard): Uint8Array {
  return toOnnx(r.model, { id: card.id, not_for_clinical_use: String(card.notForClinicalUse), ...contractDetails(card) });
}

/** Per type, the cross-validation figures `train` prints (rounded as printed). */
export function cvSummary(r: Pick<TrainResult, 'cv'>, oracle?: Record<string, { measured: { mape: number }; true: { mape: number } }>) {
  return Object.fromEntries(Object.entries(r.cv).map(([t, m]) => [t, {
    male: m.model.male === undefined ? null : +m.model.male.toFixed(3), male_population_mean: m.populationMean.male === undefined ? null : +m.populationMean.male.toFixed(3),
    mape: +m.model.mape.toFixed(1), mae: +m.model.mae.toFixed(3), r2: +m.model.r2.toFixed(2), coverage90: m.model.coverage90,
    ...(m.modelVsTruth ? { mape_vs_truth: +m.modelVsTruth.mape.toFixed(1) } : {}),
    mape_population_mean: +m.populationMean.mape.toFixed(1), mape_published: m.published ? +m.published.mape.toFixed(1) : null,
    ...(oracle?.[t] ? { mape_oracle_measured: +oracle[t].measured.mape.toFixed(1), mape_oracle_true: +oracle[t].true.mape.toFixed(1) } : {}),
  }]));
}
