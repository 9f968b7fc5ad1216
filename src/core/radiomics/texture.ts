// Shared machinery of the texture families: directions, slices and the IBSI aggregation methods.
import type { DiscretisedRoi, FeatureValues, TextureDims } from './types';

export const DIRECTIONS_2D: [number, number, number][] = [[1, 0, 0], [1, 1, 0], [0, 1, 0], [-1, 1, 0]];
export const DIRECTIONS_3D: [number, number, number][] = [
  [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, -1, 0], [1, 0, 1], [1, 0, -1],
  [0, 1, 1], [0, 1, -1], [1, 1, 1], [1, 1, -1], [1, -1, 1], [1, -1, -1],
];

export type Feats = Record<string, number>;

export function mean(records: Feats[]): Feats {
  const out: Feats = {};
  if (!records.length) return out;
  for (const k of Object.keys(records[0])) {
    let s = 0;
    for (const r of records) s += r[k];
    out[k] = s / records.length;
  }
  return out;
}

export function withSuffix(prefix: string, f: Feats, suffix: string, into: FeatureValues): void {
  for (const [k, v] of Object.entries(f)) into[`${prefix}${k}${suffix}`] = v;
}

/** Slices (k values) that contain ROI voxels. */
export function roiSlices(roi: DiscretisedRoi): number[] {
  const [nx, ny, nz] = roi.dims;
  const out: number[] = [];
  for (let k = 0; k < nz; k++) {
    const base = nx * ny * k;
    for (let n = 0; n < nx * ny; n++) if (roi.levels[base + n]) { out.push(k); break; }
  }
  return out;
}

export function wants(dims: TextureDims[], d: TextureDims): boolean {
  return dims.includes(d);
}

/** Sums same-shaped matrices. */
export function sumMatrices(ms: Float64Array[]): Float64Array {
  const out = new Float64Array(ms[0].length);
  for (const m of ms) for (let n = 0; n < m.length; n++) out[n] += m[n];
  return out;
}

export const log2 = Math.log2;

/**
 * The grey levels copied into a box with `m` zero voxels of margin on every side, so neighbour look-ups
 * (up to m voxels away, in any direction) need no bounds checks: outside the ROI and outside the box
 * both read 0. `voxels` lists the padded indices of the ROI voxels in index order; slice k's are
 * voxels[sliceStart[k] … sliceStart[k + 1]).
 */
export interface PaddedLevels {
  levels: Uint16Array;
  /** Padded dimensions (nx + 2m, ny + 2m, nz + 2m). */
  nx: number; ny: number; nz: number;
  margin: number;
  voxels: Int32Array;
  sliceStart: Int32Array;
}

export function padLevels(roi: DiscretisedRoi, m: number, spans = rowSpans(roi)): PaddedLevels {
  const [nx, ny, nz] = roi.dims, src = roi.levels;
  const NX = nx + 2 * m, NY = ny + 2 * m, NZ = nz + 2 * m;
  const levels = new Uint16Array(NX * NY * NZ);
  let count = 0;
  for (let row = 0; row < ny * nz; row++) {
    for (let n = row * nx + spans[2 * row], end = row * nx + spans[2 * row + 1]; n <= end; n++) if (src[n]) count++;
  }
  const voxels = new Int32Array(count), sliceStart = new Int32Array(nz + 1);
  let t = 0;
  for (let z = 0; z < nz; z++) {
    sliceStart[z] = t;
    for (let y = 0; y < ny; y++) {
      const row = y + ny * z, from = nx * row, to = m + NX * (y + m + NY * (z + m)) - from;
      for (let n = from + spans[2 * row], end = from + spans[2 * row + 1]; n <= end; n++) {
        const g = src[n];
        if (g) { levels[to + n] = g; voxels[t++] = to + n; }
      }
    }
  }
  sliceStart[nz] = t;
  return { levels, nx: NX, ny: NY, nz: NZ, margin: m, voxels, sliceStart };
}

/**
 * The grey levels as a Float64Array, four voxels per element, to skip empty voxels four at a time (an
 * element is 0 exactly when its four levels are, as long as no level reaches 2¹⁵, whose lone sign bit
 * would read as −0); null when that cannot be used.
 */
function quadView(roi: DiscretisedRoi): Float64Array | null {
  const L = roi.levels;
  if (roi.ng >= 1 << 15 || L.byteOffset % 8) return null;
  return new Float64Array(L.buffer, L.byteOffset, L.length >> 2);
}

/** First index in [from, to) with a non-zero level, or `to`. */
function firstNonZero(L: Uint16Array, Q: Float64Array | null, from: number, to: number): number {
  let n = from;
  if (Q) {
    for (; n < to && n & 3; n++) if (L[n]) return n;
    while (n + 4 <= to && Q[n >> 2] === 0) n += 4;
  }
  while (n < to && !L[n]) n++;
  return n;
}

/** Last index in [from, to) with a non-zero level, or from − 1. */
function lastNonZero(L: Uint16Array, Q: Float64Array | null, from: number, to: number): number {
  let n = to - 1;
  if (Q) {
    for (; n >= from && (n & 3) !== 3; n--) if (L[n]) return n;
    while (n - 3 >= from && Q[(n - 3) >> 2] === 0) n -= 4;
  }
  while (n >= from && !L[n]) n--;
  return n;
}

/**
 * Per x row (y, z) of the box, the first and last x holding an ROI voxel, at [2·row] and [2·row + 1]
 * (nx and nx − 1 for an empty row, so a loop from one to the other runs zero times).
 */
export function rowSpans(roi: DiscretisedRoi): Int32Array {
  const [nx, ny, nz] = roi.dims, L = roi.levels, Q = quadView(roi);
  const spans = new Int32Array(2 * ny * nz);
  for (let row = 0; row < ny * nz; row++) {
    const from = row * nx, to = from + nx;
    const first = firstNonZero(L, Q, from, to);
    spans[2 * row] = first - from;
    spans[2 * row + 1] = first === to ? nx - 1 : lastNonZero(L, Q, first, to) - from;
  }
  return spans;
}
