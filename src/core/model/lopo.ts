// Fast leave-patients-out refits of the random-intercept LMM from per-patient cross-products.
// The REML profile of a random-intercept model needs only, per patient i, n_i and the sums Σz, Σzzᵀ of
// z = [1, x, log y]; leaving patients out is a subtraction from the totals, and patients with the same n_i
// pool into one term (w = γ/(1 + nγ) is shared). Forward selection on the centred cross-products is the same
// Gram–Schmidt the row-wise code does (a sweep). Features are centred once per type (not re-standardised per
// fold): the LMM with an intercept is affine-equivariant, so predictions and γ̂ equal those of the per-fold
// standardised refit up to rounding (tests compare both).
import { PRESPECIFIED, type InputSpec } from './specs';
import { searchLogGamma } from './lmm';

const Z90 = 1.6448536269514722;

export interface CvRow { values: Record<string, number>; type: string; group: string; y: number }
export interface CvPrediction { p: number; lo: number; hi: number; mean: number }

/** Thrown when a fold's fit is degenerate (singular, too few rows): the caller refits row-wise, which reports it. */
export class FastPathUnavailable extends Error {}

interface PatientData {
  rows: CvRow[]; z: Float64Array[];
  /** Σz, Σz_a², Σz_a·y over the patient's rows, and Σz_a·z_q per column q asked for (forward selection's pivots). */
  s: Float64Array; sq: Float64Array; sy: Float64Array; cols: Map<number, Float64Array>;
  ySum: number;
}

/** Σ z_a·z_q over a patient's rows, for every a (cached: the same pivots recur across folds). */
function patientColumn(pt: PatientData, q: number): Float64Array {
  let v = pt.cols.get(q);
  if (!v) {
    v = new Float64Array(pt.s.length);
    for (const z of pt.z) { const zq = z[q]; if (zq !== 0) for (let a = 0; a < v.length; a++) v[a] += z[a] * zq; }
    pt.cols.set(q, v);
  }
  return v;
}

interface TypeData {
  type: string;
  /** Column layout of z: 0 intercept, 1..c candidates (centred), c + 1 log y (centred). */
  m: number;
  yMean: number;
  patients: Map<string, PatientData>;
  /** Σ zzᵀ over every row of the type (m × m, row-major). */
  total: Float64Array;
}

/** Moments of one fit: A = Σ zzᵀ (P + 1 square, y last) and, per rows-per-patient n, Σ ssᵀ of the patients' sums. */
interface Moments { P: number; N: number; A: Float64Array; classes: { n: number; count: number; M: Float64Array }[] }

/** In-place Cholesky of the leading P × P block of Q (stride P + 1) into L; false when not positive definite. */
function cholesky(Q: Float64Array, P: number, L: Float64Array): boolean {
  const st = P + 1;
  for (let i = 0; i < P; i++) {
    for (let j = 0; j <= i; j++) {
      let s = Q[i * st + j];
      for (let k = 0; k < j; k++) s -= L[i * P + k] * L[j * P + k];
      if (i === j) { if (!(s > 0)) return false; L[i * P + i] = Math.sqrt(s); }
      else L[i * P + j] = s / L[j * P + j];
    }
  }
  return true;
}

interface MomentFit { beta: Float64Array; sigma2: number; gamma: number; logGamma: number; L: Float64Array; P: number }

/** β̂, σ̂², γ̂ and the Cholesky factor of X'V⁻¹X of the REML fit (γ by fitLmm's search, from `startLogGamma` when given). */
function fitMoments(mo: Moments, startLogGamma?: number): MomentFit {
  const { P, N, A, classes } = mo;
  if (N <= P) throw new FastPathUnavailable('too few rows');
  const st = P + 1;
  const Q = new Float64Array(st * st), L = new Float64Array(P * P), beta = new Float64Array(P), tmp = new Float64Array(P);
  let logDet = 0, logDetV = 0;
  /** Solves at γ into beta, logDet and logDetV; returns S (the GLS residual sum), NaN when X'V⁻¹X is singular. */
  const solveAt = (gamma: number): number => {
    Q.set(A);
    logDetV = 0;
    for (const c of classes) {
      const w = gamma / (1 + c.n * gamma);
      logDetV += c.count * Math.log(1 + c.n * gamma);
      if (w !== 0) { const M = c.M; for (let k = 0; k < Q.length; k++) Q[k] -= w * M[k]; }
    }
    if (!cholesky(Q, P, L)) return NaN;
    logDet = 0;
    for (let i = 0; i < P; i++) logDet += 2 * Math.log(L[i * P + i]);
    for (let i = 0; i < P; i++) { let s = Q[i * st + P]; for (let k = 0; k < i; k++) s -= L[i * P + k] * tmp[k]; tmp[i] = s / L[i * P + i]; }
    for (let i = P - 1; i >= 0; i--) { let s = tmp[i]; for (let k = i + 1; k < P; k++) s -= L[k * P + i] * beta[k]; beta[i] = s / L[i * P + i]; }
    let S = Q[P * st + P];
    for (let i = 0; i < P; i++) S -= beta[i] * Q[i * st + P];
    return S;
  };
  const ll = (lg: number) => {
    const S = solveAt(Math.exp(lg));
    if (Number.isNaN(S)) throw new FastPathUnavailable('singular');
    return -0.5 * ((N - P) * Math.log(S / (N - P)) + logDetV + logDet);
  };
  const lg = searchLogGamma(ll, startLogGamma);
  const gamma = lg <= -30 ? 0 : Math.exp(lg);
  const S = solveAt(gamma);
  if (Number.isNaN(S)) throw new FastPathUnavailable('singular');
  return { beta, sigma2: S / (N - P), gamma, logGamma: lg, L, P };
}

/** The Gaussian 90 % half-width on the log scale at design vector u (as predictRow: Var(u'β̂) + σ_b² + σ²). */
function halfWidth(f: MomentFit, u: Float64Array): number {
  const { L, P } = f, v = new Float64Array(P);
  let q = 0;
  for (let i = 0; i < P; i++) { let s = u[i]; for (let k = 0; k < i; k++) s -= L[i * P + k] * v[k]; v[i] = s / L[i * P + i]; q += v[i] * v[i]; }
  return Z90 * Math.sqrt(f.sigma2 * q + f.gamma * f.sigma2 + f.sigma2);
}

/**
 * Same choice as train.ts' row-wise `select`: forward selection by partial correlation with log y, on the centred
 * cross-products of candidates and y over the included rows. The sweep is lazy (Gram–Schmidt on demand): only the
 * diagonal, the y column and the chosen columns are formed, so a step costs O(candidates), not O(candidates²).
 * `column(q)` gives the centred cross-products of candidate q with every candidate (0..c−1) and y (c).
 */
function selectLazy(diag: Float64Array, cy: Float64Array, cyy: number, column: (q: number) => Float64Array, N: number, k: number): number[] {
  const c = diag.length;
  let live: number[] = [];
  for (let j = 0; j < c; j++) if (diag[j] > 1e-12) live.push(j);
  const chosen: number[] = [], pivots: { g: Float64Array; d: number }[] = [];
  while (chosen.length < k && live.length) {
    let best = -1, bestR = 0;
    for (const j of live) {
      const nn = diag[j];
      if (nn < 1e-9) continue;
      const r = Math.abs(cy[j]) / Math.sqrt(nn * cyy);
      if (r > bestR) { bestR = r; best = j; }
    }
    if (best < 0 || bestR < 1e-6) break;
    const q = best, g = column(q);
    for (const pv of pivots) { const f = pv.g[q] / pv.d; if (f !== 0) for (let j = 0; j <= c; j++) g[j] -= f * pv.g[j]; }
    const d = diag[q];
    g[c] = cy[q];
    pivots.push({ g, d });
    chosen.push(q);
    for (let j = 0; j < c; j++) { diag[j] -= (g[j] * g[j]) / d; cy[j] -= (g[j] * g[c]) / d; }
    cyy -= (g[c] * g[c]) / d;
    live = live.filter((j) => j !== q && diag[j] > 1e-6 * N);
  }
  return chosen;
}

export interface FoldOptions { maxFeatures?: number }

/** Fast LOPO engine over one table: per-type centred rows and their cross-products, built once. */
export class MomentCv {
  private readonly data = new Map<string, TypeData>();

  constructor(rows: CvRow[], readonly types: string[], readonly candidates: string[], private readonly o: FoldOptions = {}) {
    const c = candidates.length, m = c + 2;
    for (const type of types) {
      const rs = rows.filter((r) => r.type === type);
      const means = candidates.map((f) => rs.reduce((s, r) => s + r.values[f], 0) / Math.max(1, rs.length));
      const yMean = rs.reduce((s, r) => s + Math.log(r.y), 0) / Math.max(1, rs.length);
      const total = new Float64Array(m * m);
      const patients: TypeData['patients'] = new Map();
      for (const r of rs) {
        const z = new Float64Array(m);
        z[0] = 1;
        for (let j = 0; j < c; j++) z[j + 1] = r.values[candidates[j]] - means[j];
        z[m - 1] = Math.log(r.y) - yMean;
        let pt = patients.get(r.group);
        if (!pt) { pt = { rows: [], z: [], s: new Float64Array(m), sq: new Float64Array(m), sy: new Float64Array(m), cols: new Map(), ySum: 0 }; patients.set(r.group, pt); }
        pt.rows.push(r); pt.z.push(z); pt.ySum += r.y;
        for (let a = 0; a < m; a++) { pt.sq[a] += z[a] * z[a]; pt.sy[a] += z[a] * z[m - 1]; }
        for (let a = 0; a < m; a++) { pt.s[a] += z[a]; const za = z[a]; if (za !== 0) for (let b = 0; b < m; b++) total[a * m + b] += za * z[b]; }
      }
      this.data.set(type, { type, m, yMean, patients, total });
    }
  }

  /** Σ zzᵀ over the type's rows of included patients, restricted to columns idx (|idx|² entries). */
  private cross(d: TypeData, excluded: ReadonlySet<string>, idx: number[]): Float64Array {
    const k = idx.length, out = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = d.total[idx[a] * d.m + idx[b]];
    for (const g of excluded) {
      const pt = d.patients.get(g);
      if (!pt) continue;
      for (const z of pt.z) for (let a = 0; a < k; a++) { const za = z[idx[a]]; if (za !== 0) for (let b = 0; b < k; b++) out[a * k + b] -= za * z[idx[b]]; }
    }
    return out;
  }

  /** Input columns of a type for one fit (the same rules as train.ts' fitAll). */
  private features(d: TypeData, excluded: ReadonlySet<string>, spec: InputSpec): number[] {
    let nRows = 0, nGroups = 0;
    for (const [g, pt] of d.patients) if (!excluded.has(g)) { nRows += pt.rows.length; nGroups++; }
    const most = Math.max(1, Math.min(this.o.maxFeatures ?? 4, Math.floor(nGroups / 3), nRows - 3));
    if (spec === 'constant') return [];
    if (spec === 'prespecified') {
      return (PRESPECIFIED[d.type] ?? PRESPECIFIED.all).filter((f) => this.candidates.includes(f)).slice(0, most).map((f) => this.candidates.indexOf(f));
    }
    // Centred cross-products of candidates and y over the included rows: the totals minus the left-out patients' sums.
    const c = this.candidates.length, m = d.m, T = d.total, y = m - 1;
    const out: PatientData[] = [];
    for (const g of excluded) { const pt = d.patients.get(g); if (pt) out.push(pt); }
    const sum = new Float64Array(m), sq = new Float64Array(m), sy = new Float64Array(m);
    for (let a = 0; a < m; a++) { sum[a] = T[a]; sq[a] = T[a * m + a]; sy[a] = T[a * m + y]; }
    for (const pt of out) for (let a = 0; a < m; a++) { sum[a] -= pt.s[a]; sq[a] -= pt.sq[a]; sy[a] -= pt.sy[a]; }
    const n = sum[0];
    const diag = new Float64Array(c), cy = new Float64Array(c);
    for (let j = 0; j < c; j++) { diag[j] = sq[j + 1] - (sum[j + 1] * sum[j + 1]) / n; cy[j] = sy[j + 1] - (sum[j + 1] * sum[y]) / n; }
    const column = (q: number) => {
      const g = new Float64Array(c + 1), col = q + 1;
      for (let j = 0; j < c; j++) g[j] = T[(j + 1) * m + col];
      for (const pt of out) { const v = patientColumn(pt, col); for (let j = 0; j < c; j++) g[j] -= v[j + 1]; }
      for (let j = 0; j < c; j++) g[j] -= (sum[j + 1] * sum[col]) / n;
      return g;
    };
    const cyy = sq[y] - (sum[y] * sum[y]) / n;
    return selectLazy(diag, cy, cyy, column, nRows, most);
  }

  /** Types with at least 2 included patients (as train.ts' `usable`). */
  usable(excluded: ReadonlySet<string>): string[] {
    return this.types.filter((t) => { let k = 0; for (const g of this.data.get(t)!.patients.keys()) if (!excluded.has(g)) k++; return k >= 2; });
  }

  /**
   * Fits on every patient not in `excluded` (per type or pooled, inputs per `specs`) and predicts the rows of the
   * patients in `predictFor`: the median dose and the mean training dose of the row's type.
   */
  fitPredict(excluded: ReadonlySet<string>, variant: 'per-type' | 'pooled', specs: ReadonlyMap<string, InputSpec>, predictFor: Iterable<string>): Map<CvRow, CvPrediction> {
    const usable = this.usable(excluded);
    const blocks = usable.map((t) => {
      const d = this.data.get(t)!;
      const feats = this.features(d, excluded, specs.get(t) ?? 'automatic');
      return { d, idx: [0, ...feats.map((j) => j + 1)] };
    });
    const fits = variant === 'pooled' ? this.pooledFits(blocks, excluded) : blocks.map((b) => ({ fit: this.typeFit(b.d, b.idx, excluded), off: 0 }));
    const out = new Map<CvRow, CvPrediction>();
    const targets = [...predictFor];
    blocks.forEach(({ d, idx }, bi) => {
      let ySum = 0, nRows = 0;
      for (const [g, pt] of d.patients) if (!excluded.has(g)) { ySum += pt.ySum; nRows += pt.rows.length; }
      const { fit, off } = fits[bi];
      const u = new Float64Array(fit.P);
      for (const g of targets) {
        const pt = d.patients.get(g);
        if (!pt) continue;
        pt.rows.forEach((r, i) => {
          let mu = d.yMean;
          u.fill(0);
          for (let a = 0; a < idx.length; a++) { u[off + a] = pt.z[i][idx[a]]; mu += fit.beta[off + a] * u[off + a]; }
          const h = halfWidth(fit, u);
          out.set(r, { p: Math.exp(mu), lo: Math.exp(mu - h), hi: Math.exp(mu + h), mean: ySum / nRows });
        });
      }
    });
    return out;
  }

  /** Per type and column set: Σ ssᵀ of every patient's sums, by rows per patient (folds subtract the left-out patients). */
  private readonly classTotals = new Map<string, Map<number, { count: number; M: Float64Array }>>();

  /** Per type and column set: log γ̂ on every patient, where the folds' searches start (as train.ts' refits do). */
  private readonly startHints = new Map<string, number>();

  private typeFit(d: TypeData, idx: number[], excluded: ReadonlySet<string>): MomentFit {
    const key = `${d.type}:${idx.join(',')}`;
    let start = this.startHints.get(key);
    if (start === undefined) {
      const all = this.typeFitFrom(d, idx, new Set(), undefined);
      this.startHints.set(key, all.logGamma);
      if (!excluded.size) return all;
      start = all.logGamma;
    }
    return this.typeFitFrom(d, idx, excluded, start);
  }

  private typeFitFrom(d: TypeData, idx: number[], excluded: ReadonlySet<string>, start: number | undefined): MomentFit {
    const sub = [...idx, d.m - 1], k = sub.length, key = `${d.type}:${sub.join(',')}`;
    let totals = this.classTotals.get(key);
    if (!totals) {
      totals = new Map();
      for (const pt of d.patients.values()) {
        const n = pt.rows.length;
        let c = totals.get(n);
        if (!c) { c = { count: 0, M: new Float64Array(k * k) }; totals.set(n, c); }
        c.count++;
        for (let a = 0; a < k; a++) { const sa = pt.s[sub[a]]; for (let b = 0; b < k; b++) c.M[a * k + b] += sa * pt.s[sub[b]]; }
      }
      this.classTotals.set(key, totals);
    }
    const byN = new Map([...totals].map(([n, c]) => [n, { n, count: c.count, M: c.M.slice() }]));
    let N = 0;
    for (const pt of d.patients.values()) N += pt.rows.length;
    for (const g of excluded) {
      const pt = d.patients.get(g);
      if (!pt) continue;
      const n = pt.rows.length, c = byN.get(n)!;
      N -= n;
      if (--c.count === 0) { byN.delete(n); continue; }
      for (let a = 0; a < k; a++) { const sa = pt.s[sub[a]]; for (let b = 0; b < k; b++) c.M[a * k + b] -= sa * pt.s[sub[b]]; }
    }
    return fitMoments({ P: idx.length, N, A: this.cross(d, excluded, sub), classes: [...byN.values()] }, start);
  }

  /** Pooled: per-type intercepts and slopes, one random intercept per patient shared by all its structures. */
  private pooledFits(blocks: { d: TypeData; idx: number[] }[], excluded: ReadonlySet<string>): { fit: MomentFit; off: number }[] {
    const offs: number[] = [];
    let P = 0;
    for (const b of blocks) { offs.push(P); P += b.idx.length; }
    const st = P + 1, A = new Float64Array(st * st);
    let N = 0;
    const sums = new Map<string, { n: number; s: Float64Array }>();
    blocks.forEach(({ d, idx }, bi) => {
      const sub = [...idx, d.m - 1], k = sub.length, X = this.cross(d, excluded, sub), o = offs[bi];
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
        const ia = a < k - 1 ? o + a : P, ib = b < k - 1 ? o + b : P;
        A[ia * st + ib] += X[a * k + b];
      }
      for (const [g, pt] of d.patients) {
        if (excluded.has(g)) continue;
        let e = sums.get(g);
        if (!e) { e = { n: 0, s: new Float64Array(st) }; sums.set(g, e); }
        e.n += pt.rows.length; N += pt.rows.length;
        for (let a = 0; a < k - 1; a++) e.s[o + a] += pt.s[sub[a]];
        e.s[P] += pt.s[d.m - 1];
      }
    });
    const byN = new Map<number, { n: number; count: number; M: Float64Array }>();
    for (const { n, s } of sums.values()) {
      let c = byN.get(n);
      if (!c) { c = { n, count: 0, M: new Float64Array(st * st) }; byN.set(n, c); }
      c.count++;
      for (let a = 0; a < st; a++) { const sa = s[a]; if (sa !== 0) for (let b = 0; b < st; b++) c.M[a * st + b] += sa * s[b]; }
    }
    const fit = fitMoments({ P, N, A, classes: [...byN.values()] });
    return blocks.map((_, bi) => ({ fit, off: offs[bi] }));
  }
}
