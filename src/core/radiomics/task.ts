// One ROI as a self-contained, transferable task for the worker pool: the image cropped to the ROI box
// (plus the margin the processing chain needs), so messages scale with the ROI, not the image.
import type { Vec3, Volume } from '../volume';
import { indexToWorld, valueAt } from '../volume';
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

/** Crops image and mask to the mask's bounding box plus `marginMm` (default: peak sphere + interpolation support). */
export function cropToRoi(image: Volume, mask: Uint8Array, marginMm = PEAK_RADIUS_MM + 8): { image: Volume<Float32Array>; mask: Uint8Array } {
  const [nx, ny, nz] = image.dims;
  const lo: Vec3 = [nx, ny, nz], hi: Vec3 = [-1, -1, -1];
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const p = [n % nx, Math.floor(n / nx) % ny, Math.floor(n / (nx * ny))];
    for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], p[a]); hi[a] = Math.max(hi[a], p[a]); }
  }
  if (hi[0] < 0) throw new Error('the ROI mask is empty');
  for (let a = 0; a < 3; a++) {
    const m = Math.ceil(marginMm / image.spacing[a]);
    lo[a] = Math.max(0, lo[a] - m); hi[a] = Math.min(image.dims[a] - 1, hi[a] + m);
  }
  const d: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const data = new Float32Array(d[0] * d[1] * d[2]), m8 = new Uint8Array(data.length);
  let o = 0;
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++, o++) {
    const n = i + nx * (j + ny * k);
    data[o] = valueAt(image, n);
    m8[o] = mask[n];
  }
  return {
    image: { dims: d, spacing: [...image.spacing], origin: indexToWorld(image, lo[0], lo[1], lo[2]), direction: [...image.direction], data, unit: image.unit },
    mask: m8,
  };
}

export function runTask(task: RoiTask): RoiResult {
  try {
    return { id: task.id, result: computeFeatures(task.image, task.mask, task.settings, { ...task.options, references: undefined }) };
  } catch (e) {
    return { id: task.id, error: (e as Error).message };
  }
}
