// RTSTRUCT reading: CLOSED_PLANAR contours rasterised onto a voxel grid (voxel centres inside the polygon,
// even–odd rule so holes and nested contours work; contours on one slice are combined by XOR).
import type { Geometry } from '../volume';
import { worldToIndex, indexToWorld } from '../volume';
import { asArray, readDicomObject } from '../dicom/read';
import { derivedPatientStudy, dicomDateTime, ds, makeUid, toPart10, type SourceSeries } from '../dicom/write';
import { scanPolygon, sliceContours } from '../raster';

export class RtstructError extends Error {}

export interface RtRoi {
  number: number;
  name: string;
  contours: { type: string; points: number[] }[];
}

export function readRtstruct(buf: ArrayBuffer, name = 'RTSTRUCT'): { rois: RtRoi[]; referencedSeriesUid?: string; frameOfReferenceUid?: string } {
  const ds = readDicomObject(buf, name, 'RTSTRUCT', (m) => new RtstructError(m));
  const names = new Map<number, string>(asArray<any>(ds.StructureSetROISequence).map((r) => [Number(r.ROINumber), String(r.ROIName ?? `ROI ${r.ROINumber}`)]));
  const rois: RtRoi[] = asArray<any>(ds.ROIContourSequence).map((rc) => ({
    number: Number(rc.ReferencedROINumber),
    name: names.get(Number(rc.ReferencedROINumber)) ?? `ROI ${rc.ReferencedROINumber}`,
    contours: asArray<any>(rc.ContourSequence).map((c) => ({ type: String(c.ContourGeometricType ?? ''), points: asArray<number>(c.ContourData).map(Number) })),
  }));
  const refFor = asArray<any>(ds.ReferencedFrameOfReferenceSequence)[0];
  const refSeries = asArray<any>(asArray<any>(refFor?.RTReferencedStudySequence)[0]?.RTReferencedSeriesSequence)[0]?.SeriesInstanceUID;
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

export interface RtstructRoi { label: number; name: string; color: [number, number, number]; interpretedType: string }

/** Writes an RTSTRUCT with one ROI per label present: CLOSED_PLANAR contours on every axial slice. */
export function writeRtstruct(labels: { dims: [number, number, number] } & Geometry & { data: ArrayLike<number> }, source: SourceSeries, rois: RtstructRoi[], opts: { seed?: string; seriesDescription?: string; created?: Date } = {}): ArrayBuffer {
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
  const created = dicomDateTime(opts.created ?? new Date());
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    Modality: 'RTSTRUCT',
    ...derivedPatientStudy(source),
    FrameOfReferenceUID: source.frameOfReferenceUid, PositionReferenceIndicator: '',
    SeriesInstanceUID: makeUid(key, 'rt-series'), SeriesNumber: '101', SeriesDescription: opts.seriesDescription ?? 'Structures (RTSTRUCT)',
    InstanceNumber: '1', Manufacturer: 'psma-dose-preview', OperatorsName: '',
    StructureSetLabel: 'STRUCTURES', StructureSetName: 'psma-dose-preview', StructureSetDate: created.date, StructureSetTime: created.time,
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
