// Morphology (IBSI family HCUG): marching-cubes mesh of the morphological mask, convex hull, PCA axes,
// enclosing ellipsoid, bounding boxes, and Moran's I / Geary's C on the intensity mask.
import quickhullModule from 'quickhull3d';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { maskMesh, meshVolumeArea, type MaskMesh } from './mesh';
import { moranGeary } from './spatialAutocorrelation';
import type { FeatureValues, MorphologyInput } from './types';

type P3 = [number, number, number];
type Hull = (points: P3[]) => number[][];
// quickhull3d is CommonJS with a Babel default export: unwrap it the same way under Vite, Vitest and tsx.
const quickhull: Hull = ((m: any) => (typeof m === 'function' ? m : typeof m.default === 'function' ? m.default : m.default.default))(quickhullModule);

/**
 * Candidate convex-hull vertices of the mesh: a hull vertex is a vertex of the 2-D hull of the mesh
 * vertices in its own z-plane, and of those only a row's two ends (minimum and maximum x) can be. Exact,
 * and it leaves quickhull a few hundred points instead of the whole surface.
 */
export function hullCandidates(mesh: MaskMesh, dims: P3, spacing: P3): P3[] {
  const { half, vertexCount } = mesh;
  const hy = 2 * dims[1] + 4, hz = 2 * dims[2] + 4;
  const minX = new Int32Array(hy * hz).fill(0x7fffffff), maxX = new Int32Array(hy * hz).fill(-1);
  for (let v = 0; v < vertexCount; v++) {
    const x = half[3 * v], key = half[3 * v + 1] + hy * half[3 * v + 2];
    if (x < minX[key]) minX[key] = x;
    if (x > maxX[key]) maxX[key] = x;
  }
  const out: P3[] = [];
  const cx: number[] = [], cy: number[] = [], cz: number[] = []; // z-plane hull vertices, half-grid units
  const u: number[] = [], w: number[] = []; // plane points sorted by (y, x)
  const cross = (o: number, a: number, b: number) => (u[a] - u[o]) * (w[b] - w[o]) - (w[a] - w[o]) * (u[b] - u[o]);
  for (let z = 0; z < hz; z++) {
    u.length = 0; w.length = 0;
    for (let y = 0; y < hy; y++) {
      const key = y + hy * z;
      if (maxX[key] < 0) continue;
      u.push(y); w.push(minX[key]);
      if (maxX[key] !== minX[key]) { u.push(y); w.push(maxX[key]); }
    }
    const n = u.length;
    if (!n) continue;
    let keep: number[];
    if (n < 3) keep = n === 1 ? [0] : [0, 1];
    else {
      const lower: number[] = [], upper: number[] = [];
      for (let i = 0; i < n; i++) { while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], i) <= 0) lower.pop(); lower.push(i); }
      for (let i = n - 1; i >= 0; i--) { while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], i) <= 0) upper.pop(); upper.push(i); }
      keep = lower.slice(0, -1).concat(upper.slice(0, -1));
    }
    for (const i of keep) { cx.push(w[i]); cy.push(u[i]); cz.push(z); }
  }
  // A hull vertex is also a vertex of the 2-D hull of the candidates in its x-plane and in its y-plane (a
  // vertex of conv(C) stays extreme in any planar section through it), so those two filters are exact too.
  const kept = Uint8Array.from(cx, () => 1);
  sectionFilter(cx, cy, cz, kept); // x-planes: hull in (y, z)
  sectionFilter(cy, cx, cz, kept); // y-planes: hull in (x, z)
  for (let i = 0; i < cx.length; i++) {
    if (!kept[i]) continue;
    // A double-valued literal keeps every point's array a double array (one V8 map for quickhull and the rest).
    const p: P3 = [0.5, 0.5, 0.5];
    p[0] = (cx[i] / 2 - 1) * spacing[0]; p[1] = (cy[i] / 2 - 1) * spacing[1]; p[2] = (cz[i] / 2 - 1) * spacing[2];
    out.push(p);
  }
  return out;
}

/**
 * Clears kept[i] for the candidates (integer half-grid coordinates) that are not vertices of the 2-D convex
 * hull, in (a, b), of the kept candidates sharing their plane coordinate `plane[i]`. Exact integer arithmetic.
 */
function sectionFilter(plane: number[], a: number[], b: number[], kept: Uint8Array): void {
  const order = Array.from(plane.keys()).filter((i) => kept[i]).sort((i, j) => plane[i] - plane[j] || a[i] - a[j] || b[i] - b[j]);
  const stack: number[] = [];
  const cross = (o: number, p: number, q: number) => (a[p] - a[o]) * (b[q] - b[o]) - (b[p] - b[o]) * (a[q] - a[o]);
  const onHull = new Uint8Array(plane.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e < order.length && plane[order[e]] === plane[order[s]]) e++;
    const n = e - s;
    if (n <= 2) for (let t = s; t < e; t++) onHull[order[t]] = 1;
    else {
      for (let pass = 0; pass < 2; pass++) {
        stack.length = 0;
        for (let t = 0; t < n; t++) {
          const i = order[pass ? e - 1 - t : s + t];
          while (stack.length >= 2 && cross(stack[stack.length - 2], stack[stack.length - 1], i) <= 0) stack.pop();
          stack.push(i);
        }
        for (const i of stack) onHull[i] = 1;
      }
    }
    s = e;
  }
  for (let i = 0; i < kept.length; i++) if (!onHull[i]) kept[i] = 0;
}

/** Legendre polynomial P_n(x). */
function legendre(n: number, x: number): number {
  let p0 = 1, p1 = x;
  if (n === 0) return 1;
  for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
  return p1;
}

/** Surface area of an ellipsoid with semi-axes a ≥ b ≥ c (IBSI series approximation, 20 terms). */
export function ellipsoidArea(a: number, b: number, c: number): number {
  const alpha = Math.sqrt(1 - (b * b) / (a * a)), beta = Math.sqrt(1 - (c * c) / (a * a));
  if (alpha * beta === 0) {
    // Spheroid/sphere limits: fall back to Knud Thomsen's formula.
    const p = 1.6075;
    return 4 * Math.PI * Math.pow((Math.pow(a * b, p) + Math.pow(a * c, p) + Math.pow(b * c, p)) / 3, 1 / p);
  }
  const x = (alpha * alpha + beta * beta) / (2 * alpha * beta);
  let s = 0;
  for (let nu = 0; nu <= 20; nu++) s += (Math.pow(alpha * beta, nu) / (1 - 4 * nu * nu)) * legendre(nu, x);
  return 4 * Math.PI * a * b * s;
}


/** Cholesky factor (lower, row-major) of the symmetric positive definite k×k matrix `m`; false if it is not. */
function cholesky(m: Float64Array, k: number, L: Float64Array): boolean {
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) {
    let s = m[i * k + j];
    for (let t = 0; t < j; t++) s -= L[i * k + t] * L[j * k + t];
    if (i === j) { if (!(s > 0)) return false; L[i * k + i] = Math.sqrt(s); } else L[i * k + j] = s / L[j * k + j];
  }
  return true;
}

// Nonzeros of the rows of J_i = ∂(A x_i + b)/∂θ: parameter index and which coordinate of u = (x, y, z, 1) multiplies it.
const ROW_IDX = Int32Array.from([0, 3, 4, 6, 1, 3, 5, 7, 2, 4, 5, 8]), ROW_COORD = Int32Array.from([0, 1, 2, 3, 1, 0, 2, 3, 2, 0, 1, 3]);
// Basis of the symmetric 3×3 matrices in θ order: E_p = e_k e_lᵀ + e_l e_kᵀ (k ≠ l) or e_k e_kᵀ.
const BASIS_K = Int32Array.from([0, 1, 2, 0, 0, 1]), BASIS_L = Int32Array.from([0, 1, 2, 1, 2, 2]);

/** Points centred on their mean and scaled into the unit ball (xyz per point), and the scale R. */
function unitBall(points: P3[]): { X: Float64Array; R: number } {
  const n = points.length, X = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) { const p = points[i]; X[3 * i] = +p[0]; X[3 * i + 1] = +p[1]; X[3 * i + 2] = +p[2]; }
  let cx = 0, cy = 0, cz = 0;
  for (let i = 0; i < 3 * n; i += 3) { cx += X[i]; cy += X[i + 1]; cz += X[i + 2]; }
  cx /= n; cy /= n; cz /= n;
  let R = 0;
  for (let i = 0; i < 3 * n; i += 3) R = Math.max(R, Math.hypot(X[i] - cx, X[i + 1] - cy, X[i + 2] - cz));
  for (let i = 0; i < 3 * n; i += 3) { X[i] = (X[i] - cx) / R; X[i + 1] = (X[i + 1] - cy) / R; X[i + 2] = (X[i + 2] - cz) / R; }
  return { X, R };
}

/** A (row-major 3×3) from θ. */
function setA(A3: Float64Array, t: Float64Array): void {
  A3[0] = t[0]; A3[4] = t[1]; A3[8] = t[2]; A3[1] = A3[3] = t[3]; A3[2] = A3[6] = t[4]; A3[5] = A3[7] = t[5];
}

/** Barrier objective t·(−log det A) − Σ log(1 − |A x_i + b|²); Infinity outside the domain. */
function barrierObjective(t: Float64Array, tt: number, X: Float64Array, A3: Float64Array, L3: Float64Array): number {
  setA(A3, t);
  if (!cholesky(A3, 3, L3)) return Infinity;
  let f = -2 * tt * (Math.log(L3[0]) + Math.log(L3[4]) + Math.log(L3[8]));
  for (let i = 0; i < X.length; i += 3) {
    const x = X[i], y = X[i + 1], z = X[i + 2];
    const g0 = t[0] * x + t[3] * y + t[4] * z + t[6], g1 = t[3] * x + t[1] * y + t[5] * z + t[7], g2 = t[4] * x + t[5] * y + t[2] * z + t[8];
    const q = 1 - g0 * g0 - g1 * g1 - g2 * g2;
    if (!(q > 0)) return Infinity;
    f -= Math.log(q);
  }
  return f;
}

/** Adds every point's barrier gradient, the w wᵀ part of its Hessian and its weighted moments (one pass, kept small for the JIT). */
function accumulatePoints(X: Float64Array, th: Float64Array, grad: Float64Array, H: Float64Array, Mo: Float64Array, w: Float64Array): void {
  const n = X.length / 3;
  for (let i = 0; i < 3 * n; i += 3) {
    const x = X[i], y = X[i + 1], z = X[i + 2];
    const g0 = th[0] * x + th[3] * y + th[4] * z + th[6], g1 = th[3] * x + th[1] * y + th[5] * z + th[7], g2 = th[4] * x + th[5] * y + th[2] * z + th[8];
    const q = 1 - g0 * g0 - g1 * g1 - g2 * g2, c = 2 / q, c2 = 4 / (q * q);
    w[0] = g0 * x; w[1] = g1 * y; w[2] = g2 * z; w[3] = g0 * y + g1 * x; w[4] = g0 * z + g2 * x; w[5] = g1 * z + g2 * y; w[6] = g0; w[7] = g1; w[8] = g2;
    for (let a = 0; a < 9; a++) {
      const wa = w[a];
      grad[a] += c * wa;
      const ca = c2 * wa;
      for (let b = 0; b <= a; b++) H[a * 9 + b] += ca * w[b];
    }
    Mo[0] += c * x * x; Mo[1] += c * x * y; Mo[2] += c * x * z; Mo[3] += c * x;
    Mo[5] += c * y * y; Mo[6] += c * y * z; Mo[7] += c * y; Mo[10] += c * z * z; Mo[11] += c * z; Mo[15] += c;
  }
}

/**
 * Minimum-volume enclosing ellipsoid semi-axes, sorted a ≥ b ≥ c: E = {x : |A x + b| ≤ 1} with A symmetric
 * positive definite, minimising −log det A (the volume ∝ 1/det A) by a log-barrier interior-point method
 * (Boyd & Vandenberghe, Convex Optimization, 2004, §8.4.1 and §11.3) on the 9 unknowns of A and b.
 * Each Newton step is one pass over the points; the barrier's duality gap bounds the error of log det A,
 * and the loop stops when that gap is below `tol` (relative volume error ≤ tol; much smaller gaps need
 * barrier weights where double precision runs out).
 */
export function mveeAxes(points: P3[], tol = 1e-7): [number, number, number] {
  const n = points.length;
  const { X, R } = unitBall(points);
  if (!(R > 0)) return [0, 0, 0];
  // θ = [a11, a22, a33, a12, a13, a23, b1, b2, b3]
  const th = Float64Array.from([1 / 1.1, 1 / 1.1, 1 / 1.1, 0, 0, 0, 0, 0, 0]);
  const L3 = new Float64Array(9), A3 = new Float64Array(9);
  const grad = new Float64Array(9), H = new Float64Array(81), L9 = new Float64Array(81), dir = new Float64Array(9), w = new Float64Array(9), trial = new Float64Array(9);
  const Mo = new Float64Array(16); // weighted moments Σ c_i u_a u_b of u = (x, y, z, 1)
  const Ai = new Float64Array(9), AE = Array.from({ length: 6 }, () => new Float64Array(9));
  for (let tt = 1; ; tt *= 20) {
    let f0 = barrierObjective(th, tt, X, A3, L3); // kept from the accepted step of the line search
    for (let iter = 0; iter < 50; iter++) {
      grad.fill(0); H.fill(0); Mo.fill(0);
      // −t log det A: gradient −t tr(A⁻¹ E_p), Hessian t tr(A⁻¹ E_p A⁻¹ E_q).
      setA(A3, th);
      const det = A3[0] * (A3[4] * A3[8] - A3[5] * A3[7]) - A3[1] * (A3[3] * A3[8] - A3[5] * A3[6]) + A3[2] * (A3[3] * A3[7] - A3[4] * A3[6]);
      Ai[0] = (A3[4] * A3[8] - A3[5] * A3[7]) / det; Ai[1] = (A3[2] * A3[7] - A3[1] * A3[8]) / det; Ai[2] = (A3[1] * A3[5] - A3[2] * A3[4]) / det;
      Ai[3] = Ai[1]; Ai[4] = (A3[0] * A3[8] - A3[2] * A3[6]) / det; Ai[5] = (A3[2] * A3[3] - A3[0] * A3[5]) / det;
      Ai[6] = Ai[2]; Ai[7] = Ai[5]; Ai[8] = (A3[0] * A3[4] - A3[1] * A3[3]) / det;
      for (let p = 0; p < 6; p++) {
        const k = BASIS_K[p], l = BASIS_L[p];
        grad[p] = -tt * (k === l ? Ai[k * 4] : 2 * Ai[k * 3 + l]);
        const m = AE[p];
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) m[a * 3 + b] = Ai[a * 3 + k] * (b === l ? 1 : 0) + (k !== l ? Ai[a * 3 + l] * (b === k ? 1 : 0) : 0);
      }
      for (let p = 0; p < 6; p++) for (let q = 0; q <= p; q++) {
        let tr = 0;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) tr += AE[p][a * 3 + b] * AE[q][b * 3 + a];
        H[p * 9 + q] = H[q * 9 + p] = tt * tr;
      }
      // −Σ log(1 − |g_i|²), g_i = J_i θ: gradient 2 J_iᵀ g / q, Hessian 2 J_iᵀ J_i / q + 4 w wᵀ / q², w = J_iᵀ g.
      accumulatePoints(X, th, grad, H, Mo, w);
      Mo[4] = Mo[1]; Mo[8] = Mo[2]; Mo[9] = Mo[6]; Mo[12] = Mo[3]; Mo[13] = Mo[7]; Mo[14] = Mo[11];
      for (let r = 0; r < 3; r++) for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) {
        const ia = ROW_IDX[4 * r + a], ib = ROW_IDX[4 * r + b];
        if (ib <= ia) H[ia * 9 + ib] += Mo[ROW_COORD[4 * r + a] * 4 + ROW_COORD[4 * r + b]];
      }
      for (let a = 0; a < 9; a++) for (let b = 0; b < a; b++) H[b * 9 + a] = H[a * 9 + b];
      if (!cholesky(H, 9, L9)) break;
      // Newton direction: H dir = −grad.
      for (let a = 0; a < 9; a++) { let s = -grad[a]; for (let b = 0; b < a; b++) s -= L9[a * 9 + b] * dir[b]; dir[a] = s / L9[a * 9 + a]; }
      for (let a = 8; a >= 0; a--) { let s = dir[a]; for (let b = a + 1; b < 9; b++) s -= L9[b * 9 + a] * dir[b]; dir[a] = s / L9[a * 9 + a]; }
      let slope = 0;
      for (let a = 0; a < 9; a++) slope += grad[a] * dir[a];
      if (-slope / 2 <= 1e-12) break; // Newton decrement: centred
      let alpha = 1, f1 = Infinity;
      for (; alpha > 1e-12; alpha /= 2) {
        for (let a = 0; a < 9; a++) trial[a] = th[a] + alpha * dir[a];
        f1 = barrierObjective(trial, tt, X, A3, L3);
        if (f1 <= f0 + 0.25 * alpha * slope) break;
      }
      if (!(alpha > 1e-12)) break;
      th.set(trial);
      f0 = f1;
    }
    if (n / tt < tol) break;
  }
  setA(A3, th);
  const ev = new EigenvalueDecomposition(new Matrix([[A3[0], A3[1], A3[2]], [A3[3], A3[4], A3[5]], [A3[6], A3[7], A3[8]]])).realEigenvalues;
  const axes = ev.map((x) => R / x).sort((x, y) => y - x);
  return [axes[0], axes[1], axes[2]];
}

/**
 * Counter-clockwise convex polygon (collinear points dropped) of the points `idx` at (pu, pv), written to
 * (xs, ys) (Andrew's monotone chain); returns its vertex count.
 */
function convexPolygon(idx: number[], pu: Float64Array, pv: Float64Array, xs: Float64Array, ys: Float64Array): number {
  const order = idx.slice().sort((a, b) => pu[a] - pu[b] || pv[a] - pv[b]);
  const n = order.length;
  let h = 0;
  for (let pass = 0; pass < 2; pass++) {
    const floor = h; // the upper chain may not pop the lower one
    for (let s = 0; s < n; s++) {
      const i = order[pass ? n - 1 - s : s], x = pu[i], y = pv[i];
      while (h >= floor + 2 && (xs[h - 1] - xs[h - 2]) * (y - ys[h - 2]) - (ys[h - 1] - ys[h - 2]) * (x - xs[h - 2]) <= 0) h--;
      xs[h] = x; ys[h] = y; h++;
    }
    h--; // the last point starts the other chain
  }
  return Math.max(h, Math.min(n, 1));
}

/**
 * Minimum-area rectangle around a counter-clockwise strictly convex polygon by rotating calipers (Toussaint,
 * 1983): one side is flush with a polygon edge (Freeman & Shapira, 1975). Returns [along the edge, across].
 */
function minAreaRectangle(xs: Float64Array, ys: Float64Array, h: number): [number, number] {
  if (h < 3) return h < 2 ? [0, 0] : [Math.hypot(xs[1] - xs[0], ys[1] - ys[0]), 0];
  let bestA = Infinity, bestW = 0, bestT = 0;
  let right = 0, top = 0, left = 0;
  for (let i = 0; i < h; i++) {
    const j = i + 1 === h ? 0 : i + 1;
    const dx = xs[j] - xs[i], dy = ys[j] - ys[i], dl = Math.hypot(dx, dy);
    if (!(dl > 0)) continue;
    const cx = dx / dl, cy = dy / dl, x0 = xs[i], y0 = ys[i];
    // Calipers: farthest along the edge (right), farthest from it (top), least along it (left); each only moves forward.
    if (i === 0) right = j;
    for (let s = 0; s < h; s++) {
      const k = right + 1 === h ? 0 : right + 1;
      if (k === i || (xs[k] - x0) * cx + (ys[k] - y0) * cy < (xs[right] - x0) * cx + (ys[right] - y0) * cy) break;
      right = k;
    }
    if (i === 0) top = right;
    for (let s = 0; s < h; s++) {
      const k = top + 1 === h ? 0 : top + 1;
      if (k === i || (ys[k] - y0) * cx - (xs[k] - x0) * cy < (ys[top] - y0) * cx - (xs[top] - x0) * cy) break;
      top = k;
    }
    if (i === 0) left = top;
    for (let s = 0; s < h; s++) {
      const k = left + 1 === h ? 0 : left + 1;
      if (k === j || (xs[k] - x0) * cx + (ys[k] - y0) * cy > (xs[left] - x0) * cx + (ys[left] - y0) * cy) break;
      left = k;
    }
    const w = (xs[right] - x0) * cx + (ys[right] - y0) * cy - ((xs[left] - x0) * cx + (ys[left] - y0) * cy);
    const t = (ys[top] - y0) * cx - (xs[top] - x0) * cy;
    if (w * t < bestA) { bestA = w * t; bestW = w; bestT = t; }
  }
  return [bestW, bestT];
}

// Small loops of the OMBB search in their own functions: the JIT optimises them after a few normals.
/** max − min of the points' projections on (nx, ny, nz). */
function extentAlong(VP: Float64Array, nx: number, ny: number, nz: number): number {
  let lo = Infinity, hi = -Infinity;
  for (let v = 0; v < VP.length; v += 3) {
    const h = VP[v] * nx + VP[v + 1] * ny + VP[v + 2] * nz;
    if (h < lo) lo = h;
    if (h > hi) hi = h;
  }
  return hi - lo;
}

/** facing[f] = 1 where the unit face normal f points along (nx, ny, nz). */
function markFacing(unit: Float64Array, nx: number, ny: number, nz: number, facing: Uint8Array): void {
  for (let f = 0; f < facing.length; f++) facing[f] = unit[3 * f] * nx + unit[3 * f + 1] * ny + unit[3 * f + 2] * nz > 1e-12 ? 1 : 0;
}

/**
 * Oriented minimum bounding box (Chan & Tan's approach): one box axis along each hull face normal, the
 * other two from the minimum-area rectangle of the projection (an edge of the 2-D hull is flush with it).
 * The projection's 2-D hull is the silhouette of the convex hull: the edges between faces facing the
 * normal and faces that do not, so no per-normal sort is needed. Returns the extents of the smallest box.
 */
export function ombbExtents(points: P3[], faces: number[][]): [number, number, number] {
  let best: [number, number, number] = [Infinity, 1, 1], bestV = Infinity;
  const F = faces.length;
  const fn = new Float64Array(3 * F);
  // Undirected hull edges with their two faces.
  const edgeA: number[] = [], edgeB: number[] = [], edgeF1: number[] = [], edgeF2: number[] = [];
  const edgeAt = new Map<number, number>();
  const np = points.length;
  // Coordinates in one typed array: the points may mix integer and fractional arrays (different V8 maps).
  const P = new Float64Array(3 * np);
  for (let i = 0; i < np; i++) { const p = points[i]; P[3 * i] = +p[0]; P[3 * i + 1] = +p[1]; P[3 * i + 2] = +p[2]; }
  faces.forEach((f, t) => {
    const p = 3 * f[0], q = 3 * f[1], r = 3 * f[2];
    const ux = P[q] - P[p], uy = P[q + 1] - P[p + 1], uz = P[q + 2] - P[p + 2], wx = P[r] - P[p], wy = P[r + 1] - P[p + 1], wz = P[r + 2] - P[p + 2];
    fn[3 * t] = uy * wz - uz * wy; fn[3 * t + 1] = uz * wx - ux * wz; fn[3 * t + 2] = ux * wy - uy * wx;
    for (let i = 0; i < f.length; i++) {
      const a = f[i], b = f[(i + 1) % f.length], key = Math.min(a, b) * np + Math.max(a, b);
      const e = edgeAt.get(key);
      if (e === undefined) { edgeAt.set(key, edgeA.length); edgeA.push(a); edgeB.push(b); edgeF1.push(t); edgeF2.push(-1); }
      else edgeF2[e] = t;
    }
  });
  const verts = [...new Set(faces.flat())];
  const VP = new Float64Array(3 * verts.length);
  verts.forEach((i, k) => VP.set(P.subarray(3 * i, 3 * i + 3), 3 * k));
  const unit = new Float64Array(3 * F);
  for (let f = 0; f < F; f++) {
    const l = Math.hypot(fn[3 * f], fn[3 * f + 1], fn[3 * f + 2]);
    if (l > 0) for (let a = 0; a < 3; a++) unit[3 * f + a] = fn[3 * f + a] / l;
  }
  const facing = new Uint8Array(F), stamp = new Int32Array(np).fill(-1);
  const pu = new Float64Array(np), pv = new Float64Array(np);
  const silVerts: number[] = [];
  const hu = new Float64Array(np + 1), hv = new Float64Array(np + 1);
  const seen = new Set<string>();
  for (let t = 0; t < F; t++) {
    const len = Math.hypot(fn[3 * t], fn[3 * t + 1], fn[3 * t + 2]);
    if (len < 1e-12) continue;
    let nx = fn[3 * t] / len, ny = fn[3 * t + 1] / len, nz = fn[3 * t + 2] / len;
    if (nx < 0 || (nx === 0 && (ny < 0 || (ny === 0 && nz < 0)))) { nx = -nx; ny = -ny; nz = -nz; }
    const key = `${nx.toFixed(6)},${ny.toFixed(6)},${nz.toFixed(6)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Orthonormal basis (e1, e2) of the plane: e1 = n × (x or y axis), e2 = n × e1.
    const big = Math.abs(nx) >= 0.9;
    let e1x = big ? -nz : 0, e1y = big ? 0 : nz, e1z = big ? nx : -ny;
    const l1 = Math.hypot(e1x, e1y, e1z);
    e1x /= l1; e1y /= l1; e1z /= l1;
    const e2x = ny * e1z - nz * e1y, e2y = nz * e1x - nx * e1z, e2z = nx * e1y - ny * e1x;
    const depth = extentAlong(VP, nx, ny, nz);
    markFacing(unit, nx, ny, nz, facing);
    silVerts.length = 0;
    for (let e = 0; e < edgeA.length; e++) {
      const f2 = edgeF2[e];
      if (facing[edgeF1[e]] === (f2 < 0 ? 0 : facing[f2])) continue;
      for (let end = 0; end < 2; end++) {
        const i = end ? edgeB[e] : edgeA[e];
        if (stamp[i] === t) continue;
        stamp[i] = t;
        const x = P[3 * i], y = P[3 * i + 1], z = P[3 * i + 2];
        pu[i] = x * e1x + y * e1y + z * e1z; pv[i] = x * e2x + y * e2y + z * e2z;
        silVerts.push(i);
      }
    }
    // The 2-D hull of the silhouette, then the smallest rectangle flush with one of its edges.
    const h = convexPolygon(silVerts, pu, pv, hu, hv);
    const r = minAreaRectangle(hu, hv, h);
    const vol = r[0] * r[1] * depth;
    if (vol < bestV) { bestV = vol; best = [r[0], r[1], depth]; }
  }
  return best;
}

export function morphologyFeatures(input: MorphologyInput): FeatureValues {
  const { dims, spacing, morphMask, intensityMask, intensities, moranGeary: wantMoranGeary } = input;
  const [nx, ny, nz] = dims;
  const mesh = maskMesh(morphMask, dims, spacing);
  const { volume: V, area: A } = meshVolumeArea(mesh.positions, mesh.cells);
  let nMorph = 0, gx = 0, gy = 0, gz = 0, wsum = 0, wx = 0, wy = 0, wz = 0, nInt = 0;
  for (let k = 0, n = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    const x = i * spacing[0], y = j * spacing[1], z = k * spacing[2];
    if (morphMask[n]) { nMorph++; gx += x; gy += y; gz += z; }
    if (intensityMask[n]) { const w = intensities[n]; wsum += w; wx += w * x; wy += w * y; wz += w * z; nInt++; }
  }
  const isum = wsum;
  const voxVol = spacing[0] * spacing[1] * spacing[2];
  // PCA of the morphological mask voxel positions (second pass about the centroid).
  const cx = gx / nMorph, cy = gy / nMorph, cz = gz / nMorph;
  let sxx = 0, sxy = 0, sxz = 0, syy = 0, syz = 0, szz = 0;
  for (let k = 0, n = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    if (!morphMask[n]) continue;
    const x = i * spacing[0] - cx, y = j * spacing[1] - cy, z = k * spacing[2] - cz;
    sxx += x * x; sxy += x * y; sxz += x * z; syy += y * y; syz += y * z; szz += z * z;
  }
  // Sample covariance (N − 1), as the IBSI reference values imply.
  const dof = Math.max(1, nMorph - 1);
  const C = [[sxx, sxy, sxz], [sxy, syy, syz], [sxz, syz, szz]].map((r) => r.map((x) => x / dof));
  const ev = new EigenvalueDecomposition(new Matrix(C)).realEigenvalues.map((v) => Math.max(0, v)).sort((a, b) => b - a);
  const [lMaj, lMin, lLeast] = ev;
  // Convex hull of the mesh vertices (through the exact candidate filter).
  const candidates = hullCandidates(mesh, dims, spacing);
  const hullFaces = quickhull(candidates);
  const hullIndex = [...new Set(hullFaces.flat())];
  const hullVerts = hullIndex.map((i) => candidates[i]);
  let hv = 0, ha = 0;
  {
    const pos = new Float64Array(3 * candidates.length);
    candidates.forEach((p, i) => pos.set(p, 3 * i));
    const tris: number[] = [];
    for (const f of hullFaces) for (let t = 1; t + 1 < f.length; t++) tris.push(f[0], f[t], f[t + 1]);
    ({ volume: hv, area: ha } = meshVolumeArea(pos, Int32Array.from(tris)));
  }
  const hull = { volume: hv, area: ha };
  let diam2 = 0;
  const HV = new Float64Array(3 * hullVerts.length);
  hullVerts.forEach((p, i) => HV.set(p, 3 * i));
  for (let a = 0; a < HV.length; a += 3) for (let b = a + 3; b < HV.length; b += 3) {
    const dx = HV[a] - HV[b], dy = HV[a + 1] - HV[b + 1], dz = HV[a + 2] - HV[b + 2];
    const d = dx * dx + dy * dy + dz * dz;
    if (d > diam2) diam2 = d;
  }
  // Axis-aligned bounding box of the mesh.
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const P = mesh.positions;
  for (let v = 0; v < P.length; v += 3) for (let a = 0; a < 3; a++) { const x = P[v + a]; if (x < lo[a]) lo[a] = x; if (x > hi[a]) hi[a] = x; }
  const e = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  // Approximate enclosing ellipsoid from the PCA axes.
  const a = 2 * Math.sqrt(lMaj), b = 2 * Math.sqrt(lMin), c = 2 * Math.sqrt(lLeast);
  const [ma, mb, mc] = mveeAxes(hullVerts);
  const ob = ombbExtents(candidates, hullFaces);
  const com = Math.hypot(cx - wx / wsum, cy - wy / wsum, cz - wz / wsum);
  const out: FeatureValues = {
    morph_volume: V, // RNU0
    morph_vol_approx: nMorph * voxVol, // YEKZ
    morph_area_mesh: A, // C0JK
    morph_av: A / V, // 2PR5
    morph_comp_1: V / (Math.sqrt(Math.PI) * Math.pow(A, 1.5)), // SKGS
    morph_comp_2: (36 * Math.PI * V * V) / (A * A * A), // BQWJ
    morph_sph_dispr: A / Math.cbrt(36 * Math.PI * V * V), // KRCK
    morph_sphericity: Math.cbrt(36 * Math.PI * V * V) / A, // QCFX
    morph_asphericity: Math.cbrt((A * A * A) / (36 * Math.PI * V * V)) - 1, // 25C7
    morph_com: com, // KLMA
    morph_diam: Math.sqrt(diam2), // L0JK
    morph_pca_maj_axis: 4 * Math.sqrt(lMaj), // TDIC
    morph_pca_min_axis: 4 * Math.sqrt(lMin), // P9VJ
    morph_pca_least_axis: 4 * Math.sqrt(lLeast), // 7J51
    morph_pca_elongation: Math.sqrt(lMin / lMaj), // Q3CK
    morph_pca_flatness: Math.sqrt(lLeast / lMaj), // N17B
    morph_vol_dens_aabb: V / (e[0] * e[1] * e[2]), // PBX1
    morph_area_dens_aabb: A / (2 * (e[0] * e[1] + e[0] * e[2] + e[1] * e[2])), // R59B
    morph_vol_dens_aee: V / ((4 * Math.PI * a * b * c) / 3), // 6BDE
    morph_area_dens_aee: A / ellipsoidArea(a, b, c), // RDD2
    morph_vol_dens_ombb: V / (ob[0] * ob[1] * ob[2]), // ZH1A (no reference value)
    morph_area_dens_ombb: A / (2 * (ob[0] * ob[1] + ob[0] * ob[2] + ob[1] * ob[2])), // IQYR (no reference value)
    morph_vol_dens_mvee: V / ((4 * Math.PI * ma * mb * mc) / 3), // SWZ1 (no reference value)
    morph_area_dens_mvee: A / ellipsoidArea(ma, mb, mc), // BRI8 (no reference value)
    morph_vol_dens_conv_hull: V / hull.volume, // R3ER
    morph_area_dens_conv_hull: A / hull.area, // 7T7F
    morph_integ_int: V * (isum / nInt), // 99N0
  };
  if (wantMoranGeary) {
    const mg = moranGeary(intensityMask, intensities, dims, spacing);
    out.morph_moran_i = mg.moran; // N365
    out.morph_geary_c = mg.geary; // NPT7
  }
  return out;
}
