// The structure-file formats in one table: how to recognise a file (SEG, RTSTRUCT, NIfTI label map), how to
// read it onto one of the study's grids, and how to export a label map (file suffix, MIME type). The viewer's
// import/export and the features CLI go through it; a new format (e.g. a DICOM SR) is one more entry.
import dcmjs from 'dcmjs';
import { readSeg, writeSeg } from './seg';
import { readNifti, writeNifti } from './nifti';
import { readRtstruct, rasteriseRoi, writeRtstruct } from './rtstruct';
import type { SourceSeries } from '../dicom/write';
import { sameGrid, describeGrid, geometryOf, type Geometry, type Volume } from '../volume';
import { structureByLabel, type StructureDef } from '../vocabulary';
import { describeTumour, type StructureMeta } from '../contours/structureSet';
import { labelStats } from '../labelStats';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

export class StructureFileError extends Error {}

export type StructureFormatId = 'SEG' | 'RTSTRUCT' | 'NIfTI';

/** A grid a structure file may be drawn on (in order of preference), with the series its images belong to. */
export interface StructureGrid {
  /** How messages name it: "PET", "CT", "image". */
  name: string;
  geometry: Geometry;
  seriesUid?: string;
  /** The images' frame of reference: a structure file of another one is refused. */
  frameOfReferenceUid?: string;
}

export interface StructureReadOptions {
  /**
   * An RTSTRUCT whose referenced series is none of the grids is rasterised onto the first grid by patient
   * coordinates (same frame of reference assumed) instead of being refused.
   */
  acceptOtherSeries?: boolean;
}

/** A segment as the file numbers and names it (`id` is its value in the label map). */
export interface StructureSegment { id: number; number: number; name: string; description?: string }

/** A structure file read onto one of the grids. */
export interface StructureFile {
  file: string;
  kind: StructureFormatId;
  grid: Geometry;
  segments: StructureSegment[];
  warnings: string[];
  /** One segment's mask (1 inside); overlaps with other segments kept where the format has them. */
  mask(id: number): { mask: Uint8Array; warnings: string[] };
  /** All segments in one label map (voxel = segment id; where segments overlap the later one is kept). */
  labelMap(): { labels: Volume<Uint8Array>; voxels: Map<number, number>; warnings: string[] };
}

/** What a sniffer sees of a file: its name, its bytes and (read on demand) its DICOM Modality. */
export interface FileProbe {
  name: string;
  bytes: Uint8Array;
  /** Modality of a DICOM Part-10 file, undefined for other files; throws for an unreadable DICOM file. */
  modality(): string | undefined;
}

/** A structure set to export: the label map, its metadata and the image series it is drawn on. */
export interface StructureSetExport {
  labels: Volume<Uint8Array>;
  meta: StructureMeta;
  source: SourceSeries;
  /** Seed of the new UIDs (unique per export). */
  seed: string;
}

export interface StructureExporter {
  id: StructureFormatId;
  label: string;
  /** Appended to the file stem, extension included (e.g. "-seg.dcm"). */
  suffix: string;
  mime: string;
  write(set: StructureSetExport): ArrayBuffer;
}

export interface StructureFormat {
  id: StructureFormatId;
  label: string;
  /** File name extensions offered by file pickers. */
  extensions: string[];
  sniff(probe: FileProbe): boolean;
  read(file: string, bytes: ArrayBuffer, grids: StructureGrid[], opts: StructureReadOptions): StructureFile;
  export?: Omit<StructureExporter, 'id' | 'label'>;
}

/** Voxels per label. */
const count = (labels: Volume<Uint8Array>): Map<number, number> => new Map([...labelStats(labels)].map(([l, s]) => [l, s.voxels]));

const maskOfLabel = (data: ArrayLike<number>, label: number) => Uint8Array.from(data as ArrayLike<number>, (v) => (v === label ? 1 : 0));

/** The vocabulary structures present in a label map (throws for a label outside the vocabulary). */
function presentStructures(labels: Volume<Uint8Array>): StructureDef[] {
  return [...count(labels).keys()].sort((a, b) => a - b).map((l) => {
    const d = structureByLabel(l);
    if (!d) throw new StructureFileError(`label ${l} is not in the structure vocabulary`);
    return d;
  });
}

const SEG: StructureFormat = {
  id: 'SEG',
  label: 'DICOM SEG',
  extensions: ['.dcm'],
  sniff: (p) => p.modality() === 'SEG',
  read(file, bytes, grids) {
    let r: ReturnType<typeof readSeg> | undefined, grid = grids[0];
    // Try each grid whose series the SEG may reference (e.g. contours drawn on the CT grid).
    for (const [n, g] of grids.entries()) {
      try {
        r = readSeg(bytes, g.geometry, { expectSeriesUid: g.seriesUid, frameOfReferenceUid: g.frameOfReferenceUid, name: file });
        grid = g;
        break;
      } catch (e) {
        if (n === grids.length - 1 || !/references series/.test((e as Error).message)) throw e;
      }
    }
    const seg = r!;
    const labels = seg.labels;
    return {
      file, kind: 'SEG', grid: geometryOf(grid.geometry),
      segments: seg.segments.map((s) => ({ id: s.number, number: s.number, name: s.name, description: s.description })),
      warnings: (seg as { warnings?: string[] }).warnings ?? [],
      mask: (id) => ({ mask: maskOfLabel(labels.data, id), warnings: [] }),
      labelMap: () => ({ labels, voxels: count(labels), warnings: [] }),
    };
  },
  export: {
    suffix: '-seg.dcm',
    mime: 'application/dicom',
    write: ({ labels, meta, source, seed }) => writeSeg(labels, source, {
      seriesDescription: 'Structures (psma-dose-preview)', seed,
      segments: presentStructures(labels).map((def) => ({ label: def.label, def, description: def.type === 'tumour' ? describeTumour(meta.tumours[def.label]) : undefined })),
    }),
  },
};

const RTSTRUCT: StructureFormat = {
  id: 'RTSTRUCT',
  label: 'DICOM RTSTRUCT',
  extensions: ['.dcm'],
  sniff: (p) => p.modality() === 'RTSTRUCT',
  read(file, bytes, grids, opts) {
    const rt = readRtstruct(bytes, file);
    const ref = rt.referencedSeriesUid;
    const own = grids.find((g) => g.seriesUid === ref);
    const grid = own ?? (opts.acceptOtherSeries ? grids[0] : undefined);
    if (!grid) throw new StructureFileError(`${file}: the RTSTRUCT references series ${ref ?? '(none)'}, which is not loaded (its images are missing)`);
    const warnings: string[] = [];
    if (rt.frameOfReferenceUid && grid.frameOfReferenceUid && rt.frameOfReferenceUid !== grid.frameOfReferenceUid) {
      throw new StructureFileError(`${file}: its frame of reference ${rt.frameOfReferenceUid} is not the image's (${grid.frameOfReferenceUid}): it belongs to another scan or patient`);
    }
    if (!own) {
      const same = rt.frameOfReferenceUid && rt.frameOfReferenceUid === grid.frameOfReferenceUid;
      warnings.push(`${file}: it references series ${ref ?? '(none)'}, not the ${grid.name} series; its contours were placed by patient coordinates (${same ? 'same frame of reference' : 'the frame of reference could not be checked'})`);
    }
    const g = grid.geometry;
    return {
      file, kind: 'RTSTRUCT', grid: geometryOf(g),
      segments: rt.rois.map((r, n) => ({ id: n + 1, number: r.number, name: r.name })),
      warnings,
      mask: (id) => rasteriseRoi(rt.rois[id - 1], g),
      labelMap() {
        if (rt.rois.length > 255) throw new StructureFileError(`${file}: ${rt.rois.length} ROIs are more than one label map holds`);
        const warnings: string[] = [];
        const labels = new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]);
        let overlaps = 0;
        rt.rois.forEach((roi, n) => {
          const { mask, warnings: w } = rasteriseRoi(roi, g);
          warnings.push(...w);
          for (let v = 0; v < mask.length; v++) if (mask[v]) { if (labels[v]) overlaps++; labels[v] = n + 1; }
        });
        if (overlaps) warnings.push(`${overlaps} voxels belong to more than one ROI; the later ROI was kept`);
        const map = { ...geometryOf(g), data: labels };
        return { labels: map, voxels: count(map), warnings };
      },
    };
  },
  export: {
    suffix: '-rtstruct.dcm',
    mime: 'application/dicom',
    write: ({ labels, source, seed }) => writeRtstruct(labels, source,
      presentStructures(labels).map((d) => ({ label: d.label, name: d.name, color: d.color, interpretedType: d.type === 'tumour' ? 'GTV' : 'ORGAN' })),
      { seed: `${seed}/rt` }),
  },
};

const NIFTI_NAME = /\.nii(\.gz)?$/i;

const NIFTI: StructureFormat = {
  id: 'NIfTI',
  label: 'NIfTI label map',
  extensions: ['.nii', '.nii.gz'],
  // By name, or an uncompressed NIfTI-1 header (sizeof_hdr 348, magic "n+1").
  sniff: (p) => NIFTI_NAME.test(p.name) || (p.bytes.length >= 348 && new DataView(p.bytes.buffer, p.bytes.byteOffset).getInt32(0, true) === 348 && String.fromCharCode(...p.bytes.subarray(344, 347)) === 'n+1'),
  read(file, bytes, grids) {
    const vol = readNifti(bytes, file);
    const grid = grids.find((g) => sameGrid(vol, g.geometry, 0.01));
    if (!grid) {
      const [first, ...rest] = grids;
      throw new StructureFileError(`${file}: geometries differ, it is not on the ${first.name} grid (${describeGrid(vol)} vs ${describeGrid(first.geometry)})${rest.map((g) => ` nor on the ${g.name} grid`).join('')}`);
    }
    // A label map holds whole numbers 0…255 as they are: an image (SUV, HU) or a scaled map is refused, not truncated.
    if (vol.slope !== undefined) throw new StructureFileError(`${file}: scaled voxel values (scl_slope ${vol.slope}) are an image, not a label map`);
    const present = new Set<number>();
    for (const v of vol.data) if (v) present.add(v);
    const ids = [...present].sort((a, b) => a - b);
    const fraction = ids.find((v) => !Number.isInteger(v));
    if (fraction !== undefined) throw new StructureFileError(`${file}: voxel value ${fraction} is not a whole number: an image (e.g. SUV), not a label map`);
    const outside = ids.filter((v) => v < 0 || v > 255);
    if (outside.length) throw new StructureFileError(`${file}: label${outside.length > 1 ? 's' : ''} ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? '…' : ''} outside 1…255 (a structure set holds at most 255 labels); renumber them first`);
    return {
      file, kind: 'NIfTI', grid: geometryOf(vol),
      segments: ids.map((id) => ({ id, number: id, name: structureByLabel(id)?.name ?? `Label ${id}` })),
      warnings: [],
      mask: (id) => ({ mask: maskOfLabel(vol.data, id), warnings: [] }),
      labelMap() {
        const data = vol.data instanceof Uint8Array ? vol.data : Uint8Array.from(vol.data);
        const map = { ...geometryOf(vol), data };
        return { labels: map, voxels: count(map), warnings: [] };
      },
    };
  },
  export: {
    suffix: '.nii.gz',
    mime: 'application/gzip',
    write: ({ labels }) => {
      const gz = writeNifti(labels);
      return gz.buffer.slice(gz.byteOffset, gz.byteOffset + gz.byteLength) as ArrayBuffer;
    },
  },
};

/** Every structure-file format, in sniffing order. */
export const STRUCTURE_FORMATS: readonly StructureFormat[] = [NIFTI, SEG, RTSTRUCT];

/** The formats a label map can be exported to. */
export const STRUCTURE_EXPORTERS: readonly StructureExporter[] = STRUCTURE_FORMATS.flatMap((f) => (f.export ? [{ id: f.id, label: f.label, ...f.export }] : []));

export function structureExporter(id: StructureFormatId): StructureExporter {
  const e = STRUCTURE_EXPORTERS.find((x) => x.id === id);
  if (!e) throw new StructureFileError(`structure sets cannot be exported as ${id}`);
  return e;
}

function probe(name: string, bytes: Uint8Array): FileProbe {
  let modality: { value?: string } | undefined;
  const isPart10 = bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';
  return {
    name, bytes,
    modality() {
      if (!isPart10) return undefined;
      if (!modality) {
        try {
          // Only the header up to (0008,0060) Modality is parsed here; the reader parses the whole file.
          const dict = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, { ignoreErrors: true, untilTag: '00080060', includeUntilTagValue: true } as never).dict;
          modality = { value: DicomMetaDictionary.naturalizeDataset(dict).Modality };
        } catch (e) {
          throw new StructureFileError(`${name}: not a readable DICOM file (${(e as Error).message})`);
        }
      }
      return modality.value;
    },
  };
}

/** Recognises a structure file; throws a message naming the file and what it is instead. */
export function sniffStructureFile(file: string, bytes: ArrayBuffer | Uint8Array): StructureFormat {
  const p = probe(file, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  const hit = STRUCTURE_FORMATS.find((f) => f.sniff(p));
  if (hit) return hit;
  const labels = STRUCTURE_FORMATS.map((f) => f.label);
  const expected = `expected a ${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
  const modality = p.modality();
  if (modality === undefined && String.fromCharCode(...p.bytes.subarray(128, 132)) !== 'DICM') throw new StructureFileError(`${file}: not a DICOM file or NIfTI label map (${expected})`);
  throw new StructureFileError(`${file}: a ${modality ?? 'DICOM file without modality'} is not a structure set (${expected})`);
}

/** Sniffs and reads a structure file onto the first of `grids` it fits. */
export function readStructureFile(file: string, bytes: ArrayBuffer, grids: StructureGrid[], opts: StructureReadOptions = {}): StructureFile {
  if (!grids.length) throw new StructureFileError('no image grid to read structures onto');
  return sniffStructureFile(file, bytes).read(file, bytes, grids, opts);
}
