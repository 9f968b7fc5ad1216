// Checks an image header before it is trusted: everything the volume reader allocates from or multiplies by
// (size, pixel data length for the BitsAllocated given, rescale, pixel spacing, orientation, slice stacking).
// One place, used by the viewer and every CLI through seriesToVolume. A message names the file, the
// attribute, the value found, what is allowed and what to do.
import type { DicomInstance } from './read';
import type { Vec3 } from '../volume';

/** The largest image the reader builds (voxels), and the largest single slice: a whole-body CT is ~300 M voxels. */
export const MAX_VOXELS = 512 * 512 * 2000;
export const MAX_SLICE_PIXELS = 4096 * 4096;

/** A header that cannot be trusted (a DicomError to callers). */
export class DicomError extends Error {}

const num = (v: unknown) => (Array.isArray(v) ? v.map(Number) : v === undefined || v === '' ? [] : [Number(v)]);
const show = (v: unknown) => (v === undefined ? 'absent' : v === null || v === '' ? 'empty (or not a number)' : `"${Array.isArray(v) ? v.join('\\') : String(v)}"`);

/** Rows, Columns, samples and bits of one instance: refused unless the reader can take them. */
export function checkPixelModule(i: DicomInstance): { rows: number; cols: number; bits: 8 | 16 | 32 } {
  const a = i.attrs;
  const rows = Number(a.Rows), cols = Number(a.Columns), bits = Number(a.BitsAllocated);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new DicomError(`${i.name}: Rows ${show(a.Rows)} / Columns ${show(a.Columns)}: positive whole numbers are needed`);
  if (rows * cols > MAX_SLICE_PIXELS) throw new DicomError(`${i.name}: a ${cols}×${rows} slice is larger than the ${Math.sqrt(MAX_SLICE_PIXELS)}×${Math.sqrt(MAX_SLICE_PIXELS)} this viewer reads`);
  if (bits !== 8 && bits !== 16 && bits !== 32) throw new DicomError(`${i.name}: BitsAllocated ${show(a.BitsAllocated)} is not supported (8, 16 or 32)`);
  const stored = a.BitsStored === undefined ? bits : Number(a.BitsStored);
  if (!(stored >= 1 && stored <= bits)) throw new DicomError(`${i.name}: BitsStored ${show(a.BitsStored)} does not fit BitsAllocated ${bits}`);
  const samples = a.SamplesPerPixel === undefined ? 1 : Number(a.SamplesPerPixel);
  if (samples !== 1) throw new DicomError(`${i.name}: SamplesPerPixel ${show(a.SamplesPerPixel)}: only greyscale images (1 sample) can be quantified`);
  return { rows, cols, bits };
}

/** The pixel data must be exactly one frame of the declared size (one padding byte allowed). */
export function checkPixelLength(i: DicomInstance, rows: number, cols: number, bits: number): void {
  const expected = rows * cols * (bits / 8);
  const got = i.pixels?.byteLength ?? 0;
  if (got === expected || got === expected + 1) return;
  const hint = got === 2 * expected ? ' (the data look like 16-bit pixels: BitsAllocated is probably wrong)' : got === expected / 2 ? ' (the data look like 8-bit pixels)' : '';
  throw new DicomError(`${i.name}: pixel data is ${got} bytes, but ${cols}×${rows} pixels of BitsAllocated ${bits} need ${expected}${hint}; the file is damaged or its header is wrong`);
}

/** RescaleSlope and RescaleIntercept: absent means 1 and 0; present, they must be finite numbers and the slope non-zero. */
export function rescaleOf(i: DicomInstance): { slope: number; intercept: number } {
  const a = i.attrs;
  // An empty value (null) is not a number either: both are Type 1 where they appear.
  const value = (v: unknown, absent: number) => (v === undefined ? absent : v === null || v === '' ? NaN : Number(v));
  const slope = value(a.RescaleSlope, 1), intercept = value(a.RescaleIntercept, 0);
  if (!Number.isFinite(slope) || slope === 0) throw new DicomError(`${i.name}: RescaleSlope ${show(a.RescaleSlope)} cannot scale pixel values (a finite, non-zero number is needed); the values would be wrong, so the series is not read`);
  if (!Number.isFinite(intercept)) throw new DicomError(`${i.name}: RescaleIntercept ${show(a.RescaleIntercept)} is not a number; the values would be wrong, so the series is not read`);
  return { slope, intercept };
}

/** PixelSpacing (row, column spacing in mm): present and positive, never assumed. */
export function pixelSpacingOf(i: DicomInstance): [number, number] {
  const ps = num(i.attrs.PixelSpacing);
  if (ps.length !== 2 || ps.some((v) => !(v > 0) || !Number.isFinite(v))) {
    throw new DicomError(`${i.name}: PixelSpacing ${show(i.attrs.PixelSpacing)}: two positive numbers (mm) are needed; without them volumes and every size-based feature would be wrong`);
  }
  return [ps[0], ps[1]];
}

/** ImageOrientationPatient: two orthonormal direction cosines (oblique is fine: the volume keeps its direction). */
export function orientationOf(i: DicomInstance): { row: Vec3; col: Vec3; normal: Vec3 } {
  const iop = num(i.attrs.ImageOrientationPatient);
  if (iop.length !== 6 || iop.some((v) => !Number.isFinite(v))) throw new DicomError(`${i.name}: ImageOrientationPatient ${show(i.attrs.ImageOrientationPatient)}: six numbers are needed`);
  const row: Vec3 = [iop[0], iop[1], iop[2]], col: Vec3 = [iop[3], iop[4], iop[5]];
  const len = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);
  const dot = row[0] * col[0] + row[1] * col[1] + row[2] * col[2];
  if (Math.abs(len(row) - 1) > 1e-3 || Math.abs(len(col) - 1) > 1e-3 || Math.abs(dot) > 1e-3) {
    throw new DicomError(`${i.name}: ImageOrientationPatient ${show(i.attrs.ImageOrientationPatient)} is not two orthogonal unit vectors (lengths ${len(row).toFixed(4)}, ${len(col).toFixed(4)}; dot ${dot.toFixed(4)})`);
  }
  const normal: Vec3 = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
  return { row, col, normal };
}

/**
 * Slices must stack along the normal of their planes: a sheared stack (gantry tilt, or a reformat) offsets
 * each slice in plane. `positions` in slice order.
 */
export function checkStacking(what: string, positions: Vec3[], normal: Vec3): void {
  if (positions.length < 2) return;
  const first = positions[0], last = positions[positions.length - 1];
  const d: Vec3 = [last[0] - first[0], last[1] - first[1], last[2] - first[2]];
  const along = d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2];
  const across = Math.hypot(d[0] - along * normal[0], d[1] - along * normal[1], d[2] - along * normal[2]);
  const angle = (Math.atan2(across, Math.abs(along)) * 180) / Math.PI;
  if (angle > 0.1) {
    throw new DicomError(`${what}: the slices are not stacked along their normal (sheared by ${angle.toFixed(1)}°, e.g. a CT with gantry tilt); reading it as a box would misplace every voxel: resample it to an orthogonal grid first (e.g. dcm2niix corrects gantry tilt)`);
  }
}

/** The whole image must fit the reader's ceiling before anything is allocated. */
export function checkVolumeSize(what: string, cols: number, rows: number, slices: number): void {
  const voxels = cols * rows * slices;
  if (voxels > MAX_VOXELS) throw new DicomError(`${what}: ${cols}×${rows}×${slices} = ${(voxels / 1e6).toFixed(0)} M voxels is more than the ${(MAX_VOXELS / 1e6).toFixed(0)} M this viewer reads; load a smaller series (e.g. one bed position or a coarser reconstruction)`);
}
