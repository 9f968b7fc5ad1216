// Intensity histogram (IBSI family ZVCW) on discretised grey levels 1…Ng.
import { firstOrder } from './statistics';
import type { FeatureValues } from './types';

export function histogramFeatures(levels: Float64Array, ng: number): FeatureValues {
  const n = levels.length;
  const h = new Float64Array(ng + 2);
  for (let t = 0; t < n; t++) h[levels[t]]++;
  // Grey levels are integers 1…Ng: the histogram is the sort (counting sort).
  const sorted = new Float64Array(n);
  for (let l = 1, t = 0; l <= ng; l++) sorted.fill(l, t, (t += h[l]));
  const f = firstOrder(levels, sorted);
  const out: FeatureValues = {};
  for (const [k, v] of Object.entries(f)) if (k !== 'energy' && k !== 'rms') out[`ih_${k}`] = v;
  let mode = 1;
  for (let i = 1; i <= ng; i++) if (h[i] > h[mode]) mode = i;
  out.ih_mode = mode; // AMMC
  let entropy = 0, uniformity = 0;
  for (let i = 1; i <= ng; i++) {
    const p = h[i] / n;
    if (p > 0) entropy -= p * Math.log2(p);
    uniformity += p * p;
  }
  out.ih_entropy = entropy; // TLU2
  out.ih_uniformity = uniformity; // BJ5W
  // Histogram gradient: central differences, one-sided at the ends.
  let maxG = -Infinity, maxGi = 1, minG = Infinity, minGi = 1;
  for (let i = 1; i <= ng; i++) {
    const g = ng === 1 ? 0 : i === 1 ? h[2] - h[1] : i === ng ? h[ng] - h[ng - 1] : (h[i + 1] - h[i - 1]) / 2;
    if (g > maxG) { maxG = g; maxGi = i; }
    if (g < minG) { minG = g; minGi = i; }
  }
  out.ih_max_grad = maxG; // 12CE
  out.ih_max_grad_g = maxGi; // 8E6O
  out.ih_min_grad = minG; // VQB3
  out.ih_min_grad_g = minGi; // RHQZ
  return out;
}
