// Shape-based interpolation between drawn slices (Raya & Udupa 1990; Herman et al. 1992): signed
// distance maps of the two nearest drawn slices are blended linearly and thresholded at zero. Only
// unlabelled voxels are filled, so other structures are never overwritten.
import type { Volume } from '../volume';

const FAR = 1e12; // "no seed" in squared mm: far above any real distance, small enough to keep precision

/** 1-D squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012) of f, sample step h (mm). */
function edt1d(f: Float64Array, n: number, h: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  const cross = (q: number, p: number) => (f[q] + (q * h) ** 2 - (f[p] + (p * h) ** 2)) / (2 * h * h * (q - p));
  let k = 0;
  v[0] = 0; z[0] = -Infinity; z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = cross(q, v[k]);
    while (s <= z[k]) { k--; s = cross(q, v[k]); }
    k++; v[k] = q; z[k] = s; z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    out[q] = ((q - v[k]) * h) ** 2 + f[v[k]];
  }
}

/** Squared distance (mm²) of every pixel of a w × h slice to the nearest pixel where `seed` is 1. */
export function distance2d(seed: Uint8Array, w: number, h: number, sx: number, sy: number): Float64Array {
  const d = new Float64Array(w * h);
  for (let n = 0; n < d.length; n++) d[n] = seed[n] ? 0 : FAR;
  const m = Math.max(w, h);
  const f = new Float64Array(m), out = new Float64Array(m), v = new Int32Array(m), z = new Float64Array(m + 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = d[x + w * y];
    edt1d(f, w, sx, out, v, z);
    for (let x = 0; x < w; x++) d[x + w * y] = out[x];
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = d[x + w * y];
    edt1d(f, h, sy, out, v, z);
    for (let y = 0; y < h; y++) d[x + w * y] = out[y];
  }
  return d;
}

/** Signed distance (mm; negative inside) of a binary slice. */
function signedDistance(mask: Uint8Array, w: number, h: number, sx: number, sy: number): Float64Array {
  const inv = mask.map((b) => (b ? 0 : 1));
  const out = distance2d(mask, w, h, sx, sy), inn = distance2d(inv, w, h, sx, sy);
  const sd = new Float64Array(w * h);
  for (let n = 0; n < sd.length; n++) sd[n] = mask[n] ? -Math.sqrt(inn[n]) + 0.5 * Math.min(sx, sy) : Math.sqrt(out[n]) - 0.5 * Math.min(sx, sy);
  return sd;
}

/**
 * Fills the slices between drawn slices of `label` along `axis` (2 = axial k, 1 = coronal j, 0 = sagittal i).
 * Returns the number of voxels added. Gaps longer than `maxGap` slices are left alone.
 */
export function interpolateSlices(labels: Volume<Uint8Array>, label: number, axis: 0 | 1 | 2 = 2, maxGap = 30): number {
  const dims = labels.dims;
  const [a, b] = axis === 2 ? [0, 1] : axis === 1 ? [0, 2] : [1, 2];
  const w = dims[a], h = dims[b], n = dims[axis];
  const stride = [1, dims[0], dims[0] * dims[1]];
  const at = (u: number, v: number, s: number) => u * stride[a] + v * stride[b] + s * stride[axis];
  const slice = (s: number) => {
    const m = new Uint8Array(w * h);
    for (let v = 0; v < h; v++) for (let u = 0; u < w; u++) m[u + w * v] = labels.data[at(u, v, s)] === label ? 1 : 0;
    return m;
  };
  const drawn: number[] = [];
  for (let s = 0; s < n; s++) {
    let any = false;
    for (let v = 0; v < h && !any; v++) for (let u = 0; u < w && !any; u++) any = labels.data[at(u, v, s)] === label;
    if (any) drawn.push(s);
  }
  let added = 0;
  for (let t = 0; t + 1 < drawn.length; t++) {
    const s0 = drawn[t], s1 = drawn[t + 1];
    if (s1 - s0 < 2 || s1 - s0 > maxGap) continue;
    const d0 = signedDistance(slice(s0), w, h, labels.spacing[a], labels.spacing[b]);
    const d1 = signedDistance(slice(s1), w, h, labels.spacing[a], labels.spacing[b]);
    for (let s = s0 + 1; s < s1; s++) {
      const f = (s - s0) / (s1 - s0);
      for (let v = 0; v < h; v++) for (let u = 0; u < w; u++) {
        const p = u + w * v;
        if ((1 - f) * d0[p] + f * d1[p] > 0) continue;
        const q = at(u, v, s);
        if (labels.data[q] === 0) { labels.data[q] = label; added++; }
      }
    }
  }
  return added;
}
