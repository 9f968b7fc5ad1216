// Grey level co-occurrence matrix (IBSI family LFYI): symmetric, Chebyshev distance δ, 2D/2.5D/3D.
// Counts are integers in Int32Arrays sized Ng × Ng (one per direction), filled in one pass over the ROI
// voxels for all directions at once, each unordered pair in the upper triangle. Most features come from
// the marginal, sum and difference distributions, which add up over directions; only the largest cell,
// the energy and the joint entropy need the cells of a merged matrix.
import { DIRECTIONS_2D, DIRECTIONS_3D, padLevels, rowSpans, wants, type PaddedLevels } from './texture';
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

/** Grey levels (0-based) present in the counted voxels; hi < 0 when there were none. */
interface LevelRange { lo: number; hi: number }

/**
 * Co-occurrence counts of the pairs (v, v + offsets[d]) for the ROI voxels voxels[t0 … t1) of the padded
 * levels, one Ng × Ng block per direction at into[d·Ng² …), not yet symmetrised (the symmetric matrix is
 * C + Cᵀ). Adds into `into`; widens r to the levels of the counted voxels.
 */
function countPairs(pad: PaddedLevels, offsets: Int32Array, t0: number, t1: number, ng: number, into: Int32Array, r: LevelRange): void {
  const P = pad.levels, vox = pad.voxels, nd = offsets.length, ng2 = ng * ng;
  let lo = r.lo, hi = r.hi;
  for (let t = t0; t < t1; t++) {
    const v = vox[t], a = P[v];
    if (a - 1 < lo) lo = a - 1;
    if (a - 1 > hi) hi = a - 1;
    // Levels are 1-based: cell (a, b) of block d is at d·Ng² + (a − 1)·Ng + b − 1.
    for (let d = 0, o = -ng - 1; d < nd; d++, o += ng2) {
      const b = P[v + offsets[d]];
      if (b) into[o + a * ng + b]++;
    }
  }
  r.lo = lo; r.hi = hi;
}

/**
 * countPairs for slice k and the four 2-D directions of DIRECTIONS_2D, unrolled, on the unpadded box
 * (a padded copy costs more than the bounds tests it saves on one slice).
 */
function countPairs2d(roi: DiscretisedRoi, spans: Int32Array, delta: number, k: number, into: Int32Array, r: LevelRange): void {
  const { dims: [nx, ny], levels: L, ng } = roi;
  const ng2 = ng * ng, o0 = -ng - 1, o1 = o0 + ng2, o2 = o0 + 2 * ng2, o3 = o0 + 3 * ng2;
  let lo = r.lo, hi = r.hi;
  for (let y = 0; y < ny; y++) {
    const row = nx * (y + ny * k), next = y + delta < ny, rn = row + nx * delta;
    // Only the row's span of ROI voxels.
    const span = 2 * (y + ny * k), first = spans[span], last = spans[span + 1];
    for (let x = first; x <= last; x++) {
      const a = L[row + x];
      if (!a) continue;
      if (a - 1 < lo) lo = a - 1;
      if (a - 1 > hi) hi = a - 1;
      const right = x + delta < nx, an = a * ng;
      let b: number;
      if (right && (b = L[row + x + delta])) into[o0 + an + b]++; // (1, 0)
      if (!next) continue;
      if (right && (b = L[rn + x + delta])) into[o1 + an + b]++; // (1, 1)
      if ((b = L[rn + x])) into[o2 + an + b]++; // (0, 1)
      if (x >= delta && (b = L[rn + x - delta])) into[o3 + an + b]++; // (−1, 1)
    }
  }
  r.lo = lo; r.hi = hi;
}

/**
 * What the features read from one symmetric matrix: the marginal, sum and difference distributions
 * (as counts) and, from the cells, the total, the largest cell, Σ cell² and Σ cell·log2 cell.
 */
class Sums {
  readonly px: Float64Array;
  readonly pSum: Float64Array;
  readonly pDiff: Float64Array;
  // Sums start at −0, a double: V8 then compiles them as floats from the first call, instead of as small
  // integers that deoptimise (and run interpreted again) once a larger ROI's counts outgrow 31 bits.
  total = -0; vmax = -0; sq = -0; vlog = -0;
  /** Levels (0-based) the matrix may hold. */
  lo = 0; hi = -1;
  constructor(ng: number) {
    this.px = new Float64Array(ng);
    this.pSum = new Float64Array(2 * ng - 1);
    this.pDiff = new Float64Array(ng);
  }
  clear(): void { this.px.fill(0); this.pSum.fill(0); this.pDiff.fill(0); this.total = this.vmax = this.sq = this.vlog = -0; }
  /** Adds the distributions (not the cell statistics) of another matrix: they are linear in the cells. */
  addDistributions(o: Sums): void {
    for (let i = 0; i < this.px.length; i++) { this.px[i] += o.px[i]; this.pDiff[i] += o.pDiff[i]; }
    for (let k = 0; k < this.pSum.length; k++) this.pSum[k] += o.pSum[k];
    this.total += o.total;
  }
}

/** Sums of the symmetric matrix C + Cᵀ, C = counts[o … o + Ng²), read off the upper triangle; levels lo…hi (0-based). */
function sumsOf(C: Int32Array, o: number, ng: number, lo: number, hi: number, s: Sums): void {
  s.clear();
  const { px, pSum, pDiff } = s;
  // Diagonal cells d and off-diagonal cells v (each twice in the symmetric matrix) are summed apart.
  let vmax = -0, diagSum = -0, diagSq = -0, diagLog = -0, offSum = -0, offSq = -0, offLog = -0; // −0: see Sums
  for (let i = lo; i <= hi; i++) {
    const ri = o + i * ng;
    const d = 2 * C[ri + i];
    let row = px[i] + d;
    if (d) { diagSum += d; if (d > vmax) vmax = d; diagSq += d * d; diagLog += clog(d); pSum[2 * i] += d; }
    for (let j = i + 1, ji = o + (i + 1) * ng + i; j <= hi; j++, ji += ng) {
      const v = C[ri + j] + C[ji];
      if (!v) continue;
      offSum += v; if (v > vmax) vmax = v; offSq += v * v; offLog += clog(v);
      row += v; px[j] += v; pSum[i + j] += 2 * v; pDiff[j - i] += 2 * v;
    }
    px[i] = row;
  }
  pDiff[0] = diagSum;
  s.total = diagSum + 2 * offSum; s.vmax = vmax; s.sq = diagSq + 2 * offSq; s.vlog = diagLog + 2 * offLog; s.lo = lo; s.hi = hi;
}

/** The cell statistics (largest cell, Σ cell², Σ cell·log2 cell) of the sum of `parts` consecutive blocks from o. */
function cellStatsOfSum(C: Int32Array, o: number, parts: number, ng: number, lo: number, hi: number, s: Sums): void {
  if (parts === 4) { cellStatsOf4(C, o, ng, lo, hi, s); return; }
  const ng2 = ng * ng, end = o + parts * ng2;
  let vmax = -0, sq = -0, vlog = -0;
  for (let i = lo; i <= hi; i++) {
    const ri = o + i * ng;
    let d = 0;
    for (let q = ri + i; q < end; q += ng2) d += 2 * C[q];
    if (d) { if (d > vmax) vmax = d; sq += d * d; vlog += clog(d); }
    for (let j = i + 1, ji = o + (i + 1) * ng + i; j <= hi; j++, ji += ng) {
      let v = 0;
      for (let q = ri + j, p = ji; q < end; q += ng2, p += ng2) v += C[q] + C[p];
      if (!v) continue;
      if (v > vmax) vmax = v; sq += 2 * v * v; vlog += 2 * clog(v);
    }
  }
  s.vmax = vmax; s.sq = sq; s.vlog = vlog; s.lo = lo; s.hi = hi;
}

/** cellStatsOfSum for the four 2-D directions, unrolled. */
function cellStatsOf4(C: Int32Array, o: number, ng: number, lo: number, hi: number, s: Sums): void {
  const b1 = ng * ng, b2 = 2 * b1, b3 = 3 * b1;
  let vmax = -0, sq = -0, vlog = -0;
  for (let i = lo; i <= hi; i++) {
    const ii = o + i * ng + i;
    const d = 2 * (C[ii] + C[ii + b1] + C[ii + b2] + C[ii + b3]);
    if (d) { if (d > vmax) vmax = d; sq += d * d; vlog += clog(d); }
    for (let ij = ii + 1, ji = ii + ng; ij <= ii + hi - i; ij++, ji += ng) {
      const v = C[ij] + C[ij + b1] + C[ij + b2] + C[ij + b3] + C[ji] + C[ji + b1] + C[ji + b2] + C[ji + b3];
      if (!v) continue;
      if (v > vmax) vmax = v; sq += 2 * v * v; vlog += 2 * clog(v);
    }
  }
  s.vmax = vmax; s.sq = sq; s.vlog = vlog; s.lo = lo; s.hi = hi;
}

/** Weights of the inverse-difference features by difference k = |i − j| (IB1Z, NDRX, WF0Z, 1QCO, E8JP). */
function differenceWeights(ng: number): Float64Array[] {
  const w = [0, 1, 2, 3, 4].map(() => new Float64Array(ng));
  for (let k = 0; k < ng; k++) {
    w[0][k] = 1 / (1 + k); w[1][k] = 1 / (1 + k / ng);
    w[2][k] = 1 / (1 + k * k); w[3][k] = 1 / (1 + (k * k) / (ng * ng));
    w[4][k] = k ? 1 / (k * k) : 0;
  }
  return w;
}

/**
 * Features from the sums of one matrix into out[0 … NF); false when it is empty. Levels are 1-based in
 * the formulas. Sums run over counts and are divided by the total once.
 */
function features(s: Sums, ng: number, w: Float64Array[], out: Float64Array): boolean {
  const { px, pSum, pDiff, total: T, vmax, sq, vlog, lo, hi } = s;
  if (T === 0) return false;
  // Only levels lo…hi occur: px is 0 outside them, pDiff beyond hi − lo, pSum outside 2·lo … 2·hi.
  const lT = Math.log2(T), jointEntr = lT - vlog / T;
  let mu = -0, hpx = -0; // −0: see Sums
  for (let i = lo; i <= hi; i++) { const c = px[i]; if (c) { mu += (i + 1) * c; hpx += clog(c); } }
  mu /= T;
  let jointVar = -0;
  for (let i = lo; i <= hi; i++) if (px[i]) jointVar += (i + 1 - mu) ** 2 * px[i];
  jointVar /= T;
  const hx = lT - hpx / T;
  const [w1, wn, wm, wmn, wv] = w;
  let diffAvg = -0, contrast = -0, invDiff = -0, invDiffNorm = -0, invDiffMom = -0, invDiffMomNorm = -0, invVar = -0, hDiff = -0;
  for (let k = 0; k <= hi - lo; k++) {
    const c = pDiff[k];
    if (!c) continue;
    diffAvg += k * c; contrast += k * k * c;
    invDiff += c * w1[k]; invDiffNorm += c * wn[k]; invDiffMom += c * wm[k]; invDiffMomNorm += c * wmn[k]; invVar += c * wv[k];
    hDiff += clog(c);
  }
  diffAvg /= T; contrast /= T; invDiff /= T; invDiffNorm /= T; invDiffMom /= T; invDiffMomNorm /= T; invVar /= T;
  let diffVar = -0;
  for (let k = 0; k <= hi - lo; k++) if (pDiff[k]) diffVar += (k - diffAvg) ** 2 * pDiff[k];
  diffVar /= T;
  // Sum index s = i + j with 1-based levels is k + 2 for pSum[k].
  let sumAvg = -0, sumSq = -0;
  for (let k = 2 * lo; k <= 2 * hi; k++) { const c = pSum[k]; sumAvg += (k + 2) * c; sumSq += (k + 2) * (k + 2) * c; }
  sumAvg /= T; sumSq /= T;
  let sumVar = -0, ct = -0, cs = -0, cp = -0, hSum = -0;
  for (let k = 2 * lo; k <= 2 * hi; k++) {
    const c = pSum[k];
    if (!c) continue;
    sumVar += (k + 2 - sumAvg) ** 2 * c;
    const t = k + 2 - 2 * mu, t2 = t * t;
    ct += t2 * c; cs += t2 * t * c; cp += t2 * t2 * c;
    hSum += clog(c);
  }
  sumVar /= T; ct /= T; cs /= T; cp /= T;
  // Σ i·j·p = (Σ (i+j)² p − Σ (i−j)² p) / 4; covariance = that − μ² (px = py).
  const autoCorr = (sumSq - contrast) / 4;
  const cov = autoCorr - mu * mu;
  // HXY1 = HXY2 = HX + HY = 2·HX exactly for a symmetric matrix (both are sums of p·log of products of marginals).
  const hxy = 2 * hx;
  out[0] = vmax / T; out[1] = mu; out[2] = jointVar; out[3] = jointEntr;
  out[4] = diffAvg; out[5] = diffVar; out[6] = lT - hDiff / T;
  out[7] = sumAvg; out[8] = sumVar; out[9] = lT - hSum / T;
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
  /** Writes the means under the given tags (nothing when no matrix was defined). */
  writeTo(out: FeatureValues, tags: readonly string[]): void {
    if (this.n) for (let f = 0; f < NF; f++) out[tags[f]] = this.sum[f] / this.n;
  }
}

/** Feature tags per aggregation suffix, built once. */
const tagsFor = (suffix: string) => NAMES.map((name) => `cm_${name}${suffix}`);
const TAGS = {
  avg2d: tagsFor('_2D_avg'), comb2d: tagsFor('_2D_comb'), avg25: tagsFor('_2_5D_avg'), comb25: tagsFor('_2_5D_comb'),
  avg3d: tagsFor('_3D_avg'), comb3d: tagsFor('_3D_comb'),
};

/** Linear offsets of `dirs` × δ in the padded box. */
function offsetsOf(pad: PaddedLevels, dirs: [number, number, number][], delta: number): Int32Array {
  return Int32Array.from(dirs, ([a, b, c]) => delta * (a + pad.nx * (b + pad.ny * c)));
}

export function glcmFeatures(roi: DiscretisedRoi, req: TextureRequest, s: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  const ng = roi.ng, ng2 = ng * ng, delta = s.distance, spans = rowSpans(roi);
  const dir = new Sums(ng), comb = new Sums(ng), vec = new Float64Array(NF), weights = differenceWeights(ng);
  /** Features of each of the nd blocks of C (into avg) and of their sum (into merged). */
  const blocks = (C: Int32Array, nd: number, r: LevelRange, avg: MeanOf, merged: MeanOf) => {
    comb.clear();
    for (let d = 0; d < nd; d++) {
      sumsOf(C, d * ng2, ng, r.lo, r.hi, dir);
      if (features(dir, ng, weights, vec)) avg.add(vec);
      comb.addDistributions(dir);
    }
    cellStatsOfSum(C, 0, nd, ng, r.lo, r.hi, comb);
    if (features(comb, ng, weights, vec)) merged.add(vec);
  };
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const nd = DIRECTIONS_2D.length;
    const want25 = wants(req.dims, '2.5D');
    const slice = new Int32Array(nd * ng2), perDir = new Int32Array(want25 ? nd * ng2 : 0);
    const avg2d = new MeanOf(), comb2d = new MeanOf();
    const all: LevelRange = { lo: ng, hi: -1 }, r: LevelRange = { lo: ng, hi: -1 };
    // Slices without ROI voxels count nothing and are skipped (as roiSlices would).
    for (let k = 0; k < roi.dims[2]; k++) {
      // Only rows lo…hi of each block were counted into.
      if (r.hi >= 0) for (let d = 0; d < nd; d++) slice.fill(0, d * ng2 + r.lo * ng, d * ng2 + (r.hi + 1) * ng);
      r.lo = ng; r.hi = -1;
      countPairs2d(roi, spans, delta, k, slice, r);
      if (r.hi < 0) continue;
      all.lo = Math.min(all.lo, r.lo); all.hi = Math.max(all.hi, r.hi);
      blocks(slice, nd, r, avg2d, comb2d);
      if (want25) for (let n = 0; n < slice.length; n++) perDir[n] += slice[n];
    }
    if (wants(req.dims, '2D')) {
      avg2d.writeTo(out, TAGS.avg2d); // BTW3
      comb2d.writeTo(out, TAGS.comb2d); // SUJT
    }
    if (want25) {
      const avg = new MeanOf(), merged = new MeanOf();
      blocks(perDir, nd, all, avg, merged);
      avg.writeTo(out, TAGS.avg25); // JJUI
      merged.writeTo(out, TAGS.comb25); // ZW7Z
    }
  }
  if (wants(req.dims, '3D')) {
    const pad = padLevels(roi, delta, spans), nd = DIRECTIONS_3D.length, offsets = offsetsOf(pad, DIRECTIONS_3D, delta);
    const C = new Int32Array(nd * ng2), r: LevelRange = { lo: ng, hi: -1 };
    countPairs(pad, offsets, 0, pad.voxels.length, ng, C, r);
    const avg = new MeanOf(), merged = new MeanOf();
    blocks(C, nd, r, avg, merged);
    avg.writeTo(out, TAGS.avg3d); // ITBB
    merged.writeTo(out, TAGS.comb3d); // IAZD
  }
  return out;
}
