// Morphology (IBSI family HCUG): marching-cubes mesh of the morphological mask, convex hull, PCA axes,
// enclosing ellipsoid, bounding boxes, and Moran's I / Geary's C on the intensity mask.
import { marchingCubes } from 'isosurface';
import quickhullModule from 'quickhull3d';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { moranGeary } from './spatialAutocorrelation';
import type { FeatureValues, MorphologyInput } from './types';

type P3 = [number, number, number];
type Hull = (points: P3[]) => number[][];
// quickhull3d is CommonJS with a Babel default export: unwrap it the same way under Vite, Vitest and tsx.
const quickhull: Hull = ((m: any) => (typeof m === 'function' ? m : typeof m.default === 'function' ? m.default : m.default.default))(quickhullModule);

export interface Mesh { positions: P3[]; cells: [number, number, number][] }

/** Mesh of the mask (iso-level 0.5 on a zero-padded grid), vertices in mm relative to the box corner. */
function maskMesh(mask: Uint8Array, dims: P3, spacing: P3): Mesh {
  const [nx, ny, nz] = dims;
  const pd: P3 = [nx + 2, ny + 2, nz + 2];
  const mesh = marchingCubes(pd, (x: number, y: number, z: number) => {
    const i = x - 1, j = y - 1, k = z - 1;
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return 0.5;
    return 0.5 - mask[i + nx * (j + ny * k)];
  }) as Mesh;
  for (const p of mesh.positions) { p[0] = (p[0] - 1) * spacing[0]; p[1] = (p[1] - 1) * spacing[1]; p[2] = (p[2] - 1) * spacing[2]; }
  return mesh;
}

function volumeArea(pos: P3[], cells: [number, number, number][]): { volume: number; area: number } {
  let v = 0, a = 0;
  for (const [i, j, k] of cells) {
    const p = pos[i], q = pos[j], r = pos[k];
    v += p[0] * (q[1] * r[2] - q[2] * r[1]) - p[1] * (q[0] * r[2] - q[2] * r[0]) + p[2] * (q[0] * r[1] - q[1] * r[0]);
    const u = [q[0] - p[0], q[1] - p[1], q[2] - p[2]], w = [r[0] - p[0], r[1] - p[1], r[2] - p[2]];
    a += Math.hypot(u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]) / 2;
  }
  return { volume: Math.abs(v) / 6, area: a };
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

/** Minimum-volume enclosing ellipsoid semi-axes (Khachiyan's algorithm on the hull vertices), sorted a ≥ b ≥ c. */
export function mveeAxes(points: P3[], tol = 1e-4): [number, number, number] {
  const n = points.length;
  const u = new Float64Array(n).fill(1 / n);
  const Q = new Float64Array(n * 4);
  points.forEach((p, j) => { Q[j * 4] = p[0]; Q[j * 4 + 1] = p[1]; Q[j * 4 + 2] = p[2]; Q[j * 4 + 3] = 1; });
  const X = new Float64Array(16);
  for (let it = 0; it < 3000; it++) { // step ≤ tol ⇒ a (1 + ~3·tol)-approximation
    X.fill(0);
    for (let j = 0; j < n; j++) {
      const w = u[j], o = j * 4;
      for (let a = 0; a < 4; a++) { const qa = w * Q[o + a]; for (let b = 0; b < 4; b++) X[a * 4 + b] += qa * Q[o + b]; }
    }
    const Xi = inv4(X);
    let best = 0, bestM = -Infinity;
    for (let j = 0; j < n; j++) {
      const o = j * 4;
      let m = 0;
      for (let a = 0; a < 4; a++) { let t = 0; for (let b = 0; b < 4; b++) t += Xi[a * 4 + b] * Q[o + b]; m += Q[o + a] * t; }
      if (m > bestM) { bestM = m; best = j; }
    }
    const step = (bestM - 4) / (4 * (bestM - 1));
    if (!(step > tol)) break;
    for (let j = 0; j < n; j++) u[j] *= 1 - step;
    u[best] += step;
  }
  const c = [0, 0, 0];
  for (let j = 0; j < n; j++) for (let a = 0; a < 3; a++) c[a] += u[j] * points[j][a];
  const S = Matrix.zeros(3, 3);
  for (let j = 0; j < n; j++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S.set(a, b, S.get(a, b) + u[j] * points[j][a] * points[j][b]);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S.set(a, b, S.get(a, b) - c[a] * c[b]);
  // Ellipsoid matrix A = (1/3) S⁻¹: semi-axes are 1/sqrt(eigenvalues of A) = sqrt(3 · eigenvalues of S).
  const ev = new EigenvalueDecomposition(S).realEigenvalues.map((v) => Math.sqrt(3 * Math.max(v, 0))).sort((x, y) => y - x);
  return [ev[0], ev[1], ev[2]];
}

/** 2-D convex hull (monotone chain). */
function hull2d(pts: [number, number][]): [number, number][] {
  const p = [...pts].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: number[], a: number[], b: number[]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [], upper: [number, number][] = [];
  for (const q of p) { while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop(); lower.push(q); }
  for (const q of p.reverse()) { while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop(); upper.push(q); }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * Oriented minimum bounding box (Chan & Tan's approach): one box axis along each hull face normal, the
 * other two from the minimum-area rectangle of the projection (an edge of the 2-D hull is flush with it).
 * Returns the extents of the smallest-volume box found.
 */
export function ombbExtents(points: P3[], faces: number[][]): [number, number, number] {
  let best: [number, number, number] = [Infinity, 1, 1], bestV = Infinity;
  const seen = new Set<string>();
  const verts = [...new Set(faces.flat())].map((i) => points[i]);
  for (const f of faces) {
    const [p, q, r] = [points[f[0]], points[f[1]], points[f[2]]];
    const u = [q[0] - p[0], q[1] - p[1], q[2] - p[2]], w = [r[0] - p[0], r[1] - p[1], r[2] - p[2]];
    let nrm = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
    const len = Math.hypot(nrm[0], nrm[1], nrm[2]);
    if (len < 1e-12) continue;
    nrm = nrm.map((x) => x / len);
    if (nrm[0] < 0 || (nrm[0] === 0 && (nrm[1] < 0 || (nrm[1] === 0 && nrm[2] < 0)))) nrm = nrm.map((x) => -x);
    const key = nrm.map((x) => x.toFixed(6)).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    // Orthonormal basis (e1, e2) of the plane.
    const t = Math.abs(nrm[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    let e1 = [nrm[1] * t[2] - nrm[2] * t[1], nrm[2] * t[0] - nrm[0] * t[2], nrm[0] * t[1] - nrm[1] * t[0]];
    const l1 = Math.hypot(e1[0], e1[1], e1[2]);
    e1 = e1.map((x) => x / l1);
    const e2 = [nrm[1] * e1[2] - nrm[2] * e1[1], nrm[2] * e1[0] - nrm[0] * e1[2], nrm[0] * e1[1] - nrm[1] * e1[0]];
    let lo = Infinity, hi = -Infinity;
    const proj: [number, number][] = verts.map((x) => {
      const h = x[0] * nrm[0] + x[1] * nrm[1] + x[2] * nrm[2];
      lo = Math.min(lo, h); hi = Math.max(hi, h);
      return [x[0] * e1[0] + x[1] * e1[1] + x[2] * e1[2], x[0] * e2[0] + x[1] * e2[1] + x[2] * e2[2]];
    });
    const h2 = hull2d(proj);
    const depth = hi - lo;
    for (let i = 0; i < h2.length; i++) {
      const a = h2[i], b = h2[(i + 1) % h2.length];
      const dx = b[0] - a[0], dy = b[1] - a[1], dl = Math.hypot(dx, dy);
      if (dl < 1e-12) continue;
      const cx = dx / dl, cy = dy / dl;
      let minA = Infinity, maxA = -Infinity, minB = Infinity, maxB = -Infinity;
      for (const z of h2) {
        const pa = z[0] * cx + z[1] * cy, pb = -z[0] * cy + z[1] * cx;
        minA = Math.min(minA, pa); maxA = Math.max(maxA, pa); minB = Math.min(minB, pb); maxB = Math.max(maxB, pb);
      }
      const v = (maxA - minA) * (maxB - minB) * depth;
      if (v < bestV) { bestV = v; best = [maxA - minA, maxB - minB, depth]; }
    }
  }
  return best;
}

export function morphologyFeatures(input: MorphologyInput): FeatureValues {
  const { dims, spacing, morphMask, intensityMask, intensities } = input;
  const [nx, ny] = dims;
  const mesh = maskMesh(morphMask, dims, spacing);
  const { volume: V, area: A } = volumeArea(mesh.positions, mesh.cells);
  let nMorph = 0, gx = 0, gy = 0, gz = 0, wsum = 0, wx = 0, wy = 0, wz = 0, isum = 0, nInt = 0;
  const coords: number[] = [];
  for (let n = 0; n < morphMask.length; n++) {
    const x = (n % nx) * spacing[0], y = (Math.floor(n / nx) % ny) * spacing[1], z = Math.floor(n / (nx * ny)) * spacing[2];
    if (morphMask[n]) { nMorph++; gx += x; gy += y; gz += z; coords.push(x, y, z); }
    if (intensityMask[n]) { const w = intensities[n]; wsum += w; wx += w * x; wy += w * y; wz += w * z; isum += w; nInt++; }
  }
  const voxVol = spacing[0] * spacing[1] * spacing[2];
  // PCA of the morphological mask voxel positions.
  const cx = gx / nMorph, cy = gy / nMorph, cz = gz / nMorph;
  const C = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let p = 0; p < coords.length; p += 3) {
    const d = [coords[p] - cx, coords[p + 1] - cy, coords[p + 2] - cz];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) C[r][c] += d[r] * d[c];
  }
  // Sample covariance (N − 1), as the IBSI reference values imply.
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) C[r][c] /= Math.max(1, nMorph - 1);
  const ev = new EigenvalueDecomposition(new Matrix(C)).realEigenvalues.map((v) => Math.max(0, v)).sort((a, b) => b - a);
  const [lMaj, lMin, lLeast] = ev;
  // Convex hull of the mesh vertices.
  const hullFaces = quickhull(mesh.positions);
  const hull = volumeArea(mesh.positions, hullFaces as [number, number, number][]);
  const hullVerts = [...new Set(hullFaces.flat())].map((i) => mesh.positions[i]);
  let diam2 = 0;
  for (let a = 0; a < hullVerts.length; a++) for (let b = a + 1; b < hullVerts.length; b++) {
    const p = hullVerts[a], q = hullVerts[b];
    const d = (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2;
    if (d > diam2) diam2 = d;
  }
  // Axis-aligned bounding box of the mesh.
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (const p of mesh.positions) for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], p[a]); hi[a] = Math.max(hi[a], p[a]); }
  const e = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  // Approximate enclosing ellipsoid from the PCA axes.
  const a = 2 * Math.sqrt(lMaj), b = 2 * Math.sqrt(lMin), c = 2 * Math.sqrt(lLeast);
  const mg = moranGeary(intensityMask, intensities, dims, spacing);
  const [ma, mb, mc] = mveeAxes(hullVerts);
  const ob = ombbExtents(mesh.positions, hullFaces);
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
