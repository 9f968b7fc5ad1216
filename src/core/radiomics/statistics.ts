// Intensity-based statistics (IBSI family UHIW) and the intensity histogram (ZVCW) share the
// moment/percentile helpers here; histogram.ts adds the histogram-only features.
import type { FeatureValues } from './types';

/** Linear-interpolation percentile (numpy default) of a sorted array. */
function percentileSorted(s: Float64Array, q: number): number {
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** The statistics common to UHIW and ZVCW, keyed without prefix; `sorted`: the values in order, if known. */
export function firstOrder(values: Float64Array, sorted?: Float64Array): Record<string, number> {
  const n = values.length;
  const s = sorted ?? values.slice().sort();
  let sum = 0, energy = 0;
  // Indexed loops: until V8 optimises them (the first large ROI runs interpreted), for…of costs an
  // iterator step per value.
  for (let t = 0; t < n; t++) { const v = values[t]; sum += v; energy += v * v; }
  const mean = sum / n;
  let m2 = 0, m3 = 0, m4 = 0, mad = 0;
  for (let t = 0; t < n; t++) {
    const d = values[t] - mean;
    m2 += d * d; m3 += d * d * d; m4 += d * d * d * d; mad += Math.abs(d);
  }
  m2 /= n; m3 /= n; m4 /= n; mad /= n;
  const median = percentileSorted(s, 0.5);
  const p10 = percentileSorted(s, 0.1), p90 = percentileSorted(s, 0.9);
  const p25 = percentileSorted(s, 0.25), p75 = percentileSorted(s, 0.75);
  let rSum = 0, rN = 0;
  for (let t = 0; t < n; t++) { const v = values[t]; if (v >= p10 && v <= p90) { rSum += v; rN++; } }
  const rMean = rSum / rN;
  let rmad = 0, medad = 0;
  for (let t = 0; t < n; t++) {
    const v = values[t];
    if (v >= p10 && v <= p90) rmad += Math.abs(v - rMean);
    medad += Math.abs(v - median);
  }
  return {
    mean, // Q4LE / X6K6
    var: m2, // ECT3 / CH89
    skew: m2 === 0 ? 0 : m3 / Math.pow(m2, 1.5), // KE2A / 88K1
    kurt: m2 === 0 ? 0 : m4 / (m2 * m2) - 3, // IPH6 / C3I7
    median, // Y12H / WIFQ
    min: s[0], // 1GSF / 1PR8
    p10, // QG58 / GPMT
    p90, // 8DWT / OZ0C
    max: s[n - 1], // 84IY / 3NCY
    iqr: p75 - p25, // SALO / WR0O
    range: s[n - 1] - s[0], // 2OJQ / 5Z3W
    mad, // 4FUA / D2ZX
    rmad: rmad / rN, // 1128 / WRZB
    medad: medad / n, // N72L / 4RNL
    cov: Math.sqrt(m2) / mean, // 7TET / CWYJ
    qcod: (p75 - p25) / (p75 + p25), // 9S40 / SLWD
    energy, // N8CA (statistics only)
    rms: Math.sqrt(energy / n), // 5ZWQ (statistics only)
  };
}

/** Intensity-based statistics (UHIW) over the intensity-mask voxel values. */
export function statisticsFeatures(values: Float64Array): FeatureValues {
  const f = firstOrder(values);
  const out: FeatureValues = {};
  for (const [k, v] of Object.entries(f)) out[`stat_${k}`] = v;
  return out;
}
