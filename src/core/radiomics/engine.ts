// The feature engine: image + label mask + settings → IBSI diagnostics and features (+ PET uptake).
import { toFloat32, type Vec3, type Volume } from '../volume';
import { discretise, interpolate, interpolateMask, resegment, roundIntensities } from './preprocess';
import type { RadiomicsSettings } from './settings';
import { forEachSphereMean, PEAK_RADIUS_MM } from './localIntensity';
import { FEATURE_FAMILIES, type Family, type FamilyInput } from './families';
import type { DiscretisedRoi, FeatureValues, TextureRequest } from './types';

export type { Family };

export class FeatureError extends Error {}

export interface FeatureResult {
  settings: Record<string, unknown>;
  diagnostics: Record<string, number>;
  features: Record<string, number | null>;
  uptake?: Record<string, number | null>;
  warnings: string[];
}

export interface FeatureOptions {
  /** Reference regions for uptake ratios: name → mask of the same grid (1 = inside). */
  references?: Record<string, Uint8Array>;
  /** Compute PET uptake metrics (image in SUV). */
  uptake?: boolean;
  /** Families to compute (default all). */
  families?: Family[];
}

function box(mask: Uint8Array, dims: Vec3): { lo: Vec3; hi: Vec3; count: number } {
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-1, -1, -1];
  let count = 0;
  const [nx, ny] = dims;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    count++;
    const p = [n % nx, Math.floor(n / nx) % ny, Math.floor(n / (nx * ny))];
    for (let a = 0; a < 3; a++) { if (p[a] < lo[a]) lo[a] = p[a]; if (p[a] > hi[a]) hi[a] = p[a]; }
  }
  return { lo, hi, count };
}

function crop<T extends Float32Array | Uint8Array>(a: T, dims: Vec3, lo: Vec3, hi: Vec3): T {
  const d: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const out = new (a.constructor as new (n: number) => T)(d[0] * d[1] * d[2]);
  let o = 0;
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) {
    const row = dims[0] * (j + dims[1] * k);
    out.set(a.subarray(row + lo[0], row + hi[0] + 1) as never, o);
    o += d[0];
  }
  return out;
}

function maskStats(prefix: string, suffix: string, mask: Uint8Array, img: Float32Array, dims: Vec3, withIntensity: boolean, out: Record<string, number>, gridDims: Vec3 = dims) {
  const b = box(mask, dims);
  out[`${prefix}_dim_x_${suffix}`] = gridDims[0]; out[`${prefix}_dim_y_${suffix}`] = gridDims[1]; out[`${prefix}_dim_z_${suffix}`] = gridDims[2];
  out[`${prefix}_bb_dim_x_${suffix}`] = b.count ? b.hi[0] - b.lo[0] + 1 : 0;
  out[`${prefix}_bb_dim_y_${suffix}`] = b.count ? b.hi[1] - b.lo[1] + 1 : 0;
  out[`${prefix}_bb_dim_z_${suffix}`] = b.count ? b.hi[2] - b.lo[2] + 1 : 0;
  out[`${prefix}_vox_count_${suffix}`] = b.count;
  if (withIntensity) {
    let s = 0, mn = Infinity, mx = -Infinity;
    for (let n = 0; n < mask.length; n++) if (mask[n]) { s += img[n]; mn = Math.min(mn, img[n]); mx = Math.max(mx, img[n]); }
    out[`${prefix}_mean_int_${suffix}`] = s / b.count; out[`${prefix}_min_int_${suffix}`] = mn; out[`${prefix}_max_int_${suffix}`] = mx;
  }
}

function imageStats(suffix: string, img: Float32Array, dims: Vec3, spacing: Vec3, out: Record<string, number>) {
  out[`img_dim_x_${suffix}`] = dims[0]; out[`img_dim_y_${suffix}`] = dims[1]; out[`img_dim_z_${suffix}`] = dims[2];
  out[`vox_dim_x_${suffix}`] = spacing[0]; out[`vox_dim_y_${suffix}`] = spacing[1]; out[`vox_dim_z_${suffix}`] = spacing[2];
  let s = 0, mn = Infinity, mx = -Infinity;
  for (const v of img) { s += v; if (v < mn) mn = v; if (v > mx) mx = v; }
  out[`mean_int_${suffix}`] = s / img.length; out[`min_int_${suffix}`] = mn; out[`max_int_${suffix}`] = mx;
}

/** Extracts the mask of `label` (any non-zero when label is undefined). */
export function labelMask(mask: Volume, label?: number): Uint8Array {
  const out = new Uint8Array(mask.data.length);
  for (let n = 0; n < out.length; n++) out[n] = (label === undefined ? mask.data[n] !== 0 : mask.data[n] === label) ? 1 : 0;
  return out;
}

const MAX_GREY_LEVELS = 65535;

/**
 * The ROI's intensities must fall on the discretisation's grey levels 1…65535. Outside, the cause is nearly
 * always the image, not the settings: negative SUVs (a wrong weight, injected activity or time), Bq/mL or HU
 * read as SUV. The message names the value, the bins and what to check.
 */
function checkDiscretisable(values: Float64Array, settings: RadiomicsSettings, rangeMin: number | undefined): void {
  const d = settings.discretisation;
  if (d.method === 'FBN' || !values.length) return;
  let min = Infinity, max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  const fmt = (v: number) => String(+v.toPrecision(5));
  const from = d.method === 'FBS' ? d.min ?? rangeMin ?? min : 0;
  const width = d.method === 'FBS' ? d.width : 1;
  const level = (x: number) => (d.method === 'none' ? Math.round(x) : Math.floor((x - from) / width + 1e-9) + 1);
  const bins = d.method === 'FBS' ? `bins of ${fmt(width)} from ${fmt(from)} (profile "${settings.name}")` : `grey levels as given (no discretisation, profile "${settings.name}")`;
  const fix = 'or choose a discretisation that fits the image (--settings / --ibsi-config)';
  if (level(min) < 1) {
    throw new FeatureError(`the lowest intensity ${fmt(min)} in the ROI is below the discretisation minimum ${fmt(d.method === 'FBS' ? from : 1)} (${bins}): in a PET in SUV, negative values mean the SUV scaling is wrong (patient weight, injected activity or injection time) or the image is not SUV (e.g. a CT in HU); check them, ${fix}`);
  }
  if (level(max) > MAX_GREY_LEVELS) {
    throw new FeatureError(`the highest intensity ${fmt(max)} in the ROI gives ${level(max)} grey levels of ${bins}, more than ${MAX_GREY_LEVELS}: the image is probably not SUV (e.g. Bq/mL) or its SUV scaling is wrong (patient weight, injected activity or injection time); check them, ${fix}`);
  }
}

export function computeFeatures(image: Volume, roiMask: Uint8Array, settings: RadiomicsSettings, opts: FeatureOptions = {}): FeatureResult {
  const warnings: string[] = [];
  const families = opts.families && new Set(opts.families);
  if (roiMask.length !== image.data.length) throw new FeatureError(`mask has ${roiMask.length} voxels but the image has ${image.data.length}: geometries differ`);
  let img = toFloat32(image).data;
  for (let n = 0; n < img.length; n++) {
    if (!Number.isFinite(img[n]) && roiMask[n]) throw new FeatureError(`image has a non-finite value (${img[n]}) inside the ROI at voxel ${n}; features would be meaningless`);
  }
  const diagnostics: Record<string, number> = {};
  let dims: Vec3 = [...image.dims];
  let spacing: Vec3 = [...image.spacing];
  const init = box(roiMask, dims);
  if (!init.count) throw new FeatureError('the ROI mask is empty');
  // Work on a box around the ROI (plus margin for interpolation support and the 1 cm³ peak sphere).
  const margin = [0, 1, 2].map((a) => Math.ceil(PEAK_RADIUS_MM / spacing[a]) + 2);
  const lo: Vec3 = [0, 1, 2].map((a) => Math.max(0, init.lo[a] - margin[a])) as Vec3;
  const hi: Vec3 = [0, 1, 2].map((a) => Math.min(dims[a] - 1, init.hi[a] + margin[a])) as Vec3;
  imageStats('init_img', img, dims, spacing, diagnostics);
  maskStats('int_mask', 'init_roi', roiMask, img, dims, true, diagnostics);
  maskStats('morph_mask', 'init_roi', roiMask, img, dims, false, diagnostics);
  let mask: Uint8Array = roiMask;
  let gridDims: Vec3 = [...dims];
  const interp = settings.interpolation;
  if (interp) {
    // Interpolate the whole image grid (IBSI diagnostics describe the whole interpolated image).
    const target: Vec3 = interp.inPlaneOnly ? [interp.spacing[0], interp.spacing[1], 0] : interp.spacing;
    const r = interpolate(img, { dims, spacing }, target, interp.method);
    mask = interpolateMask(roiMask, { dims, spacing }, target, interp.method, interp.roiThreshold);
    img = r.data;
    if (interp.roundIntensities) roundIntensities(img);
    dims = r.grid.dims; spacing = r.grid.spacing;
    gridDims = [...dims];
    imageStats('interp_img', img, dims, spacing, diagnostics);
  } else {
    imageStats('interp_img', img, dims, spacing, diagnostics);
    img = crop(img, dims, lo, hi);
    mask = crop(roiMask, dims, lo, hi);
    dims = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  }
  const morph = mask;
  const intensity = resegment(morph, img, settings.resegmentation?.range, settings.resegmentation?.outliers3sd);
  if (interp) {
    maskStats('int_mask', 'interp_roi', morph, img, dims, true, diagnostics);
    maskStats('morph_mask', 'interp_roi', morph, img, dims, false, diagnostics);
  } else {
    for (const p of ['int_mask', 'morph_mask']) for (const k of Object.keys(diagnostics).filter((x) => x.startsWith(p) && x.endsWith('init_roi'))) diagnostics[k.replace('init_roi', 'interp_roi')] = diagnostics[k];
  }
  maskStats('int_mask', 'reseg_roi', intensity, img, dims, true, diagnostics, gridDims);
  maskStats('morph_mask', 'reseg_roi', morph, img, dims, false, diagnostics, gridDims);

  // Crop everything to the morphological mask box plus peak margin.
  const b = box(morph, dims);
  if (!b.count) throw new FeatureError('the ROI is empty after interpolation');
  const mg = [0, 1, 2].map((a) => Math.ceil(PEAK_RADIUS_MM / spacing[a]) + 1);
  const blo: Vec3 = [0, 1, 2].map((a) => Math.max(0, b.lo[a] - mg[a])) as Vec3;
  const bhi: Vec3 = [0, 1, 2].map((a) => Math.min(dims[a] - 1, b.hi[a] + mg[a])) as Vec3;
  const cImg = crop(img, dims, blo, bhi), cMorph = crop(morph, dims, blo, bhi), cInt = crop(intensity, dims, blo, bhi);
  const cDims: Vec3 = [bhi[0] - blo[0] + 1, bhi[1] - blo[1] + 1, bhi[2] - blo[2] + 1];
  const nInt = cInt.reduce((s, v) => s + v, 0);
  const features: Record<string, number | null> = {};
  if (!nInt) throw new FeatureError('no voxel is left in the ROI after re-segmentation');
  const values = new Float64Array(nInt);
  { let t = 0; for (let n = 0; n < cInt.length; n++) if (cInt[n]) values[t++] = cImg[n]; }
  // A single-slice *image* has no 3D neighbourhood; a thin ROI inside a 3D image still has 3D features.
  const singleSlice = image.dims[2] === 1;
  if (nInt === 1) warnings.push('the ROI has a single voxel: dispersion and texture features are degenerate');
  const rangeMin = settings.resegmentation?.range?.[0];
  const input: FamilyInput = { settings, dims: cDims, spacing, image: cImg, morphMask: cMorph, intensityMask: cInt, values, rangeMin, singleSlice, warnings };
  // Discretisation and the texture request are prepared once, when the first family needing them runs.
  let roi: DiscretisedRoi | undefined, request: TextureRequest | undefined;
  const discretised = () => {
    checkDiscretisable(values, settings, rangeMin);
    const disc = discretise(cImg, cInt, settings.discretisation, rangeMin);
    return { dims: cDims, spacing, levels: disc.levels, ng: disc.ng };
  };
  const textureRequest = (): TextureRequest => {
    const wanted = settings.textureDims ?? (settings.sliceWise === '2D' ? ['2D', '2.5D'] : ['3D']);
    const req: TextureRequest = { dims: singleSlice ? wanted.filter((d) => d !== '3D') : wanted };
    if (singleSlice && !req.dims.length) req.dims = ['2D', '2.5D'];
    if (settings.sliceWise === '3D' && singleSlice) warnings.push('texture: single-slice image, 3D texture not defined; 2D/2.5D computed instead');
    return req;
  };
  for (const f of FEATURE_FAMILIES) {
    if (families && !families.has(f.id)) continue;
    let out: FeatureValues;
    if (!f.discretised) out = f.compute(input);
    else if (!f.texture) out = f.compute(input, (roi ??= discretised()));
    else out = f.compute(input, (roi ??= discretised()), (request ??= textureRequest()));
    Object.assign(features, out);
  }
  for (const [k, v] of Object.entries(features)) if (v !== null && !Number.isFinite(v)) { features[k] = null; warnings.push(`${k}: not computable for this ROI (${v})`); }

  const result: FeatureResult = { settings: { ...settings }, diagnostics, features, warnings };
  if (opts.uptake) result.uptake = uptakeMetrics(image, roiMask, opts.references ?? {}, warnings);
  return result;
}

/** PET uptake on the original grid: SUVmax/mean/peak, volume (voxel counting), TLU and reference ratios. */
export function uptakeMetrics(image: Volume, mask: Uint8Array, refs: Record<string, Uint8Array>, warnings: string[]): Record<string, number | null> {
  const img = toFloat32(image).data;
  let n = 0, s = 0, mx = -Infinity;
  for (let v = 0; v < mask.length; v++) if (mask[v]) { n++; s += img[v]; if (img[v] > mx) mx = img[v]; }
  const mean = s / n;
  const volumeMl = (n * image.spacing[0] * image.spacing[1] * image.spacing[2]) / 1000;
  let peak: number | null = null;
  if (image.dims[2] < 2) warnings.push('suvpeak: a 1 cm³ sphere needs a 3-D image (single slice given)');
  else {
    let best = -Infinity;
    forEachSphereMean(img, mask, image.dims, image.spacing, (_, m) => { if (m > best) best = m; });
    peak = best;
  }
  const out: Record<string, number | null> = { suvmax: mx, suvmean: mean, suvpeak: peak, volume_ml: volumeMl, tlu: mean * volumeMl };
  for (const [name, rm] of Object.entries(refs)) {
    let rs = 0, rn = 0;
    for (let v = 0; v < rm.length; v++) if (rm[v]) { rs += img[v]; rn++; }
    if (!rn) { out[`ratio_${name}`] = null; warnings.push(`reference region ${name} is empty`); continue; }
    out[`ratio_${name}`] = mean / (rs / rn);
  }
  return out;
}
