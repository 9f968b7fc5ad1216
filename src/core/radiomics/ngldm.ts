// Neighbouring grey level dependence matrix (IBSI family REK0).
import { mean, roiSlices, withSuffix, wants, type Feats } from './texture';
import { flatOffsets, interior } from './neighbourhood';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

interface Ngld { S: Float64Array; kmax: number; nv: number }

function ngld(roi: DiscretisedRoi, k: number, delta: number, alpha: number): Ngld {
  const { dims: [nx, ny, nz], levels, ng } = roi;
  const f = flatOffsets(delta, k >= 0, nx, ny), { lin, dx, dy, dz } = f, no = lin.length;
  const kmax = no + 1;
  const S = new Float64Array((ng + 1) * (kmax + 1));
  const k0 = k < 0 ? 0 : k, k1 = k < 0 ? nz - 1 : k;
  let nv = 0;
  for (let z = k0; z <= k1; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const at = x + nx * (y + ny * z);
    const g = levels[at];
    if (!g) continue;
    nv++;
    let dep = 1;
    if (interior(f, x, y, z, nx, ny, k0, k1)) {
      // α = 0 (the usual coarseness): a neighbour depends when it has the same level (never 0, the outside).
      if (alpha === 0) for (let t = 0; t < no; t++) { if (levels[at + lin[t]] === g) dep++; }
      else for (let t = 0; t < no; t++) { const v = levels[at + lin[t]]; if (v && Math.abs(v - g) <= alpha) dep++; }
    } else {
      for (let t = 0; t < no; t++) {
        const X = x + dx[t], Y = y + dy[t], Z = z + dz[t];
        if (X < 0 || Y < 0 || Z < k0 || X >= nx || Y >= ny || Z > k1) continue;
        const v = levels[at + lin[t]];
        if (v && Math.abs(v - g) <= alpha) dep++;
      }
    }
    S[g * (kmax + 1) + dep]++;
  }
  return { S, kmax, nv };
}

function features({ S, kmax, nv }: Ngld, ng: number): Feats | undefined {
  const K = kmax + 1;
  let ns = 0;
  for (const v of S) ns += v;
  if (!ns) return undefined;
  let lde = 0, hde = 0, lgce = 0, hgce = 0, ldlge = 0, ldhge = 0, hdlge = 0, hdhge = 0, ent = 0, en = 0, mi = 0, mj = 0;
  const si = new Float64Array(ng + 1), sj = new Float64Array(K);
  for (let i = 1; i <= ng; i++) for (let j = 1; j < K; j++) {
    const s = S[i * K + j];
    if (!s) continue;
    const i2 = i * i, j2 = j * j;
    lde += s / j2; hde += s * j2; lgce += s / i2; hgce += s * i2;
    ldlge += s / (i2 * j2); ldhge += (s * i2) / j2; hdlge += (s * j2) / i2; hdhge += s * i2 * j2;
    si[i] += s; sj[j] += s;
    const p = s / ns;
    ent -= p * Math.log2(p); en += p * p; mi += i * p; mj += j * p;
  }
  let glnu = 0, dcnu = 0, gv = 0, dv = 0;
  for (let i = 1; i <= ng; i++) { glnu += si[i] ** 2; gv += (i - mi) ** 2 * (si[i] / ns); }
  for (let j = 1; j < K; j++) { dcnu += sj[j] ** 2; dv += (j - mj) ** 2 * (sj[j] / ns); }
  return {
    lde: lde / ns, // SODN
    hde: hde / ns, // IMOQ
    lgce: lgce / ns, // TL9H
    hgce: hgce / ns, // OAE7
    ldlge: ldlge / ns, // EQ3F
    ldhge: ldhge / ns, // JA6D
    hdlge: hdlge / ns, // NBZI
    hdhge: hdhge / ns, // 9QMG
    glnu: glnu / ns, // FP8K
    glnu_norm: glnu / (ns * ns), // 5SPA
    dcnu: dcnu / ns, // Z87G
    dcnu_norm: dcnu / (ns * ns), // OKJI
    dc_perc: ns / nv, // 6XV8
    gl_var: gv, // 1PFV
    dc_var: dv, // DNX2
    dc_entr: ent, // FCBV
    dc_energy: en, // CAS9
  };
}

export function ngldmFeatures(roi: DiscretisedRoi, req: TextureRequest, st: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const per = roiSlices(roi).map((k) => ngld(roi, k, st.distance, st.ngldmAlpha));
    if (wants(req.dims, '2D')) withSuffix('ngl_', mean(per.map((m) => features(m, roi.ng)).filter((x): x is Feats => !!x)), '_2D', out);
    if (wants(req.dims, '2.5D')) {
      const S = new Float64Array(per[0]?.S.length ?? 0);
      let nv = 0;
      for (const m of per) { for (let n = 0; n < S.length; n++) S[n] += m.S[n]; nv += m.nv; }
      if (per.length) withSuffix('ngl_', features({ S, kmax: per[0].kmax, nv }, roi.ng) ?? {}, '_2_5D', out);
    }
  }
  if (wants(req.dims, '3D')) withSuffix('ngl_', features(ngld(roi, -1, st.distance, st.ngldmAlpha), roi.ng) ?? {}, '_3D', out);
  return out;
}
