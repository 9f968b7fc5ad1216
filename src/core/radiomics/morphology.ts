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
    for (const i of keep) out.push([(w[i] / 2 - 1) * spacing[0], (u[i] / 2 - 1) * spacing[1], (z / 2 - 1) * spacing[2]]);
  }
  return out;
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


/** Inverse of a 4×4 matrix (Gauss–Jordan with partial pivoting), row-major Float64Array(16). */
function inv4(m: Float64Array): Float64Array {
  const a = Float64Array.from(m), r = new Float64Array(16);
  for (let i = 0; i < 4; i++) r[i * 5] = 1;
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let i = c + 1; i < 4; i++) if (Math.abs(a[i * 4 + c]) > Math.abs(a[p * 4 + c])) p = i;
    if (p !== c) for (let j = 0; j < 4; j++) { [a[c * 4 + j], a[p * 4 + j]] = [a[p * 4 + j], a[c * 4 + j]]; [r[c * 4 + j], r[p * 4 + j]] = [r[p * 4 + j], r[c * 4 + j]]; }
    const d = a[c * 4 + c];
    for (let j = 0; j < 4; j++) { a[c * 4 + j] /= d; r[c * 4 + j] /= d; }
    for (let i = 0; i < 4; i++) {
      if (i === c) continue;
      const f = a[i * 4 + c];
      if (f) for (let j = 0; j < 4; j++) { a[i * 4 + j] -= f * a[c * 4 + j]; r[i * 4 + j] -= f * r[c * 4 + j]; }
    }
  }
  return r;
}

/**
 * Minimum-volume enclosing ellipsoid semi-axes on the hull vertices, sorted a ≥ b ≥ c: Khachiyan's
 * algorithm with Todd & Yildirim's away steps (Discrete Appl. Math. 2007), which converges linearly where
 * plain Khachiyan crawls. Each step is a rank-one change of X = Σ u_j q_j q_jᵀ, so X⁻¹ and the distances
 * M_j = q_jᵀ X⁻¹ q_j follow by Sherman–Morrison in O(n); they are recomputed exactly every 64 steps.
 * Stops when neither step exceeds `tol` (then max M_j ≤ 4(1 + 3·tol)).
 */
export function mveeAxes(points: P3[], tol = 1e-4): [number, number, number] {
  const n = points.length;
  const u = new Float64Array(n).fill(1 / n);
  const Q = new Float64Array(n * 4);
  points.forEach((p, j) => { Q[j * 4] = p[0]; Q[j * 4 + 1] = p[1]; Q[j * 4 + 2] = p[2]; Q[j * 4 + 3] = 1; });
  const X = new Float64Array(16), M = new Float64Array(n), v = new Float64Array(4);
  let Xi: Float64Array = new Float64Array(16);
  const exact = () => {
    X.fill(0);
    for (let j = 0; j < n; j++) {
      const w = u[j], o = j * 4;
      for (let a = 0; a < 4; a++) { const qa = w * Q[o + a]; for (let b = 0; b < 4; b++) X[a * 4 + b] += qa * Q[o + b]; }
    }
    Xi = inv4(X);
    for (let j = 0; j < n; j++) {
      const o = j * 4;
      let m = 0;
      for (let a = 0; a < 4; a++) { let t = 0; for (let b = 0; b < 4; b++) t += Xi[a * 4 + b] * Q[o + b]; m += Q[o + a] * t; }
      M[j] = m;
    }
  };
  // u_j = uScale · ũ_j keeps the (1 − s) rescaling of every weight out of the loop; one pass per step
  // updates M_j and finds the next farthest and nearest points.
  let uScale = 1;
  let up = 0, upM = -Infinity, down = -1, downM = Infinity;
  const scan = () => {
    up = 0; upM = -Infinity; down = -1; downM = Infinity;
    for (let j = 0; j < n; j++) {
      if (M[j] > upM) { upM = M[j]; up = j; }
      if (u[j] > 0 && M[j] < downM) { downM = M[j]; down = j; }
    }
  };
  for (let it = 0; it < 100000; it++) {
    if (it % 256 === 0) {
      for (let j = 0; j < n; j++) u[j] *= uScale;
      uScale = 1;
      exact();
      scan();
    }
    const upStep = (upM - 4) / (4 * (upM - 1));
    const uDown = down >= 0 ? u[down] * uScale : 0;
    const downStep = down >= 0 && downM > 1 ? Math.min((4 - downM) / (4 * (downM - 1)), uDown / (1 - uDown)) : 0;
    if (!(upStep > tol) && !(downStep > tol)) break;
    // u' = (1 − s) u + s e_j: s > 0 moves weight to the farthest point, s < 0 away from the nearest.
    const away = downStep > upStep;
    const j0 = away ? down : up, s = away ? -downStep : upStep, Mj = away ? downM : upM;
    uScale *= 1 - s;
    u[j0] += s / uScale;
    if (away && u[j0] * uScale < 1e-300) u[j0] = 0;
    // X' = (1 − s) X + s q qᵀ ⇒ X'⁻¹ = (X⁻¹ − c v vᵀ / (1 + c M_j)) / (1 − s), v = X⁻¹ q, c = s / (1 − s).
    const o = j0 * 4, c = s / (1 - s), den = 1 + c * Mj, inv = 1 / (1 - s), f = c / den;
    let v0 = 0, v1 = 0, v2 = 0, v3 = 0;
    for (let b = 0; b < 4; b++) { const qb = Q[o + b]; v0 += Xi[b] * qb; v1 += Xi[4 + b] * qb; v2 += Xi[8 + b] * qb; v3 += Xi[12 + b] * qb; }
    v[0] = v0; v[1] = v1; v[2] = v2; v[3] = v3;
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) Xi[a * 4 + b] = (Xi[a * 4 + b] - f * v[a] * v[b]) * inv;
    up = 0; upM = -Infinity; down = -1; downM = Infinity;
    for (let j = 0, q = 0; j < n; j++, q += 4) {
      const d = Q[q] * v0 + Q[q + 1] * v1 + Q[q + 2] * v2 + Q[q + 3] * v3;
      const m = (M[j] - f * d * d) * inv;
      M[j] = m;
      if (m > upM) { upM = m; up = j; }
      if (m < downM && u[j] > 0) { downM = m; down = j; }
    }
  }
  for (let j = 0; j < n; j++) u[j] *= uScale;
  const c = [0, 0, 0];
  for (let j = 0; j < n; j++) for (let a = 0; a < 3; a++) c[a] += u[j] * points[j][a];
  const S = Matrix.zeros(3, 3);
  for (let j = 0; j < n; j++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S.set(a, b, S.get(a, b) + u[j] * points[j][a] * points[j][b]);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S.set(a, b, S.get(a, b) - c[a] * c[b]);
  // Ellipsoid matrix A = (1/3) S⁻¹: semi-axes are 1/sqrt(eigenvalues of A) = sqrt(3 · eigenvalues of S).
  const ev = new EigenvalueDecomposition(S).realEigenvalues.map((x) => Math.sqrt(3 * Math.max(x, 0))).sort((x, y) => y - x);
  return [ev[0], ev[1], ev[2]];
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
  faces.forEach((f, t) => {
    const [p, q, r] = [points[f[0]], points[f[1]], points[f[2]]];
    const ux = q[0] - p[0], uy = q[1] - p[1], uz = q[2] - p[2], wx = r[0] - p[0], wy = r[1] - p[1], wz = r[2] - p[2];
    fn[3 * t] = uy * wz - uz * wy; fn[3 * t + 1] = uz * wx - ux * wz; fn[3 * t + 2] = ux * wy - uy * wx;
    for (let i = 0; i < f.length; i++) {
      const a = f[i], b = f[(i + 1) % f.length], key = Math.min(a, b) * np + Math.max(a, b);
      const e = edgeAt.get(key);
      if (e === undefined) { edgeAt.set(key, edgeA.length); edgeA.push(a); edgeB.push(b); edgeF1.push(t); edgeF2.push(-1); }
      else edgeF2[e] = t;
    }
  });
  const verts = [...new Set(faces.flat())];
  const unit = new Float64Array(3 * F);
  for (let f = 0; f < F; f++) {
    const l = Math.hypot(fn[3 * f], fn[3 * f + 1], fn[3 * f + 2]);
    if (l > 0) for (let a = 0; a < 3; a++) unit[3 * f + a] = fn[3 * f + a] / l;
  }
  const facing = new Uint8Array(F), stamp = new Int32Array(np).fill(-1);
  const pu = new Float64Array(np), pv = new Float64Array(np);
  const silVerts: number[] = [], silEdges: number[] = [];
  const seen = new Set<string>();
  for (let t = 0; t < F; t++) {
    let nrm = [fn[3 * t], fn[3 * t + 1], fn[3 * t + 2]];
    const len = Math.hypot(nrm[0], nrm[1], nrm[2]);
    if (len < 1e-12) continue;
    nrm = nrm.map((x) => x / len);
    if (nrm[0] < 0 || (nrm[0] === 0 && (nrm[1] < 0 || (nrm[1] === 0 && nrm[2] < 0)))) nrm = nrm.map((x) => -x);
    const key = nrm.map((x) => x.toFixed(6)).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    // Orthonormal basis (e1, e2) of the plane.
    const tv = Math.abs(nrm[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    let e1 = [nrm[1] * tv[2] - nrm[2] * tv[1], nrm[2] * tv[0] - nrm[0] * tv[2], nrm[0] * tv[1] - nrm[1] * tv[0]];
    const l1 = Math.hypot(e1[0], e1[1], e1[2]);
    e1 = e1.map((x) => x / l1);
    const e2 = [nrm[1] * e1[2] - nrm[2] * e1[1], nrm[2] * e1[0] - nrm[0] * e1[2], nrm[0] * e1[1] - nrm[1] * e1[0]];
    let lo = Infinity, hi = -Infinity;
    for (const i of verts) {
      const x = points[i], h = x[0] * nrm[0] + x[1] * nrm[1] + x[2] * nrm[2];
      if (h < lo) lo = h;
      if (h > hi) hi = h;
    }
    const depth = hi - lo;
    for (let f = 0; f < F; f++) facing[f] = unit[3 * f] * nrm[0] + unit[3 * f + 1] * nrm[1] + unit[3 * f + 2] * nrm[2] > 1e-12 ? 1 : 0;
    silVerts.length = 0; silEdges.length = 0;
    for (let e = 0; e < edgeA.length; e++) {
      const f2 = edgeF2[e];
      if (facing[edgeF1[e]] === (f2 < 0 ? 0 : facing[f2])) continue;
      silEdges.push(e);
      for (let end = 0; end < 2; end++) {
        const i = end ? edgeB[e] : edgeA[e];
        if (stamp[i] === t) continue;
        stamp[i] = t;
        const x = points[i];
        pu[i] = x[0] * e1[0] + x[1] * e1[1] + x[2] * e1[2]; pv[i] = x[0] * e2[0] + x[1] * e2[1] + x[2] * e2[2];
        silVerts.push(i);
      }
    }
    for (const e of silEdges) {
      const a = edgeA[e], b = edgeB[e];
      const dx = pu[b] - pu[a], dy = pv[b] - pv[a], dl = Math.hypot(dx, dy);
      if (dl < 1e-12) continue;
      const cx = dx / dl, cy = dy / dl;
      let minA = Infinity, maxA = -Infinity, minB = Infinity, maxB = -Infinity;
      for (const i of silVerts) {
        const pa = pu[i] * cx + pv[i] * cy, pb = -pu[i] * cy + pv[i] * cx;
        if (pa < minA) minA = pa;
        if (pa > maxA) maxA = pa;
        if (pb < minB) minB = pb;
        if (pb > maxB) maxB = pb;
      }
      const vol = (maxA - minA) * (maxB - minB) * depth;
      if (vol < bestV) { bestV = vol; best = [maxA - minA, maxB - minB, depth]; }
    }
  }
  return best;
}

export function morphologyFeatures(input: MorphologyInput): FeatureValues {
  const { dims, spacing, morphMask, intensityMask, intensities } = input;
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
  for (let a = 0; a < hullVerts.length; a++) for (let b = a + 1; b < hullVerts.length; b++) {
    const p = hullVerts[a], q = hullVerts[b];
    const d = (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2;
    if (d > diam2) diam2 = d;
  }
  // Axis-aligned bounding box of the mesh.
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const P = mesh.positions;
  for (let v = 0; v < P.length; v += 3) for (let a = 0; a < 3; a++) { const x = P[v + a]; if (x < lo[a]) lo[a] = x; if (x > hi[a]) hi[a] = x; }
  const e = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  // Approximate enclosing ellipsoid from the PCA axes.
  const a = 2 * Math.sqrt(lMaj), b = 2 * Math.sqrt(lMin), c = 2 * Math.sqrt(lLeast);
  const mg = moranGeary(intensityMask, intensities, dims, spacing);
  const [ma, mb, mc] = mveeAxes(hullVerts);
  const ob = ombbExtents(candidates, hullFaces);
  const com = Math.hypot(cx - wx / wsum, cy - wy / wsum, cz - wz / wsum);
  return {
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
    morph_moran_i: mg.moran, // N365
    morph_geary_c: mg.geary, // NPT7
  };
}
