// Moran's I (N365) and Geary's C (NPT7), computed exactly as FFT convolutions with the 1/distance kernel
// instead of the O(n²) all-pairs sums: Σ_{i≠j} w_ij a_i b_j = Σ_i a_i (K ∗ b)_i with K(0) = 0.
import FFT from 'fft.js';
import type { Vec3 } from '../volume';

const pow2 = (n: number) => 1 << Math.ceil(Math.log2(Math.max(2, n)));

class Grid3 {
  readonly re: Float64Array;
  readonly im: Float64Array;
  constructor(readonly n: Vec3) {
    this.re = new Float64Array(n[0] * n[1] * n[2]);
    this.im = new Float64Array(n[0] * n[1] * n[2]);
  }
}

/**
 * In-place 3-D FFT (inverse when `inv`), one axis at a time with fft.js. `live` limits the work to the
 * lines that can be non-zero (forward: data in the low corner) or that are needed (inverse: low corner out).
 */
function fft3(g: Grid3, inv: boolean, live: Vec3 = g.n): void {
  const [nx, ny] = g.n;
  const order = inv ? [2, 1, 0] : [0, 1, 2];
  for (const axis of order) {
    const len = g.n[axis];
    if (len < 2) continue;
    const f = new FFT(len);
    const inp = f.createComplexArray() as number[], out = f.createComplexArray() as number[];
    const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
    // Lines along `axis` are indexed by the two other coordinates; skip those outside the live region
    // of axes not yet transformed (forward) or not needed any more (inverse).
    const other = [0, 1, 2].filter((x) => x !== axis);
    const done = (x: number) => (inv ? order.indexOf(x) > order.indexOf(axis) : order.indexOf(x) < order.indexOf(axis));
    const lim = other.map((x) => (done(x) ? g.n[x] : live[x]));
    for (let b = 0; b < lim[1]; b++) for (let a = 0; a < lim[0]; a++) {
      const c = [0, 0, 0];
      c[other[0]] = a; c[other[1]] = b; c[axis] = 0;
      const base = c[0] + nx * (c[1] + ny * c[2]);
      for (let t = 0; t < len; t++) { inp[2 * t] = g.re[base + t * stride]; inp[2 * t + 1] = g.im[base + t * stride]; }
      if (inv) f.inverseTransform(out, inp); else f.transform(out, inp);
      for (let t = 0; t < len; t++) { g.re[base + t * stride] = out[2 * t]; g.im[base + t * stride] = out[2 * t + 1]; }
    }
  }
}

/**
 * K ∗ m and K ∗ d in one complex transform: K is real and even, so its spectrum is real and the real and
 * imaginary parts of (m + i·d) stay separate through the product.
 */
function convolveInverseDistance(m: Float64Array, d: Float64Array, dims: Vec3, spacing: Vec3): [Float64Array, Float64Array] {
  const N: Vec3 = [pow2(2 * dims[0] - 1), pow2(2 * dims[1] - 1), pow2(2 * dims[2] - 1)];
  const [Nx, Ny, Nz] = N;
  const K = new Grid3(N);
  for (let dz = -(dims[2] - 1); dz <= dims[2] - 1; dz++) for (let dy = -(dims[1] - 1); dy <= dims[1] - 1; dy++) for (let dx = -(dims[0] - 1); dx <= dims[0] - 1; dx++) {
    if (!dx && !dy && !dz) continue;
    K.re[((dx + Nx) % Nx) + Nx * (((dy + Ny) % Ny) + Ny * ((dz + Nz) % Nz))] = 1 / Math.hypot(dx * spacing[0], dy * spacing[1], dz * spacing[2]);
  }
  fft3(K, false);
  const g = new Grid3(N);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    const src = i + dims[0] * (j + dims[1] * k), dst = i + Nx * (j + Ny * k);
    g.re[dst] = m[src]; g.im[dst] = d[src];
  }
  fft3(g, false, dims);
  for (let n = 0; n < g.re.length; n++) { g.re[n] *= K.re[n]; g.im[n] *= K.re[n]; }
  fft3(g, true, dims); // fft.js inverse includes the 1/len scaling per axis
  const km = new Float64Array(m.length), kd = new Float64Array(m.length);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    const src = i + Nx * (j + Ny * k), dst = i + dims[0] * (j + dims[1] * k);
    km[dst] = g.re[src]; kd[dst] = g.im[src];
  }
  return [km, kd];
}

export function moranGeary(mask: Uint8Array, values: Float32Array, dims: Vec3, spacing: Vec3): { moran: number; geary: number } {
  let n = 0, sum = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) { n++; sum += values[v]; }
  const mu = sum / n;
  const m = new Float64Array(mask.length), d = new Float64Array(mask.length);
  let ss = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) { m[v] = 1; d[v] = values[v] - mu; ss += d[v] * d[v]; }
  if (n < 2 || ss === 0) return { moran: NaN, geary: NaN };
  const [Km, Kd] = convolveInverseDistance(m, d, dims, spacing);
  let W = 0, moranNum = 0, gearyNum = 0;
  for (let v = 0; v < mask.length; v++) {
    if (!mask[v]) continue;
    W += Km[v];
    moranNum += d[v] * Kd[v];
    gearyNum += 2 * d[v] * d[v] * Km[v] - 2 * d[v] * Kd[v];
  }
  return { moran: (n / W) * (moranNum / ss), geary: ((n - 1) / (2 * W)) * (gearyNum / ss) };
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
