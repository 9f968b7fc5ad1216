// What a structure set carries besides its label map: tumour sites and notes, which structures are hidden
// or locked, and whether the patient has a single kidney. Saved with the label map; SEG keeps the sites.
import { TUMOUR_LABEL_BASE, MAX_TUMOURS, type TumourSite, TUMOUR_SITES, structureByLabel } from '../vocabulary';

export interface StructureMeta {
  /** Tumour label → site and optional free-text label. */
  tumours: Record<number, { site: TumourSite; note?: string }>;
  hidden: number[];
  locked: number[];
  singleKidney: boolean;
}

export const emptyMeta = (): StructureMeta => ({ tumours: {}, hidden: [], locked: [], singleKidney: false });

/** A described tumour that was never drawn and carries nothing the user chose (site 'other', no label). */
function isPlaceholder(label: number, present: Uint8Array, meta: StructureMeta): boolean {
  const t = meta.tumours[label];
  return !present[label] && (!t || (t.site === 'other' && !t.note));
}

/** Which label values hold at least one voxel (index = label). */
function presence(labels: ArrayLike<number>): Uint8Array {
  const seen = new Uint8Array(256);
  for (let n = 0; n < labels.length; n++) seen[labels[n]] = 1;
  return seen;
}

/**
 * The lowest tumour label neither drawn nor described: numbers freed by removing a tumour (or by dropping an
 * unused reservation, see `dropUnusedTumours`) are used again, so "+ New tumour" leaves no gaps.
 */
export function nextTumourLabel(labels: ArrayLike<number>, meta: StructureMeta): number {
  const present = presence(labels);
  for (let l = TUMOUR_LABEL_BASE + 1; l <= TUMOUR_LABEL_BASE + MAX_TUMOURS && l < 256; l++) if (!present[l] && !meta.tumours[l]) return l;
  throw new Error(`the structure set already has ${MAX_TUMOURS} tumour labels`);
}

/** Drops tumours reserved but never drawn nor described from the meta; returns the labels dropped. */
export function dropUnusedTumours(labels: ArrayLike<number>, meta: StructureMeta): number[] {
  const present = presence(labels);
  const dropped = Object.keys(meta.tumours).map(Number).filter((l) => isPlaceholder(l, present, meta));
  for (const l of dropped) delete meta.tumours[l];
  return dropped;
}

/** Tumour labels of the set: drawn in the map or described in the meta, ascending. */
export function tumourLabels(labels: ArrayLike<number>, meta: StructureMeta): number[] {
  const set = new Set<number>(Object.keys(meta.tumours).map(Number));
  for (let n = 0; n < labels.length; n++) if (labels[n] > TUMOUR_LABEL_BASE) set.add(labels[n]);
  return [...set].sort((a, b) => a - b);
}

/** SEG SegmentDescription of a tumour ("site: bone; note") and back. */
export function describeTumour(t: { site: TumourSite; note?: string } | undefined): string | undefined {
  return t ? `site: ${t.site}${t.note ? `; ${t.note}` : ''}` : undefined;
}
export function parseTumourDescription(text: string | undefined): { site: TumourSite; note?: string } | undefined {
  const m = /^site: ([a-z ]+?)(?:; (.*))?$/.exec(text ?? '');
  if (!m || !TUMOUR_SITES.includes(m[1] as TumourSite)) return undefined;
  return { site: m[1] as TumourSite, note: m[2] || undefined };
}

/** The labels that hold at least one voxel, ascending. */
export function presentLabels(labels: ArrayLike<number>): number[] {
  const seen = new Uint8Array(256);
  for (let n = 0; n < labels.length; n++) seen[labels[n]] = 1;
  const out: number[] = [];
  for (let l = 1; l < 256; l++) if (seen[l]) out.push(l);
  return out;
}

/** "3 structures (Kidney L, Kidney R, T1)", "no structures": what a set holds, for confirmations and offers. */
export function describeStructures(present: readonly number[]): string {
  if (!present.length) return 'no structures';
  const names = present.map((l) => structureByLabel(l)?.name ?? `label ${l}`);
  return `${present.length} structure${present.length === 1 ? '' : 's'} (${names.join(', ')})`;
}
