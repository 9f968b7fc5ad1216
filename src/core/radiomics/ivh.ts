// Intensity-volume histogram (IBSI family P88C).
import type { FeatureValues } from './types';
import type { RadiomicsSettings } from './settings';

export interface IvhGrid {
  /** Lowest and highest intensity of the grid and its step (1 for discrete HU or bin numbers). */
  min: number;
  max: number;
  step: number;
}

/**
 * values: intensities as used for the IVH (discrete HU, bin numbers, or bin centres).
 * V(i) = fraction of voxels with intensity ≥ i; γ(i) = (i − min)/(max − min).
 */
export function ivhFeatures(values: Float64Array, grid: IvhGrid): FeatureValues {
  const n = values.length;
  const nb = Math.round((grid.max - grid.min) / grid.step) + 1;
  const counts = new Float64Array(nb + 1);
  // An indexed loop: until V8 optimises it (the first large ROI runs interpreted), for…of costs an iterator step per value.
  for (let t = 0; t < n; t++) {
    const b = Math.min(nb - 1, Math.max(0, Math.round((values[t] - grid.min) / grid.step)));
    counts[b]++;
  }
  // Fraction at or above each grid intensity.
  const frac = new Float64Array(nb + 1);
  for (let b = nb - 1; b >= 0; b--) frac[b] = frac[b + 1] + counts[b] / n;
  const span = grid.max - grid.min;
  const gamma = (b: number) => (span === 0 ? 0 : (b * grid.step) / span);
  const vAt = (x: number) => {
    for (let b = 0; b < nb; b++) if (gamma(b) >= x - 1e-12) return frac[b];
    return 0;
  };
  const iAt = (x: number) => {
    for (let b = 0; b < nb; b++) if (frac[b] <= x + 1e-12) return grid.min + b * grid.step;
    return grid.max + grid.step;
  };
  const v10 = vAt(0.1), v90 = vAt(0.9), i10 = iAt(0.1), i90 = iAt(0.9);
  let auc = 0;
  for (let b = 1; b < nb; b++) auc += ((frac[b] + frac[b - 1]) / 2) * (gamma(b) - gamma(b - 1));
  return {
    ivh_v10: v10, // BC2M (V10)
    ivh_v90: v90, // BC2M (V90)
    ivh_i10: i10, // GBPN (I10)
    ivh_i90: i90, // GBPN (I90)
    ivh_diff_v10_v90: v10 - v90, // DDTU
    ivh_diff_i10_i90: i10 - i90, // CNV2
    ivh_auc: auc, // 9CMM (no reference value)
  };
}

/** IVH on the grid the settings choose: discrete intensities, fixed-bin-size centres or fixed bin numbers. */
export function ivhWithSettings(values: Float64Array, s: RadiomicsSettings, rangeMin?: number): FeatureValues {
  let mn = Infinity, mx = -Infinity;
  for (let t = 0; t < values.length; t++) { const v = values[t]; mn = Math.min(mn, v); mx = Math.max(mx, v); }
  const range = s.resegmentation?.range;
  if (s.ivh.method === 'none') {
    const grid: IvhGrid = range ? { min: range[0], max: range[1], step: s.ivh.step } : { min: mn, max: mx, step: s.ivh.step };
    return ivhFeatures(values, grid);
  }
  if (s.ivh.method === 'FBS-centres') {
    const { width: w } = s.ivh;
    const min = s.ivh.min ?? rangeMin ?? mn;
    const centres = values.map((v) => min + (Math.floor((v - min) / w + 1e-9) + 0.5) * w);
    let top = -Infinity;
    if (range) top = min + (Math.floor((range[1] - min) / w + 1e-9) + 0.5) * w;
    else for (const c of centres) if (c > top) top = c;
    return ivhFeatures(centres, { min: min + 0.5 * w, max: top, step: w });
  }
  const bins = s.ivh.bins;
  const lv = values.map((v) => (mx === mn ? 1 : Math.min(bins, Math.floor((bins * (v - mn)) / (mx - mn)) + 1)));
  return ivhFeatures(lv, { min: 1, max: bins, step: 1 });
}
