// Grey level run length matrix (IBSI family TP0I), 2D/2.5D/3D with the six IBSI aggregations.
import { DIRECTIONS_2D, DIRECTIONS_3D, mean, roiSlices, withSuffix, wants, type Feats } from './texture';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

interface RunMatrix { R: Float64Array; lmax: number; nv: number }

/** Runs along one direction within slice k (2D) or the whole box (k = -1); one visit per voxel plus the runs. */
function runs(roi: DiscretisedRoi, dir: [number, number, number], k: number): RunMatrix {
  const { dims: [nx, ny, nz], levels, ng } = roi;
  const lmax = Math.max(nx, ny, nz), L = lmax + 1;
  const R = new Float64Array(ng * L);
  const k0 = k < 0 ? 0 : k, k1 = k < 0 ? nz - 1 : k;
  const [dx, dy, dz] = dir, step = dx + nx * (dy + ny * dz);
  const inside = (x: number, y: number, z: number) => x >= 0 && y >= 0 && z >= k0 && x < nx && y < ny && z <= k1;
  let nv = 0;
  for (let z = k0; z <= k1; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const n = x + nx * (y + ny * z), g = levels[n];
    if (!g) continue;
    nv++;
    // Start of a run: the previous voxel along the direction differs.
    if (inside(x - dx, y - dy, z - dz) && levels[n - step] === g) continue;
    let len = 1;
    for (let X = x + dx, Y = y + dy, Z = z + dz, m = n + step; inside(X, Y, Z) && levels[m] === g; X += dx, Y += dy, Z += dz, m += step) len++;
    R[(g - 1) * L + len]++;
  }
  return { R, lmax, nv };
}

function merge(ms: RunMatrix[]): RunMatrix {
  const R = new Float64Array(ms[0].R.length);
  let nv = 0;
  for (const m of ms) { for (let n = 0; n < R.length; n++) R[n] += m.R[n]; nv += m.nv; }
  return { R, lmax: ms[0].lmax, nv };
}

function glrlmFromMatrix(m: RunMatrix, ng: number): Feats | undefined {
  const { R, lmax, nv } = m;
  const L = lmax + 1;
  let ns = 0;
  for (const v of R) ns += v;
  if (ns === 0) return undefined;
  let sre = 0, lre = 0, lgre = 0, hgre = 0, srlge = 0, srhge = 0, lrlge = 0, lrhge = 0, ent = 0, mi = 0, mj = 0;
  const ri = new Float64Array(ng + 1), rj = new Float64Array(L);
  for (let i = 1; i <= ng; i++) for (let j = 1; j < L; j++) {
    const r = R[(i - 1) * L + j];
    if (!r) continue;
    const i2 = i * i, j2 = j * j;
    sre += r / j2; lre += r * j2; lgre += r / i2; hgre += r * i2;
    srlge += r / (i2 * j2); srhge += (r * i2) / j2; lrlge += (r * j2) / i2; lrhge += r * i2 * j2;
    ri[i] += r; rj[j] += r;
    const p = r / ns;
    ent -= p * Math.log2(p);
    mi += i * p; mj += j * p;
  }
  let glnu = 0, rlnu = 0, gv = 0, rv = 0;
  for (let i = 1; i <= ng; i++) { glnu += ri[i] * ri[i]; gv += (i - mi) ** 2 * (ri[i] / ns); }
  for (let j = 1; j < L; j++) { rlnu += rj[j] * rj[j]; rv += (j - mj) ** 2 * (rj[j] / ns); }
  return {
    sre: sre / ns, // 22OV
    lre: lre / ns, // W4KF
    lgre: lgre / ns, // V3SW
    hgre: hgre / ns, // G3QZ
    srlge: srlge / ns, // HTZT
    srhge: srhge / ns, // GD3A
    lrlge: lrlge / ns, // IVPO
    lrhge: lrhge / ns, // 3KUM
    glnu: glnu / ns, // R5YN
    glnu_norm: glnu / (ns * ns), // OVBL
    rlnu: rlnu / ns, // W92Y
    rlnu_norm: rlnu / (ns * ns), // IC23
    r_perc: ns / nv, // 9ZK5
    gl_var: gv, // 8CE5
    rl_var: rv, // SXLW
    rl_entr: ent, // HJ9O
  };
}

export function glrlmFeatures(roi: DiscretisedRoi, req: TextureRequest, _s?: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  const ng = roi.ng;
  const f = (m: RunMatrix) => glrlmFromMatrix(m, ng);
  const defined = (xs: (Feats | undefined)[]) => xs.filter((x): x is Feats => !!x);
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const bySlice = roiSlices(roi).map((k) => DIRECTIONS_2D.map((d) => runs(roi, d, k)));
    if (wants(req.dims, '2D')) {
      withSuffix('rlm_', mean(defined(bySlice.flat().map(f))), '_2D_avg', out); // BTW3
      withSuffix('rlm_', mean(defined(bySlice.map((ms) => f(merge(ms))))), '_2D_comb', out); // SUJT
    }
    if (wants(req.dims, '2.5D')) {
      withSuffix('rlm_', mean(defined(DIRECTIONS_2D.map((_, d) => f(merge(bySlice.map((ms) => ms[d])))))), '_2_5D_avg', out); // JJUI
      withSuffix('rlm_', f(merge(bySlice.flat())) ?? {}, '_2_5D_comb', out); // ZW7Z
    }
  }
  if (wants(req.dims, '3D')) {
    const ms = DIRECTIONS_3D.map((d) => runs(roi, d, -1));
    withSuffix('rlm_', mean(defined(ms.map(f))), '_3D_avg', out); // ITBB
    withSuffix('rlm_', f(merge(ms)) ?? {}, '_3D_comb', out); // IAZD
  }
  return out;
}
