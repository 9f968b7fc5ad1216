// Contouring figures: whole-body lesion-candidate detection on the demo patient, and the cost of serialising a
// whole-body label map for the local autosave (gzip level 1, as src/data/localStore.ts does).
import { gzipSync } from 'fflate';
import { defaultPatientSpec, generatePatient, suvbwFactor } from '../../core/phantom/generate';
import { lesionCandidates } from '../../core/contours/ops';
import { TUMOUR_LABEL_BASE } from '../../core/vocabulary';

export async function run() {
  const p = generatePatient(defaultPatientSpec(1));
  const suv = { ...p.pet, data: p.pet.data.map((v) => v * suvbwFactor(p.spec)) };
  const organs = { ...p.labels, data: p.labels.data.map((v) => (v > TUMOUR_LABEL_BASE ? 0 : v)) };
  const t0 = performance.now();
  const c = lesionCandidates(suv, organs);
  const detectMs = performance.now() - t0;
  const t1 = performance.now();
  const z = gzipSync(p.labels.data, { level: 1 });
  const saveMs = performance.now() - t1;
  // A 512×512×400 CT-grid label map (worst case if contours were kept on the CT grid).
  const big = new Uint8Array(512 * 512 * 400);
  for (let n = 0; n < big.length; n += 7919) big[n] = 1;
  const t2 = performance.now();
  const zb = gzipSync(big, { level: 1 });
  const bigMs = performance.now() - t2;
  return {
    demo_pet_grid: p.pet.dims, candidate_detection_ms: +detectMs.toFixed(0), candidates: c.length,
    autosave_serialise_pet_grid_ms: +saveMs.toFixed(1), autosave_bytes: z.length,
    autosave_serialise_512x512x400_ms: +bigMs.toFixed(0), autosave_512x512x400_bytes: zb.length,
  };
}
