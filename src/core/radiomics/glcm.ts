// Grey level co-occurrence matrix (IBSI family LFYI): symmetric, Chebyshev distance δ, 2D/2.5D/3D.
import { DIRECTIONS_2D, DIRECTIONS_3D, mean, roiSlices, sumMatrices, withSuffix, wants, type Feats } from './texture';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

/** Co-occurrence counts for one direction, restricted to slice k (2D) or the whole volume (k = -1). */
function cooccurrence(roi: DiscretisedRoi, dir: [number, number, number], delta: number, k: number): Float64Array {
  const { dims: [nx, ny, nz], levels, ng } = roi;
  const P = new Float64Array(ng * ng);
  const [dx, dy, dz] = [dir[0] * delta, dir[1] * delta, dir[2] * delta];
  const k0 = k < 0 ? 0 : k, k1 = k < 0 ? nz - 1 : k;
  for (let z = k0; z <= k1; z++) {
    const z2 = z + dz;
    if (z2 < 0 || z2 >= nz) continue;
    for (let y = 0; y < ny; y++) {
      const y2 = y + dy;
      if (y2 < 0 || y2 >= ny) continue;
      for (let x = 0; x < nx; x++) {
        const a = levels[x + nx * (y + ny * z)];
        if (!a) continue;
        const x2 = x + dx;
        if (x2 < 0 || x2 >= nx) continue;
        const b = levels[x2 + nx * (y2 + ny * z2)];
        if (!b) continue;
        P[(a - 1) * ng + (b - 1)]++;
        P[(b - 1) * ng + (a - 1)]++;
      }
    }
  }
  return P;
}

function glcmFromMatrix(P: Float64Array, ng: number): Feats | undefined {
  let total = 0;
  for (const v of P) total += v;
  if (total === 0) return undefined;
  const p = P.map((v) => v / total);
  const px = new Float64Array(ng), py = new Float64Array(ng);
  const pSum = new Float64Array(2 * ng + 1), pDiff = new Float64Array(ng);
  let jointMax = 0, jointAvg = 0, jointEntr = 0, energy = 0, contrast = 0, dissim = 0;
  let invDiff = 0, invDiffNorm = 0, invDiffMom = 0, invDiffMomNorm = 0, invVar = 0, autoCorr = 0;
  for (let i = 1; i <= ng; i++) for (let j = 1; j <= ng; j++) {
    const v = p[(i - 1) * ng + (j - 1)];
    if (!v) continue;
    px[i - 1] += v; py[j - 1] += v;
    pSum[i + j] += v; pDiff[Math.abs(i - j)] += v;
    if (v > jointMax) jointMax = v;
    jointAvg += i * v;
    jointEntr -= v * Math.log2(v);
    energy += v * v;
    const d = i - j, ad = Math.abs(d);
    contrast += d * d * v;
    dissim += ad * v;
    invDiff += v / (1 + ad);
    invDiffNorm += v / (1 + ad / ng);
    invDiffMom += v / (1 + d * d);
    invDiffMomNorm += v / (1 + (d * d) / (ng * ng));
    if (d !== 0) invVar += v / (d * d);
    autoCorr += i * j * v;
  }
  let jointVar = 0, mux = 0, muy = 0;
  for (let i = 1; i <= ng; i++) { mux += i * px[i - 1]; muy += i * py[i - 1]; }
  let sx = 0, sy = 0, cov = 0, ct = 0, cs = 0, cp = 0, hxy1 = 0, hxy2 = 0;
  for (let i = 1; i <= ng; i++) for (let j = 1; j <= ng; j++) {
    const v = p[(i - 1) * ng + (j - 1)];
    const q = px[i - 1] * py[j - 1];
    if (q > 0) { hxy1 -= v * Math.log2(q); hxy2 -= q * Math.log2(q); }
    if (!v) continue;
    jointVar += (i - jointAvg) ** 2 * v;
    cov += (i - mux) * (j - muy) * v;
    const t = i + j - mux - muy;
    ct += t * t * v; cs += t * t * t * v; cp += t * t * t * t * v;
  }
  let hx = 0;
  for (let i = 1; i <= ng; i++) {
    sx += (i - mux) ** 2 * px[i - 1]; sy += (i - muy) ** 2 * py[i - 1];
    if (px[i - 1] > 0) hx -= px[i - 1] * Math.log2(px[i - 1]);
  }
  let diffAvg = 0, diffEntr = 0, sumAvg = 0, sumEntr = 0;
  for (let k = 0; k < ng; k++) { diffAvg += k * pDiff[k]; if (pDiff[k] > 0) diffEntr -= pDiff[k] * Math.log2(pDiff[k]); }
  for (let k = 2; k <= 2 * ng; k++) { sumAvg += k * pSum[k]; if (pSum[k] > 0) sumEntr -= pSum[k] * Math.log2(pSum[k]); }
  let diffVar = 0, sumVar = 0;
  for (let k = 0; k < ng; k++) diffVar += (k - diffAvg) ** 2 * pDiff[k];
  for (let k = 2; k <= 2 * ng; k++) sumVar += (k - sumAvg) ** 2 * pSum[k];
  const corr = sx > 0 && sy > 0 ? cov / Math.sqrt(sx * sy) : 0;
  return {
    joint_max: jointMax, // GYBY
    joint_avg: jointAvg, // 60VM
    joint_var: jointVar, // UR99
    joint_entr: jointEntr, // TU9B
    diff_avg: diffAvg, // TF7R
    diff_var: diffVar, // D3YU
    diff_entr: diffEntr, // NTRS
    sum_avg: sumAvg, // ZGXS
    sum_var: sumVar, // OEEB
    sum_entr: sumEntr, // P6QZ
    energy, // 8ZQL
    contrast, // ACUI
    dissimilarity: dissim, // 8S9J
    inv_diff: invDiff, // IB1Z
    inv_diff_norm: invDiffNorm, // NDRX
    inv_diff_mom: invDiffMom, // WF0Z
    inv_diff_mom_norm: invDiffMomNorm, // 1QCO
    inv_var: invVar, // E8JP
    corr, // NI2N
    auto_corr: autoCorr, // QWB0
    clust_tend: ct, // DG8W
    clust_shade: cs, // 7NFM
    clust_prom: cp, // AE86
    info_corr1: hx > 0 ? (jointEntr - hxy1) / hx : 0, // R8DG
    info_corr2: Math.sqrt(Math.max(0, 1 - Math.exp(-2 * (hxy2 - jointEntr)))), // JN9H
  };
}

export function glcmFeatures(roi: DiscretisedRoi, req: TextureRequest, s: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  const ng = roi.ng;
  const feats = (P: Float64Array) => glcmFromMatrix(P, ng);
  const defined = (xs: (Feats | undefined)[]) => xs.filter((x): x is Feats => !!x);
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const slices = roiSlices(roi);
    const bySlice = slices.map((k) => DIRECTIONS_2D.map((d) => cooccurrence(roi, d, s.distance, k)));
    if (wants(req.dims, '2D')) {
      withSuffix('cm_', mean(defined(bySlice.flat().map(feats))), '_2D_avg', out); // BTW3
      withSuffix('cm_', mean(defined(bySlice.map((ms) => feats(sumMatrices(ms))))), '_2D_comb', out); // SUJT
    }
    if (wants(req.dims, '2.5D')) {
      withSuffix('cm_', mean(defined(DIRECTIONS_2D.map((_, d) => feats(sumMatrices(bySlice.map((ms) => ms[d])))))), '_2_5D_avg', out); // JJUI
      withSuffix('cm_', feats(sumMatrices(bySlice.flat())) ?? {}, '_2_5D_comb', out); // ZW7Z
    }
  }
  if (wants(req.dims, '3D')) {
    const ms = DIRECTIONS_3D.map((d) => cooccurrence(roi, d, s.distance, -1));
    withSuffix('cm_', mean(defined(ms.map(feats))), '_3D_avg', out); // ITBB
    withSuffix('cm_', feats(sumMatrices(ms)) ?? {}, '_3D_comb', out); // IAZD
  }
  return out;
}
