// Label-map operations of the contouring workflow (pure; the viewer tools call these): sphere painting in mm,
// SUV-threshold region growing from a seed, 26-connected components, whole-body lesion candidates.
import type { Geometry, Vec3, Volume } from '../volume';
import { worldToIndex, indexToWorld } from '../volume';
import { ORGANS } from '../vocabulary';

/** Paints (or erases with label 0) a sphere of radius mm around an LPS point; returns the changed voxel indices. */
export function paintSphere(labels: Volume<Uint8Array>, centre: Vec3, radiusMm: number, label: number, locked: Set<number> = new Set()): number[] {
  const c = worldToIndex(labels, centre);
  const r = [0, 1, 2].map((a) => Math.ceil(radiusMm / labels.spacing[a]));
  const [nx, ny, nz] = labels.dims;
  const changed: number[] = [];
  for (let k = Math.max(0, Math.round(c[2]) - r[2]); k <= Math.min(nz - 1, Math.round(c[2]) + r[2]); k++)
    for (let j = Math.max(0, Math.round(c[1]) - r[1]); j <= Math.min(ny - 1, Math.round(c[1]) + r[1]); j++)
      for (let i = Math.max(0, Math.round(c[0]) - r[0]); i <= Math.min(nx - 1, Math.round(c[0]) + r[0]); i++) {
        const p = indexToWorld(labels, i, j, k);
        if ((p[0] - centre[0]) ** 2 + (p[1] - centre[1]) ** 2 + (p[2] - centre[2]) ** 2 > radiusMm * radiusMm) continue;
        const n = i + nx * (j + ny * k);
        if (labels.data[n] === label || locked.has(labels.data[n])) continue;
        changed.push(n);
        labels.data[n] = label;
      }
  return changed;
}

export interface GrowOptions {
  /** Fixed SUV threshold (default 3) or a fraction of the local maximum (e.g. 0.41). */
  threshold?: { kind: 'suv'; value: number } | { kind: 'percentMax'; value: number };
  /** Limit: an index box [lo, hi] inclusive; default the whole image. */
  box?: { lo: Vec3; hi: Vec3 };
}

/** 26-connected region of voxels ≥ threshold grown from a seed voxel (indices), limited to the box. */
export function regionGrow(suv: Volume<Float32Array>, seed: Vec3, o: GrowOptions = {}): Uint8Array {
  const [nx, ny, nz] = suv.dims;
  const lo = o.box?.lo ?? [0, 0, 0], hi = o.box?.hi ?? [nx - 1, ny - 1, nz - 1];
  const inBox = (i: number, j: number, k: number) => i >= lo[0] && j >= lo[1] && k >= lo[2] && i <= hi[0] && j <= hi[1] && k <= hi[2];
  let thr: number;
  const t = o.threshold ?? { kind: 'suv', value: 3 };
  if (t.kind === 'suv') thr = t.value;
  else {
    let max = -Infinity;
    for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) max = Math.max(max, suv.data[i + nx * (j + ny * k)]);
    thr = t.value * max;
  }
  const out = new Uint8Array(suv.data.length);
  const s = seed[0] + nx * (seed[1] + ny * seed[2]);
  if (!inBox(...seed) || suv.data[s] < thr) return out;
  const stack = [s];
  out[s] = 1;
  while (stack.length) {
    const n = stack.pop()!;
    const i = n % nx, j = Math.floor(n / nx) % ny, k = Math.floor(n / (nx * ny));
    for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) {
      const I = i + a, J = j + b, K = k + c;
      if (!inBox(I, J, K) || I >= nx || J >= ny || K >= nz || I < 0 || J < 0 || K < 0) continue;
      const m = I + nx * (J + ny * K);
      if (!out[m] && suv.data[m] >= thr) { out[m] = 1; stack.push(m); }
    }
  }
  return out;
}

/** 26-connected components of a binary mask: component id per voxel (0 = background) and their sizes. */
export function connectedComponents(mask: Uint8Array, dims: Vec3): { ids: Int32Array; sizes: number[] } {
  const [nx, ny, nz] = dims;
  const ids = new Int32Array(mask.length);
  const sizes: number[] = [0];
  const stack: number[] = [];
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || ids[s]) continue;
    const id = sizes.length;
    let size = 0;
    ids[s] = id;
    stack.push(s);
    while (stack.length) {
      const n = stack.pop()!;
      size++;
      const i = n % nx, j = Math.floor(n / nx) % ny, k = Math.floor(n / (nx * ny));
      for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) {
        const I = i + a, J = j + b, K = k + c;
        if (I < 0 || J < 0 || K < 0 || I >= nx || J >= ny || K >= nz) continue;
        const m = I + nx * (J + ny * K);
        if (mask[m] && !ids[m]) { ids[m] = id; stack.push(m); }
      }
    }
    sizes.push(size);
  }
  return { ids, sizes };
}

export interface Candidate { id: number; voxels: number; volumeMl: number; suvMax: number; centre: Vec3 }

/**
 * Whole-body lesion candidates (qPSMA-style): components with SUV ≥ threshold (default 3) and at least
 * `minVolumeMl`, excluding components that overlap the physiological-uptake organs by more than half
 * (kidneys, salivary and lacrimal glands, liver, spleen, bladder) given as a label map on the same grid.
 * Never added to the structure set by themselves: the viewer lists them for review.
 */
export function lesionCandidates(suv: Volume<Float32Array>, organs: Volume | undefined, o: { threshold?: number; minVolumeMl?: number; dilateOrgansMm?: number } = {}): Candidate[] {
  const thr = o.threshold ?? 3, minMl = o.minVolumeMl ?? 0.5;
  const mask = new Uint8Array(suv.data.length);
  for (let n = 0; n < mask.length; n++) mask[n] = suv.data[n] >= thr ? 1 : 0;
  const { ids, sizes } = connectedComponents(mask, suv.dims);
  const physiological = new Set(ORGANS.map((x) => x.label));
  const voxMl = (suv.spacing[0] * suv.spacing[1] * suv.spacing[2]) / 1000;
  const inOrgan = new Float64Array(sizes.length), max = new Float64Array(sizes.length).fill(-Infinity);
  const sum: Vec3[] = sizes.map(() => [0, 0, 0]);
  const [nx, ny] = suv.dims;
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n];
    if (!id) continue;
    if (organs && physiological.has(organs.data[n])) inOrgan[id]++;
    if (suv.data[n] > max[id]) max[id] = suv.data[n];
    const s = sum[id];
    s[0] += n % nx; s[1] += Math.floor(n / nx) % ny; s[2] += Math.floor(n / (nx * ny));
  }
  const out: Candidate[] = [];
  for (let id = 1; id < sizes.length; id++) {
    const v = sizes[id];
    if (v * voxMl < minMl || inOrgan[id] > 0.5 * v) continue;
    const c = sum[id].map((x) => x / v) as Vec3;
    out.push({ id, voxels: v, volumeMl: v * voxMl, suvMax: max[id], centre: indexToWorld(suv as Geometry, c[0], c[1], c[2]) });
  }
  return out.sort((a, b) => b.suvMax - a.suvMax);
}
