// One ROI as a self-contained, transferable task for the worker pool: the image cropped to the ROI box
// (plus the margin the processing chain needs), so messages scale with the ROI, not the image.
import type { Vec3, Volume } from '../volume';
import { indexToWorld } from '../volume';
import { computeFeatures, type FeatureOptions, type FeatureResult } from './engine';
import type { RadiomicsSettings } from './settings';
import { PEAK_RADIUS_MM } from './localIntensity';

export interface RoiTask {
  id: string;
  image: Volume<Float32Array>;
  mask: Uint8Array;
  settings: RadiomicsSettings;
  options?: Omit<FeatureOptions, 'references'> & { references?: Record<string, number> };
}

export interface RoiResult { id: string; result?: FeatureResult; error?: string }

export interface CroppedRoi { image: Volume<Float32Array>; mask: Uint8Array }

/** Image and mask (voxels where `inside(n)`) cut to the box lo…hi grown by `marginMm`, clamped to the image. */
function cutBox(image: Volume, lo: Vec3, hi: Vec3, marginMm: number, inside: (n: number) => boolean): CroppedRoi {
  const [nx, ny] = image.dims;
  const a: Vec3 = [0, 0, 0], b: Vec3 = [0, 0, 0];
  for (let x = 0; x < 3; x++) {
    const m = Math.ceil(marginMm / image.spacing[x]);
    a[x] = Math.max(0, lo[x] - m); b[x] = Math.min(image.dims[x] - 1, hi[x] + m);
  }
  const d: Vec3 = [b[0] - a[0] + 1, b[1] - a[1] + 1, b[2] - a[2] + 1];
  const data = new Float32Array(d[0] * d[1] * d[2]), m8 = new Uint8Array(data.length);
  const src = image.data, slope = image.slope ?? 1, icpt = image.intercept ?? 0;
  let o = 0;
  for (let k = a[2]; k <= b[2]; k++) for (let j = a[1]; j <= b[1]; j++) {
    const row = nx * (j + ny * k);
    for (let i = a[0]; i <= b[0]; i++, o++) {
      const n = row + i;
      data[o] = src[n] * slope + icpt;
      if (inside(n)) m8[o] = 1;
    }
  }
  return {
    image: { dims: d, spacing: [...image.spacing], origin: indexToWorld(image, a[0], a[1], a[2]), direction: [...image.direction], data, unit: image.unit },
    mask: m8,
  };
}

/** Crops image and mask to the mask's bounding box plus `marginMm` (default: peak sphere + interpolation support). */
export function cropToRoi(image: Volume, mask: Uint8Array, marginMm = PEAK_RADIUS_MM + 8): CroppedRoi {
  const [nx, ny, nz] = image.dims;
  const lo: Vec3 = [nx, ny, nz], hi: Vec3 = [-1, -1, -1];
  for (let k = 0, n = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    if (!mask[n]) continue;
    if (i < lo[0]) lo[0] = i; if (i > hi[0]) hi[0] = i;
    if (j < lo[1]) lo[1] = j; if (j > hi[1]) hi[1] = j;
    if (k < lo[2]) lo[2] = k; if (k > hi[2]) hi[2] = k;
  }
  if (hi[0] < 0) throw new Error('the ROI mask is empty');
  return cutBox(image, lo, hi, marginMm, (n) => mask[n] !== 0);
}

/**
 * The ROIs of several labels of a label map (same grid as `image`) in one pass over the map: each label's
 * box, then its crop, without a full-size mask per label. Labels without voxels are absent from the result.
 */
export function cropLabels(image: Volume, labels: Volume, wanted: number[], marginMm = PEAK_RADIUS_MM + 8): Map<number, CroppedRoi> {
  if (labels.data.length !== image.data.length) throw new Error(`the label map has ${labels.data.length} voxels but the image has ${image.data.length}: geometries differ`);
  const [nx, ny, nz] = image.dims;
  // Slot of each wanted label, by label value (labels are small non-negative integers in label maps).
  const top = Math.max(0, ...wanted.filter((l) => Number.isInteger(l) && l >= 0 && l < 1 << 20));
  const slot = new Int32Array(top + 1).fill(-1);
  wanted.forEach((l, s) => { if (Number.isInteger(l) && l >= 0 && l <= top) slot[l] = s; });
  const lo = new Int32Array(3 * wanted.length).fill(0x7fffffff), hi = new Int32Array(3 * wanted.length).fill(-1);
  const lab = labels.data;
  for (let k = 0, n = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    const l = lab[n];
    if (!l || l > top || l < 0) continue;
    const s = slot[l];
    if (s < 0) continue;
    const o = 3 * s;
    if (i < lo[o]) lo[o] = i; if (i > hi[o]) hi[o] = i;
    if (j < lo[o + 1]) lo[o + 1] = j; if (j > hi[o + 1]) hi[o + 1] = j;
    if (k < lo[o + 2]) lo[o + 2] = k; if (k > hi[o + 2]) hi[o + 2] = k;
  }
  const out = new Map<number, CroppedRoi>();
  wanted.forEach((l, s) => {
    const o = 3 * s;
    if (hi[o] < 0) return;
    out.set(l, cutBox(image, [lo[o], lo[o + 1], lo[o + 2]], [hi[o], hi[o + 1], hi[o + 2]], marginMm, (n) => lab[n] === l));
  });
  return out;
}

export function runTask(task: RoiTask): RoiResult {
  try {
    return { id: task.id, result: computeFeatures(task.image, task.mask, task.settings, { ...task.options, references: undefined }) };
  } catch (e) {
    return { id: task.id, error: (e as Error).message };
  }
}
