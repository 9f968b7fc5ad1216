// Moran's I (N365) and Geary's C (NPT7), computed exactly as FFT convolutions with the 1/distance kernel
// instead of the O(n²) all-pairs sums: Σ_{i≠j} w_ij a_i b_j = Σ_i a_i (K ∗ b)_i with K(0) = 0, evaluated
// in the frequency domain (Parseval), so no inverse transform is needed.
import FFT from 'fft.js';
import type { Vec3 } from '../volume';

/** Smallest power of two ≥ n (at least 4, fft.js's smallest comfortable size). */
const pow2 = (n: number) => 1 << Math.ceil(Math.log2(Math.max(4, n)));

const plans = new Map<number, FFT>();
const plan = (n: number) => { let f = plans.get(n); if (!f) plans.set(n, (f = new FFT(n))); return f; };

/**
 * Half spectrum of one real signal, transformed along x and y: H0 = N0/2 + 1 columns (the rest follow by
 * Hermitian symmetry) × N1 × D2, the planes z < D2 that hold data, interleaved re/im, reused by every call
 * with the same size (one ROI after another in a worker). Lines along x are real transforms of the box
 * rows; lines along y, and then z one y-row at a time (`zLines`), are transposed into a block of contiguous
 * lines (which stays in cache) and transformed there. The z-transformed block is consumed at once by the
 * Parseval sums, so the full 3-D spectrum is never stored.
 */
class HalfSpectrum {
  readonly h0: number;
  readonly g: Float64Array;
  readonly blockOut: Float64Array;
  /** Doubles between consecutive lines of the block. */
  readonly L: number;
  private readonly row: Float64Array;
  private readonly rowOut: Float64Array;
  private readonly block: Float64Array;
  private readonly lines: Float64Array[];
  private readonly linesOut: Float64Array[];
  constructor(readonly n: Vec3, readonly planes: number) {
    this.h0 = n[0] / 2 + 1;
    this.g = new Float64Array(2 * this.h0 * n[1] * planes);
    this.row = new Float64Array(n[0]);
    this.rowOut = new Float64Array(2 * n[0]);
    const L = (this.L = 2 * Math.max(n[1], n[2]));
    this.block = new Float64Array(this.h0 * L);
    this.blockOut = new Float64Array(this.h0 * L);
    this.lines = Array.from({ length: this.h0 }, (_, x) => this.block.subarray(x * L, x * L + L));
    this.linesOut = Array.from({ length: this.h0 }, (_, x) => this.blockOut.subarray(x * L, x * L + L));
  }

  /**
   * Transforms `s` (box dims, zero-padded to n) along x and y. Only rows that hold data are transformed
   * along x, and the padding is never written: the line gathers read zeros for it.
   */
  transformXY(s: Float64Array, dims: Vec3): void {
    const [n0, n1] = this.n, h0 = this.h0, g = this.g;
    const f = plan(n0), row = this.row, out = this.rowOut;
    for (let z = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) {
      row.fill(0);
      const src = dims[0] * (y + dims[1] * z);
      for (let x = 0; x < dims[0]; x++) row[x] = s[src + x];
      f.realTransform(out, row);
      g.set(out.subarray(0, 2 * h0), 2 * h0 * (y + n1 * z));
    }
    // Along y, plane by plane: rows y ≥ dims[1] are padding.
    const len = n1, L = this.L, block = this.block, blockOut = this.blockOut, lines = this.lines, linesOut = this.linesOut, fy = plan(len);
    block.fill(0);
    for (let p = 0; p < dims[2]; p++) {
      for (let r = 0; r < dims[1]; r++) {
        const src = 2 * h0 * (p * n1 + r);
        for (let x = 0, b = 2 * r; x < h0; x++, b += L) { block[b] = g[src + 2 * x]; block[b + 1] = g[src + 2 * x + 1]; }
      }
      for (let x = 0; x < h0; x++) fy.transform(linesOut[x], lines[x]);
      for (let r = 0; r < len; r++) {
        const dst = 2 * h0 * (p * n1 + r);
        for (let x = 0, b = 2 * r; x < h0; x++, b += L) { g[dst + 2 * x] = blockOut[b]; g[dst + 2 * x + 1] = blockOut[b + 1]; }
      }
    }
    block.fill(0);
  }

  /** The z-lines of y-row `y` (planes z ≥ D2 are padding), transformed into blockOut: line x at x·L, kz at 2·kz. */
  zLines(y: number): void {
    const h0 = this.h0, n1 = this.n[1], L = this.L, g = this.g, block = this.block, lines = this.lines, linesOut = this.linesOut, f = plan(this.n[2]);
    for (let r = 0; r < this.planes; r++) {
      const src = 2 * h0 * (y + r * n1);
      for (let x = 0, b = 2 * r; x < h0; x++, b += L) { block[b] = g[src + 2 * x]; block[b + 1] = g[src + 2 * x + 1]; }
    }
    for (let x = 0; x < h0; x++) f.transform(linesOut[x], lines[x]);
  }
}

/** Half spectra up to 2 × 65 × 128 × 64 planes (17 MB) are kept for the next ROI of the same size. */
const KEEP_MAX = 65 * 128 * 64;
let cached: { n: Vec3; planes: number; a: HalfSpectrum; b: HalfSpectrum } | undefined;
function spectra(n: Vec3, planes: number): [HalfSpectrum, HalfSpectrum] {
  if (cached && cached.planes === planes && cached.n.every((x, i) => x === n[i])) return [cached.a, cached.b];
  const a = new HalfSpectrum(n, planes), b = new HalfSpectrum(n, planes);
  cached = a.g.length / 2 <= KEEP_MAX ? { n, planes, a, b } : undefined;
  return [a, b];
}

/**
 * Σ_k K̂_k Re(conj(X_k) Y_k) over one y-row's block of z-transformed lines (full spectrum from the half kept:
 * columns 0 and N0/2 once, the others twice). `fy` = fold(ky) · H0 · H2 indexes the kernel octant (kz fastest).
 */
function blockSum(X: Float64Array, Y: Float64Array, kt: Float64Array, h: Vec3, fy: number, Nz: number, L: number): number {
  const h0 = h[0], h2 = h[2];
  let s = 0;
  for (let x = 0; x < h0; x++) {
    let line = 0;
    const k = fy + h2 * x;
    let b = x * L;
    for (let z = 0; z < h2; z++, b += 2) line += kt[k + z] * (X[b] * Y[b] + X[b + 1] * Y[b + 1]);
    for (let z = h2; z < Nz; z++, b += 2) line += kt[k + Nz - z] * (X[b] * Y[b] + X[b + 1] * Y[b + 1]);
    s += x === 0 || x === h0 - 1 ? line : 2 * line;
  }
  return s;
}

/**
 * Spectrum of the 1/distance kernel on the N0 × N1 × N2 torus. The kernel is real and even along every
 * axis, so its spectrum is too: it is computed on one octant (H_a = N_a/2 + 1 per axis) with real
 * transforms of the mirrored lines, and read back as Kh[fold(kx), fold(ky), fold(kz)]. With N ≥ 2·dims − 1
 * the box only ever meets offsets |o| < dims, where the periodic kernel is 1/|o| itself, so the spectrum
 * depends on N and the spacing only and is kept for the next ROI (a few sizes per patient).
 */
const kernels = new Map<string, { kh: Float64Array; h: Vec3 }>();
function kernelSpectrum(spacing: Vec3, N: Vec3): { kh: Float64Array; h: Vec3 } {
  const key = `${N.join('x')}:${spacing.join(',')}`;
  let k = kernels.get(key);
  if (!k) {
    if (kernels.size >= 4) kernels.delete(kernels.keys().next().value as string);
    kernels.set(key, (k = computeKernelSpectrum(spacing, N)));
  }
  return k;
}

function computeKernelSpectrum(spacing: Vec3, N: Vec3): { kh: Float64Array; h: Vec3 } {
  const h: Vec3 = [N[0] / 2 + 1, N[1] / 2 + 1, N[2] / 2 + 1];
  const kh = new Float64Array(h[0] * h[1] * h[2]);
  // 1/|o| from per-axis squares (no Math.hypot, whose overflow guard costs more than the rest here).
  const sq = [0, 1, 2].map((a) => Float64Array.from({ length: h[a] }, (_, t) => (t * spacing[a]) ** 2));
  const [sx, sy, sz] = sq;
  for (let z = 0, o = 0; z < h[2]; z++) for (let y = 0; y < h[1]; y++) {
    const syz = sy[y] + sz[z];
    for (let x = 0; x < h[0]; x++, o++) kh[o] = 1 / Math.sqrt(sx[x] + syz);
  }
  kh[0] = 0;
  const strides = [1, h[0], h[0] * h[1]];
  for (let axis = 0; axis < 3; axis++) {
    const len = N[axis];
    if (len < 2) continue;
    const f = plan(len), line = new Float64Array(len), out = new Float64Array(2 * len);
    const [oa, ob] = [0, 1, 2].filter((x) => x !== axis);
    const st = strides[axis];
    for (let b = 0; b < h[ob]; b++) for (let a = 0; a < h[oa]; a++) {
      const base = a * strides[oa] + b * strides[ob];
      for (let t = 0; t < h[axis]; t++) { const v = kh[base + t * st]; line[t] = v; if (t > 0 && t < len - t) line[len - t] = v; }
      f.realTransform(out, line);
      for (let t = 0; t < h[axis]; t++) kh[base + t * st] = out[2 * t];
    }
  }
  // Kept with kz fastest, the order the sums read it in: kt[kz + H2 · (kx + H0 · ky)].
  const kt = new Float64Array(kh.length);
  for (let y = 0, o = 0; y < h[1]; y++) for (let x = 0; x < h[0]; x++) for (let z = 0; z < h[2]; z++, o++) kt[o] = kh[x + h[0] * (y + h[1] * z)];
  return { kh: kt, h };
}

/**
 * The three sums Moran's I and Geary's C need, Σ_{i≠j} w_ij a_i b_j for (m, m), (d, d) and (d², m), by
 * Parseval: Σ_i a_i (K ∗ b)_i = (1/N) Σ_k K̂_k Re(conj(Â_k) B̂_k), with zero padding to ≥ 2·dims − 1 per
 * axis so that the circular convolution is the linear one inside the box. Real signals: half spectra.
 */
function inverseDistanceSums(m: Float64Array, d: Float64Array, dims: Vec3, spacing: Vec3): { mm: number; dd: number; em: number } {
  const N: Vec3 = [pow2(2 * dims[0] - 1), pow2(2 * dims[1] - 1), pow2(2 * dims[2] - 1)];
  const [Nx, Ny, Nz] = N;
  const { kh, h } = kernelSpectrum(spacing, N);
  const [A, B] = spectra(N, dims[2]);
  const L = A.L, scale = Nx * Ny * Nz;
  A.transformXY(m, dims);
  const e = new Float64Array(d.length);
  for (let v = 0; v < d.length; v++) e[v] = d[v] * d[v];
  B.transformXY(e, dims);
  let mm = 0, em = 0, dd = 0;
  for (let y = 0; y < Ny; y++) {
    const fy = h[0] * h[2] * Math.min(y, Ny - y);
    A.zLines(y); B.zLines(y);
    mm += blockSum(A.blockOut, A.blockOut, kh, h, fy, Nz, L);
    em += blockSum(B.blockOut, A.blockOut, kh, h, fy, Nz, L);
  }
  B.transformXY(d, dims);
  for (let y = 0; y < Ny; y++) {
    B.zLines(y);
    dd += blockSum(B.blockOut, B.blockOut, kh, h, h[0] * h[2] * Math.min(y, Ny - y), Nz, L);
  }
  mm /= scale; em /= scale; dd /= scale;
  return { mm, dd, em };
}

/** `auto` picks the cheaper of the exact pair sums and the FFT route; tests force one. */
export type MoranMethod = 'auto' | 'fft' | 'pairs';

export function moranGeary(fullMask: Uint8Array, fullValues: Float32Array, fullDims: Vec3, spacing: Vec3, method: MoranMethod = 'auto'): { moran: number; geary: number } {
  // Work on the bounding box of the mask: the FFT size follows the ROI, not the margin around it.
  const [fx, fy] = fullDims;
  const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
  for (let k = 0, v = 0; k < fullDims[2]; k++) for (let j = 0; j < fy; j++) for (let i = 0; i < fx; i++, v++) {
    if (!fullMask[v]) continue;
    if (i < lo[0]) lo[0] = i; if (i > hi[0]) hi[0] = i;
    if (j < lo[1]) lo[1] = j; if (j > hi[1]) hi[1] = j;
    if (k < lo[2]) lo[2] = k; if (k > hi[2]) hi[2] = k;
  }
  if (hi[0] < 0) return { moran: NaN, geary: NaN };
  const dims: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2]), values = new Float32Array(mask.length);
  for (let k = 0, o = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) {
    const row = lo[0] + fx * (lo[1] + j + fy * (lo[2] + k));
    for (let i = 0; i < dims[0]; i++, o++) { mask[o] = fullMask[row + i]; values[o] = fullValues[row + i]; }
  }
  let n = 0, sum = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) { n++; sum += values[v]; }
  const mu = sum / n;
  const m = new Float64Array(mask.length), d = new Float64Array(mask.length);
  let ss = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) { m[v] = 1; d[v] = values[v] - mu; ss += d[v] * d[v]; }
  if (n < 2 || ss === 0) return { moran: NaN, geary: NaN };
  // Small ROIs: the pair sums directly (n²/2 pairs) cost less than the transforms (≈ N log N per signal).
  const N = [0, 1, 2].map((a) => pow2(2 * dims[a] - 1));
  const cells = N[0] * N[1] * N[2];
  if (method === 'pairs' || (method === 'auto' && n * n <= DIRECT_FACTOR * cells * Math.log2(cells))) return pairSums(mask, values, dims, spacing, mu, ss, n);
  const { mm: W, dd: moranNum, em } = inverseDistanceSums(m, d, dims, spacing);
  // Σ_{i≠j} w_ij (x_i − x_j)² = 2 Σ_i d_i² (K ∗ m)_i − 2 Σ_i d_i (K ∗ d)_i.
  const gearyNum = 2 * em - 2 * moranNum;
  return { moran: (n / W) * (moranNum / ss), geary: ((n - 1) / (2 * W)) * (gearyNum / ss) };
}

/** Pair count per transform cell × log2(cells) below which the direct sums are used (measured, 2 cores). */
const DIRECT_FACTOR = 0.5;

/** The definition, each unordered pair once, on typed arrays. */
function pairSums(mask: Uint8Array, values: Float32Array, dims: Vec3, spacing: Vec3, mu: number, ss: number, n: number): { moran: number; geary: number } {
  const X = new Float64Array(n), Y = new Float64Array(n), Z = new Float64Array(n), D = new Float64Array(n);
  let t = 0;
  for (let k = 0, v = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, v++) {
    if (!mask[v]) continue;
    X[t] = i * spacing[0]; Y[t] = j * spacing[1]; Z[t] = k * spacing[2]; D[t] = values[v] - mu; t++;
  }
  let W = 0, mn = 0, gn = 0;
  for (let a = 0; a < n; a++) {
    const xa = X[a], ya = Y[a], za = Z[a], da = D[a];
    let w = 0, m = 0, g = 0;
    for (let b = a + 1; b < n; b++) {
      const dx = X[b] - xa, dy = Y[b] - ya, dz = Z[b] - za, db = D[b];
      const inv = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz), diff = da - db;
      w += inv; m += inv * db; g += inv * diff * diff;
    }
    W += w; mn += da * m; gn += g;
  }
  // Each unordered pair stands for two ordered ones.
  return { moran: (n / (2 * W)) * ((2 * mn) / ss), geary: ((n - 1) / (4 * W)) * ((2 * gn) / ss) };
}

/** The O(n²) definition, for tests and tiny ROIs. */
export function moranGearyNaive(mask: Uint8Array, values: Float32Array, dims: Vec3, spacing: Vec3): { moran: number; geary: number } {
  const pts: [number, number, number, number][] = [];
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    const v = i + dims[0] * (j + dims[1] * k);
    if (mask[v]) pts.push([i * spacing[0], j * spacing[1], k * spacing[2], values[v]]);
  }
  const n = pts.length;
  const mu = pts.reduce((s, p) => s + p[3], 0) / n;
  let W = 0, mn = 0, gn = 0, ss = 0;
  for (const p of pts) ss += (p[3] - mu) ** 2;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
    if (a === b) continue;
    const w = 1 / Math.hypot(pts[a][0] - pts[b][0], pts[a][1] - pts[b][1], pts[a][2] - pts[b][2]);
    W += w; mn += w * (pts[a][3] - mu) * (pts[b][3] - mu); gn += w * (pts[a][3] - pts[b][3]) ** 2;
  }
  return { moran: (n / W) * (mn / ss), geary: ((n - 1) / (2 * W)) * (gn / ss) };
}
