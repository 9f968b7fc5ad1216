// RTSTRUCT reading: CLOSED_PLANAR contours rasterised onto a voxel grid (voxel centres inside the polygon,
// even–odd rule so holes and nested contours work; contours on one slice are combined by XOR).
import type { Geometry } from '../volume';
import { worldToIndex, indexToWorld } from '../volume';
import { asArray, readDicomObject } from '../dicom/read';
import { derivedPatientStudy, dicomDateTime, ds, makeUid, sourceImageRef, toPart10, type SourceSeries } from '../dicom/write';
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
  let outside = 0, partly = 0, offPlane = 0, crossing = 0;
  for (const c of roi.contours) {
    if (c.type !== 'CLOSED_PLANAR') {
      warnings.push(`${roi.name}: ${c.type || 'untyped'} contour skipped (only CLOSED_PLANAR encloses a region)`);
      continue;
    }
    const n = c.points.length / 3;
    if (n < 3) { warnings.push(`${roi.name}: contour with ${n} points skipped`); continue; }
    const ij: number[] = [];
    const ks: number[] = [];
    for (let p = 0; p < n; p++) {
      const idx = worldToIndex(grid, [c.points[3 * p], c.points[3 * p + 1], c.points[3 * p + 2]]);
      ij.push(idx[0], idx[1]);
      ks.push(idx[2]);
    }
    const k = Math.round(ks.reduce((a, b) => a + b, 0) / n);
    if (k < 0 || k >= nz) { outside++; continue; }
    if (ks.some((v) => Math.abs(v - k) > 0.5)) offPlane++;
    if (ij.some((v, q) => v < -0.5 || v > (q % 2 ? ny : nx) - 0.5)) partly++;
    if (selfIntersects(ij)) crossing++;
    // Scanline fill of voxel centres (even–odd), XOR into the slice.
    slice.fill(0);
    scanPolygon(ij, nx, ny, (i, j) => { slice[i + nx * j] = 1; });
    const base = nx * ny * k;
    for (let v = 0; v < nx * ny; v++) if (slice[v]) mask[base + v] ^= 1;
  }
  const of = (m: number) => `${m} of ${roi.contours.length} contour${roi.contours.length > 1 ? 's' : ''}`;
  if (outside) warnings.push(`${roi.name}: ${of(outside)} lie outside the image and were left out`);
  if (partly) warnings.push(`${roi.name}: ${of(partly)} reach beyond the image edge; the part outside was cut`);
  if (offPlane) warnings.push(`${roi.name}: ${of(offPlane)} do not lie in one image slice (tilted contours); each was filled on its nearest slice`);
  if (crossing) warnings.push(`${roi.name}: ${of(crossing)} cross themselves; filled by the even–odd rule, check the region`);
  return { mask, warnings };
}

/**
 * Whether a closed polygon (x0, y0, x1, y1 … in voxel units) crosses itself with a loop of at least `minArea`
 * voxels: the sub-voxel loops hand-drawn clinical contours often have (the IBSI CT phantom's GTV has three)
 * change no voxel and are not reported.
 */
export function selfIntersects(xy: number[], minArea = 1): boolean {
  const n = xy.length / 2;
  if (n < 4 || n > 5000) return false; // a triangle cannot cross itself; very long contours are not checked
  const x = (i: number) => xy[2 * (i % n)], y = (i: number) => xy[2 * (i % n) + 1];
  const cross = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  let total = 0;
  for (let i = 0; i < n; i++) total += x(i) * y(i + 1) - x(i + 1) * y(i);
  total = Math.abs(total) / 2;
  for (let a = 0; a < n; a++) {
    const ax = x(a), ay = y(a), bx = x(a + 1), by = y(a + 1);
    const minX = Math.min(ax, bx), maxX = Math.max(ax, bx), minY = Math.min(ay, by), maxY = Math.max(ay, by);
    for (let b = a + 2; b < n; b++) {
      if (a === 0 && b === n - 1) continue; // adjacent through the closing edge
      const cx = x(b), cy = y(b), dx = x(b + 1), dy = y(b + 1);
      if (Math.max(cx, dx) < minX || Math.min(cx, dx) > maxX || Math.max(cy, dy) < minY || Math.min(cy, dy) > maxY) continue;
      const d1 = cross(ax, ay, bx, by, cx, cy), d2 = cross(ax, ay, bx, by, dx, dy);
      const d3 = cross(cx, cy, dx, dy, ax, ay), d4 = cross(cx, cy, dx, dy, bx, by);
      if (!(d1 * d2 < 0 && d3 * d4 < 0)) continue;
      // The loop cut off by the crossing: the intersection point, then vertices a+1 … b.
      const t = d1 / (d1 - d2), px = cx + t * (dx - cx), py = cy + t * (dy - cy);
      let loop = 0, qx = px, qy = py;
      for (let v = a + 1; v <= b; v++) { loop += qx * y(v) - x(v) * qy; qx = x(v); qy = y(v); }
      loop = Math.abs(loop + qx * py - px * qy) / 2;
      if (Math.min(loop, Math.abs(total - loop)) >= minArea) return true;
    }
  }
  return false;
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
  const imageRef = (k: number) => sourceImageRef(source, k);
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
