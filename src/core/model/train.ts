// Training pipeline: validation of the table, per-type feature transformation/selection/scaling inside
// leave-one-patient-out CV (nothing from the held-out patient reaches any step), metrics vs baselines.
import { DOSIMETRIC_TYPES } from '../vocabulary';
import { fitTypeModel, predictRow, type DoseModel, type PredictRow, type TypeModel } from './doseModel';
import { fitTrees } from './trees';
import { fitLmm } from './lmm';
import { applyInputs, columnUnit, type InputColumn } from '../dose/inputs';
import type { CrossValidation, Metrics, ModelVariant } from './card';
import { PRESPECIFIED, type InputSpec } from './specs';
import { FastPathUnavailable, MomentCv } from './lopo';

export class TableError extends Error {}

export interface TrainOptions {
  target: string;
  group: string;
  typeCol?: string;
  /** Exact columns (raw target, no selection, no scaling, no transform). */
  features?: string[];
  /** Extra column to score against (e.g. the true dose when training on the measured one). */
  truthCol?: string;
  /** Max features selected per type in the automatic pipeline. */
  maxFeatures?: number;
  /** 'lmm' (default) or 'trees' (boosted trees with a random intercept; automatic pipeline only). */
  model?: 'lmm' | 'trees';
  /** Columns that look post-therapy or dose-derived but may be inputs (named by the user). */
  allowColumns?: string[];
  /** Fewest patients per structure type (default 5). */
  minPatients?: number;
  /** How cross-validation refits: 'moments' (default; per-patient cross-products, the same result faster) or 'refit' (row-wise, the reference). */
  lopo?: 'moments' | 'refit';
}

/** What training did with a column of the table (recorded in the card and printed). */
export interface ColumnDecision { column: string; decision: 'candidate' | 'imputed' | 'dropped' | 'excluded'; reason: string }

/** Columns that look measured after therapy or derived from the dose: never inputs unless allowed by name (target leakage). */
export const POST_THERAPY_COLUMN = /(spect|dose|absorb|measured|dosimetry|(^|_)tia($|_)|time_integrated|half_?life|t_?eff|(^|_)\d+\s*h($|_)|conc_)/i;
/** Truth a PET does not show (the cohort's true mass and true values): never inputs. */
const UNOBSERVABLE_COLUMN = /^(mass_g|true_.*|.*_true)$/i;
const IDENTIFIER_COLUMN = /^(patient_id|structure_id|name|side|site|type|tracer)$/;
export { PRESPECIFIED, type InputSpec } from './specs';

/** A column with at most this share of empty or non-numeric cells has them imputed (median); more and it is dropped. */
const IMPUTE_SHARE = 0.05;

export interface TrainResult {
  model: DoseModel;
  inputColumns: InputColumn[];
  cv: CrossValidation;
  selected: Record<string, string[]>;
  rows: number;
  groups: number;
  /** 'per-type' (separate LMMs) or 'pooled' (type interactions, shared variance components): the better in LOPO. */
  variant: ModelVariant;
  lopoMapeByVariant: Record<string, number>;
  /** Every column of the table and what training did with it. */
  columns: ColumnDecision[];
  /** Imputed cells: column → median used. */
  imputed: Record<string, number>;
  /** Types predicted by a population value (the model was not better than the constant in cross-validation). */
  populationValueTypes: string[];
  /** Per type, how its inputs were chosen. */
  inputSpecs: Record<string, InputSpec>;
  /** Pre-specified types: the weight of the model against the population value (1 = not shrunk). */
  shrink: Record<string, number>;
}

/** A type's input choice inside cross-validation: the spec and, for the pre-specified one, its shrinkage weight. */
interface Choice { spec: InputSpec; shrink: number }
/** A type's input choice as plain data (it crosses worker boundaries). */
export interface TypeChoice extends Choice { type: string }
/**
 * Weights of the pre-specified model against the population value (log scale), chosen by LOPO with the others:
 * an empirical-Bayes-like shrinkage of the slopes toward 0 (James & Stein 1961; Copas 1983 "Regression,
 * prediction and shrinkage", JRSS B), which at 9 patients can beat both the full model and the constant.
 */
export const SHRINK_GRID = [0.25, 0.5, 0.75, 1];
/** Folds of the cross-validation that chooses each type's inputs (inside every outer LOPO fold too). */
const CHOICE_FOLDS = 10;

/**
 * Shrinks a fitted log-linear type model toward its population value: slopes × w and the intercept
 * w·β₀ + (1 − w)·c, with c the REML intercept of the intercept-only model on the same rows, so that a
 * prediction is the blend w·model + (1 − w)·constant on the log scale (what the cross-validation scored).
 * The covariance is scaled by w² (an approximation; the intervals are conformal and do not use it).
 */
function shrinkTowardConstant(tm: TypeModel, rows: Row[], w: number): void {
  const c = fitLmm(rows.map(() => []), rows.map((r) => Math.log(r.y)), rows.map((r) => r.group)).beta[0];
  tm.fit = { ...tm.fit, beta: tm.fit.beta.map((b, j) => (j === 0 ? w * b + (1 - w) * c : w * b)), covBeta: tm.fit.covBeta.map((row) => row.map((v) => v * w * w)) };
  tm.shrink = w;
}

/** Published cycle-1 Gy/GBq used as a naive baseline (dosimetry.md §3a). */
export const PUBLISHED_GY_PER_GBQ: Record<string, { value: number; source: string }> = {
  kidney: { value: 0.43, source: 'VISION dosimetry substudy, Herrmann et al. JNM 2024;65:71' },
  parotid: { value: 0.39, source: 'salivary glands, Peters et al. EJNMMI 2022' },
  submandibular: { value: 0.39, source: 'salivary glands, Peters et al. EJNMMI 2022' },
  lacrimal: { value: 2.82, source: 'DKFZ-PSMA-617, Mol Imaging Biol 2016;18:437' },
  tumour: { value: 3.0, source: 'bone 3.4 and lymph node 2.6, Scarpa et al. EJNMMI 2017 (mean)' },
};


export function metrics(pred: number[], obs: number[], lo?: number[], hi?: number[]): Metrics {
  const n = obs.length;
  const mean = obs.reduce((s, v) => s + v, 0) / n;
  let ale = 0, ape = 0, ae = 0, ss = 0, st = 0, cov = 0;
  for (let i = 0; i < n; i++) {
    ale += Math.abs(Math.log(pred[i] / obs[i]));
    ape += Math.abs(pred[i] - obs[i]) / Math.abs(obs[i]); ae += Math.abs(pred[i] - obs[i]);
    ss += (pred[i] - obs[i]) ** 2; st += (obs[i] - mean) ** 2;
    if (lo && hi && obs[i] >= lo[i] && obs[i] <= hi[i]) cov++;
  }
  return { n, male: ale / n, mape: (100 * ape) / n, mae: ae / n, r2: st > 0 ? 1 - ss / st : NaN, ...(lo ? { coverage90: cov / n } : {}) };
}

interface Row { values: Record<string, number>; type: string; group: string; y: number; truth?: number }

function parseRows(table: Record<string, string>[], o: TrainOptions): { rows: Row[]; numeric: string[]; columns: ColumnDecision[]; imputed: Record<string, number> } {
  if (!table.length) throw new TableError('the table has no rows');
  const cols = Object.keys(table[0]);
  const need = [o.target, o.group, ...(o.typeCol ? [o.typeCol] : []), ...(o.features ?? []), ...(o.truthCol ? [o.truthCol] : [])];
  const missing = need.filter((c) => !cols.includes(c));
  if (missing.length) throw new TableError(`missing column(s): ${missing.join(', ')} (the table has ${cols.join(', ')})`);
  const allowed = new Set(o.allowColumns ?? []);
  for (const c of allowed) if (!cols.includes(c)) throw new TableError(`--allow-column ${c}: the table has no such column`);
  const leaking = (o.features ?? []).filter((f) => (POST_THERAPY_COLUMN.test(f) || UNOBSERVABLE_COLUMN.test(f)) && !allowed.has(f));
  if (leaking.length) throw new TableError(`feature(s) ${leaking.join(', ')} look post-therapy, dose-derived or unobservable on PET (target leakage); name them with --allow-column if they are known before therapy`);
  const columns: ColumnDecision[] = [];
  const imputed: Record<string, number> = {};
  const numeric: string[] = [];
  const special = new Set([o.target, o.group, o.typeCol, o.truthCol].filter(Boolean) as string[]);
  for (const c of cols) {
    if (special.has(c)) continue;
    if (IDENTIFIER_COLUMN.test(c)) { columns.push({ column: c, decision: 'excluded', reason: 'identifier or label' }); continue; }
    if (UNOBSERVABLE_COLUMN.test(c) && !allowed.has(c)) { columns.push({ column: c, decision: 'excluded', reason: 'not observable before therapy (truth of the virtual cohort)' }); continue; }
    if (POST_THERAPY_COLUMN.test(c) && !allowed.has(c)) { columns.push({ column: c, decision: 'excluded', reason: 'looks post-therapy or dose-derived (target leakage); --allow-column to use it' }); continue; }
    const bad = table.map((r, i) => ({ i, v: r[c] })).filter(({ v }) => v === '' || !Number.isFinite(Number(v)));
    if (bad.length === table.length) { columns.push({ column: c, decision: 'excluded', reason: 'no numbers (text column)' }); continue; }
    if (bad.length && (bad.length > IMPUTE_SHARE * table.length || (o.features ?? []).includes(c))) {
      columns.push({ column: c, decision: 'dropped', reason: `${bad.length} of ${table.length} cells empty or not numbers (rows ${bad.slice(0, 5).map((b) => `${b.i + 2} "${b.v}"`).join(', ')}${bad.length > 5 ? ' …' : ''})` });
      continue;
    }
    if (bad.length) {
      const good = table.map((r) => Number(r[c])).filter((_, i) => !bad.some((b) => b.i === i)).sort((a, b) => a - b);
      imputed[c] = good[Math.floor(good.length / 2)];
      columns.push({ column: c, decision: 'imputed', reason: `${bad.length} cell(s) empty or not numbers (rows ${bad.map((b) => b.i + 2).join(', ')}) set to the median ${imputed[c]}` });
    } else columns.push({ column: c, decision: 'candidate', reason: 'numeric' });
    numeric.push(c);
  }
  const dropped = columns.filter((c) => c.decision === 'dropped' && (o.features ?? []).includes(c.column));
  if (dropped.length) throw new TableError(`feature ${dropped[0].column}: ${dropped[0].reason}`);
  const rows: Row[] = [];
  const bad: string[] = [];
  table.forEach((r, i) => {
    const y = Number(r[o.target]);
    if (r[o.target] === '' || !Number.isFinite(y) || y <= 0) { bad.push(`row ${i + 2}: target ${o.target} = "${r[o.target]}"`); return; }
    const values: Record<string, number> = {};
    for (const c of numeric) values[c] = r[c] === '' || !Number.isFinite(Number(r[c])) ? imputed[c] : Number(r[c]);
    const type = o.typeCol ? r[o.typeCol] : 'all';
    if (o.typeCol && !(DOSIMETRIC_TYPES as readonly string[]).includes(type)) bad.push(`row ${i + 2}: unknown structure type "${type}" (known: ${DOSIMETRIC_TYPES.join(', ')})`);
    if (!r[o.group]) bad.push(`row ${i + 2}: empty ${o.group}`);
    rows.push({ values, type, group: r[o.group], y, truth: o.truthCol ? Number(r[o.truthCol]) : undefined });
  });
  if (bad.length) throw new TableError(`${bad.length} bad value(s): ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ' …' : ''}`);
  const minPatients = o.minPatients ?? 5;
  const perType = new Map<string, Set<string>>();
  for (const r of rows) { if (!perType.has(r.type)) perType.set(r.type, new Set()); perType.get(r.type)!.add(r.group); }
  const few = [...perType].filter(([, g]) => g.size < minPatients);
  if (few.length) {
    throw new TableError(`too few patients to train: ${few.map(([t, g]) => `${t === 'all' ? 'the table' : t} has ${g.size}`).join(', ')} (at least ${minPatients} per structure type; --min-patients changes this)`);
  }
  if (!o.features && !columns.some((c) => c.decision === 'candidate' || c.decision === 'imputed')) {
    throw new TableError(`no input columns: ${columns.map((c) => `${c.column} (${c.reason})`).join('; ') || 'the table has only the target, group and type columns'}; a model would give every structure the population value`);
  }
  return { rows, numeric, columns, imputed };
}

/** Candidate inputs of the automatic pipeline: numeric, observable, non-constant; log for positive columns. */
function candidates(rows: Row[], numeric: string[], columns: ColumnDecision[]): InputColumn[] {
  const out: InputColumn[] = [];
  for (const c of numeric) {
    const v = rows.map((r) => r.values[c]);
    if (v.every((x) => x === v[0])) { // constant: carries no information
      const d = columns.find((x) => x.column === c);
      if (d) { d.decision = 'excluded'; d.reason = `constant (${v[0]})`; }
      continue;
    }
    const positive = v.every((x) => x > 0);
    out.push(positive ? { name: `log_${c}`, from: c, transform: 'log' } : { name: c, from: c, transform: 'none' });
  }
  return out;
}

function corr(a: number[], b: number[]): number {
  const n = a.length, ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Forward selection on training rows only: each step adds the candidate with the highest partial correlation
 * with the log target given the columns already chosen (Gram–Schmidt residuals), so complementary
 * predictors (uptake, body weight, eGFR…) win over near-duplicates.
 */
function select(rows: Row[], cands: InputColumn[], k: number): string[] {
  const centre = (v: number[]) => { const m = v.reduce((s, x) => s + x, 0) / v.length; return v.map((x) => x - m); };
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  let y = centre(rows.map((r) => Math.log(r.y)));
  let cols = cands.map((c) => ({ name: c.name, v: centre(rows.map((r) => r.values[c.name])) })).filter((c) => dot(c.v, c.v) > 1e-12);
  const chosen: string[] = [];
  while (chosen.length < k && cols.length) {
    let best = -1, bestR = 0;
    cols.forEach((c, i) => {
      const nn = dot(c.v, c.v);
      if (nn < 1e-9) return;
      const r = Math.abs(dot(c.v, y)) / Math.sqrt(nn * dot(y, y));
      if (r > bestR) { bestR = r; best = i; }
    });
    if (best < 0 || bestR < 1e-6) break;
    const q = cols[best].v, qq = dot(q, q);
    chosen.push(cols[best].name);
    // Remove the chosen direction from the target and from every remaining candidate.
    const by = dot(y, q) / qq;
    y = y.map((x, i) => x - by * q[i]);
    cols = cols.filter((_, i) => i !== best).map((c) => { const bc = dot(c.v, q) / qq; return { name: c.name, v: c.v.map((x, i) => x - bc * q[i]) }; })
      .filter((c) => dot(c.v, c.v) > 1e-6 * c.v.length);
  }
  return chosen;
}

/**
 * Pooled variant ("type interactions"): one LMM over all structure types with a per-type intercept and
 * per-type slopes, so the patient's random intercept and the residual variance are shared across types.
 * Exported in the same per-type form (each type's coefficient block and covariance block).
 */
function pooled(rows: Row[], perType: TypeModel[]): TypeModel[] {
  const offs: number[] = [];
  let p = 0;
  for (const t of perType) { offs.push(p); p += t.features.length + 1; }
  const X: number[][] = [], y: number[] = [], g: string[] = [];
  for (const r of rows) {
    const t = perType.findIndex((m) => m.type === r.type);
    if (t < 0) continue;
    const tm = perType[t];
    const x = new Array(p).fill(0);
    x[offs[t]] = 1;
    tm.features.forEach((f, j) => (x[offs[t] + 1 + j] = (r.values[f] - tm.means[j]) / tm.sds[j]));
    X.push(x); y.push(Math.log(r.y)); g.push(r.group);
  }
  const fit = fitLmm(X, y, g, { intercept: false });
  return perType.map((tm, t) => {
    const k = tm.features.length + 1, o = offs[t];
    return {
      ...tm,
      fit: {
        beta: fit.beta.slice(o, o + k), groupVar: fit.groupVar, residVar: fit.residVar,
        covBeta: fit.covBeta.slice(o, o + k).map((row) => row.slice(o, o + k)), nObs: fit.nObs, nGroups: fit.nGroups, reml: fit.reml,
      },
    };
  });
}

function fitAll(rows: Row[], types: string[], o: TrainOptions, cands: InputColumn[] | undefined, variant: 'per-type' | 'pooled' = 'per-type', specs: ReadonlyMap<string, InputSpec> = new Map(), startFor?: (type: string, features: string[]) => number | undefined): { model: DoseModel; selected: Record<string, string[]> } {
  const selected: Record<string, string[]> = {};
  const perType = types.map((type) => {
    const rs = rows.filter((r) => r.type === type);
    const nGroups = new Set(rs.map((r) => r.group)).size;
    const k = o.model === 'trees' ? 6 : 4;
    const most = Math.max(1, Math.min(o.maxFeatures ?? k, Math.floor(nGroups / 3), rs.length - 3));
    const spec = specs.get(type) ?? 'automatic';
    const feats = o.features ?? (spec === 'constant' ? []
      : spec === 'prespecified' ? (PRESPECIFIED[type] ?? PRESPECIFIED.all).filter((f) => cands!.some((c) => c.name === f)).slice(0, most)
        : select(rs, cands!, most));
    selected[type] = feats;
    const y = rs.map((r) => (o.features ? r.y : Math.log(r.y)));
    if (o.model === 'trees') {
      const tf = fitTrees(rs.map((r) => feats.map((f) => r.values[f])), y, rs.map((r) => r.group), feats);
      const tm: TypeModel = { type, features: feats, means: [], sds: [], fit: { beta: [], groupVar: tf.groupVar, residVar: tf.residVar, covBeta: [], nObs: rs.length, nGroups, reml: NaN }, trees: { ensemble: tf.ensemble, q90: 0 } };
      return tm;
    }
    return fitTypeModel(type, feats, rs.map((r) => feats.map((f) => r.values[f])), y, rs.map((r) => r.group), !o.features, startFor?.(type, feats));
  });
  const inputs = [...new Set(perType.flatMap((t) => t.features))];
  const final = variant === 'pooled' ? pooled(rows, perType) : perType;
  return { model: { kind: o.model ?? 'lmm', inputs, types, logTarget: !o.features, perType: final }, selected };
}

/** A held-out row's cross-validated prediction: the median dose, its interval and the training mean of its type. */
export interface FoldPrediction { p: number; lo: number; hi: number; mean: number }

/**
 * The outer leave-one-out fold of one patient, as plain data (it crosses worker boundaries): the predictions of
 * the patient's rows by table row index, with the input choice nested inside the fold in the automatic pipeline,
 * and the pooled variant's (reported in the card, never used) when there are several types.
 */
export interface PatientFolds { patient: string; pred: [number, FoldPrediction][]; pooled?: [number, FoldPrediction][] }

/**
 * A training split into its embarrassingly parallel part and the rest: `outerFolds` runs the outer LOPO folds of
 * some patients (each fold by the same code whatever else runs, so any split of the patients gives the same
 * numbers), `finish` merges every patient's folds in table order and fits the final model. `train` is
 * `finish(outerFolds(patients))` in-process; workers/trainingPool.ts spreads `outerFolds` over workers that each
 * prepare from the same table and options.
 */
export interface PreparedTraining {
  /** The patients (groups) in table order: one outer fold each. */
  readonly patients: readonly string[];
  outerFolds(patients: readonly string[]): PatientFolds[];
  /** The input choice made on every patient (the model's), as plain data. */
  choiceOnAllPatients(): TypeChoice[];
  /**
   * Once, with the folds of every patient (in any order) and, when another preparation made it, the choice on
   * every patient (otherwise made here).
   */
  finish(folds: readonly PatientFolds[], choice?: readonly TypeChoice[]): TrainResult;
}

export function train(table: Record<string, string>[], o: TrainOptions): TrainResult {
  const prepared = prepareTraining(table, o);
  return prepared.finish(prepared.outerFolds(prepared.patients));
}

/** Validates the table (TableError naming what is wrong) and builds what every fold reads; fits nothing yet. */
export function prepareTraining(table: Record<string, string>[], o: TrainOptions): PreparedTraining {
  if (o.model === 'trees' && o.features) throw new TableError('--model trees uses the automatic pipeline (feature selection inside CV); leave out --features');
  const { rows, numeric, columns, imputed } = parseRows(table, o);
  if (o.features) {
    for (const f of o.features) {
      const v = rows.map((r) => r.values[f]);
      if (v.every((x) => x === v[0])) throw new TableError(`feature ${f} is constant (${v[0]}): it cannot be estimated`);
    }
  }
  const inputColumns: InputColumn[] = o.features ? o.features.map((f) => ({ name: f, from: f, transform: 'none' })) : candidates(rows, numeric, columns);
  for (const r of rows) Object.assign(r.values, applyInputs(r.values, inputColumns));
  const types = o.features || !o.typeCol ? ['all'] : [...new Set(rows.map((r) => r.type))].sort();
  if (o.features || !o.typeCol) for (const r of rows) r.type = 'all';
  const cands = o.features ? undefined : inputColumns;
  // Leave-one-patient-out CV (selection, scaling and fitting redone without the held-out patient). A fold is
  // named by the patients it leaves out (one, or two in the nested inner folds).
  type Pred = FoldPrediction;
  const groups = [...new Set(rows.map((r) => r.group))];
  // Built on the first fold (a preparation that only finishes, as the pool's caller does, never needs it).
  const useMoments = !o.features && o.model !== 'trees' && o.lopo !== 'refit';
  let momentCv: MomentCv | undefined;
  const moments = () => (useMoments ? (momentCv ??= new MomentCv(rows, types, cands!.map((c) => c.name), { maxFeatures: o.maxFeatures })) : undefined);
  // A fold's REML search starts from log γ̂ of the same type and inputs on every patient (the moment path does the same).
  const starts = new Map<string, number>();
  const startFor = (type: string, feats: string[]) => {
    if (o.features) return undefined; // only the log-target automatic pipeline
    const key = `${type}:${feats.join(',')}`;
    let v = starts.get(key);
    if (v === undefined) {
      const rs = rows.filter((r) => r.type === type);
      const f = fitTypeModel(type, feats, rs.map((r) => feats.map((x) => r.values[x])), rs.map((r) => Math.log(r.y)), rs.map((r) => r.group), true).fit;
      v = f.groupVar > 0 ? Math.log(f.groupVar / f.residVar) : -30;
      starts.set(key, v);
    }
    return v;
  };
  /** Fits without the patients in `excluded` and predicts the rows of the patients in `test`. */
  const refitFold = (excluded: ReadonlySet<string>, test: string[], variant: 'per-type' | 'pooled', specs: ReadonlyMap<string, InputSpec>) => {
    const pred = new Map<Row, Pred>();
    const trainRows = rows.filter((r) => !excluded.has(r.group)), testRows = rows.filter((r) => test.includes(r.group));
    const usable = types.filter((t) => new Set(trainRows.filter((r) => r.type === t).map((r) => r.group)).size >= 2);
    const { model } = fitAll(trainRows, usable, o, cands, variant, specs, startFor);
    for (const r of testRows) {
      if (!usable.includes(r.type)) continue;
      const q = predictRow(model, { values: r.values, type: r.type } as PredictRow);
      const tr = trainRows.filter((x) => x.type === r.type);
      pred.set(r, { p: q.prediction, lo: q.pi90[0], hi: q.pi90[1], mean: tr.reduce((s, x) => s + x.y, 0) / tr.length });
    }
    return pred;
  };
  // A degenerate fold (singular cross-products) is refitted row-wise, which reports it; the fold alone, so that a
  // fold's result never depends on which folds ran before it (the workers each run some).
  const fold = (excluded: ReadonlySet<string>, test: string[], variant: 'per-type' | 'pooled', specs: ReadonlyMap<string, InputSpec>): Map<Row, Pred> => {
    const m = moments();
    if (m) {
      try { return m.fitPredict(excluded, variant, specs, test) as Map<Row, Pred>; }
      catch (e) { if (!(e instanceof FastPathUnavailable)) throw e; }
    }
    return refitFold(excluded, test, variant, specs);
  };
  const SPECS: InputSpec[] = ['constant', 'prespecified', 'automatic'];
  const none = new Set<string>();
  const automaticPipeline = !o.features && o.model !== 'trees';
  const sameFor = (spec: InputSpec) => new Map(types.map((t) => [t, spec]));
  /**
   * The cross-validation that makes the choice: patient-grouped K-fold over the patients not in `outer`, K = 10
   * (LOPO up to 10 patients), folds by table order. K-fold chooses a submodel with less variance than
   * leave-one-out (Breiman & Spector 1992, Int Stat Rev) and costs 10 fits, not n.
   */
  const choiceCv = (outer: ReadonlySet<string>) => {
    const ps = groups.filter((g) => !outer.has(g)), k = Math.min(CHOICE_FOLDS, ps.length);
    const folds = Array.from({ length: k }, (_, f) => ps.filter((_, i) => i % k === f));
    return new Map(SPECS.map((spec) => {
      const pred = new Map<Row, Pred>();
      for (const f of folds) for (const [r, p] of fold(new Set([...outer, ...f]), f, 'per-type', sameFor(spec))) pred.set(r, p);
      return [spec, pred];
    }));
  };
  /** The prediction of a choice from the three LOPO predictions of its row (a shrunk pre-specified model is a log-linear blend with the constant). */
  const blend = (c: Choice, by: ReadonlyMap<InputSpec, ReadonlyMap<Row, Pred>>, r: Row): Pred | undefined => {
    if (c.spec !== 'prespecified' || c.shrink === 1) return by.get(c.spec)!.get(r);
    const pre = by.get('prespecified')!.get(r), con = by.get('constant')!.get(r);
    if (!pre || !con) return undefined;
    const p = Math.exp(c.shrink * Math.log(pre.p) + (1 - c.shrink) * Math.log(con.p));
    return { p, lo: p, hi: p, mean: pre.mean };
  };
  /**
   * Per type, the choice among the population value, the pre-specified inputs (shrunk toward the population value
   * by the weight from SHRINK_GRID with the lowest CV MALE) and forward selection: by the one-standard-error rule
   * (Breiman et al. 1984; Hastie, Tibshirani & Friedman 2009) the simplest within one SE of the lowest CV MALE,
   * so that at 9 patients noise does not pick a model.
   */
  const choose = (by: ReadonlyMap<InputSpec, ReadonlyMap<Row, Pred>>): Map<string, Choice> => new Map(types.map((t) => {
    const rs = [...by.get('constant')!.keys()].filter((r) => r.type === t);
    const errsOf = (c: Choice) => rs.flatMap((r) => { const q = blend(c, by, r); return q ? [Math.abs(Math.log(q.p / r.y))] : []; });
    const meanOf = (e: number[]) => e.reduce((x, y) => x + y, 0) / Math.max(1, e.length);
    // The pre-specified model at its best shrinkage weight, then the one-SE rule over constant, it and automatic.
    const shrunk = SHRINK_GRID.map((shrink) => ({ spec: 'prespecified' as const, shrink })).map((c) => ({ c, e: errsOf(c) }));
    const pre = shrunk.reduce((a, b) => (meanOf(b.e) < meanOf(a.e) ? b : a));
    const options: Choice[] = [{ spec: 'constant', shrink: 0 }, pre.c, { spec: 'automatic', shrink: 1 }];
    const errs = [errsOf(options[0]), pre.e, errsOf(options[2])];
    const m = errs.map(meanOf);
    const best = m.indexOf(Math.min(...m)), e = errs[best];
    const se = e.length > 1 ? Math.sqrt(e.reduce((x, v) => x + (v - m[best]) ** 2, 0) / (e.length - 1) / e.length) : 0;
    return [t, options[m.findIndex((x) => x <= m[best] + se)]];
  }));
  const overallMape = (pred: Map<Row, { p: number }>) => { let s = 0; for (const [r, p] of pred) s += Math.abs(p.p - r.y) / r.y; return (100 * s) / pred.size; };
  // The choice on all patients is the model's; the reported CV repeats it inside every outer fold (nested: the
  // held-out patient takes no part in choosing its own model), so it includes the choice's own variance.
  let choiceAll: Map<string, Choice> | undefined;
  const choiceFinal = () => (choiceAll ??= automaticPipeline ? choose(choiceCv(none)) : new Map<string, Choice>());
  const choiceOnAllPatients = (): TypeChoice[] => [...choiceFinal()].map(([type, c]) => ({ type, ...c }));
  const rowIndex = new Map(rows.map((r, i) => [r, i]));
  const indexed = (pred: Map<Row, Pred>): [number, Pred][] => [...pred].map(([r, p]) => [rowIndex.get(r)!, p]);
  const outerFold = (g: string): PatientFolds => {
    const out = new Set([g]);
    if (!automaticPipeline) return { patient: g, pred: indexed(fold(out, [g], 'per-type', new Map())) };
    // The patient's LOPO prediction under each input choice, blended by the choice made without it.
    const top = new Map(SPECS.map((spec) => [spec, fold(out, [g], 'per-type', sameFor(spec))]));
    const inner = choose(choiceCv(out));
    const pred: [number, Pred][] = [];
    rows.forEach((r, i) => { if (r.group === g) { const q = blend(inner.get(r.type)!, top, r); if (q) pred.push([i, { ...q }]); } });
    // Per type, not pooled, is pre-specified (a new patient's prediction uses the fixed effects only, so pooling
    // would share only the variance components); the pooled LOPO with the same inputs is reported, not used.
    const pooled = types.length > 1 ? indexed(fold(out, [g], 'pooled', new Map([...choiceFinal()].map(([t, c]) => [t, c.spec])))) : undefined;
    return { patient: g, pred, ...(pooled ? { pooled } : {}) };
  };
  const known = new Set(groups);
  const outerFolds = (patients: readonly string[]) => patients.map((g) => {
    if (!known.has(g)) throw new Error(`training folds: ${g} is not a patient of the table`);
    return outerFold(g);
  });
  let finished = false;
  const finish = (folds: readonly PatientFolds[], choice?: readonly TypeChoice[]): TrainResult => {
    if (finished) throw new Error('training folds: finish was already called');
    if (choice) {
      const given = choice.map((c) => c.type).sort().join(', '), expected = automaticPipeline ? [...types].sort().join(', ') : '';
      if (given !== expected) throw new Error(`training folds: the input choice names the types ${given || 'none'}, the table ${expected || 'none'}`);
      choiceAll = new Map(choice.map((c) => [c.type, { spec: c.spec, shrink: c.shrink }]));
    }
    const byPatient = new Map(folds.map((f) => [f.patient, f]));
    const missing = groups.filter((g) => !byPatient.has(g));
    if (missing.length || byPatient.size !== folds.length || folds.length !== groups.length) {
      throw new Error(`training folds: every patient's fold once is needed (missing ${missing.join(', ') || 'none'}; ${folds.length} given for ${groups.length} patients)`);
    }
    finished = true;
    // Merged in table order, as one sequential loop over the patients would have.
    const pred = new Map<Row, Pred>(), pooledPred = new Map<Row, Pred>();
    for (const g of groups) {
      const f = byPatient.get(g)!;
      for (const [i, p] of f.pred) pred.set(rows[i], p);
      for (const [i, p] of f.pooled ?? []) pooledPred.set(rows[i], p);
    }
    const alternatives: Record<string, number> = { 'per-type': overallMape(pred) };
    if (automaticPipeline && types.length > 1) alternatives.pooled_not_used = overallMape(pooledPred);
    return finishTraining(pred, choiceFinal(), alternatives);
  };
  /** Conformal intervals, the card's CV figures and the final fit, from the merged outer-fold predictions. */
  const finishTraining = (pred: Map<Row, Pred>, choiceFinal: Map<string, Choice>, alternatives: Record<string, number>): TrainResult => {
    const variant: 'per-type' | 'pooled' = 'per-type';
    const specsFinal = new Map([...choiceFinal].map(([t, c]) => [t, c.spec]));
    // The 90 % interval half-width (log scale) per type is the conformal quantile of the LOPO residuals (trees, and
    // the LMM on a log target: it holds at small n where the Gaussian interval of 9 patients does not). The reported
    // coverage uses, for each held-out patient, the quantile of the other patients' residuals.
    const q90 = new Map<string, number>(), smearing = new Map<string, number>();
    const conformal = o.model === 'trees' || !o.features;
    const quantile90 = (res: number[]) => { const s = [...res].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(0.9 * (s.length + 1)) - 1)] : 0; };
    if (conformal) {
      for (const t of types) {
        const rs = rows.filter((r) => r.type === t && pred.has(r));
        const res = rs.map((r) => ({ g: r.group, e: Math.abs(Math.log(r.y) - Math.log(pred.get(r)!.p)) }));
        q90.set(t, quantile90(res.map((x) => x.e)));
        // Duan's smearing: the mean dose is the median (exp of the log prediction) × the mean of exp(LOPO log residuals).
        smearing.set(t, rs.length ? rs.reduce((s, r) => s + r.y / pred.get(r)!.p, 0) / rs.length : 1);
        for (const r of rs) {
          const q = quantile90(res.filter((x) => x.g !== r.group).map((x) => x.e));
          const p = pred.get(r)!; p.lo = p.p * Math.exp(-q); p.hi = p.p * Math.exp(q);
        }
      }
    }
    const cv: TrainResult['cv'] = {};
    const typeOf = (r: Row, i: number) => (o.typeCol ? table[i][o.typeCol] : 'all');
    for (const t of o.typeCol ? [...new Set(table.map((r) => r[o.typeCol!]))] : ['all']) {
      const rs = rows.map((r, i) => ({ r, t: typeOf(r, i) })).filter((x) => x.t === t && pred.has(x.r)).map((x) => x.r);
      if (!rs.length) continue;
      const P = rs.map((r) => pred.get(r)!);
      const obs = rs.map((r) => r.y);
      cv[t] = {
        model: metrics(P.map((p) => p.p), obs, P.map((p) => p.lo), P.map((p) => p.hi)),
        ...(o.truthCol ? { modelVsTruth: metrics(P.map((p) => p.p), rs.map((r) => r.truth!), P.map((p) => p.lo), P.map((p) => p.hi)) } : {}),
        populationMean: metrics(P.map((p) => p.mean), obs),
        ...(PUBLISHED_GY_PER_GBQ[t] ? { published: metrics(obs.map(() => PUBLISHED_GY_PER_GBQ[t].value), obs) } : {}),
      };
    }
    const { model, selected } = fitAll(rows, types, o, cands, variant, specsFinal);
    for (const [t, c] of choiceFinal) if (c.spec === 'prespecified' && c.shrink < 1) shrinkTowardConstant(model.perType.find((m) => m.type === t)!, rows.filter((r) => r.type === t), c.shrink);
    for (const tm of model.perType) {
      const rs = rows.filter((r) => r.type === tm.type);
      tm.ranges = tm.features.map((f) => { const v = rs.map((r) => r.values[f]); return [Math.min(...v), Math.max(...v)]; });
      if (tm.trees) tm.trees.q90 = q90.get(tm.type) ?? 0;
      else if (conformal) tm.intervalQ90 = q90.get(tm.type) ?? 0;
      if (conformal && smearing.has(tm.type)) tm.smearing = smearing.get(tm.type);
    }
    // Card inputs in exactly the ONNX input order.
    const ordered = model.inputs.map((n) => inputColumns.find((c) => c.name === n)!).map((c) => ({ ...c, unit: columnUnit(c.from) }));
    return {
      model, inputColumns: ordered, cv, selected, rows: rows.length, groups: groups.length, variant, lopoMapeByVariant: alternatives,
      columns, imputed, populationValueTypes: types.filter((t) => specsFinal.get(t) === 'constant'), inputSpecs: Object.fromEntries(specsFinal),
      shrink: Object.fromEntries([...choiceFinal].filter(([, c]) => c.spec === 'prespecified').map(([t, c]) => [t, c.shrink])),
    };
  };
  return { patients: groups, outerFolds, choiceOnAllPatients, finish };
}
