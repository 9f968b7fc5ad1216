// Which structure of the vocabulary each segment of an imported SEG, RTSTRUCT or NIfTI becomes, and writing
// the mapped segments into a label map. The viewer's import dialog and `npm run structures` use the same rule.
import { structureByLabel, suggestStructure, TUMOUR_LABEL_BASE } from '../vocabulary';
import { nextTumourLabel, parseTumourDescription, type StructureMeta } from '../contours/structureSet';
import type { Volume } from '../volume';
import type { SourceSeries } from '../dicom/write';

/** Where an incoming segment goes: a vocabulary label, a new tumour, or nowhere. */
export type Target = number | 'new tumour' | 'skip';

/** Segments of a structure file on one grid (voxel value = segment id), before they are mapped. */
export interface SegmentsOnGrid {
  labels: Volume<Uint8Array>;
  segments: { id: number; name: string; description?: string; voxels: number }[];
}

/** Proposed target of a segment name: vocabulary match, tumour-like names to a new tumour, otherwise skip. */
export function proposeTarget(name: string): Target {
  const s = suggestStructure(name);
  if (s) return s.label;
  return /gtv|tum|lesion|met|node|\bln\b|psma|^t\d+/i.test(name) ? 'new tumour' : 'skip';
}

/** A NIfTI label map's values are vocabulary numbers already: the value itself, or skip when it is none. */
export function vocabularyTarget(id: number): Target {
  return structureByLabel(id) ? id : 'skip';
}

/**
 * Writes the mapped segments into the structure set (in place, one undo step for the caller): a mapped
 * structure's previous voxels are replaced, other structures and locked ones are kept. `assigned`: segment id → label.
 */
export function applySegments(labels: Volume<Uint8Array>, meta: StructureMeta, inc: SegmentsOnGrid, mapping: Map<number, Target>): { structures: number; voxels: number; assigned: Map<number, number> } {
  const to = new Map<number, number>();
  for (const s of inc.segments) {
    const t = mapping.get(s.id) ?? 'skip';
    if (t === 'skip' || !s.voxels) continue;
    const label = t === 'new tumour' ? nextTumourLabel(labels.data, meta) : t;
    if (meta.locked.includes(label)) continue;
    to.set(s.id, label);
    // Describing the tumour also reserves its number for the next new one.
    if (label > TUMOUR_LABEL_BASE && !meta.tumours[label]) meta.tumours[label] = parseTumourDescription(s.description) ?? { site: 'other' };
  }
  const replaced = new Set(to.values());
  const locked = new Set(meta.locked);
  let voxels = 0;
  for (let v = 0; v < labels.data.length; v++) {
    if (replaced.has(labels.data[v])) labels.data[v] = 0;
    const l = to.get(inc.labels.data[v]);
    if (l && !locked.has(labels.data[v])) { labels.data[v] = l; voxels++; }
  }
  return { structures: to.size, voxels, assigned: to };
}

/** The series a SEG or RTSTRUCT references: ids of the study and series, instances in slice order. */
export function sourceSeriesOf(ids: Pick<SourceSeries, 'studyUid' | 'seriesUid' | 'patientName' | 'patientId' | 'studyDate'>, instances: { attrs: Record<string, unknown>; frameNumber?: number }[], defaultSopClass: string): SourceSeries {
  const first = instances[0]?.attrs ?? {};
  return {
    ...ids, frameOfReferenceUid: String(first.FrameOfReferenceUID ?? ''), sopClassUid: String(first.SOPClassUID ?? defaultSopClass),
    instanceUids: instances.map((i) => String(i.attrs.SOPInstanceUID)),
    ...(instances.some((i) => i.frameNumber) ? { frameNumbers: instances.map((i) => i.frameNumber ?? 1) } : {}),
  };
}

