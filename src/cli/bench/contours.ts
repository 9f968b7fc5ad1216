// Contouring figures on the demo patient: whole-body lesion-candidate detection (with truth organs, and with
// the organs found automatically), one-click organ proposals, an undo step (diff of the whole label map),
// slice interpolation, RTSTRUCT export, and the cost of serialising a whole-body label map for the local
// autosave (gzip level 1, as src/viewer/session/storage.ts does).
import { gzipSync } from 'fflate';
import { defaultPatientSpec, generatePatient, suvbwFactor } from '../../core/phantom/generate';
import { lesionCandidates, paintSphere } from '../../core/contours/ops';
import { physiologicalUptake, proposeKidneys, proposeSalivary, proposeReferenceOrgans } from '../../core/contours/organs';
import { LabelHistory } from '../../core/contours/history';
import { interpolateSlices } from '../../core/contours/interpolate';
import { writeRtstruct } from '../../core/io/rtstruct';
import { ptReference } from '../../core/phantom/dicom';
import { structureByLabel, TUMOUR_LABEL_BASE } from '../../core/vocabulary';
import type { Volume } from '../../core/volume';

const time = <T>(fn: () => T): [T, number] => { const t = performance.now(); const r = fn(); return [r, performance.now() - t]; };

export async function run() {
  const p = generatePatient(defaultPatientSpec(1));
  const suv = { ...p.pet, data: p.pet.data.map((v) => v * suvbwFactor(p.spec)) };
  const organs = { ...p.labels, data: p.labels.data.map((v) => (v > TUMOUR_LABEL_BASE ? 0 : v)) };
  const [c, detectMs] = time(() => lesionCandidates(suv, organs));
  const [auto, autoMs] = time(() => lesionCandidates(suv, physiologicalUptake(suv, undefined, p.ct)));
  const [, kidneyMs] = time(() => proposeKidneys(suv, p.ct));
  const [, salivaryMs] = time(() => proposeSalivary(suv, p.ct));
  const [, refMs] = time(() => proposeReferenceOrgans(suv, { ct: p.ct }));
  // An undo step: a brush-sized edit, then the diff of the whole label map.
  const labels: Volume<Uint8Array> = { ...p.labels, data: p.labels.data.slice() };
  const history = new LabelHistory(labels.data);
  paintSphere(labels, p.truth.structures[0].maxVoxelLps, 8, 1);
  const [, commitMs] = time(() => history.commit('stroke'));
  const [, undoMs] = time(() => history.undo());
  // Interpolation: the left kidney kept on every 4th slice, then filled back.
  const sparse: Volume<Uint8Array> = { ...p.labels, data: p.labels.data.map((v, n) => (v === 1 && Math.floor(n / (p.labels.dims[0] * p.labels.dims[1])) % 4 ? 0 : v)) };
  const [added, interpMs] = time(() => interpolateSlices(sparse, 1));
  const present = [...new Set(p.labels.data)].filter((l) => l > 0).sort((a, b) => a - b);
  const rois = present.map((l) => { const d = structureByLabel(l)!; return { label: l, name: d.name, color: d.color, interpretedType: d.type === 'tumour' ? 'GTV' : 'ORGAN' }; });
  const [rt, rtMs] = time(() => writeRtstruct(p.labels, ptReference(p), rois));
  const [z, saveMs] = time(() => gzipSync(p.labels.data, { level: 1 }));
  // A 512×512×400 CT-grid label map (worst case if contours were kept on the CT grid).
  const big = new Uint8Array(512 * 512 * 400);
  for (let n = 0; n < big.length; n += 7919) big[n] = 1;
  const [zb, bigMs] = time(() => gzipSync(big, { level: 1 }));
  return {
    demo_pet_grid: p.pet.dims,
    candidate_detection_ms: +detectMs.toFixed(0), candidates: c.length,
    candidate_detection_auto_organs_ms: +autoMs.toFixed(0), candidates_auto_organs: auto.length,
    propose_kidneys_ms: +kidneyMs.toFixed(0), propose_salivary_ms: +salivaryMs.toFixed(0), propose_liver_spleen_bladder_ms: +refMs.toFixed(0),
    undo_commit_whole_map_ms: +commitMs.toFixed(1), undo_ms: +undoMs.toFixed(1),
    interpolate_kidney_every_4th_slice_ms: +interpMs.toFixed(0), interpolated_voxels: added,
    rtstruct_export_ms: +rtMs.toFixed(0), rtstruct_bytes: rt.byteLength, rtstruct_rois: rois.length,
    autosave_serialise_pet_grid_ms: +saveMs.toFixed(1), autosave_bytes: z.length,
    autosave_serialise_512x512x400_ms: +bigMs.toFixed(0), autosave_512x512x400_bytes: zb.length,
  };
}
