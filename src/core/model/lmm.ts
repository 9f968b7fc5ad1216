// Linear mixed model with a random intercept per group, fitted by REML (profiled over the variance ratio
// γ = σ_b²/σ², GLS for β given γ). Prediction for a new group uses the fixed effects only; its variance
// includes the between-group variance.
import { Matrix, inverse, LuDecomposition } from 'ml-matrix';

export interface LmmFit {
  /** Fixed effects: intercept first, then one per feature column. */
  beta: number[];
  /** Random-intercept variance σ_b² and residual variance σ². */
  groupVar: number;
  residVar: number;
  /** Covariance of β̂ (intercept first). */
  covBeta: number[][];
  nObs: number;
  nGroups: number;
  reml: number;
}

interface Groups { idx: number[][] }

function groupIndex(groups: string[]): Groups {
  const m = new Map<string, number[]>();
  groups.forEach((g, i) => { const a = m.get(g); if (a) a.push(i); else m.set(g, [i]); });
  return { idx: [...m.values()] };
}

/** β̂(γ), σ̂²(γ) and the profiled REML log-likelihood. */
function profile(X: number[][], y: number[], g: Groups, gamma: number) {
  const p = X[0].length, N = y.length;
  const XtVX = Matrix.zeros(p, p), XtVy = Matrix.zeros(p, 1);
  let logDetV = 0;
  for (const idx of g.idx) {
    const n = idx.length, w = gamma / (1 + n * gamma);
    logDetV += Math.log(1 + n * gamma);
    const sx = new Array(p).fill(0);
    let sy = 0;
    for (const i of idx) { for (let a = 0; a < p; a++) sx[a] += X[i][a]; sy += y[i]; }
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        let s = 0;
        for (const i of idx) s += X[i][a] * X[i][b];
        XtVX.set(a, b, XtVX.get(a, b) + s - w * sx[a] * sx[b]);
      }
      let s = 0;
      for (const i of idx) s += X[i][a] * y[i];
      XtVy.set(a, 0, XtVy.get(a, 0) + s - w * sx[a] * sy);
    }
  }
  const inv = inverse(XtVX);
  const beta = inv.mmul(XtVy).to1DArray();
  let S = 0;
  for (const idx of g.idx) {
    const n = idx.length, w = gamma / (1 + n * gamma);
    let sr = 0, srr = 0;
    for (const i of idx) {
      let r = y[i];
      for (let a = 0; a < p; a++) r -= X[i][a] * beta[a];
      sr += r; srr += r * r;
    }
    S += srr - w * sr * sr;
  }
  const sigma2 = S / (N - p);
  const logDetXVX = Math.log(Math.abs(new LuDecomposition(XtVX).determinant));
  const ll = -0.5 * ((N - p) * Math.log(sigma2) + logDetV + logDetXVX + (N - p) * (1 + Math.log(2 * Math.PI)));
  return { beta, sigma2, ll, inv };
}

/** log γ at or below this is the boundary γ = 0 (no group variance). */
const LOG_GAMMA_MIN = -30;

/**
 * The REML maximiser over log γ: a grid (−30, then −25…12 by 0.5) and Brent within ±0.5 of its best point.
 * With `start` (a nearby fit's log γ̂, e.g. the same model on all patients when a cross-validation fold leaves a
 * few out) the grid is walked uphill from the grid point nearest to it instead of scanned whole: the same answer
 * when the profile has one maximum, a few evaluations instead of 76.
 */
export function searchLogGamma(f: (lg: number) => number, start?: number): number {
  let best: number;
  if (start === undefined || !Number.isFinite(start)) {
    best = LOG_GAMMA_MIN;
    let bestLl = f(LOG_GAMMA_MIN);
    for (let lg = -25; lg <= 12; lg += 0.5) { const v = f(lg); if (v > bestLl) { bestLl = v; best = lg; } }
  } else {
    // Grid points: LOG_GAMMA_MIN and −25 + 0.5 k up to 12.
    const points = [LOG_GAMMA_MIN, ...Array.from({ length: 75 }, (_, k) => -25 + 0.5 * k)];
    let i = start <= -25 ? (start <= (LOG_GAMMA_MIN - 25) / 2 ? 0 : 1) : Math.min(points.length - 1, 1 + Math.round((start + 25) / 0.5));
    const at = new Map<number, number>();
    const val = (k: number) => { let v = at.get(k); if (v === undefined) { v = f(points[k]); at.set(k, v); } return v; };
    for (;;) {
      const here = val(i);
      if (i + 1 < points.length && val(i + 1) > here) i++;
      else if (i > 0 && val(i - 1) > here) i--;
      else break;
    }
    best = points[i];
  }
  return best <= LOG_GAMMA_MIN ? LOG_GAMMA_MIN : brentMax(f, best - 0.5, best + 0.5);
}

/** Brent's method maximising f on [a, b]. */
function brentMax(f: (x: number) => number, a: number, b: number, tol = 1e-12): number {
  const g = (3 - Math.sqrt(5)) / 2;
  let x = a + g * (b - a), w = x, v = x, fx = -f(x), fw = fx, fv = fx, d = 0, e = 0;
  for (let it = 0; it < 500; it++) {
    const m = (a + b) / 2, tol1 = tol * Math.abs(x) + 1e-14, tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - (b - a) / 2) break;
    let u: number;
    if (Math.abs(e) > tol1) {
      let r = (x - w) * (fx - fv), q = (x - v) * (fx - fw), pp = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) pp = -pp; else q = -q;
      const et = e; e = d;
      if (Math.abs(pp) >= Math.abs(0.5 * q * et) || pp <= q * (a - x) || pp >= q * (b - x)) { e = x >= m ? a - x : b - x; d = g * e; }
      else { d = pp / q; u = x + d; if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1; }
    } else { e = x >= m ? a - x : b - x; d = g * e; }
    u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = -f(u);
    if (fu <= fx) { if (u >= x) a = x; else b = x; v = w; fv = fw; w = x; fw = fx; x = u; fx = fu; }
    else { if (u < x) a = u; else b = u; if (fu <= fw || w === x) { v = w; fv = fw; w = u; fw = fu; } else if (fu <= fv || v === x || v === w) { v = u; fv = fu; } }
  }
  return x;
}

export class LmmError extends Error {}

/** Fits y ~ 1 + X (or y ~ X with `intercept: false`) with a random intercept per group, by REML. */
export function fitLmm(features: number[][], y: number[], groups: string[], opts: { intercept?: boolean; startLogGamma?: number } = {}): LmmFit {
  const N = y.length;
  if (N !== features.length || N !== groups.length) throw new LmmError('rows of features, target and groups differ');
  const X = opts.intercept === false ? features.map((r) => [...r]) : features.map((r) => [1, ...r]);
  const p = X[0].length;
  const g = groupIndex(groups);
  if (g.idx.length < 2) throw new LmmError(`a mixed model needs at least 2 groups (found ${g.idx.length})`);
  if (N <= p) throw new LmmError(`${N} rows are too few for ${p - 1} features`);
  const lg = searchLogGamma((x) => profile(X, y, g, Math.exp(x)).ll, opts.startLogGamma);
  const gamma = lg <= -30 ? 0 : Math.exp(lg);
  const r = profile(X, y, g, gamma);
  const cov = r.inv.mul(r.sigma2).to2DArray();
  return { beta: r.beta, groupVar: gamma * r.sigma2, residVar: r.sigma2, covBeta: cov, nObs: N, nGroups: g.idx.length, reml: r.ll };
}
