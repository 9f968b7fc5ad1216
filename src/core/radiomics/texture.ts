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
