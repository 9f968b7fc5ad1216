// Structure-set import (SEG, RTSTRUCT, NIfTI → segments to map by name), export (SEG, RTSTRUCT, NIfTI) and
// statistics shared by the Structures and Dose panels.
import dcmjs from 'dcmjs';
import { readSeg, writeSeg } from '../../core/io/seg';
import { readNifti } from '../../core/io/nifti';
import { readRtstruct, rasteriseRoi, writeRtstruct } from '../../core/io/rtstruct';
import { resampleLabelsNearest } from '../../core/mask';
import { structureByLabel, suggestStructure, TUMOUR_LABEL_BASE, type StructureDef } from '../../core/vocabulary';
import { sameGrid, describeGrid, geometryOf, type Geometry, type Vec3, type Volume } from '../../core/volume';
import { describeTumour, nextTumourLabel, parseTumourDescription, type StructureMeta } from '../../core/contours/structureSet';
import { PT_SOP_CLASS, CT_SOP_CLASS, type SourceSeries } from '../../core/dicom/write';
import type { LoadedStudy } from '../../core/study';
import { labelStats } from '../../core/labelStats';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

/** A file's segments on the PET grid (voxel value = segment id), before they are mapped to structures. */
export interface Incoming {
  file: string;
  kind: 'SEG' | 'RTSTRUCT' | 'NIfTI';
  labels: Volume<Uint8Array>;
  segments: { id: number; name: string; description?: string; voxels: number }[];
  warnings: string[];
}

/** Where an incoming segment goes: a vocabulary label, a new tumour, or nowhere. */
export type Target = number | 'new tumour' | 'skip';

function petOf(study: LoadedStudy): Volume {
  const pet = study.pet?.suv ?? study.pet?.raw;
  if (!pet) throw new Error('load a study with PET first');
  return pet;
}

function count(labels: Uint8Array): Map<number, number> {
  const c = new Map<number, number>();
  for (const v of labels) if (v) c.set(v, (c.get(v) ?? 0) + 1);
  return c;
}

/**
 * Reads a SEG, RTSTRUCT or NIfTI label map onto `target` (the structure set's grid: PET or CT; other grids
 * through the nearest-neighbour rule); throws a message naming the problem.
 */
export function readIncoming(file: string, bytes: ArrayBuffer, study: LoadedStudy, target?: Geometry): Incoming {
  const inc = readOnOwnGrid(file, bytes, study);
  if (!target || sameGrid(inc.labels, target)) return inc;
  const labels = resampleLabelsNearest(inc.labels, target);
  const c = count(labels.data);
  return { ...inc, labels, segments: inc.segments.map((s) => ({ ...s, voxels: c.get(s.id) ?? 0 })) };
}

function readOnOwnGrid(file: string, bytes: ArrayBuffer, study: LoadedStudy): Incoming {
  const pet = petOf(study);
  const warnings: string[] = [];
  if (/\.nii(\.gz)?$/i.test(file)) {
    const labels = readNifti(bytes, file);
    const grids = [pet, ...(study.ct ? [study.ct] : [])];
    if (!grids.some((g) => sameGrid(labels, g, 0.01))) throw new Error(`${file} is not on the PET grid (${describeGrid(labels)} vs ${describeGrid(pet)})${study.ct ? ' nor on the CT grid' : ''}; nothing was changed`);
    const u8 = labels.data instanceof Uint8Array ? labels.data : Uint8Array.from(labels.data, (v) => (v > 0 && v < 256 ? v : 0));
    const c = count(u8);
    return { file, kind: 'NIfTI', labels: { ...labels, data: u8 }, warnings, segments: [...c].sort((a, b) => a[0] - b[0]).map(([id, voxels]) => ({ id, name: structureByLabel(id)?.name ?? `Label ${id}`, voxels })) };
  }
  let modality: string | undefined;
  try {
    modality = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(bytes, { ignoreErrors: true }).dict).Modality;
  } catch (e) {
    throw new Error(`${file}: not a DICOM file or NIfTI label map (${(e as Error).message})`);
  }
  if (modality === 'SEG') return readSegIncoming(file, bytes, study, pet);
  if (modality === 'RTSTRUCT') return readRtIncoming(file, bytes, study, pet);
  throw new Error(`${file}: a ${modality ?? 'DICOM file without modality'} is not a structure set (SEG or RTSTRUCT expected)`);
}

function readSegIncoming(file: string, bytes: ArrayBuffer, study: LoadedStudy, pet: Volume): Incoming {
  let r;
  try {
    r = readSeg(bytes, pet, { expectSeriesUid: study.petSeriesUid, name: file });
  } catch (e) {
    // Contours drawn on the CT grid: read them there, then apply the one documented CT → PET rule.
    if (!study.ct || !/references series/.test((e as Error).message)) throw e;
    r = readSeg(bytes, study.ct, { expectSeriesUid: study.ctSeriesUid, name: file });
  }
  const warnings = (r as { warnings?: string[] }).warnings ?? [];
  const c = count(r.labels.data);
  return { file, kind: 'SEG', labels: r.labels, warnings, segments: r.segments.map((s) => ({ id: s.number, name: s.name, description: s.description, voxels: c.get(s.number) ?? 0 })) };
}

function readRtIncoming(file: string, bytes: ArrayBuffer, study: LoadedStudy, pet: Volume): Incoming {
  const rt = readRtstruct(bytes, file);
  const ref = rt.referencedSeriesUid;
  let grid: Geometry;
  if (ref === study.petSeriesUid) grid = pet;
  else if (ref && ref === study.ctSeriesUid && study.ct) grid = study.ct;
  else throw new Error(`${file}: the RTSTRUCT references series ${ref ?? '(none)'}, which is not loaded (its images are missing); nothing was changed`);
  if (rt.rois.length > 255) throw new Error(`${file}: ${rt.rois.length} ROIs are more than one label map holds`);
  const warnings: string[] = [];
  const onGrid = new Uint8Array(grid.dims[0] * grid.dims[1] * grid.dims[2]);
  let overlaps = 0;
  rt.rois.forEach((roi, n) => {
    const { mask, warnings: w } = rasteriseRoi(roi, grid);
    warnings.push(...w);
    for (let v = 0; v < mask.length; v++) if (mask[v]) { if (onGrid[v]) overlaps++; onGrid[v] = n + 1; }
  });
  if (overlaps) warnings.push(`${overlaps} voxels belong to more than one ROI; the later ROI was kept`);
  const c = count(onGrid);
  return { file, kind: 'RTSTRUCT', labels: { ...geometryOf(grid), data: onGrid }, warnings, segments: rt.rois.map((r, n) => ({ id: n + 1, name: r.name, voxels: c.get(n + 1) ?? 0 })) };
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

function present(labels: Volume<Uint8Array>): StructureDef[] {
  return [...count(labels.data).keys()].sort((a, b) => a - b).map((l) => {
    const d = structureByLabel(l);
    if (!d) throw new Error(`label ${l} is not in the structure vocabulary`);
    return d;
  });
}

export function exportSeg(study: LoadedStudy, labels: Volume<Uint8Array>, meta: StructureMeta): ArrayBuffer {
  return writeSeg(labels, source(study, labels), {
    seriesDescription: 'Structures (psma-dose-preview)', seed: `${study.studyUid}/${Date.now()}`,
    segments: present(labels).map((def) => ({ label: def.label, def, description: def.type === 'tumour' ? describeTumour(meta.tumours[def.label]) : undefined })),
  });
}

export function exportRtstruct(study: LoadedStudy, labels: Volume<Uint8Array>): ArrayBuffer {
  const rois = present(labels).map((d) => ({ label: d.label, name: d.name, color: d.color, interpretedType: d.type === 'tumour' ? 'GTV' : 'ORGAN' }));
  return writeRtstruct(labels, source(study, labels), rois, { seed: `${study.studyUid}/${Date.now()}/rt` });
}

export interface StructureStats { def: StructureDef; voxels: number; volumeMl: number; suvMax?: number; suvMean?: number; centre: Vec3 }

export function structureStats(labels: Volume, suv?: Volume<Float32Array>): StructureStats[] {
  return [...labelStats(labels, suv).entries()].flatMap(([l, r]) => {
    const def = structureByLabel(l);
    return def ? [{ def, voxels: r.voxels, volumeMl: r.volumeMl, suvMax: r.max, suvMean: r.mean, centre: r.centre }] : [];
  });
}
