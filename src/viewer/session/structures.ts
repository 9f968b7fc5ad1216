// Structure-set import (SEG, RTSTRUCT, NIfTI → segments to map by name), export (SEG, RTSTRUCT, NIfTI) and
// statistics shared by the Structures and Dose panels. The file formats are the core's table
// (core/io/structureFormats.ts); this module ties them to the loaded study.
import { readStructureFile, structureExporter, STRUCTURE_EXPORTERS, type StructureExporter, type StructureFormatId, type StructureGrid } from '../../core/io/structureFormats';
import { resampleLabelsNearest } from '../../core/mask';
import { structureByLabel, type StructureDef } from '../../core/vocabulary';
import { applySegments, proposeTarget, sourceSeriesOf, type Target } from '../../core/io/structureMapping';
import { sameGrid, type Geometry, type Vec3, type Volume } from '../../core/volume';
import { emptyMeta, type StructureMeta } from '../../core/contours/structureSet';
import { PT_SOP_CLASS, CT_SOP_CLASS, type SourceSeries } from '../../core/dicom/write';
import type { LoadedStudy } from '../../core/study';
import { labelStats } from '../../core/labelStats';

export { STRUCTURE_EXPORTERS, type StructureExporter };
// The mapping rule is the core's (the structures CLI uses it too).
export { proposeTarget, applySegments as applyIncoming, type Target };

/** A file's segments on the PET grid (voxel value = segment id), before they are mapped to structures. */
export interface Incoming {
  file: string;
  kind: StructureFormatId;
  labels: Volume<Uint8Array>;
  segments: { id: number; name: string; description?: string; voxels: number }[];
  warnings: string[];
}

/** The grids a structure file of this study may be drawn on: PET first, then CT. */
function studyGrids(study: LoadedStudy): StructureGrid[] {
  const pet = study.pet?.suv ?? study.pet?.raw;
  if (!pet) throw new Error('load a study with PET first');
  const forOf = (instances?: { attrs: Record<string, unknown> }[]) => (instances?.[0]?.attrs.FrameOfReferenceUID as string | undefined) || undefined;
  return [
    { name: 'PET', geometry: pet, seriesUid: study.petSeriesUid, frameOfReferenceUid: forOf(study.pet?.instances) },
    ...(study.ct ? [{ name: 'CT', geometry: study.ct, seriesUid: study.ctSeriesUid, frameOfReferenceUid: forOf(study.ctInstances) }] : []),
  ];
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

/**
 * Voxels of structures already in the set that `applyIncoming` would overwrite, per label (what confirming the
 * import loses); the set itself is left alone.
 */
export function importLosses(labels: Volume<Uint8Array>, meta: StructureMeta, inc: Incoming, mapping: Map<number, Target>): Map<number, number> {
  const trial = { ...labels, data: labels.data.slice() };
  applySegments(trial, JSON.parse(JSON.stringify(meta)) as StructureMeta, inc, mapping);
  const lost = new Map<number, number>();
  for (let v = 0; v < labels.data.length; v++) {
    const was = labels.data[v];
    if (was && trial.data[v] !== was) lost.set(was, (lost.get(was) ?? 0) + 1);
  }
  return lost;
}

/** What an imported set is called on screen and in local storage: the format, never the file name. */
export function importedSource(kind: StructureFormatId): string {
  return `imported ${kind}`;
}

/**
 * The name of an exported file: study date and what it holds; the Patient ID only when asked for (file names
 * travel in e-mails and folders that the file's own access rules do not cover).
 */
export function exportFileName(study: Pick<LoadedStudy, 'studyDate' | 'patientId'>, what: string, suffix: string, withPatientId = false): string {
  const safe = (v: string) => v.replace(/[^A-Za-z0-9._-]+/g, '_');
  const parts = [withPatientId && study.patientId ? safe(study.patientId) : '', safe(study.studyDate || 'study'), what].filter(Boolean);
  return `${parts.join('-')}${suffix}`;
}

/** The image series a label map is drawn on (PET, or CT for CT-grid structure sets), as SEG/RTSTRUCT reference it. */
function source(study: LoadedStudy, labels: Geometry): SourceSeries {
  const onCt = !!study.ct && !sameGrid(labels, study.pet!.raw) && sameGrid(labels, study.ct);
  const ids = { studyUid: study.studyUid, seriesUid: onCt ? study.ctSeriesUid! : study.petSeriesUid!, patientName: study.patientName, patientId: study.patientId, studyDate: study.studyDate };
  return sourceSeriesOf(ids, onCt ? study.ctInstances! : study.pet!.instances, onCt ? CT_SOP_CLASS : PT_SOP_CLASS);
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
