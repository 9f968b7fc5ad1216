// Radiomics speed: per ROI size and family, time vs one pass over the ROI voxels (same run); the whole
// demo patient through the worker pool; scikit-image's compiled GLCM / marching cubes on the same ROI
// (Debian python3-skimage; without it the peer figures say why and their goals are null).
// Goals (issue 17): GLCM 2D ≤ 1× graycomatrix and the morphology family ≤ 25× marching_cubes at 100 and
// 1,000 mL (the family as the clinical PET profile computes it, best of 5 like the peer), our marching-cubes step ≤ 2× marching_cubes, all families at 1,000 mL ≤ 400× one pass,
// whole patient ≤ 0.5 s.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../core/random';
import type { Vec3 } from '../../core/volume';
import { discretise } from '../../core/radiomics/preprocess';
import { statisticsFeatures } from '../../core/radiomics/statistics';
import { histogramFeatures } from '../../core/radiomics/histogram';
import { ivhFeatures } from '../../core/radiomics/ivh';
import { localIntensityFeatures } from '../../core/radiomics/localIntensity';
import { morphologyFeatures } from '../../core/radiomics/morphology';
import { maskMesh } from '../../core/radiomics/mesh';
import { moranGeary } from '../../core/radiomics/spatialAutocorrelation';
import { glcmFeatures } from '../../core/radiomics/glcm';
import { glrlmFeatures } from '../../core/radiomics/glrlm';
import { glszmFeatures } from '../../core/radiomics/glszm';
import { gldzmFeatures } from '../../core/radiomics/gldzm';
import { ngtdmFeatures } from '../../core/radiomics/ngtdm';
import { ngldmFeatures } from '../../core/radiomics/ngldm';
import { gaussianBlur, defaultPatientSpec, generatePatient, suvbwFactor } from '../../core/phantom/generate';
import { cropLabels } from '../../core/radiomics/task';
import { CLINICAL_PET } from '../../core/radiomics/settings';
import { nodeFeaturePool } from '../../workers/nodeFeaturePool';

const ms = (f: () => unknown, reps = 1) => {
  const t = performance.now();
  for (let r = 0; r < reps; r++) f();
  return (performance.now() - t) / reps;
};
/** Best of `reps` calls (the peer's figures are best of the same number). */
const best = (f: () => unknown, reps = 5) => {
  let m = Infinity;
  for (let r = 0; r < reps; r++) m = Math.min(m, ms(f));
  return m;
};
const PEER_REPS = 5;
const round = (x: number, d = 2) => +x.toFixed(d);

function sphereRoi(volumeMl: number) {
  const spacing: Vec3 = [2, 2, 2];
  const r = Math.cbrt((3 * volumeMl * 1000) / (4 * Math.PI));
  const n = Math.ceil((2 * r) / 2) + 8;
  const dims: Vec3 = [n, n, n];
  const rng = new Rng(7);
  const img = new Float32Array(n * n * n).map(() => rng.normal(10, 3));
  gaussianBlur(img, dims, [1, 1, 1]);
  const mask = new Uint8Array(img.length);
  const c = (n - 1) / 2;
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    if (((i - c) ** 2 + (j - c) ** 2 + (k - c) ** 2) * 4 <= r * r) mask[i + n * (j + n * k)] = 1;
  }
  return { dims, spacing, img, mask };
}

export async function run() {
  const perRoi: Record<string, unknown> = {};
  const dir = mkdtempSync(join(tmpdir(), 'psma-bench-'));
  const skimage: Record<string, unknown> = {};
  for (const ml of [1, 10, 100, 1000]) {
    const { dims, spacing, img, mask } = sphereRoi(ml);
    let voxels = 0;
    for (const v of mask) voxels += v;
    const values = new Float64Array(voxels);
    // Best of 20 (the smallest, steadiest reference: the ratios are the stricter for it).
    const onePass = best(() => { let s = 0; for (let n = 0; n < mask.length; n++) if (mask[n]) s += img[n]; return s; }, 20);
    { let t = 0; for (let n = 0; n < mask.length; n++) if (mask[n]) values[t++] = img[n]; }
    const disc = discretise(img, mask, { method: 'FBN', bins: 32 });
    const roi = { dims, spacing, levels: disc.levels, ng: disc.ng };
    const req = { dims: ['3D' as const] };
    const ts = { distance: 1, ngldmAlpha: 0 };
    const lv = new Float64Array(voxels);
    { let t = 0; for (let n = 0; n < mask.length; n++) if (mask[n]) lv[t++] = disc.levels[n]; }
    const times: Record<string, number> = {
      statistics: ms(() => statisticsFeatures(values)),
      histogram: ms(() => histogramFeatures(lv, disc.ng)),
      ivh: ms(() => { let lo = Infinity, hi = -Infinity; for (let n = 0; n < values.length; n++) { lo = Math.min(lo, values[n]); hi = Math.max(hi, values[n]); } return ivhFeatures(values, { min: Math.floor(lo), max: Math.ceil(hi), step: 0.1 }); }),
      local: ms(() => localIntensityFeatures(img, mask, dims, spacing)),
      // As the clinical PET profile computes it (no Moran's I / Geary's C: opt-in, timed on their own below).
      morphology: ms(() => morphologyFeatures({ dims, spacing, morphMask: mask, intensityMask: mask, intensities: img, moranGeary: false })),
      glcm: ms(() => glcmFeatures(roi, req, ts)),
      glrlm: ms(() => glrlmFeatures(roi, req, ts)),
      glszm: ms(() => glszmFeatures(roi, req, ts)),
      gldzm: ms(() => gldzmFeatures(roi, req, ts, mask)),
      ngtdm: ms(() => ngtdmFeatures(roi, req, ts)),
      ngldm: ms(() => ngldmFeatures(roi, req, ts)),
    };
    const total = Object.values(times).reduce((s, v) => s + v, 0);
    // Moran's I and Geary's C (settings `moranGeary`, IBSI configurations): first call at this size (kernel
    // spectrum computed) and a second one, for information.
    const moranFirst = ms(() => moranGeary(mask, img, dims, spacing)), moranSecond = ms(() => moranGeary(mask, img, dims, spacing));
    const ratios = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, +(v / onePass).toFixed(1)]));
    perRoi[`${ml}mL`] = {
      voxels, one_pass_ms: +onePass.toFixed(3),
      info_moran_geary_first_call_ms: round(moranFirst), info_moran_geary_second_call_ms: round(moranSecond), total_ms: +total.toFixed(1), total_over_one_pass: +(total / onePass).toFixed(0),
      ...(ml === 1000 ? { goal_all_families_le_400x_one_pass_met: total / onePass <= 400 } : {}), family_ms: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, +v.toFixed(2)])), family_over_one_pass: ratios,
    };
    if (existsSync('/usr/bin/python3')) {
      writeFileSync(join(dir, `levels${ml}.u16`), new Uint8Array(disc.levels.buffer));
      writeFileSync(join(dir, `mask${ml}.u8`), mask);
      const py = `
import sys, time, numpy as np
try:
    from skimage.feature import graycomatrix
    from skimage.measure import marching_cubes
except Exception as e:
    print('{"error": "%s"}' % e); sys.exit(0)
n = ${dims[0]}
lv = np.fromfile(sys.argv[1], dtype=np.uint16).reshape(n, n, n)
m = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(n, n, n)
def best(f):
    lo = float('inf')
    for _ in range(${PEER_REPS}):
        t = time.perf_counter(); f(); lo = min(lo, time.perf_counter() - t)
    return lo
slices = [k for k in range(n) if m[k].any()]
def glcm():
    for k in slices: graycomatrix(lv[k], [1], [0, np.pi/4, np.pi/2, 3*np.pi/4], levels=33, symmetric=True)
padded = np.pad(m, 1).astype(np.float32)
g = best(glcm)
mc = best(lambda: marching_cubes(padded, 0.5))
print('{"glcm_2d_all_slices_ms": %.3f, "marching_cubes_ms": %.3f}' % (g * 1000, mc * 1000))
`;
      try {
        const peer = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, join(dir, `levels${ml}.u16`), join(dir, `mask${ml}.u8`)], { encoding: 'utf8' })) as Record<string, number>;
        if (peer.error) { skimage[`${ml}mL`] = { error: `scikit-image not usable (${peer.error}): apt-get install python3-skimage` }; continue; }
        const glcm2d = best(() => glcmFeatures(roi, { dims: ['2D'] }, ts), PEER_REPS);
        const mc = best(() => maskMesh(mask, dims, spacing), PEER_REPS);
        // The whole family (clinical PET profile), best of the same number of calls as the peer's; morphology keeps
        // nothing between calls (no cache), so later calls differ from the first only by the JIT's warm-up.
        const morph = best(() => morphologyFeatures({ dims, spacing, morphMask: mask, intensityMask: mask, intensities: img, moranGeary: false }), PEER_REPS);
        const fig: Record<string, number | boolean> = {
          ...peer, ours_glcm_2d_ms: round(glcm2d, 3), ours_marching_cubes_ms: round(mc, 3), ours_morphology_ms: round(morph),
          glcm_2d_over_graycomatrix: round(glcm2d / peer.glcm_2d_all_slices_ms), marching_cubes_over_skimage: round(mc / peer.marching_cubes_ms),
          morphology_over_skimage_marching_cubes: round(morph / peer.marching_cubes_ms, 1),
          info_morphology_first_call_over_skimage_marching_cubes: round(times.morphology / peer.marching_cubes_ms, 1),
        };
        if (ml >= 100) {
          fig.goal_glcm_2d_le_1x_met = glcm2d <= peer.glcm_2d_all_slices_ms;
          fig.goal_marching_cubes_le_2x_met = mc <= 2 * peer.marching_cubes_ms;
          fig.goal_morphology_le_25x_marching_cubes_met = morph <= 25 * peer.marching_cubes_ms;
        }
        skimage[`${ml}mL`] = fig;
      } catch (e) {
        skimage[`${ml}mL`] = { error: (e as Error).message.slice(0, 200) };
      }
    } else skimage[`${ml}mL`] = { error: 'no /usr/bin/python3: apt-get install python3-skimage for the peer figures' };
  }
  rmSync(dir, { recursive: true, force: true });

  // Whole patient, clinical PET profile, through the worker pool.
  const p = generatePatient(defaultPatientSpec(1));
  const f = suvbwFactor(p.spec);
  const suv = { ...p.pet, data: p.pet.data.map((v) => v * f) };
  const structures = p.truth.structures.filter((s) => s.type !== 'reference' && s.type !== 'lacrimal');
  // One pass over the label map for every structure's box, then the crops (cropLabels).
  const tasks = () => {
    const crops = cropLabels(suv, p.labels, structures.map((s) => s.label));
    return structures.map((s) => {
      const c = crops.get(s.label)!;
      return { id: s.name, image: c.image, mask: c.mask, settings: CLINICAL_PET, options: { uptake: true } };
    });
  };
  const pool = nodeFeaturePool();
  // Warm-up: workers load their modules through tsx, and V8 needs a few passes of 18 ROIs before every path is
  // optimised. The first two passes are reported (first_run_ms, second_run_ms); the fourth, steady-state pass
  // (total_ms) is the figure the goal is about.
  const passes: number[] = [];
  for (let w = 0; w < 3; w++) { const t = performance.now(); await pool.run(tasks()); passes.push(performance.now() - t); }
  const [firstRun, secondRun] = passes;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const prepared = tasks();
  const tPrep = performance.now() - t0;
  const res = await pool.run(prepared);
  const total = performance.now() - t0;
  pool.close();
  const peerGoal = (ml: number, k: string) => ((skimage[`${ml}mL`] as Record<string, unknown> | undefined)?.[k] as boolean | undefined) ?? null;
  const goals: Record<string, boolean | null> = {};
  for (const ml of [100, 1000]) {
    for (const k of ['goal_glcm_2d_le_1x_met', 'goal_marching_cubes_le_2x_met', 'goal_morphology_le_25x_marching_cubes_met']) goals[`${k.replace(/_met$/, '')}_${ml}mL_met`] = peerGoal(ml, k);
  }
  goals.goal_all_families_le_400x_one_pass_1000mL_met = (perRoi['1000mL'] as Record<string, boolean>).goal_all_families_le_400x_one_pass_met;
  goals.goal_whole_patient_le_0_5s_met = total <= 500;
  return {
    goals,
    note: 'ratios are family time / one pass over the ROI voxels (sum of intensities, best of 20), same run; 2 mm spheres, 32 grey levels, 3D; family times are one cold call each (the all-families goal uses these), peer comparisons best of 5 on both sides (info_morphology_first_call_* compares the cold call); morphology as the clinical PET profile computes it, without Moran’s I / Geary’s C (settings moranGeary, on in the IBSI configurations), which info_moran_geary_* time on their own (first call at a transform size, then a second); info_* figures are for information only',
    per_roi: perRoi,
    skimage_same_roi: skimage,
    whole_patient: {
      structures: structures.length, tumours: structures.filter((s) => s.type === 'tumour').length, workers: pool.size,
      total_ms: +total.toFixed(0), crop_ms: +tPrep.toFixed(0), first_run_ms: +firstRun.toFixed(0), second_run_ms: +secondRun.toFixed(0), goal_le_0_5s_met: total <= 500,
      errors: res.filter((r) => r.error).map((r) => `${r.id}: ${r.error}`),
      main_rss_mb: +(process.memoryUsage().rss / 2 ** 20).toFixed(0), main_rss_delta_mb: +((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0),
    },
  };
}
