// Structure-set import (SEG, RTSTRUCT, NIfTI → segments to map by name), export (SEG, RTSTRUCT, NIfTI) and
// statistics shared by the Structures and Dose panels. The file formats are the core's table
// (core/io/structureFormats.ts); this module ties them to the loaded study.
import { readStructureFile, structureExporter, STRUCTURE_EXPORTERS, type StructureExporter, type StructureFormatId, type StructureGrid } from '../../core/io/structureFormats';
import { resampleLabelsNearest } from '../../core/mask';
import { structureByLabel, suggestStructure, TUMOUR_LABEL_BASE, type StructureDef } from '../../core/vocabulary';
import { sameGrid, type Geometry, type Vec3, type Volume } from '../../core/volume';
import { emptyMeta, nextTumourLabel, parseTumourDescription, type StructureMeta } from '../../core/contours/structureSet';
import { PT_SOP_CLASS, CT_SOP_CLASS, type SourceSeries } from '../../core/dicom/write';
import type { LoadedStudy } from '../../core/study';
import { labelStats } from '../../core/labelStats';

export { STRUCTURE_EXPORTERS, type StructureExporter };

/** A file's segments on the PET grid (voxel value = segment id), before they are mapped to structures. */
export interface Incoming {
  file: string;
  kind: StructureFormatId;
  labels: Volume<Uint8Array>;
  segments: { id: number; name: string; description?: string; voxels: number }[];
  warnings: string[];
}

/** Where an incoming segment goes: a vocabulary label, a new tumour, or nowhere. */
export type Target = number | 'new tumour' | 'skip';

/** The grids a structure file of this study may be drawn on: PET first, then CT. */
function studyGrids(study: LoadedStudy): StructureGrid[] {
  const pet = study.pet?.suv ?? study.pet?.raw;
  if (!pet) throw new Error('load a study with PET first');
  return [{ name: 'PET', geometry: pet, seriesUid: study.petSeriesUid }, ...(study.ct ? [{ name: 'CT', geometry: study.ct, seriesUid: study.ctSeriesUid }] : [])];
}

/**
 * Reads a SEG, RTSTRUCT or NIfTI label map onto `target` (the structure set's grid: PET or CT; other grids
 * through the nearest-neighbour rule); throws a message naming the problem.
 */
export function readIncoming(file: string, bytes: ArrayBuffer, study: LoadedStudy, target?: Geometry): Incoming {
  let inc: Incoming;
  try {
    const read = readStructureFile(file, bytes, studyGrids(study));
    const map = read.labelMap();
    inc = {
      file, kind: read.kind, labels: map.labels, warnings: [...read.warnings, ...map.warnings],
      segments: read.segments.map((s) => ({ id: s.id, name: s.name, description: s.description, voxels: map.voxels.get(s.id) ?? 0 })),
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}; nothing was changed`);
  }
  if (!target || sameGrid(inc.labels, target)) return inc;
  const labels = resampleLabelsNearest(inc.labels, target);
  const c = labelStats(labels);
  return { ...inc, labels, segments: inc.segments.map((s) => ({ ...s, voxels: c.get(s.id)?.voxels ?? 0 })) };
}

/** Proposed target of a segment name: vocabulary match, tumour-like names to a new tumour, otherwise skip. */
export function proposeTarget(name: string): Target {
  const s = suggestStructure(name);
  if (s) return s.label;
  return /gtv|tum|lesion|met|node|\bln\b|psma|^t\d+/i.test(name) ? 'new tumour' : 'skip';
}

/**
 * Writes the mapped segments into the structure set (in place, one undo step for the caller): a mapped
 * structure's previous voxels are replaced, other structures and locked ones are kept.
 */
export function applyIncoming(labels: Volume<Uint8Array>, meta: StructureMeta, inc: Incoming, mapping: Map<number, Target>): { structures: number; voxels: number } {
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
  return { structures: to.size, voxels };
}

/**
 * Voxels of structures already in the set that `applyIncoming` would overwrite, per label (what confirming the
 * import loses); the set itself is left alone.
 */
export function importLosses(labels: Volume<Uint8Array>, meta: StructureMeta, inc: Incoming, mapping: Map<number, Target>): Map<number, number> {
  const trial = { ...labels, data: labels.data.slice() };
  applyIncoming(trial, JSON.parse(JSON.stringify(meta)) as StructureMeta, inc, mapping);
  const lost = new Map<number, number>();
  for (let v = 0; v < labels.data.length; v++) {
    const was = labels.data[v];
    if (was && trial.data[v] !== was) lost.set(was, (lost.get(was) ?? 0) + 1);
  }
  return lost;
}

/** The image series a label map is drawn on (PET, or CT for CT-grid structure sets), as SEG/RTSTRUCT reference it. */
function source(study: LoadedStudy, labels: Geometry): SourceSeries {
  const onCt = !!study.ct && !sameGrid(labels, study.pet!.raw) && sameGrid(labels, study.ct);
  const instances = onCt ? study.ctInstances! : study.pet!.instances;
  const first = instances[0].attrs;
  return {
    studyUid: study.studyUid, seriesUid: onCt ? study.ctSeriesUid! : study.petSeriesUid!, frameOfReferenceUid: String(first.FrameOfReferenceUID ?? ''), sopClassUid: String(first.SOPClassUID ?? (onCt ? CT_SOP_CLASS : PT_SOP_CLASS)),
    instanceUids: instances.map((i) => String(i.attrs.SOPInstanceUID)), patientName: study.patientName, patientId: study.patientId, studyDate: study.studyDate,
  };
}

/** The structure set in one of the export formats (new UIDs for every export). */
export function exportStructureSet(exporter: StructureExporter, study: LoadedStudy, labels: Volume<Uint8Array>, meta: StructureMeta): ArrayBuffer {
  return exporter.write({ labels, meta, source: source(study, labels), seed: `${study.studyUid}/${Date.now()}` });
}

export function exportSeg(study: LoadedStudy, labels: Volume<Uint8Array>, meta: StructureMeta): ArrayBuffer {
  return exportStructureSet(structureExporter('SEG'), study, labels, meta);
}

export function exportRtstruct(study: LoadedStudy, labels: Volume<Uint8Array>): ArrayBuffer {
  return exportStructureSet(structureExporter('RTSTRUCT'), study, labels, emptyMeta());
}

export interface StructureStats { def: StructureDef; voxels: number; volumeMl: number; suvMax?: number; suvMean?: number; centre: Vec3 }

export function structureStats(labels: Volume, suv?: Volume<Float32Array>): StructureStats[] {
  return [...labelStats(labels, suv).entries()].flatMap(([l, r]) => {
    const def = structureByLabel(l);
    return def ? [{ def, voxels: r.voxels, volumeMl: r.volumeMl, suvMax: r.max, suvMean: r.mean, centre: r.centre }] : [];
  });
}
