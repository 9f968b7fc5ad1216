// The IBSI image-processing chain, one function per step: interpolation (grid centred on the original,
// edge values padded), intensity rounding, ROI interpolation with a partial-volume threshold,
// re-segmentation by range and by outliers, and discretisation.
import type { Vec3 } from '../volume';
import type { Discretisation } from './settings';

export interface Grid3 { dims: Vec3; spacing: Vec3 }

/** Positions (in original voxel indices) of the new grid along one axis, IBSI centre alignment. */
export function axisPositions(n: number, s: number, sNew: number): Float64Array {
  const m = Math.ceil((n * s) / sNew);
  const step = sNew / s;
  const x0 = (n - 1) / 2 - ((m - 1) / 2) * step;
  return Float64Array.from({ length: m }, (_, i) => x0 + i * step);
}

/** Resamples `data` onto a new spacing ('linear' = tri/bilinear, 'nearest'); in-plane only when z spacing is 0. */
export function interpolate(data: Float32Array, g: Grid3, spacing: Vec3, method: 'nearest' | 'linear' | 'cubic'): { data: Float32Array; grid: Grid3 } {
  const target: Vec3 = [spacing[0] || g.spacing[0], spacing[1] || g.spacing[1], spacing[2] || g.spacing[2]];
  const pos = [0, 1, 2].map((a) => (target[a] === g.spacing[a] && !spacing[a] ? Float64Array.from({ length: g.dims[a] }, (_, i) => i) : axisPositions(g.dims[a], g.spacing[a], target[a])));
  const dims: Vec3 = [pos[0].length, pos[1].length, pos[2].length];
  if (method === 'cubic') return { data: cubicResample(data, g.dims, pos), grid: { dims, spacing: target } };
  const [nx, ny] = g.dims;
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v > n - 1 ? n - 1 : v);
  const out = new Float32Array(dims[0] * dims[1] * dims[2]);
  const idx = pos.map((p, a) => {
    const n = g.dims[a];
    const i0 = new Int32Array(p.length), i1 = new Int32Array(p.length), w = new Float64Array(p.length);
    p.forEach((x, t) => {
      const c = clamp(x, n);
      if (method === 'nearest') { i0[t] = i1[t] = Math.round(c); w[t] = 0; return; }
      const f = Math.floor(c);
      i0[t] = f; i1[t] = Math.min(n - 1, f + 1); w[t] = c - f;
    });
    return { i0, i1, w };
  });
  let o = 0;
  for (let k = 0; k < dims[2]; k++) {
    const z0 = idx[2].i0[k], z1 = idx[2].i1[k], wz = idx[2].w[k];
    for (let j = 0; j < dims[1]; j++) {
      const y0 = idx[1].i0[j], y1 = idx[1].i1[j], wy = idx[1].w[j];
      for (let i = 0; i < dims[0]; i++, o++) {
        const x0 = idx[0].i0[i], x1 = idx[0].i1[i], wx = idx[0].w[i];
        const at = (x: number, y: number, z: number) => data[x + nx * (y + ny * z)];
        const c00 = at(x0, y0, z0) * (1 - wx) + at(x1, y0, z0) * wx;
        const c10 = at(x0, y1, z0) * (1 - wx) + at(x1, y1, z0) * wx;
        const c01 = at(x0, y0, z1) * (1 - wx) + at(x1, y0, z1) * wx;
        const c11 = at(x0, y1, z1) * (1 - wx) + at(x1, y1, z1) * wx;
        out[o] = (c00 * (1 - wy) + c10 * wy) * (1 - wz) + (c01 * (1 - wy) + c11 * wy) * wz;
      }
    }
  }
  return { data: out, grid: { dims, spacing: target } };
}

export function roundIntensities(data: Float32Array): void {
  for (let n = 0; n < data.length; n++) data[n] = Math.round(data[n]);
}

/** ROI interpolation: the 0/1 mask is interpolated like the image, then thresholded (≥ threshold). */
export function interpolateMask(mask: Uint8Array, g: Grid3, spacing: Vec3, method: 'nearest' | 'linear' | 'cubic', threshold: number): Uint8Array {
  const f = Float32Array.from(mask);
  const { data } = interpolate(f, g, spacing, method === 'cubic' ? 'linear' : method);
  const out = new Uint8Array(data.length);
  for (let n = 0; n < data.length; n++) out[n] = data[n] >= threshold - 1e-6 ? 1 : 0;
  return out;
}

/** Intensity mask = morphological mask ∧ range ∧ (mean ± 3 SD of the values left after the range). */
export function resegment(morph: Uint8Array, img: Float32Array, range?: [number, number], outliers3sd?: boolean): Uint8Array {
  const out = Uint8Array.from(morph);
  if (range) for (let n = 0; n < out.length; n++) if (out[n] && (img[n] < range[0] || img[n] > range[1])) out[n] = 0;
  if (outliers3sd) {
    let s = 0, s2 = 0, c = 0;
    for (let n = 0; n < out.length; n++) if (out[n]) { s += img[n]; s2 += img[n] * img[n]; c++; }
    const mu = s / c, sd = Math.sqrt(Math.max(0, s2 / c - mu * mu));
    for (let n = 0; n < out.length; n++) if (out[n] && (img[n] < mu - 3 * sd || img[n] > mu + 3 * sd)) out[n] = 0;
  }
  return out;
}

/** Grey levels 1…Ng for the intensity-mask voxels (0 elsewhere). */
export function discretise(img: Float32Array, mask: Uint8Array, d: Discretisation, rangeMin?: number): { levels: Uint16Array; ng: number } {
  let min = Infinity, max = -Infinity;
  for (let n = 0; n < mask.length; n++) if (mask[n]) { min = Math.min(min, img[n]); max = Math.max(max, img[n]); }
  const levels = new Uint16Array(mask.length);
  let ng = 0;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const x = img[n];
    let l: number;
    if (d.method === 'none') l = Math.round(x);
    else if (d.method === 'FBN') l = max === min ? 1 : Math.min(d.bins, Math.floor((d.bins * (x - min)) / (max - min)) + 1);
    else l = Math.floor((x - (d.min ?? rangeMin ?? min)) / d.width + 1e-9) + 1;
    if (l < 1) throw new Error(`discretisation gave grey level ${l} < 1 (intensity ${x} below the bin minimum)`);
    if (l > 65535) throw new Error(`discretisation gave ${l} grey levels; use a wider bin`);
    levels[n] = l;
    if (l > ng) ng = l;
  }
  if (d.method === 'FBN') ng = d.bins;
  return { levels, ng };
}

/** B-spline coefficients of one line (in place): causal/anti-causal filter, pole √3 − 2, mirror boundary. */
function bsplinePrefilter(c: Float64Array): void {
  const n = c.length;
  if (n < 2) return;
  const z = Math.sqrt(3) - 2;
  const gain = (1 - z) * (1 - 1 / z);
  for (let i = 0; i < n; i++) c[i] *= gain;
  // Causal initialisation (mirror boundary), truncated where z^k is negligible.
  let sum = c[0], zk = z;
  const horizon = Math.min(n, 30);
  for (let k = 1; k < horizon; k++) { sum += zk * c[k]; zk *= z; }
  c[0] = sum;
  for (let i = 1; i < n; i++) c[i] += z * c[i - 1];
  c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1]);
  for (let i = n - 2; i >= 0; i--) c[i] = z * (c[i + 1] - c[i]);
}

/** Tricubic B-spline resampling, done exactly as three separable 1-D passes; positions clamp to the grid. */
function cubicResample(data: Float32Array, dims: Vec3, pos: Float64Array[]): Float32Array {
  let cur = Float64Array.from(data);
  let cd: Vec3 = [...dims];
  for (let axis = 0; axis < 3; axis++) {
    const n = cd[axis], p = pos[axis], m = p.length;
    const nd: Vec3 = [...cd];
    nd[axis] = m;
    const out = new Float64Array(nd[0] * nd[1] * nd[2]);
    const strideIn = axis === 0 ? 1 : axis === 1 ? cd[0] : cd[0] * cd[1];
    const strideOut = axis === 0 ? 1 : axis === 1 ? nd[0] : nd[0] * nd[1];
    const [na, nb] = axis === 0 ? [cd[1], cd[2]] : axis === 1 ? [cd[0], cd[2]] : [cd[0], cd[1]];
    const line = new Float64Array(n);
    const mirror = (i: number) => { if (n === 1) return 0; const per = 2 * n - 2; i = ((i % per) + per) % per; return i < n ? i : per - i; };
    for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) {
      const inBase = axis === 0 ? cd[0] * (a + cd[1] * b) : axis === 1 ? a + cd[0] * cd[1] * b : a + cd[0] * b;
      const outBase = axis === 0 ? nd[0] * (a + nd[1] * b) : axis === 1 ? a + nd[0] * nd[1] * b : a + nd[0] * b;
      for (let t = 0; t < n; t++) line[t] = cur[inBase + t * strideIn];
      bsplinePrefilter(line);
      for (let t = 0; t < m; t++) {
        const x = Math.min(n - 1, Math.max(0, p[t]));
        const i = Math.floor(x), f = x - i;
        const w0 = (1 - f) ** 3 / 6, w1 = (3 * f ** 3 - 6 * f * f + 4) / 6, w2 = (-3 * f ** 3 + 3 * f * f + 3 * f + 1) / 6, w3 = f ** 3 / 6;
        out[outBase + t * strideOut] = w0 * line[mirror(i - 1)] + w1 * line[mirror(i)] + w2 * line[mirror(i + 1)] + w3 * line[mirror(i + 2)];
      }
    }
    cur = out;
    cd = nd;
  }
  return Float32Array.from(cur);
}
