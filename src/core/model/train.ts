// Training pipeline: validation of the table, per-type feature transformation/selection/scaling inside
// leave-one-patient-out CV (nothing from the held-out patient reaches any step), metrics vs baselines.
import { DOSIMETRIC_TYPES } from '../vocabulary';
import { fitTypeModel, predictRow, type DoseModel, type PredictRow, type TypeModel } from './doseModel';
import { fitTrees } from './trees';
import { fitLmm } from './lmm';
import { applyInputs, columnUnit, type InputColumn } from '../dose/inputs';
import type { CrossValidation, Metrics, ModelVariant } from './card';

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
}

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
}

/** Published cycle-1 Gy/GBq used as a naive baseline (dosimetry.md §3a). */
export const PUBLISHED_GY_PER_GBQ: Record<string, { value: number; source: string }> = {
  kidney: { value: 0.43, source: 'VISION dosimetry substudy, Herrmann et al. JNM 2024;65:71' },
  parotid: { value: 0.39, source: 'salivary glands, Peters et al. EJNMMI 2022' },
  submandibular: { value: 0.39, source: 'salivary glands, Peters et al. EJNMMI 2022' },
  lacrimal: { value: 2.82, source: 'DKFZ-PSMA-617, Mol Imaging Biol 2016;18:437' },
  tumour: { value: 3.0, source: 'bone 3.4 and lymph node 2.6, Scarpa et al. EJNMMI 2017 (mean)' },
};

const NON_FEATURE = /(dose|half_life|^patient_id$|^structure_id$|^name$|^side$|^site$|^type$)/;

export function metrics(pred: number[], obs: number[], lo?: number[], hi?: number[]): Metrics {
  const n = obs.length;
  const mean = obs.reduce((s, v) => s + v, 0) / n;
  let ape = 0, ae = 0, ss = 0, st = 0, cov = 0;
  for (let i = 0; i < n; i++) {
    ape += Math.abs(pred[i] - obs[i]) / Math.abs(obs[i]); ae += Math.abs(pred[i] - obs[i]);
    ss += (pred[i] - obs[i]) ** 2; st += (obs[i] - mean) ** 2;
    if (lo && hi && obs[i] >= lo[i] && obs[i] <= hi[i]) cov++;
  }
  return { n, mape: (100 * ape) / n, mae: ae / n, r2: st > 0 ? 1 - ss / st : NaN, ...(lo ? { coverage90: cov / n } : {}) };
}

interface Row { values: Record<string, number>; type: string; group: string; y: number; truth?: number }

function parseRows(table: Record<string, string>[], o: TrainOptions): { rows: Row[]; numeric: string[] } {
  if (!table.length) throw new TableError('the table has no rows');
  const cols = Object.keys(table[0]);
  const need = [o.target, o.group, ...(o.typeCol ? [o.typeCol] : []), ...(o.features ?? []), ...(o.truthCol ? [o.truthCol] : [])];
  const missing = need.filter((c) => !cols.includes(c));
  if (missing.length) throw new TableError(`missing column(s): ${missing.join(', ')} (the table has ${cols.join(', ')})`);
  const numeric = cols.filter((c) => table.every((r) => r[c] === '' || Number.isFinite(Number(r[c]))) && table.some((r) => r[c] !== ''));
  const rows: Row[] = [];
  const bad: string[] = [];
  table.forEach((r, i) => {
    const y = Number(r[o.target]);
    if (r[o.target] === '' || !Number.isFinite(y) || y <= 0) { bad.push(`row ${i + 1}: target ${o.target} = "${r[o.target]}"`); return; }
    const values: Record<string, number> = {};
    for (const c of numeric) values[c] = r[c] === '' ? NaN : Number(r[c]);
    for (const f of o.features ?? []) if (!Number.isFinite(values[f])) bad.push(`row ${i + 1}: ${f} = "${r[f]}"`);
    const type = o.typeCol ? r[o.typeCol] : 'all';
    if (o.typeCol && !(DOSIMETRIC_TYPES as readonly string[]).includes(type)) bad.push(`row ${i + 1}: unknown structure type "${type}" (known: ${DOSIMETRIC_TYPES.join(', ')})`);
    rows.push({ values, type, group: r[o.group], y, truth: o.truthCol ? Number(r[o.truthCol]) : undefined });
  });
  if (bad.length) throw new TableError(`${bad.length} bad value(s) (rows count from 1 after the header): ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ' …' : ''}`);
  const groups = new Set(rows.map((r) => r.group));
  if (groups.size < 2) throw new TableError(`the group column ${o.group} has a single value: a mixed model needs several patients`);
  return { rows, numeric };
}

/** Candidate inputs of the automatic pipeline: numeric, observable, non-constant; log for positive columns. */
function candidates(rows: Row[], numeric: string[], o: TrainOptions): InputColumn[] {
  const out: InputColumn[] = [];
  for (const c of numeric) {
    if (c === o.target || c === o.group || c === o.truthCol || NON_FEATURE.test(c)) continue;
    const v = rows.map((r) => r.values[c]);
    if (v.some((x) => !Number.isFinite(x))) continue;
    if (v.every((x) => x === v[0])) continue; // constant: carries no information
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

function fitAll(rows: Row[], types: string[], o: TrainOptions, cands: InputColumn[] | undefined, variant: 'per-type' | 'pooled' = 'per-type'): { model: DoseModel; selected: Record<string, string[]> } {
  const selected: Record<string, string[]> = {};
  const perType = types.map((type) => {
    const rs = rows.filter((r) => r.type === type);
    const nGroups = new Set(rs.map((r) => r.group)).size;
    const k = o.model === 'trees' ? 6 : 4;
    const feats = o.features ?? select(rs, cands!, Math.max(1, Math.min(o.maxFeatures ?? k, Math.floor(nGroups / 3), rs.length - 3)));
    selected[type] = feats;
    const y = rs.map((r) => (o.features ? r.y : Math.log(r.y)));
    if (o.model === 'trees') {
      const tf = fitTrees(rs.map((r) => feats.map((f) => r.values[f])), y, rs.map((r) => r.group), feats);
      const tm: TypeModel = { type, features: feats, means: [], sds: [], fit: { beta: [], groupVar: tf.groupVar, residVar: tf.residVar, covBeta: [], nObs: rs.length, nGroups, reml: NaN }, trees: { ensemble: tf.ensemble, q90: 0 } };
      return tm;
    }
    return fitTypeModel(type, feats, rs.map((r) => feats.map((f) => r.values[f])), y, rs.map((r) => r.group), !o.features);
  });
  const inputs = [...new Set(perType.flatMap((t) => t.features))];
  const final = variant === 'pooled' ? pooled(rows, perType) : perType;
  return { model: { kind: o.model ?? 'lmm', inputs, types, logTarget: !o.features, perType: final }, selected };
}

export function train(table: Record<string, string>[], o: TrainOptions): TrainResult {
  if (o.model === 'trees' && o.features) throw new TableError('--model trees uses the automatic pipeline (feature selection inside CV); leave out --features');
  const { rows, numeric } = parseRows(table, o);
  if (o.features) {
    for (const f of o.features) {
      const v = rows.map((r) => r.values[f]);
      if (v.every((x) => x === v[0])) throw new TableError(`feature ${f} is constant (${v[0]}): it cannot be estimated`);
    }
  }
  const inputColumns: InputColumn[] = o.features ? o.features.map((f) => ({ name: f, from: f, transform: 'none' })) : candidates(rows, numeric, o);
  for (const r of rows) Object.assign(r.values, applyInputs(r.values, inputColumns));
  const types = o.features || !o.typeCol ? ['all'] : [...new Set(rows.map((r) => r.type))].sort();
  if (o.features || !o.typeCol) for (const r of rows) r.type = 'all';
  const cands = o.features ? undefined : inputColumns;
  // Leave-one-patient-out CV (selection, scaling and fitting redone without the held-out patient).
  const groups = [...new Set(rows.map((r) => r.group))];
  const lopo = (variant: 'per-type' | 'pooled') => {
    const pred = new Map<Row, { p: number; lo: number; hi: number; mean: number }>();
    for (const g of groups) {
      const trainRows = rows.filter((r) => r.group !== g), test = rows.filter((r) => r.group === g);
      const usable = types.filter((t) => new Set(trainRows.filter((r) => r.type === t).map((r) => r.group)).size >= 2);
      const { model } = fitAll(trainRows, usable, o, cands, variant);
      for (const r of test) {
        if (!usable.includes(r.type)) continue;
        const q = predictRow(model, { values: r.values, type: r.type } as PredictRow);
        const tr = trainRows.filter((x) => x.type === r.type);
        pred.set(r, { p: q.prediction, lo: q.pi90[0], hi: q.pi90[1], mean: tr.reduce((s, x) => s + x.y, 0) / tr.length });
      }
    }
    return pred;
  };
  const overallMape = (pred: Map<Row, { p: number }>) => { let s = 0; for (const [r, p] of pred) s += Math.abs(p.p - r.y) / r.y; return (100 * s) / pred.size; };
  let variant: 'per-type' | 'pooled' = 'per-type';
  let pred = lopo('per-type');
  const alternatives: Record<string, number> = { 'per-type': overallMape(pred) };
  // Worst per-type 90 % interval coverage: an interval that is too narrow for some structure type disqualifies.
  const worstCoverage = (pm: Map<Row, { lo: number; hi: number }>) => Math.min(...types.map((t) => {
    const rs = [...pm].filter(([r]) => r.type === t);
    return rs.length ? rs.filter(([r, p]) => r.y >= p.lo && r.y <= p.hi).length / rs.length : 1;
  }));
  if (!o.features && o.model !== 'trees' && types.length > 1) {
    const pp = lopo('pooled');
    alternatives.pooled = overallMape(pp);
    alternatives.pooled_worst_coverage90 = worstCoverage(pp);
    alternatives['per-type_worst_coverage90'] = worstCoverage(pred);
    if (alternatives.pooled < alternatives['per-type'] && alternatives.pooled_worst_coverage90 >= 0.85) { variant = 'pooled'; pred = pp; }
  }
  // Trees: the 90 % interval half-width (log scale) per type is the conformal quantile of the LOPO residuals.
  const q90 = new Map<string, number>();
  if (o.model === 'trees') {
    for (const t of types) {
      const res = rows.filter((r) => r.type === t && pred.has(r)).map((r) => Math.abs(Math.log(r.y) - Math.log(pred.get(r)!.p))).sort((a, b) => a - b);
      const q = res.length ? res[Math.min(res.length - 1, Math.ceil(0.9 * (res.length + 1)) - 1)] : 0;
      q90.set(t, q);
      for (const r of rows) if (r.type === t && pred.has(r)) { const p = pred.get(r)!; p.lo = p.p * Math.exp(-q); p.hi = p.p * Math.exp(q); }
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
  const { model, selected } = fitAll(rows, types, o, cands, variant);
  for (const tm of model.perType) if (tm.trees) tm.trees.q90 = q90.get(tm.type) ?? 0;
  // Card inputs in exactly the ONNX input order.
  const ordered = model.inputs.map((n) => inputColumns.find((c) => c.name === n)!).map((c) => ({ ...c, unit: columnUnit(c.from) }));
  return { model, inputColumns: ordered, cv, selected, rows: rows.length, groups: groups.length, variant, lopoMapeByVariant: alternatives };
}
