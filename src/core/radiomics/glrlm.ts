// Grey level run length matrix (IBSI family TP0I), 2D/2.5D/3D with the six IBSI aggregations.
// Runs are found on a copy of the box with one voxel of zero margin (padLevels): a run starts where the
// voxel before it along the direction has another level, and ends at the first voxel that differs,
// so each direction costs one look-back per ROI voxel plus one step per run voxel, without bounds tests.
import { DIRECTIONS_2D, DIRECTIONS_3D, mean, padLevels, withSuffix, wants, type Feats, type PaddedLevels } from './texture';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

/** Run counts R[(i − 1)·L + j] for level i and length j < L, over nv ROI voxels; runs longer than maxLen are absent. */
class RunMatrix {
  readonly R: Float64Array;
  nv = 0;
  maxLen = 0;
  constructor(ng: number, readonly L: number) { this.R = new Float64Array(ng * L); }
  clear(): void { this.R.fill(0); this.nv = 0; this.maxLen = 0; }
  add(o: RunMatrix): void {
    for (let n = 0; n < this.R.length; n++) this.R[n] += o.R[n];
    this.nv += o.nv;
    if (o.maxLen > this.maxLen) this.maxLen = o.maxLen;
  }
}

/** Adds the runs along `step` (a padded-box offset) that start at ROI voxels voxels[t0 … t1) into m. */
function runs(pad: PaddedLevels, step: number, t0: number, t1: number, m: RunMatrix): void {
  const P = pad.levels, vox = pad.voxels, R = m.R, L = m.L;
  let maxLen = m.maxLen;
  for (let t = t0; t < t1; t++) {
    const v = vox[t], g = P[v];
    if (P[v - step] === g) continue; // not the start of a run
    let len = 1;
    for (let n = v + step; P[n] === g; n += step) len++;
    R[(g - 1) * L + len]++;
    if (len > maxLen) maxLen = len;
  }
  m.nv += t1 - t0;
  m.maxLen = maxLen;
}

function glrlmFromMatrix(m: RunMatrix, ng: number): Feats | undefined {
  const { R, L, nv } = m;
  const J = m.maxLen + 1; // lengths 1 … maxLen occur
  let ns = 0;
  for (let i = 0; i < ng; i++) for (let j = 1; j < J; j++) ns += R[i * L + j];
  if (ns === 0) return undefined;
  let sre = 0, lre = 0, lgre = 0, hgre = 0, srlge = 0, srhge = 0, lrlge = 0, lrhge = 0, ent = 0, mi = 0, mj = 0;
  const ri = new Float64Array(ng + 1), rj = new Float64Array(J);
  for (let i = 1; i <= ng; i++) for (let j = 1; j < J; j++) {
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
  for (let j = 1; j < J; j++) { rlnu += rj[j] * rj[j]; rv += (j - mj) ** 2 * (rj[j] / ns); }
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
  const ng = roi.ng, L = Math.max(...roi.dims) + 1;
  const pad = padLevels(roi, 1);
  const stepOf = ([a, b, c]: [number, number, number]) => a + pad.nx * (b + pad.ny * c);
  const f = (m: RunMatrix) => glrlmFromMatrix(m, ng);
  const defined = (xs: (Feats | undefined)[]) => xs.filter((x): x is Feats => !!x);
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const steps = DIRECTIONS_2D.map(stepOf);
    const one = new RunMatrix(ng, L), slice = new RunMatrix(ng, L);
    const perDir = steps.map(() => new RunMatrix(ng, L)), all = new RunMatrix(ng, L);
    const each: (Feats | undefined)[] = [], bySlice: (Feats | undefined)[] = [];
    for (let k = 0; k < roi.dims[2]; k++) {
      const t0 = pad.sliceStart[k], t1 = pad.sliceStart[k + 1];
      if (t0 === t1) continue; // slices without ROI voxels
      slice.clear();
      steps.forEach((step, d) => {
        one.clear();
        runs(pad, step, t0, t1, one);
        each.push(f(one));
        slice.add(one);
        perDir[d].add(one);
      });
      bySlice.push(f(slice));
    }
    if (wants(req.dims, '2D')) {
      withSuffix('rlm_', mean(defined(each)), '_2D_avg', out); // BTW3
      withSuffix('rlm_', mean(defined(bySlice)), '_2D_comb', out); // SUJT
    }
    if (wants(req.dims, '2.5D')) {
      for (const m of perDir) all.add(m);
      withSuffix('rlm_', mean(defined(perDir.map(f))), '_2_5D_avg', out); // JJUI
      withSuffix('rlm_', f(all) ?? {}, '_2_5D_comb', out); // ZW7Z
    }
  }
  if (wants(req.dims, '3D')) {
    const one = new RunMatrix(ng, L), all = new RunMatrix(ng, L), fs: (Feats | undefined)[] = [];
    for (const d of DIRECTIONS_3D) {
      one.clear();
      runs(pad, stepOf(d), 0, pad.voxels.length, one);
      fs.push(f(one));
      all.add(one);
    }
    withSuffix('rlm_', mean(defined(fs)), '_3D_avg', out); // ITBB
    withSuffix('rlm_', f(all) ?? {}, '_3D_comb', out); // IAZD
  }
  return out;
}
