// Label-map operations of the contouring workflow (pure; the viewer tools call these): sphere painting in mm,
// SUV-threshold region growing from a seed, 26-connected components, whole-body lesion candidates.
import type { Geometry, Vec3, Volume } from '../volume';
import { geometryOf, worldToIndex, indexToWorld } from '../volume';
import { labelStats } from '../labelStats';
import { ORGANS } from '../vocabulary';
import { scanPolygon } from '../raster';

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
  /** Limit: a sphere (LPS centre, radius in mm); combined with `box` when both are given. */
  sphere?: { centre: Vec3; radiusMm: number };
}

/** Index box of a sphere given in mm, clipped to the grid. */
export function sphereBox(g: Geometry, centre: Vec3, radiusMm: number): { lo: Vec3; hi: Vec3 } {
  const c = worldToIndex(g, centre);
  const lo = [0, 1, 2].map((a) => Math.max(0, Math.floor(c[a] - radiusMm / g.spacing[a]))) as Vec3;
  const hi = [0, 1, 2].map((a) => Math.min(g.dims[a] - 1, Math.ceil(c[a] + radiusMm / g.spacing[a]))) as Vec3;
  return { lo, hi };
}

/** The hottest voxel inside the growing limit: where a click-started grow begins. */
export function hottestIn(suv: Volume<Float32Array>, o: Pick<GrowOptions, 'box' | 'sphere'>): Vec3 | undefined {
  const [nx, ny] = suv.dims;
  const box = limitBox(suv, o);
  const inside = sphereTest(suv, o.sphere);
  let best: Vec3 | undefined, max = -Infinity;
  for (let k = box.lo[2]; k <= box.hi[2]; k++) for (let j = box.lo[1]; j <= box.hi[1]; j++) for (let i = box.lo[0]; i <= box.hi[0]; i++) {
    const v = suv.data[i + nx * (j + ny * k)];
    if (v > max && inside(i, j, k)) { max = v; best = [i, j, k]; }
  }
  return best;
}

function limitBox(g: Geometry, o: Pick<GrowOptions, 'box' | 'sphere'>): { lo: Vec3; hi: Vec3 } {
  const [nx, ny, nz] = g.dims;
  let lo: Vec3 = o.box?.lo ?? [0, 0, 0], hi: Vec3 = o.box?.hi ?? [nx - 1, ny - 1, nz - 1];
  if (o.sphere) {
    const b = sphereBox(g, o.sphere.centre, o.sphere.radiusMm);
    lo = lo.map((v, a) => Math.max(v, b.lo[a])) as Vec3;
    hi = hi.map((v, a) => Math.min(v, b.hi[a])) as Vec3;
  }
  return { lo, hi };
}

function sphereTest(g: Geometry, sphere?: { centre: Vec3; radiusMm: number }): (i: number, j: number, k: number) => boolean {
  if (!sphere) return () => true;
  const r2 = sphere.radiusMm ** 2, c = sphere.centre;
  return (i, j, k) => {
    const p = indexToWorld(g, i, j, k);
    return (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2 <= r2;
  };
}

/** 26-connected region of voxels ≥ threshold grown from a seed voxel (indices), limited to the box. */
export function regionGrow(suv: Volume<Float32Array>, seed: Vec3, o: GrowOptions = {}): Uint8Array {
  const [nx, ny, nz] = suv.dims;
  const { lo, hi } = limitBox(suv, o);
  const inSphere = sphereTest(suv, o.sphere);
  const inBox = (i: number, j: number, k: number) => i >= lo[0] && j >= lo[1] && k >= lo[2] && i <= hi[0] && j <= hi[1] && k <= hi[2] && inSphere(i, j, k);
  let thr: number;
  const t = o.threshold ?? { kind: 'suv', value: 3 };
  if (t.kind === 'suv') thr = t.value;
  else {
    let max = -Infinity;
    for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) if (inSphere(i, j, k)) max = Math.max(max, suv.data[i + nx * (j + ny * k)]);
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

/**
 * A grow started on the views: from the hottest voxel within a sphere (or its box) around `centre` whose
 * radius is the drag to `edge` (over 2 mm) or `radiusMm` for a click; the grown voxels that are unlabelled
 * (or already `label`) get `label`. `suv` is on the label map's grid. Returns the voxels added and the radius.
 */
export function growInto(labels: Volume<Uint8Array>, suv: Volume<Float32Array>, label: number, centre: Vec3, edge: Vec3, o: { threshold: NonNullable<GrowOptions['threshold']>; limit: 'sphere' | 'box'; radiusMm: number }): { added: number; radiusMm: number } {
  const dragged = Math.hypot(edge[0] - centre[0], edge[1] - centre[1], edge[2] - centre[2]);
  const radiusMm = dragged > 2 ? dragged : o.radiusMm;
  const limit = o.limit === 'sphere' ? { sphere: { centre, radiusMm } } : { box: sphereBox(suv, centre, radiusMm) };
  const seed = hottestIn(suv, limit);
  if (!seed) return { added: 0, radiusMm };
  const grown = regionGrow(suv, seed, { threshold: o.threshold, ...limit });
  let added = 0;
  for (let v = 0; v < grown.length; v++) if (grown[v] && labels.data[v] === 0) { labels.data[v] = label; added++; }
  return { added, radiusMm };
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

export interface Candidate { id: number; voxels: number; volumeMl: number; suvMax: number; centre: Vec3; /** Voxel indices of the component. */ indices: Uint32Array }

/**
 * Whole-body lesion candidates (qPSMA-style): components with SUV ≥ threshold (default 3) and at least
 * `minVolumeMl`, excluding components that overlap the physiological-uptake organs by more than half
 * (kidneys, salivary and lacrimal glands, liver, spleen, bladder) given as a label map on the same grid,
 * and diffuse uptake (over `diffuseMl`, default 100 mL, with SUVmax under 1.5 × the threshold: bowel).
 * Never added to the structure set by themselves: the viewer lists them for review.
 */
export function lesionCandidates(suv: Volume<Float32Array>, organs: Volume | undefined, o: { threshold?: number; minVolumeMl?: number; diffuseMl?: number } = {}): Candidate[] {
  const thr = o.threshold ?? 3, minMl = o.minVolumeMl ?? 0.5, diffuseMl = o.diffuseMl ?? 100;
  const mask = new Uint8Array(suv.data.length);
  for (let n = 0; n < mask.length; n++) mask[n] = suv.data[n] >= thr ? 1 : 0;
  const { ids, sizes } = connectedComponents(mask, suv.dims);
  const physiological = new Set(ORGANS.map((x) => x.label));
  const inOrgan = new Float64Array(sizes.length);
  if (organs) for (let n = 0; n < ids.length; n++) if (ids[n] && physiological.has(organs.data[n])) inOrgan[ids[n]]++;
  const out: Candidate[] = [];
  const kept = new Map<number, Candidate>();
  for (const [id, st] of labelStats({ ...geometryOf(suv), data: ids }, suv)) {
    if (st.volumeMl < minMl || inOrgan[id] > 0.5 * st.voxels) continue;
    // Large and barely above the threshold: diffuse physiological uptake (bowel), not a PSMA-avid lesion.
    if (st.volumeMl > diffuseMl && st.max! < 1.5 * thr) continue;
    const cand = { id, voxels: st.voxels, volumeMl: st.volumeMl, suvMax: st.max!, centre: st.centre, indices: new Uint32Array(st.voxels) };
    kept.set(id, cand);
    out.push(cand);
  }
  const fill = new Map<number, number>();
  for (let n = 0; n < ids.length; n++) {
    const cand = ids[n] ? kept.get(ids[n]) : undefined;
    if (!cand) continue;
    const t = fill.get(cand.id) ?? 0;
    cand.indices[t] = n;
    fill.set(cand.id, t + 1);
  }
  return out.sort((a, b) => b.suvMax - a.suvMax);
}

/**
 * Splits a region: into its 26-connected pieces when it has several (e.g. merged candidates), otherwise at its
 * uptake peaks — the lowest of 50–85 % of its SUVmax that gives two or more cores (≥ 3 voxels) seeds them, then
 * every voxel joins the core it reaches first inside the region. Returns one part when there is a single peak.
 */
export function splitRegion(suv: Volume<Float32Array>, indices: Uint32Array): Uint32Array[] {
  const dims = suv.dims;
  const [nx, ny, nz] = dims;
  const inRegion = new Map<number, number>(); // voxel → part (0 = unassigned)
  let max = -Infinity;
  for (const n of indices) { inRegion.set(n, 0); max = Math.max(max, suv.data[n]); }
  // The 26-connected pieces of the voxels among `voxels` that `keep` accepts.
  const pieces = (voxels: Iterable<number>, keep: (m: number) => boolean): number[][] => {
    const seen = new Set<number>();
    const out: number[][] = [];
    for (const s of voxels) {
      if (seen.has(s) || !keep(s)) continue;
      const piece: number[] = [];
      const stack = [s];
      seen.add(s);
      while (stack.length) {
        const n = stack.pop()!;
        piece.push(n);
        forNeighbours(n, nx, ny, nz, (m) => { if (!seen.has(m) && inRegion.has(m) && keep(m)) { seen.add(m); stack.push(m); } });
      }
      out.push(piece);
    }
    return out;
  };
  const whole = pieces(indices, () => true);
  if (whole.length > 1) return whole.map((p) => Uint32Array.from(p.sort((a, b) => a - b)));
  let seeds: number[][] = [];
  for (const f of [0.5, 0.6, 0.7, 0.78, 0.85]) {
    const parts = pieces(indices, (m) => suv.data[m] >= f * max).filter((part) => part.length >= 3);
    if (parts.length >= 2) { seeds = parts; break; }
  }
  if (seeds.length < 2) return [indices];
  let front: number[] = [];
  seeds.forEach((part, p) => { for (const n of part) { inRegion.set(n, p + 1); front.push(n); } });
  while (front.length) {
    const next: number[] = [];
    for (const n of front) {
      const p = inRegion.get(n)!;
      forNeighbours(n, nx, ny, nz, (m) => { if (inRegion.get(m) === 0) { inRegion.set(m, p); next.push(m); } });
    }
    front = next;
  }
  const out: number[][] = seeds.map(() => []);
  for (const [n, p] of inRegion) if (p) out[p - 1].push(n);
  return out.map((o) => Uint32Array.from(o.sort((a, b) => a - b)));
}

function forNeighbours(n: number, nx: number, ny: number, nz: number, fn: (m: number) => void): void {
  const i = n % nx, j = Math.floor(n / nx) % ny, k = Math.floor(n / (nx * ny));
  for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) {
    const I = i + a, J = j + b, K = k + c;
    if ((a || b || c) && I >= 0 && J >= 0 && K >= 0 && I < nx && J < ny && K < nz) fn(I + nx * (J + ny * K));
  }
}

/**
 * Fills (label > 0) or erases (label 0) inside a freehand polygon drawn on an axis-aligned view: the
 * polygon (LPS points) is rasterised on the slice it was drawn on (`depth: 'slice'`) or on every slice along
 * the viewing axis (`'3d'`). Locked labels are never changed. Returns the changed voxel indices.
 */
export function fillPolygon(labels: Volume<Uint8Array>, polygon: Vec3[], label: number, depth: 'slice' | '3d', locked: Set<number> = new Set()): number[] {
  if (polygon.length < 3) return [];
  const idx = polygon.map((p) => worldToIndex(labels, p));
  const range = [0, 1, 2].map((a) => Math.max(...idx.map((p) => p[a])) - Math.min(...idx.map((p) => p[a])));
  const axis = range.indexOf(Math.min(...range)) as 0 | 1 | 2;
  const [a, b] = axis === 2 ? [0, 1] : axis === 1 ? [0, 2] : [1, 2];
  const dims = labels.dims;
  const s0 = Math.round(idx.reduce((t, p) => t + p[axis], 0) / idx.length);
  if (depth === 'slice' && (s0 < 0 || s0 >= dims[axis])) return [];
  const stride = [1, dims[0], dims[0] * dims[1]];
  const changed: number[] = [];
  const uv = idx.flatMap((p) => [p[a], p[b]]);
  scanPolygon(uv, dims[a], dims[b], (u, v) => {
    const from = depth === 'slice' ? s0 : 0, to = depth === 'slice' ? s0 : dims[axis] - 1;
    for (let s = from; s <= to; s++) {
      const n = u * stride[a] + v * stride[b] + s * stride[axis];
      const old = labels.data[n];
      if (old === label || locked.has(old) || (label === 0 && old === 0)) continue;
      labels.data[n] = label;
      changed.push(n);
    }
  });
  return changed;
}
