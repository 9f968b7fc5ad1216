// Binary DICOM SEG: write a label map (one segment per structure, vocabulary codes and colours, frames
// referencing the source series) and read one back onto its referenced grid.
import dcmjs from 'dcmjs';
import type { Geometry, Vec3, Volume } from '../volume';
import { worldToIndex, indexToWorld } from '../volume';
import { structureByLabel, type StructureDef } from '../vocabulary';
import { asArray, readDicomObject } from '../dicom/read';
import { derivedPatientStudy, dicomDateTime, ds, greyscalePixels, makeUid, sourceImageRef, sourceInstanceRefs, toPart10, type SourceSeries } from '../dicom/write';

const { Colors } = dcmjs.data;

export const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

export class SegError extends Error {}

export interface SegSegment {
  label: number;
  def: StructureDef;
  /** Free-text label (default: def.name). */
  name?: string;
  algorithm?: 'MANUAL' | 'AUTOMATIC' | 'SEMIAUTOMATIC';
  /** SegmentDescription (e.g. a tumour's site). */
  description?: string;
}

const code = (c: { value: string; scheme: string; meaning: string }) => ({ CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning });

/** Writes a Binary SEG of `labels` (on the source grid); only slices where a segment is present get frames. */
export function writeSeg(labels: Volume, source: SourceSeries, opts: { seriesDescription?: string; segments?: SegSegment[]; seed?: string; created?: Date } = {}): ArrayBuffer {
  const [nx, ny, nz] = labels.dims;
  if (source.instanceUids.length !== nz) throw new SegError(`source series has ${source.instanceUids.length} images but the label map has ${nz} slices`);
  const present = new Set<number>();
  for (const v of labels.data) if (v) present.add(v);
  const segments: SegSegment[] = opts.segments ?? [...present].sort((a, b) => a - b).map((label) => {
    const def = structureByLabel(label);
    if (!def) throw new SegError(`label ${label} is not in the structure vocabulary`);
    return { label, def };
  });
  const per = nx * ny;
  const frames: { seg: number; k: number }[] = [];
  segments.forEach((s, si) => {
    for (let k = 0; k < nz; k++) {
      let any = false;
      for (let n = per * k; n < per * (k + 1) && !any; n++) any = labels.data[n] === s.label;
      if (any) frames.push({ seg: si + 1, k });
    }
  });
  if (!frames.length) throw new SegError('the label map is empty: nothing to write');
  const bits = new Uint8Array(Math.ceil((frames.length * per) / 8));
  frames.forEach((f, fi) => {
    const label = segments[f.seg - 1].label;
    for (let n = 0; n < per; n++) {
      if (labels.data[per * f.k + n] === label) {
        const b = fi * per + n;
        bits[b >> 3] |= 1 << (b & 7);
      }
    }
  });
  const key = opts.seed ?? `${source.seriesUid}/${segments.map((s) => s.label).join(',')}`;
  const seriesUid = makeUid(key, 'seg-series');
  const sopUid = makeUid(key, 'seg-instance');
  const d = labels.direction;
  const created = dicomDateTime(opts.created ?? new Date());
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SEG_SOP_CLASS,
    SOPInstanceUID: sopUid,
    Modality: 'SEG',
    ...derivedPatientStudy(source),
    SeriesInstanceUID: seriesUid,
    SeriesNumber: '100',
    SeriesDescription: opts.seriesDescription ?? 'Structures',
    InstanceNumber: '1',
    ContentLabel: 'STRUCTURES',
    ContentDescription: 'psma-dose-preview structure set',
    ContentCreatorName: '',
    ContentDate: created.date,
    ContentTime: created.time,
    FrameOfReferenceUID: source.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    Manufacturer: 'psma-dose-preview',
    ManufacturerModelName: 'psma-dose-preview',
    DeviceSerialNumber: '0',
    SoftwareVersions: '0.1.0',
    ImageType: ['DERIVED', 'PRIMARY'],
    SegmentationType: 'BINARY',
    ...greyscalePixels(nx, ny, 1, false),
    LossyImageCompression: '00',
    NumberOfFrames: frames.length,
    ReferencedSeriesSequence: [{ SeriesInstanceUID: source.seriesUid, ReferencedInstanceSequence: sourceInstanceRefs(source) }],
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: makeUid(key, 'dim') }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: makeUid(key, 'dim'), DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      { DimensionOrganizationUID: makeUid(key, 'dim'), DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
    SegmentSequence: segments.map((s, si) => ({
      SegmentNumber: si + 1,
      SegmentLabel: s.name ?? s.def.name,
      ...(s.description ? { SegmentDescription: s.description } : {}),
      SegmentAlgorithmType: s.algorithm ?? 'MANUAL',
      SegmentedPropertyCategoryCodeSequence: [code(s.def.category)],
      SegmentedPropertyTypeCodeSequence: [{ ...code(s.def.typeCode), ...(s.def.modifier ? { SegmentedPropertyTypeModifierCodeSequence: [code(s.def.modifier)] } : {}) }],
      RecommendedDisplayCIELabValue: (Colors.rgb2DICOMLAB(s.def.color.map((c) => c / 255)) as number[]).map((v) => Math.round(v)),
    })),
    SharedFunctionalGroupsSequence: [{
      PlaneOrientationSequence: [{ ImageOrientationPatient: [d[0], d[1], d[2], d[3], d[4], d[5]].map(ds) }],
      PixelMeasuresSequence: [{ PixelSpacing: [ds(labels.spacing[1]), ds(labels.spacing[0])], SliceThickness: ds(labels.spacing[2]), SpacingBetweenSlices: ds(labels.spacing[2]) }],
    }],
    PerFrameFunctionalGroupsSequence: frames.map((f) => ({
      FrameContentSequence: [{ DimensionIndexValues: [f.seg, f.k + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: indexToWorld(labels, 0, 0, f.k).map(ds) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.seg }],
      DerivationImageSequence: [{
        SourceImageSequence: [{
          ...sourceImageRef(source, f.k),
          PurposeOfReferenceCodeSequence: [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }],
        }],
        DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
      }],
    })),
    PixelData: bits.buffer,
  };
  return toPart10(dataset, SEG_SOP_CLASS, sopUid, 'OB');
}

export interface ReadSeg {
  labels: Volume<Uint8Array>;
  segments: { number: number; name: string; label: number; description?: string }[];
  referencedSeriesUid?: string;
  frameOfReferenceUid?: string;
}

/**
 * The SEG must be drawn on the grid: same frame of reference (when both name one), pixel spacing and
 * orientation within tolerance (frame positions are checked frame by frame in readSeg).
 */
function checkSegGeometry(what: string, ds0: any, shared: any, grid: Geometry, frameOfReferenceUid?: string): void {
  const segFor = ds0.FrameOfReferenceUID;
  if (frameOfReferenceUid && segFor && segFor !== frameOfReferenceUid) {
    throw new SegError(`${what}: its frame of reference ${segFor} is not the image's (${frameOfReferenceUid}): it belongs to another scan or patient`);
  }
  const first = asArray<any>(ds0.PerFrameFunctionalGroupsSequence)[0] ?? {};
  const measures = asArray<any>(shared.PixelMeasuresSequence)[0] ?? asArray<any>(first.PixelMeasuresSequence)[0];
  const ps = asArray<any>(measures?.PixelSpacing).map(Number);
  const off = (a: number, b: number) => Math.abs(a - b) > 1e-3 * b + 1e-4;
  if (ps.length === 2 && (off(ps[0], grid.spacing[1]) || off(ps[1], grid.spacing[0]))) {
    throw new SegError(`${what}: pixel spacing ${ps.join(' × ')} mm is not the image's ${grid.spacing[1]} × ${grid.spacing[0]} mm: geometry does not match`);
  }
  const plane = asArray<any>(shared.PlaneOrientationSequence)[0] ?? asArray<any>(first.PlaneOrientationSequence)[0];
  const iop = asArray<any>(plane?.ImageOrientationPatient).map(Number);
  if (iop.length === 6 && iop.some((v, n) => !(Math.abs(v - grid.direction[n]) <= 1e-3))) {
    const show = (v: number[]) => v.map((x) => +x.toFixed(4)).join('\\');
    throw new SegError(`${what}: image orientation ${show(iop)} is not the image's ${show(grid.direction.slice(0, 6))} (transposed or rotated): geometry does not match`);
  }
}

/**
 * Reads a Binary SEG onto `grid` (the referenced image grid). Segment n becomes label n unless
 * `labelOf` maps its name to a vocabulary label. Overlapping segments are reported.
 */
export function readSeg(buf: ArrayBuffer, grid: Geometry, opts: { expectSeriesUid?: string; frameOfReferenceUid?: string; labelOf?: (name: string, number: number) => number; name?: string } = {}): ReadSeg {
  const what = opts.name ?? 'SEG';
  const ds0 = readDicomObject(buf, what, 'SEG', (m) => new SegError(m));
  const refSeries = asArray<any>(ds0.ReferencedSeriesSequence)[0]?.SeriesInstanceUID;
  if (opts.expectSeriesUid && refSeries && refSeries !== opts.expectSeriesUid) {
    throw new SegError(`${what}: it references series ${refSeries}, not the loaded image series ${opts.expectSeriesUid}`);
  }
  if (ds0.SegmentationType && ds0.SegmentationType !== 'BINARY') throw new SegError(`${what}: SegmentationType ${ds0.SegmentationType} is not supported (BINARY only)`);
  const rows = Number(ds0.Rows), cols = Number(ds0.Columns);
  const [nx, ny, nz] = grid.dims;
  if (rows !== ny || cols !== nx) throw new SegError(`${what}: frames are ${cols}×${rows} but the image is ${nx}×${ny}: geometry does not match`);
  const shared = asArray<any>(ds0.SharedFunctionalGroupsSequence)[0] ?? {};
  checkSegGeometry(what, ds0, shared, grid, opts.frameOfReferenceUid);
  const segs = asArray<any>(ds0.SegmentSequence).map((s) => ({ number: Number(s.SegmentNumber), name: String(s.SegmentLabel ?? `Segment ${s.SegmentNumber}`), description: s.SegmentDescription ? String(s.SegmentDescription) : undefined }));
  const labelFor = new Map(segs.map((s) => [s.number, opts.labelOf ? opts.labelOf(s.name, s.number) : s.number]));
  const pd = ds0.PixelData;
  const bytes = new Uint8Array(Array.isArray(pd) ? pd[0] : pd);
  const per = rows * cols;
  const frames = asArray<any>(ds0.PerFrameFunctionalGroupsSequence);
  const nFrames = Number(ds0.NumberOfFrames ?? frames.length);
  if (bytes.length * 8 < nFrames * per) throw new SegError(`${what}: pixel data is shorter than ${nFrames} frames`);
  const labels = new Uint8Array(nx * ny * nz);
  let overlaps = 0;
  for (let f = 0; f < nFrames; f++) {
    const g = frames[f] ?? {};
    const segNo = Number(asArray<any>(g.SegmentIdentificationSequence)[0]?.ReferencedSegmentNumber ?? asArray<any>(shared.SegmentIdentificationSequence)[0]?.ReferencedSegmentNumber);
    const pos = asArray<any>(g.PlanePositionSequence)[0]?.ImagePositionPatient?.map(Number) as Vec3 | undefined;
    if (!pos) throw new SegError(`${what}: frame ${f + 1} has no plane position`);
    const idx = worldToIndex(grid, pos);
    const k = Math.round(idx[2]);
    if (Math.abs(idx[0]) > 0.01 || Math.abs(idx[1]) > 0.01 || Math.abs(idx[2] - k) > 0.05 || k < 0 || k >= nz) {
      throw new SegError(`${what}: frame ${f + 1} at (${pos.map((v) => v.toFixed(1)).join(', ')}) does not lie on a slice of the image grid: geometry does not match`);
    }
    const label = labelFor.get(segNo) ?? segNo;
    for (let n = 0; n < per; n++) {
      const b = f * per + n;
      if (bytes[b >> 3] & (1 << (b & 7))) {
        const v = k * per + n;
        if (labels[v] && labels[v] !== label) overlaps++;
        labels[v] = label;
      }
    }
  }
  const out: ReadSeg = {
    labels: { dims: [...grid.dims], spacing: [...grid.spacing], origin: [...grid.origin], direction: [...grid.direction], data: labels },
    segments: segs.map((s) => ({ ...s, label: labelFor.get(s.number)! })),
    referencedSeriesUid: refSeries,
    frameOfReferenceUid: ds0.FrameOfReferenceUID,
  };
  if (overlaps) (out as ReadSeg & { warnings?: string[] }).warnings = [`${overlaps} voxels belong to more than one segment; the later segment was kept`];
  return out;
}
