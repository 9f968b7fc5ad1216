// Grey level co-occurrence matrix (IBSI family LFYI): symmetric, Chebyshev distance δ, 2D/2.5D/3D.
// Counts are integers in Int32Arrays sized Ng × Ng (one per direction), filled in one pass over the voxels
// for all directions at once; the symmetric matrix is C + Cᵀ, read off the upper triangle. Most features
// come from the marginal, sum and difference distributions, so only the matrix pass touches Ng² cells.
import { DIRECTIONS_2D, DIRECTIONS_3D, withSuffix, wants } from './texture';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

/** Feature names in output order, with their IBSI codes. */
const NAMES = [
  'joint_max', // GYBY
  'joint_avg', // 60VM
  'joint_var', // UR99
  'joint_entr', // TU9B
  'diff_avg', // TF7R
  'diff_var', // D3YU
  'diff_entr', // NTRS
  'sum_avg', // ZGXS
  'sum_var', // OEEB
  'sum_entr', // P6QZ
  'energy', // 8ZQL
  'contrast', // ACUI
  'dissimilarity', // 8S9J
  'inv_diff', // IB1Z
  'inv_diff_norm', // NDRX
  'inv_diff_mom', // WF0Z
  'inv_diff_mom_norm', // 1QCO
  'inv_var', // E8JP
  'corr', // NI2N
  'auto_corr', // QWB0
  'clust_tend', // DG8W
  'clust_shade', // 7NFM
  'clust_prom', // AE86
  'info_corr1', // R8DG
  'info_corr2', // JN9H
] as const;
const NF = NAMES.length;

/** c·log2(c) for integer counts, tabulated up to TABLE_MAX. */
const TABLE_MAX = 1 << 16;
const cLogC = new Float64Array(TABLE_MAX);
for (let c = 2; c < TABLE_MAX; c++) cLogC[c] = c * Math.log2(c);
const clog = (c: number) => (c < TABLE_MAX ? cLogC[c] : c * Math.log2(c));

/**
 * Co-occurrence counts C[d][a−1][b−1] (not yet symmetrised) for the given directions, over slices
 * z0…z1 with neighbours in the same range (2D: one slice; 3D: the volume). Adds into `into`.
 */
function countPairs(roi: DiscretisedRoi, dirs: [number, number, number][], delta: number, z0: number, z1: number, into: Int32Array): LevelRange {
  const { dims: [nx, ny], levels, ng } = roi;
  const nd = dirs.length, ng2 = ng * ng;
  const dx = dirs.map((d) => d[0] * delta), dy = dirs.map((d) => d[1] * delta), dz = dirs.map((d) => d[2] * delta);
  const off = dirs.map((_, d) => dx[d] + nx * (dy[d] + ny * dz[d]));
  const rowOk = new Uint8Array(nd);
  let lo = ng, hi = -1;
  for (let z = z0; z <= z1; z++) for (let y = 0; y < ny; y++) {
    for (let d = 0; d < nd; d++) { const y2 = y + dy[d], z2 = z + dz[d]; rowOk[d] = y2 >= 0 && y2 < ny && z2 >= z0 && z2 <= z1 ? 1 : 0; }
    const row = nx * (y + ny * z);
    for (let x = 0; x < nx; x++) {
      const a = levels[row + x];
      if (!a) continue;
      if (a - 1 < lo) lo = a - 1;
      if (a - 1 > hi) hi = a - 1;
      const base = (a - 1) * ng - 1;
      for (let d = 0; d < nd; d++) {
        if (!rowOk[d]) continue;
        const x2 = x + dx[d];
        if (x2 < 0 || x2 >= nx) continue;
        const b = levels[row + x + off[d]];
        if (b) into[d * ng2 + base + b]++;
      }
    }
  }
  return { lo, hi };
}

/** Grey levels (0-based) present in the counted voxels; hi < 0 when there were none. */
interface LevelRange { lo: number; hi: number }

/** Entropy (bits) of integer counts `a` summing to T (lT = log2 T). */
function entropy(a: Float64Array, T: number, lT: number): number {
  let h = 0;
  for (let k = 0; k < a.length; k++) if (a[k]) h += clog(a[k]);
  return lT - h / T;
}

/** countPairs for one slice and the four 2-D directions of DIRECTIONS_2D, unrolled. */
function countPairs2d(roi: DiscretisedRoi, delta: number, k: number, into: Int32Array): LevelRange {
  const { dims: [nx, ny], levels: L, ng } = roi;
  const ng2 = ng * ng, o1 = ng2, o2 = 2 * ng2, o3 = 3 * ng2;
  let lo = ng, hi = -1;
  for (let y = 0; y < ny; y++) {
    const r = nx * (y + ny * k), next = y + delta < ny, rn = r + nx * delta;
    for (let x = 0; x < nx; x++) {
      const a = L[r + x];
      if (!a) continue;
      if (a - 1 < lo) lo = a - 1;
      if (a - 1 > hi) hi = a - 1;
      const base = (a - 1) * ng - 1, right = x + delta < nx;
      let b: number;
      if (right && (b = L[r + x + delta])) into[base + b]++; // (1, 0)
      if (!next) continue;
      if (right && (b = L[rn + x + delta])) into[o1 + base + b]++; // (1, 1)
      if ((b = L[rn + x])) into[o2 + base + b]++; // (0, 1)
      if (x >= delta && (b = L[rn + x - delta])) into[o3 + base + b]++; // (−1, 1)
    }
  }
  return { lo, hi };
}

/** Scratch distributions, reused for every matrix; lo…hi (0-based) bound the grey levels of the matrices at hand. */
class Scratch {
  px: Float64Array;
  pSum: Float64Array;
  pDiff: Float64Array;
  lo = 0;
  hi: number;
  constructor(ng: number) {
    this.px = new Float64Array(ng);
    this.pSum = new Float64Array(2 * ng - 1);
    this.pDiff = new Float64Array(ng);
    this.hi = ng - 1;
  }
}

/**
 * Features of the symmetric matrix C + Cᵀ, C = counts[o … o + Ng²), into out[0 … NF). Returns false when
 * the matrix is empty. Levels are 1-based in the formulas; arrays are 0-based.
 */
function features(C: Int32Array, o: number, ng: number, s: Scratch, out: Float64Array, parts = 1): boolean {
  const { px, pSum, pDiff, lo, hi } = s;
  px.fill(0); pSum.fill(0); pDiff.fill(0);
  const ng2 = ng * ng, last = o + (parts - 1) * ng2;
  let total = 0, vmax = 0, sq = 0, vlog = 0;
  for (let i = lo; i <= hi; i++) {
    const ri = o + i * ng;
    let d = 0;
    for (let q = ri + i; q <= last + i * ng + i; q += ng2) d += 2 * C[q];
    if (d) { total += d; if (d > vmax) vmax = d; sq += d * d; vlog += clog(d); px[i] += d; pSum[2 * i] += d; pDiff[0] += d; }
    for (let j = i + 1; j <= hi; j++) {
      let v = C[ri + j] + C[o + j * ng + i];
      for (let q = 1, ij = ri + j + ng2, ji = o + j * ng + i + ng2; q < parts; q++, ij += ng2, ji += ng2) v += C[ij] + C[ji];
      if (!v) continue;
      total += 2 * v; if (v > vmax) vmax = v; sq += 2 * v * v; vlog += 2 * clog(v);
      px[i] += v; px[j] += v; pSum[i + j] += 2 * v; pDiff[j - i] += 2 * v;
    }
  }
  if (total === 0) return false;
  const T = total, lT = Math.log2(T);
  const jointEntr = lT - vlog / T;
  let mu = 0, hx = 0;
  for (let i = 0; i < ng; i++) mu += (i + 1) * px[i];
  mu /= T;
  let jointVar = 0;
  for (let i = 0; i < ng; i++) if (px[i]) { jointVar += (i + 1 - mu) ** 2 * px[i]; }
  jointVar /= T;
  hx = entropy(px, T, lT);
  let diffAvg = 0, contrast = 0, invDiff = 0, invDiffNorm = 0, invDiffMom = 0, invDiffMomNorm = 0, invVar = 0;
  for (let k = 0; k < ng; k++) {
    const p = pDiff[k] / T;
    if (!p) continue;
    diffAvg += k * p; contrast += k * k * p;
    invDiff += p / (1 + k); invDiffNorm += p / (1 + k / ng);
    invDiffMom += p / (1 + k * k); invDiffMomNorm += p / (1 + (k * k) / (ng * ng));
    if (k) invVar += p / (k * k);
  }
  let diffVar = 0;
  for (let k = 0; k < ng; k++) if (pDiff[k]) diffVar += (k - diffAvg) ** 2 * (pDiff[k] / T);
  // Sum index s = i + j with 1-based levels is k + 2 for pSum[k].
  let sumAvg = 0, sumSq = 0;
  for (let k = 0; k < pSum.length; k++) { const p = pSum[k] / T; sumAvg += (k + 2) * p; sumSq += (k + 2) * (k + 2) * p; }
  let sumVar = 0, ct = 0, cs = 0, cp = 0;
  for (let k = 0; k < pSum.length; k++) {
    const p = pSum[k] / T;
    if (!p) continue;
    sumVar += (k + 2 - sumAvg) ** 2 * p;
    const t = k + 2 - 2 * mu, t2 = t * t;
    ct += t2 * p; cs += t2 * t * p; cp += t2 * t2 * p;
  }
  // Σ i·j·p = (Σ (i+j)² p − Σ (i−j)² p) / 4; covariance = that − μ² (px = py).
  const autoCorr = (sumSq - contrast) / 4;
  const cov = autoCorr - mu * mu;
  // HXY1 = HXY2 = HX + HY = 2·HX exactly for a symmetric matrix (both are sums of p·log of products of marginals).
  const hxy = 2 * hx;
  out[0] = vmax / T; out[1] = mu; out[2] = jointVar; out[3] = jointEntr;
  out[4] = diffAvg; out[5] = diffVar; out[6] = entropy(pDiff, T, lT);
  out[7] = sumAvg; out[8] = sumVar; out[9] = entropy(pSum, T, lT);
  out[10] = sq / (T * T); out[11] = contrast; out[12] = diffAvg;
  out[13] = invDiff; out[14] = invDiffNorm; out[15] = invDiffMom; out[16] = invDiffMomNorm; out[17] = invVar;
  out[18] = jointVar > 0 ? cov / jointVar : 0;
  out[19] = autoCorr; out[20] = ct; out[21] = cs; out[22] = cp;
  out[23] = hx > 0 ? (jointEntr - hxy) / hx : 0;
  out[24] = Math.sqrt(Math.max(0, 1 - Math.exp(-2 * (hxy - jointEntr))));
  return true;
}

/** Running mean of feature vectors over the matrices that are defined. */
class MeanOf {
  readonly sum = new Float64Array(NF);
  n = 0;
  add(v: Float64Array): void { for (let f = 0; f < NF; f++) this.sum[f] += v[f]; this.n++; }
  record(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.n) NAMES.forEach((name, f) => { out[name] = this.sum[f] / this.n; });
    return out;
  }
}


export function glcmFeatures(roi: DiscretisedRoi, req: TextureRequest, s: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  const ng = roi.ng, ng2 = ng * ng;
  const scratch = new Scratch(ng), vec = new Float64Array(NF);
  /** Features of the sum of `parts` consecutive matrices from block o. */
  const single = (C: Int32Array, o: number, parts: number): Record<string, number> => {
    if (!features(C, o, ng, scratch, vec, parts)) return {};
    const r: Record<string, number> = {};
    NAMES.forEach((name, f) => { r[name] = vec[f]; });
    return r;
  };
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const nd = DIRECTIONS_2D.length;
    const slice = new Int32Array(nd * ng2), perDir = new Int32Array(nd * ng2);
    const avg2d = new MeanOf(), comb2d = new MeanOf(), want25 = wants(req.dims, '2.5D');
    let lo = ng, hi = -1, dirty = false;
    // Slices without ROI voxels count nothing and are skipped (as roiSlices would).
    for (let k = 0; k < roi.dims[2]; k++) {
      if (dirty) slice.fill(0);
      const r = countPairs2d(roi, s.distance, k, slice);
      dirty = r.hi >= 0;
      if (!dirty) continue;
      scratch.lo = r.lo; scratch.hi = r.hi;
      lo = Math.min(lo, r.lo); hi = Math.max(hi, r.hi);
      for (let d = 0; d < nd; d++) if (features(slice, d * ng2, ng, scratch, vec)) avg2d.add(vec);
      if (features(slice, 0, ng, scratch, vec, nd)) comb2d.add(vec);
      if (want25) for (let n = 0; n < slice.length; n++) perDir[n] += slice[n];
    }
    if (wants(req.dims, '2D')) {
      withSuffix('cm_', avg2d.record(), '_2D_avg', out); // BTW3
      withSuffix('cm_', comb2d.record(), '_2D_comb', out); // SUJT
    }
    if (wants(req.dims, '2.5D')) {
      scratch.lo = lo; scratch.hi = hi;
      const avg = new MeanOf();
      for (let d = 0; d < nd; d++) if (features(perDir, d * ng2, ng, scratch, vec)) avg.add(vec);
      withSuffix('cm_', avg.record(), '_2_5D_avg', out); // JJUI
      withSuffix('cm_', single(perDir, 0, nd), '_2_5D_comb', out); // ZW7Z
    }
  }
  if (wants(req.dims, '3D')) {
    const nd = DIRECTIONS_3D.length;
    const all = new Int32Array(nd * ng2);
    const r = countPairs(roi, DIRECTIONS_3D, s.distance, 0, roi.dims[2] - 1, all);
    scratch.lo = r.lo; scratch.hi = r.hi;
    const avg = new MeanOf();
    for (let d = 0; d < nd; d++) if (features(all, d * ng2, ng, scratch, vec)) avg.add(vec);
    withSuffix('cm_', avg.record(), '_3D_avg', out); // ITBB
    withSuffix('cm_', single(all, 0, nd), '_3D_comb', out); // IAZD
  }
  return out;
}
