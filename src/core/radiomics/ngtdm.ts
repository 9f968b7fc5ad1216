// Neighbourhood grey tone difference matrix (IBSI family IPET).
import { mean, roiSlices, withSuffix, wants, type Feats } from './texture';
import { flatOffsets, interior } from './neighbourhood';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

interface Ngtd { s: Float64Array; n: Float64Array }

function ngtd(roi: DiscretisedRoi, k: number, delta: number): Ngtd {
  const { dims: [nx, ny, nz], levels, ng } = roi;
  const s = new Float64Array(ng + 1), n = new Float64Array(ng + 1);
  const f = flatOffsets(delta, k >= 0, nx, ny), { lin, dx, dy, dz } = f, no = lin.length;
  const k0 = k < 0 ? 0 : k, k1 = k < 0 ? nz - 1 : k;
  for (let z = k0; z <= k1; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const at = x + nx * (y + ny * z);
    const g = levels[at];
    if (!g) continue;
    let sum = 0, cnt = 0;
    if (interior(f, x, y, z, nx, ny, k0, k1)) {
      for (let t = 0; t < no; t++) { const v = levels[at + lin[t]]; if (v) { sum += v; cnt++; } }
    } else {
      for (let t = 0; t < no; t++) {
        const X = x + dx[t], Y = y + dy[t], Z = z + dz[t];
        if (X < 0 || Y < 0 || Z < k0 || X >= nx || Y >= ny || Z > k1) continue;
        const v = levels[at + lin[t]];
        if (v) { sum += v; cnt++; }
      }
    }
    if (!cnt) continue; // no valid neighbourhood
    n[g]++;
    s[g] += Math.abs(g - sum / cnt);
  }
  return { s, n };
}

function features({ s, n }: Ngtd, ng: number): Feats | undefined {
  let nvc = 0;
  for (let i = 1; i <= ng; i++) nvc += n[i];
  if (!nvc) return undefined;
  const p = new Float64Array(ng + 1);
  let ngp = 0, ps = 0, ssum = 0;
  for (let i = 1; i <= ng; i++) {
    p[i] = n[i] / nvc;
    if (p[i] > 0) ngp++;
    ps += p[i] * s[i];
    ssum += s[i];
  }
  let con = 0, busyDen = 0, compl = 0, str = 0;
  for (let i = 1; i <= ng; i++) {
    if (!p[i]) continue;
    for (let j = 1; j <= ng; j++) {
      if (!p[j]) continue;
      con += p[i] * p[j] * (i - j) ** 2;
      busyDen += Math.abs(i * p[i] - j * p[j]);
      compl += (Math.abs(i - j) * (p[i] * s[i] + p[j] * s[j])) / (p[i] + p[j]);
      str += (p[i] + p[j]) * (i - j) ** 2;
    }
  }
  return {
    coarseness: ps === 0 ? 1e6 : 1 / ps, // QCDE
    contrast: ngp > 1 ? (con / (ngp * (ngp - 1))) * (ssum / nvc) : 0, // 65HE
    busyness: busyDen === 0 ? 0 : ps / busyDen, // NQ30
    complexity: compl / nvc, // HDEZ
    strength: ssum === 0 ? 0 : str / ssum, // 1X9X
  };
}

export function ngtdmFeatures(roi: DiscretisedRoi, req: TextureRequest, st: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const per = roiSlices(roi).map((k) => ngtd(roi, k, st.distance));
    if (wants(req.dims, '2D')) withSuffix('ngt_', mean(per.map((m) => features(m, roi.ng)).filter((x): x is Feats => !!x)), '_2D', out);
    if (wants(req.dims, '2.5D')) {
      const s = new Float64Array(roi.ng + 1), n = new Float64Array(roi.ng + 1);
      for (const m of per) for (let i = 0; i <= roi.ng; i++) { s[i] += m.s[i]; n[i] += m.n[i]; }
      withSuffix('ngt_', features({ s, n }, roi.ng) ?? {}, '_2_5D', out);
    }
  }
  if (wants(req.dims, '3D')) withSuffix('ngt_', features(ngtd(roi, -1, st.distance), roi.ng) ?? {}, '_3D', out);
  return out;
}
