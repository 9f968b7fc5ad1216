// Review of lesion candidates and organ proposals before they enter the structure set (pure; the Candidates
// panel calls these): the review list (tumour site guessed from CT density, very large candidates flagged),
// reject, merge, split, and accept, which writes labels and tumour sites without overwriting locked or other
// structures.
import { resampleLabelsNearest } from '../mask';
import { regionStats } from '../labelStats';
import { sameGrid, sampleAt, type Geometry, type Vec3, type Volume } from '../volume';
import type { StructureDef, TumourSite } from '../vocabulary';
import { splitRegion, type Candidate } from './ops';
import type { OrganProposal } from './organs';
import { nextTumourLabel, type StructureMeta } from './structureSet';

/** One entry of the review list; `indices` are voxel indices of the PET grid. */
export interface ReviewCandidate {
  /** Unique within the list (the list's keyed rows). */
  key: number;
  kind: 'lesion' | 'organ';
  /** The organ an organ proposal stands for. */
  def?: StructureDef;
  site: TumourSite;
  indices: Uint32Array;
  volumeMl: number;
  suvMax: number;
  centre: Vec3;
  /** Why it needs a closer look; flagged candidates are left out of "Accept all". */
  note?: string;
  /** Ticked for merging. */
  picked: boolean;
}

/** Lesion candidates above this volume are flagged: more likely physiological uptake than a lesion. */
export const VERY_LARGE_ML = 300;
/** CT density at a lesion's centre from which its site is guessed as bone. */
export const BONE_HU = 150;

export const VERY_LARGE_NOTE = 'very large: check it is not physiological uptake (not in "Accept all")';

/** Site guessed from the CT at the candidate's centre: bone from BONE_HU up, otherwise "other". */
export function guessSite(ct: Volume | undefined, centre: Vec3): TumourSite {
  const hu = ct ? sampleAt(ct, centre)?.value : undefined;
  return hu !== undefined && hu >= BONE_HU ? 'bone' : 'other';
}

/**
 * Already contoured: the candidate's hottest voxel, or half of its voxels, lie in a structure of `structures`
 * (a label map on the PET grid).
 */
export function alreadyContoured(c: Pick<Candidate, 'indices'>, suv: Volume<Float32Array>, structures: Volume): boolean {
  let inSet = 0, hottest = c.indices[0];
  for (const n of c.indices) { if (structures.data[n]) inSet++; if (suv.data[n] > suv.data[hottest]) hottest = n; }
  return !!structures.data[hottest] || inSet >= 0.5 * c.indices.length;
}

const nextKey = (list: ReviewCandidate[]) => list.reduce((m, c) => Math.max(m, c.key), 0) + 1;

const lesion = (key: number, site: TumourSite, indices: Uint32Array, suv: Volume<Float32Array>): ReviewCandidate => {
  const s = regionStats(suv, indices);
  return { key, kind: 'lesion', site, indices, volumeMl: s.volumeMl, suvMax: s.max ?? 0, centre: s.centre, picked: false };
};

/** A new search's lesion candidates replace the previous ones; organ proposals under review stay. */
export function withLesions(list: ReviewCandidate[], found: Candidate[], ct: Volume | undefined): ReviewCandidate[] {
  let key = nextKey(list);
  return [...list.filter((c) => c.kind === 'organ'), ...found.map((c) => ({
    key: key++, kind: 'lesion' as const, site: guessSite(ct, c.centre), indices: c.indices, volumeMl: c.volumeMl, suvMax: c.suvMax, centre: c.centre, picked: false,
    note: c.volumeMl > VERY_LARGE_ML ? VERY_LARGE_NOTE : undefined,
  }))];
}

/** Organ proposals replace earlier proposals of the same organs; `defs` resolves their vocabulary entry. */
export function withOrganProposals(list: ReviewCandidate[], proposals: OrganProposal[], defs: (label: number) => StructureDef | undefined): ReviewCandidate[] {
  const resolved = proposals.map((p) => {
    const def = defs(p.def.label);
    if (!def) throw new Error(`organ proposal with unknown label ${p.def.label}`);
    return def;
  });
  const labels = new Set(resolved.map((d) => d.label));
  let key = nextKey(list);
  return [...list.filter((c) => !(c.kind === 'organ' && c.def && labels.has(c.def.label))), ...proposals.map((p, n) => ({
    key: key++, kind: 'organ' as const, def: resolved[n], site: 'other' as TumourSite, indices: p.indices, volumeMl: p.volumeMl, suvMax: p.suvMax, centre: p.centre, picked: false,
  }))];
}

/** A kidney search that found a single kidney marks the set as single-kidney (the user can untick it). */
export const impliesSingleKidney = (kind: 'kidneys' | 'salivary' | 'reference', proposals: OrganProposal[]) => kind === 'kidneys' && proposals.length === 1;

/** The candidates "Accept all" takes: every one not flagged. */
export const acceptableAll = (list: ReviewCandidate[]) => list.filter((c) => !c.note);

export const without = (list: ReviewCandidate[], gone: ReviewCandidate[]) => {
  const keys = new Set(gone.map((c) => c.key));
  return list.filter((c) => !keys.has(c.key));
};

/**
 * The ticked lesion candidates merged into one (first in the list, with the first one's site), with the
 * statistics of the union; an error when fewer than two are ticked.
 */
export function mergePicked(list: ReviewCandidate[], suv: Volume<Float32Array>): ReviewCandidate[] {
  const picked = list.filter((c) => c.picked && c.kind === 'lesion');
  if (picked.length < 2) throw new Error('Tick two or more lesion candidates to merge.');
  const all = new Uint32Array(picked.reduce((s, c) => s + c.indices.length, 0));
  let o = 0;
  for (const c of picked) { all.set(c.indices, o); o += c.indices.length; }
  return [lesion(nextKey(list), picked[0].site, all, suv), ...without(list, picked)];
}

/** A lesion candidate replaced, in place, by its pieces (splitRegion); an error when it has one peak. */
export function splitCandidate(list: ReviewCandidate[], key: number, suv: Volume<Float32Array>): { list: ReviewCandidate[]; parts: number } {
  const at = list.findIndex((c) => c.key === key);
  if (at < 0) throw new Error(`no candidate ${key} under review`);
  const c = list[at];
  const parts = splitRegion(suv, c.indices);
  if (parts.length < 2) throw new Error('This candidate has a single uptake peak: nothing to split.');
  let next = nextKey(list);
  return { list: [...list.slice(0, at), ...parts.map((p) => lesion(next++, c.site, p, suv)), ...list.slice(at + 1)], parts: parts.length };
}

/** PET-grid voxel indices as indices of another grid (nearest voxel); the same array on the same grid. */
export function petIndicesOn(indices: Uint32Array, pet: Geometry, grid: Geometry): Uint32Array {
  if (sameGrid(pet, grid)) return indices;
  const mask: Volume<Uint8Array> = { ...pet, data: new Uint8Array(pet.dims[0] * pet.dims[1] * pet.dims[2]) };
  for (const n of indices) mask.data[n] = 1;
  const out = resampleLabelsNearest(mask, grid).data;
  const idx: number[] = [];
  for (let n = 0; n < out.length; n++) if (out[n]) idx.push(n);
  return Uint32Array.from(idx);
}

/**
 * Accepts candidates into the structure set (label map on any grid, `pet` the grid of the candidates): a
 * lesion becomes the next tumour label with its site; an organ proposal replaces that organ's voxels unless
 * the organ is locked. Only unlabelled voxels are written. Returns the labels written, in list order.
 */
export function acceptCandidates(labels: Volume<Uint8Array>, meta: StructureMeta, list: ReviewCandidate[], pet: Geometry): number[] {
  const locked = new Set(meta.locked);
  const written: number[] = [];
  for (const c of list) {
    if (c.kind === 'organ' && !c.def) throw new Error(`organ candidate ${c.key} names no organ`);
    const label = c.kind === 'organ' ? c.def!.label : nextTumourLabel(labels.data, meta);
    if (c.kind === 'lesion') meta.tumours[label] = { site: c.site };
    if (locked.has(label)) continue;
    if (c.kind === 'organ') for (let v = 0; v < labels.data.length; v++) if (labels.data[v] === label) labels.data[v] = 0;
    for (const n of petIndicesOn(c.indices, pet, labels)) if (labels.data[n] === 0) labels.data[n] = label;
    written.push(label);
  }
  return written;
}
