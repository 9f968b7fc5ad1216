// RTSTRUCT reading: CLOSED_PLANAR contours rasterised onto a voxel grid (voxel centres inside the polygon,
// even–odd rule so holes and nested contours work; contours on one slice are combined by XOR).
import dcmjs from 'dcmjs';
import type { Geometry } from '../volume';
import { worldToIndex } from '../volume';

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
    let jMin = Infinity, jMax = -Infinity;
    for (let p = 0; p < n; p++) { jMin = Math.min(jMin, ij[2 * p + 1]); jMax = Math.max(jMax, ij[2 * p + 1]); }
    for (let j = Math.max(0, Math.ceil(jMin)); j <= Math.min(ny - 1, Math.floor(jMax)); j++) {
      const xs: number[] = [];
      for (let p = 0; p < n; p++) {
        const q = (p + 1) % n;
        const y0 = ij[2 * p + 1], y1 = ij[2 * q + 1];
        if ((y0 <= j && y1 > j) || (y1 <= j && y0 > j)) {
          xs.push(ij[2 * p] + ((j - y0) / (y1 - y0)) * (ij[2 * q] - ij[2 * p]));
        }
      }
      xs.sort((a, b) => a - b);
      for (let t = 0; t + 1 < xs.length; t += 2) {
        for (let i = Math.max(0, Math.ceil(xs[t])); i <= Math.min(nx - 1, Math.floor(xs[t + 1])); i++) slice[i + nx * j] = 1;
      }
    }
    const base = nx * ny * k;
    for (let v = 0; v < nx * ny; v++) if (slice[v]) mask[base + v] ^= 1;
  }
  return { mask, warnings };
}
