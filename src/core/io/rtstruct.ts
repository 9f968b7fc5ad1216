// RTSTRUCT reading: CLOSED_PLANAR contours rasterised onto a voxel grid (voxel centres inside the polygon,
// even–odd rule so holes and nested contours work; contours on one slice are combined by XOR).
import dcmjs from 'dcmjs';
import type { Geometry } from '../volume';
import { worldToIndex, indexToWorld } from '../volume';
import { derivedPatientStudy, ds, makeUid, toPart10, type SourceSeries } from '../dicom/write';
import { scanPolygon } from '../contours/ops';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

export class RtstructError extends Error {}

export interface RtRoi {
  number: number;
  name: string;
  contours: { type: string; points: number[] }[];
}

export function readRtstruct(buf: ArrayBuffer, name = 'RTSTRUCT'): { rois: RtRoi[]; referencedSeriesUid?: string; frameOfReferenceUid?: string } {
  let ds: Record<string, any>;
  try {
    ds = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(buf, { ignoreErrors: true }).dict);
  } catch (e) {
    throw new RtstructError(`${name}: not a readable DICOM file (${(e as Error).message})`);
  }
  if (ds.Modality !== 'RTSTRUCT') throw new RtstructError(`${name}: Modality is ${ds.Modality ?? 'absent'}, not RTSTRUCT`);
  const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const names = new Map<number, string>(arr<any>(ds.StructureSetROISequence).map((r) => [Number(r.ROINumber), String(r.ROIName ?? `ROI ${r.ROINumber}`)]));
  const rois: RtRoi[] = arr<any>(ds.ROIContourSequence).map((rc) => ({
    number: Number(rc.ReferencedROINumber),
    name: names.get(Number(rc.ReferencedROINumber)) ?? `ROI ${rc.ReferencedROINumber}`,
    contours: arr<any>(rc.ContourSequence).map((c) => ({ type: String(c.ContourGeometricType ?? ''), points: arr<number>(c.ContourData).map(Number) })),
  }));
  const refFor = arr<any>(ds.ReferencedFrameOfReferenceSequence)[0];
  const refSeries = arr<any>(arr<any>(refFor?.RTReferencedStudySequence)[0]?.RTReferencedSeriesSequence)[0]?.SeriesInstanceUID;
  return { rois, referencedSeriesUid: refSeries, frameOfReferenceUid: refFor?.FrameOfReferenceUID };
}

/** Finds an ROI by number or (case-insensitive) name. */
export function findRoi(rois: RtRoi[], label?: string | number): RtRoi {
  if (label === undefined) {
    if (rois.length === 1) return rois[0];
    throw new RtstructError(`the RTSTRUCT has ${rois.length} ROIs (${rois.map((r) => r.name).join(', ')}); choose one with --label`);
  }
  const hit = rois.find((r) => String(r.number) === String(label) || r.name.toLowerCase() === String(label).toLowerCase());
  if (!hit) throw new RtstructError(`ROI "${label}" is not in the RTSTRUCT (it has ${rois.map((r) => `${r.number} ${r.name}`).join(', ')})`);
  return hit;
}

/** Rasterises one ROI onto `grid`; warnings list skipped contours (open, off-grid). */
export function rasteriseRoi(roi: RtRoi, grid: Geometry): { mask: Uint8Array; warnings: string[] } {
  const [nx, ny, nz] = grid.dims;
  const mask = new Uint8Array(nx * ny * nz);
  const warnings: string[] = [];
  const slice = new Uint8Array(nx * ny);
  for (const c of roi.contours) {
    if (c.type !== 'CLOSED_PLANAR') {
      warnings.push(`${roi.name}: ${c.type || 'untyped'} contour skipped (only CLOSED_PLANAR encloses a region)`);
      continue;
    }
    const n = c.points.length / 3;
    if (n < 3) { warnings.push(`${roi.name}: contour with ${n} points skipped`); continue; }
    const ij: number[] = [];
    let kSum = 0;
    for (let p = 0; p < n; p++) {
      const idx = worldToIndex(grid, [c.points[3 * p], c.points[3 * p + 1], c.points[3 * p + 2]]);
      ij.push(idx[0], idx[1]);
      kSum += idx[2];
    }
    const k = Math.round(kSum / n);
    if (k < 0 || k >= nz) { warnings.push(`${roi.name}: contour at slice ${k} lies outside the image`); continue; }
    // Scanline fill of voxel centres (even–odd), XOR into the slice.
    slice.fill(0);
    scanPolygon(ij, nx, ny, (i, j) => { slice[i + nx * j] = 1; });
    const base = nx * ny * k;
    for (let v = 0; v < nx * ny; v++) if (slice[v]) mask[base + v] ^= 1;
  }
  return { mask, warnings };
}

export const RTSTRUCT_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.481.3';

/**
 * Closed contours (index coordinates i, j of one slice) around the voxel centres where `inside` is 1, by
 * marching squares at the half-way iso-line: rasterising them again (voxel centre inside) gives the same
 * voxels. Holes come out as separate contours (even–odd readers subtract them); diagonal-only contacts
 * stay separate (4-connected inside).
 */
export function sliceContours(inside: Uint8Array, nx: number, ny: number): number[][] {
  const W = nx + 1; // edge keys on the padded lattice: cell (i, j) for i, j in -1 … n-1
  const key = (i: number, j: number, vertical: number) => (((j + 1) * (W + 1) + (i + 1)) << 1) | vertical;
  const at = (i: number, j: number) => (i >= 0 && j >= 0 && i < nx && j < ny ? inside[i + nx * j] : 0);
  const links = new Map<number, number[]>();
  const pos = new Map<number, [number, number]>();
  const link = (a: number, b: number) => {
    (links.get(a) ?? links.set(a, []).get(a)!).push(b);
    (links.get(b) ?? links.set(b, []).get(b)!).push(a);
  };
  // Segment table per case (corner bits v0 = (i,j), v1 = (i+1,j), v2 = (i+1,j+1), v3 = (i,j+1)); edges
  // e0 bottom, e1 right, e2 top, e3 left.
  const TABLE: number[][] = [[], [3, 0], [0, 1], [3, 1], [1, 2], [3, 0, 1, 2], [0, 2], [3, 2], [2, 3], [0, 2], [0, 1, 2, 3], [1, 2], [1, 3], [0, 1], [0, 3], []];
  for (let j = -1; j < ny; j++) for (let i = -1; i < nx; i++) {
    const c = at(i, j) | (at(i + 1, j) << 1) | (at(i + 1, j + 1) << 2) | (at(i, j + 1) << 3);
    const segs = TABLE[c];
    if (!segs.length) continue;
    const edges = [key(i, j, 0), key(i + 1, j, 1), key(i, j + 1, 0), key(i, j, 1)];
    const pts: [number, number][] = [[i + 0.5, j], [i + 1, j + 0.5], [i + 0.5, j + 1], [i, j + 0.5]];
    for (let s = 0; s < segs.length; s += 2) {
      const a = edges[segs[s]], b = edges[segs[s + 1]];
      pos.set(a, pts[segs[s]]); pos.set(b, pts[segs[s + 1]]);
      link(a, b);
    }
  }
  const seen = new Set<number>();
  const loops: number[][] = [];
  for (const start of links.keys()) {
    if (seen.has(start)) continue;
    const loop: [number, number][] = [];
    let prev = -1, cur = start;
    while (!seen.has(cur)) {
      seen.add(cur);
      loop.push(pos.get(cur)!);
      const next = links.get(cur)!.find((x) => x !== prev && !seen.has(x)) ?? links.get(cur)!.find((x) => x !== prev)!;
      prev = cur; cur = next;
    }
    // Drop points on straight runs.
    const out: number[] = [];
    for (let p = 0; p < loop.length; p++) {
      const a = loop[(p + loop.length - 1) % loop.length], b = loop[p], c = loop[(p + 1) % loop.length];
      if (Math.abs((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])) > 1e-9) out.push(b[0], b[1]);
    }
    if (out.length >= 6) loops.push(out);
  }
  return loops;
}

export interface RtstructRoi { label: number; name: string; color: [number, number, number]; interpretedType: string }

/** Writes an RTSTRUCT with one ROI per label present: CLOSED_PLANAR contours on every axial slice. */
export function writeRtstruct(labels: { dims: [number, number, number] } & Geometry & { data: ArrayLike<number> }, source: SourceSeries, rois: RtstructRoi[], opts: { seed?: string; seriesDescription?: string } = {}): ArrayBuffer {
  const [nx, ny, nz] = labels.dims;
  if (source.instanceUids.length !== nz) throw new RtstructError(`source series has ${source.instanceUids.length} images but the label map has ${nz} slices`);
  if (!rois.length) throw new RtstructError('the label map is empty: nothing to write');
  const key = opts.seed ?? `${source.seriesUid}/rt/${rois.map((r) => r.label).join(',')}`;
  const sopUid = makeUid(key, 'rt-instance');
  const slice = new Uint8Array(nx * ny);
  const imageRef = (k: number) => ({ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.instanceUids[k] });
  const roiContours = rois.map((roi, r) => {
    const contours: Record<string, unknown>[] = [];
    for (let k = 0; k < nz; k++) {
      let any = false;
      for (let n = 0; n < nx * ny; n++) { slice[n] = labels.data[nx * ny * k + n] === roi.label ? 1 : 0; any ||= slice[n] === 1; }
      if (!any) continue;
      for (const loop of sliceContours(slice, nx, ny)) {
        const pts: string[] = [];
        for (let p = 0; p < loop.length; p += 2) pts.push(...indexToWorld(labels, loop[p], loop[p + 1], k).map((x) => ds(x)));
        contours.push({ ContourImageSequence: [imageRef(k)], ContourGeometricType: 'CLOSED_PLANAR', NumberOfContourPoints: pts.length / 3, ContourData: pts });
      }
    }
    return { ROIDisplayColor: roi.color, ReferencedROINumber: r + 1, ContourSequence: contours };
  });
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    Modality: 'RTSTRUCT',
    ...derivedPatientStudy(source),
    SeriesInstanceUID: makeUid(key, 'rt-series'), SeriesNumber: '101', SeriesDescription: opts.seriesDescription ?? 'Structures (RTSTRUCT)',
    InstanceNumber: '1', Manufacturer: 'psma-dose-preview', OperatorsName: '',
    StructureSetLabel: 'STRUCTURES', StructureSetName: 'psma-dose-preview', StructureSetDate: '', StructureSetTime: '',
    ReferencedFrameOfReferenceSequence: [{
      FrameOfReferenceUID: source.frameOfReferenceUid,
      RTReferencedStudySequence: [{
        ReferencedSOPClassUID: '1.2.840.10008.3.1.2.3.1', ReferencedSOPInstanceUID: source.studyUid,
        RTReferencedSeriesSequence: [{ SeriesInstanceUID: source.seriesUid, ContourImageSequence: source.instanceUids.map((_, k) => imageRef(k)) }],
      }],
    }],
    StructureSetROISequence: rois.map((roi, r) => ({ ROINumber: r + 1, ReferencedFrameOfReferenceUID: source.frameOfReferenceUid, ROIName: roi.name, ROIGenerationAlgorithm: 'SEMIAUTOMATIC' })),
    ROIContourSequence: roiContours,
    RTROIObservationsSequence: rois.map((roi, r) => ({ ObservationNumber: r + 1, ReferencedROINumber: r + 1, RTROIInterpretedType: roi.interpretedType, ROIInterpreter: '' })),
  };
  return toPart10(dataset, RTSTRUCT_SOP_CLASS, sopUid);
}
