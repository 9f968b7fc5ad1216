// One-click organ proposals: kidneys and salivary glands are PSMA-avid, so they are found as pairs of
// avid components placed where anatomy puts them (left/right of the body midline, kidneys 30–140 mm lateral,
// parotids below the vertex and lateral, submandibular glands below and medial to the parotids), of
// soft-tissue density on the CT when there is one. Several thresholds are tried so touching organs
// separate. Proposals are for review only.
import type { Vec3, Volume } from '../volume';
import { geometryOf, indexToWorld, toFloat32 } from '../volume';
import { regionStats } from '../labelStats';
import { ORGANS, type StructureDef } from '../vocabulary';
import { connectedComponents } from './ops';
import { resampleNearest } from '../mask';

export interface OrganProposal { def: StructureDef; indices: Uint32Array; volumeMl: number; suvMax: number; suvMean: number; centre: Vec3 }

interface Comp { indices: Uint32Array; volumeMl: number; suvMax: number; suvMean: number; centre: Vec3; offset: number; threshold: number; /** Mean CT HU when a CT is given. */ hu?: number }

/** CT in HU on the PET grid (nearest voxel), for the density check of organ proposals. */
function huOnPet(ct: Volume | undefined, suv: Volume<Float32Array>): Float32Array | undefined {
  if (!ct) return undefined;
  const stored = resampleNearest(ct, suv, (n) => new Float32Array(n));
  return toFloat32({ ...stored, slope: ct.slope, intercept: ct.intercept }).data;
}

/** Soft-tissue density (kidneys, glands, liver, spleen, urine): not bone, not lung or air. */
const softTissue = (c: Comp) => c.hu === undefined || (c.hu > -150 && c.hu < 150);

const organ = (name: string) => ORGANS.find((o) => o.name === name)!;

/**
 * Body frame from the PET (body = SUV ≥ 0.3): midline (LPS x), vertex (z of the highest slice with ≥ 20 cm²
 * of body) and whether the head is in the field (the slices 40–100 mm under the top are narrower than 60 %
 * of the widest body section, as a head is and a chest cut at the top of the field is not).
 */
function bodyFrame(suv: Volume<Float32Array>): { midX: number; topZ: number; head: boolean } {
  const [nx, ny, nz] = suv.dims;
  const area = suv.spacing[0] * suv.spacing[1];
  const mids: number[] = [];
  const areas: { z: number; mm2: number }[] = [];
  for (let k = 0; k < nz; k++) {
    let n = 0, sx = 0;
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) if (suv.data[i + nx * (j + ny * k)] >= 0.3) { n++; sx += i; }
    if (n * area < 2000) continue;
    mids.push(sx / n);
    areas.push({ z: indexToWorld(suv, 0, 0, k)[2], mm2: n * area });
  }
  if (!mids.length) return { midX: indexToWorld(suv, nx / 2, ny / 2, 0)[0], topZ: Infinity, head: false };
  mids.sort((a, b) => a - b);
  const topZ = Math.max(...areas.map((a) => a.z)), widest = Math.max(...areas.map((a) => a.mm2));
  const near = areas.filter((a) => a.z <= topZ - 40 && a.z >= topZ - 100);
  const head = near.length > 0 && near.every((a) => a.mm2 < 0.6 * widest);
  return { midX: indexToWorld(suv, mids[mids.length >> 1], 0, 0)[0], topZ, head };
}

function components(suv: Volume<Float32Array>, thresholds: number[], midX: number, zRange: [number, number], volRange: [number, number], exclude?: Uint8Array, hu?: Float32Array): Comp[] {
  const [nx, ny] = suv.dims;
  const voxMl = (suv.spacing[0] * suv.spacing[1] * suv.spacing[2]) / 1000;
  const out: Comp[] = [];
  for (const t of thresholds) {
    const mask = new Uint8Array(suv.data.length);
    for (let n = 0; n < mask.length; n++) {
      if (suv.data[n] < t || exclude?.[n]) continue;
      const z = indexToWorld(suv, 0, 0, Math.floor(n / (nx * ny)))[2];
      if (z >= zRange[0] && z <= zRange[1]) mask[n] = 1;
    }
    const { ids, sizes } = connectedComponents(mask, suv.dims);
    const keep = sizes.map((s) => s * voxMl >= volRange[0] && s * voxMl <= volRange[1]);
    const lists = new Map<number, number[]>();
    for (let n = 0; n < ids.length; n++) if (ids[n] && keep[ids[n]]) (lists.get(ids[n]) ?? lists.set(ids[n], []).get(ids[n])!).push(n);
    for (const idx of lists.values()) {
      const st = regionStats(suv, idx);
      const h = hu ? regionStats({ ...suv, data: hu }, idx).mean : undefined;
      const comp: Comp = { indices: Uint32Array.from(idx), volumeMl: st.volumeMl, suvMax: st.max!, suvMean: st.mean!, centre: st.centre, offset: st.centre[0] - midX, threshold: t, hu: h };
      if (softTissue(comp)) out.push(comp);
    }
  }
  return out;
}

/** How far a component's threshold is from 40 % of its maximum, where a blurred organ's edge lies. */
const edgeFit = (c: Comp) => Math.abs(c.threshold / c.suvMax - 0.4);

/** Left/right pairs (patient left is +x in LPS), best first; lower score = more symmetric. */
function pairs(comps: Comp[], ok: (c: Comp) => boolean, extra: (l: Comp, r: Comp) => number = () => 0): { l: Comp; r: Comp; score: number }[] {
  const out: { l: Comp; r: Comp; score: number }[] = [];
  const left = comps.filter((c) => c.offset > 0 && ok(c)), right = comps.filter((c) => c.offset < 0 && ok(c));
  for (const l of left) for (const r of right) {
    if (Math.abs(Math.log(l.suvMean / r.suvMean)) > Math.log(1.6)) continue; // paired organs take up alike
    const s = Math.abs(l.centre[2] - r.centre[2]) + Math.abs(l.offset + r.offset) + Math.abs(l.centre[1] - r.centre[1]) + 40 * Math.abs(Math.log(l.volumeMl / r.volumeMl))
      + 200 * (edgeFit(l) + edgeFit(r)) + extra(l, r);
    if (Number.isFinite(s)) out.push({ l, r, score: s });
  }
  return out.sort((x, y) => x.score - y.score);
}

const THRESHOLDS = [4, 5, 7, 9, 12, 15];

const proposal = (name: string, c: Comp): OrganProposal => ({ def: organ(name), indices: c.indices, volumeMl: c.volumeMl, suvMax: c.suvMax, suvMean: c.suvMean, centre: c.centre });

/** Kidney proposals (a single one with a note when only one is found). */
export function proposeKidneys(suv: Volume<Float32Array>, ct?: Volume): { proposals: OrganProposal[]; note: string } {
  const f = bodyFrame(suv);
  // Kidneys lie well below the salivary glands (≥ 300 mm under the vertex when the head is in the field).
  const comps = components(suv, THRESHOLDS, f.midX, [-Infinity, f.head ? f.topZ - 300 : Infinity], [60, 450], undefined, huOnPet(ct, suv));
  const kidneyLike = (c: Comp) => Math.abs(c.offset) >= 30 && Math.abs(c.offset) <= 140;
  const best = pairs(comps, kidneyLike, (l, r) => (Math.abs(l.centre[2] - r.centre[2]) > 80 ? Infinity : 0))[0];
  if (best) return { proposals: [proposal('Kidney L', best.l), proposal('Kidney R', best.r)], note: `kidneys at SUV ≥ ${best.l.threshold}` };
  const single = comps.filter((c) => kidneyLike(c) && edgeFit(c) < 0.2).sort((a, b) => b.suvMean - a.suvMean)[0];
  if (!single) return { proposals: [], note: 'no kidney-like avid region (60–450 mL, 30–140 mm from the midline) was found' };
  return { proposals: [proposal(single.offset > 0 ? 'Kidney L' : 'Kidney R', single)], note: 'only one kidney-like region was found: check for a single kidney' };
}

/** Parotid and submandibular proposals in the head and neck (the field of view must include it). */
export function proposeSalivary(suv: Volume<Float32Array>, ct?: Volume): { proposals: OrganProposal[]; note: string } {
  const f = bodyFrame(suv);
  if (!Number.isFinite(f.topZ)) return { proposals: [], note: 'no body found in the PET' };
  if (!f.head) return { proposals: [], note: 'the field of view does not seem to include the head (no narrow head section at its top)' };
  const hu = huOnPet(ct, suv);
  const comps = components(suv, THRESHOLDS, f.midX, [f.topZ - 300, f.topZ - 40], [2, 90], undefined, hu);
  // Parotids and submandibular glands are chosen together: the parotid pair is the larger, more lateral
  // and higher one, with the submandibular pair 10–90 mm below it and more medial.
  let best: { p: (typeof cands)[number]; sub?: ReturnType<typeof pairs>[number]; score: number } | undefined;
  const cands = pairs(comps, (c) => Math.abs(c.offset) >= 30 && Math.abs(c.offset) <= 95 && c.volumeMl >= 6).slice(0, 30);
  for (const p of cands) {
    const pz = (p.l.centre[2] + p.r.centre[2]) / 2, po = (p.l.offset - p.r.offset) / 2, pv = Math.min(p.l.volumeMl, p.r.volumeMl);
    const used = new Set([...p.l.indices, ...p.r.indices]);
    const sub = pairs(
      comps.filter((c) => !c.indices.some((n) => used.has(n))),
      (c) => c.centre[2] < pz - 10 && c.centre[2] > pz - 90 && Math.abs(c.offset) < po && Math.abs(c.offset) >= 12 && c.volumeMl < pv,
    )[0];
    const score = p.score + (sub ? sub.score : 300);
    if (!best || score < best.score) best = { p, sub, score };
  }
  if (!best) return { proposals: [], note: 'no pair of avid glands below the vertex: does the field of view include the head?' };
  const proposals = [proposal('Parotid L', best.p.l), proposal('Parotid R', best.p.r)];
  if (best.sub) proposals.push(proposal('Submandibular L', best.sub.l), proposal('Submandibular R', best.sub.r));
  // Lacrimal glands: a small pair 30–110 mm above the parotids, in front of them and closer to the midline.
  const p0 = best.p, pz = (p0.l.centre[2] + p0.r.centre[2]) / 2, py = (p0.l.centre[1] + p0.r.centre[1]) / 2;
  const small = components(suv, [3, 4, 5, 7, 9], f.midX, [pz + 30, pz + 110], [0.3, 8], undefined, hu);
  const lacrimal = pairs(small, (c) => c.centre[2] > pz + 30 && c.centre[2] < pz + 110 && c.centre[1] < py - 30 && Math.abs(c.offset) >= 12 && Math.abs(c.offset) <= 60)[0];
  if (lacrimal) proposals.push(proposal('Lacrimal L', lacrimal.l), proposal('Lacrimal R', lacrimal.r));
  return { proposals, note: `${best.sub ? 'parotid and submandibular glands' : 'parotid glands only: no submandibular pair found below them'}${lacrimal ? ', lacrimal glands' : ''}` };
}

/**
 * Reference regions and physiological uptake to keep out of lesion candidates: liver (largest avid region on
 * the patient's right, ≥ 600 mL), spleen (left, level with the liver, not a kidney), bladder (midline, the
 * lowest avid region well below the kidneys).
 */
export function proposeReferenceOrgans(suv: Volume<Float32Array>, o: { kidneys?: OrganProposal[]; ct?: Volume } = {}): { proposals: OrganProposal[]; note: string } {
  const kidneys = o.kidneys ?? proposeKidneys(suv, o.ct).proposals;
  const f = bodyFrame(suv);
  // Kidneys (and a margin of one voxel) are taken out first: the spleen and liver touch them.
  const exclude = new Uint8Array(suv.data.length);
  const [nx, ny] = suv.dims;
  for (const k of kidneys) for (const n of k.indices) for (const d of [0, 1, -1, nx, -nx, nx * ny, -nx * ny]) if (n + d >= 0 && n + d < exclude.length) exclude[n + d] = 1;
  const comps = components(suv, [3, 4, 5, 7, 9, 12, 15], f.midX, [-Infinity, f.head ? f.topZ - 300 : Infinity], [20, 5000], exclude, huOnPet(o.ct, suv));
  const fits = (c: Comp) => edgeFit(c) < 0.25;
  const overlapsKidney = (_: Comp) => false;
  const proposals: OrganProposal[] = [];
  const notes: string[] = [];
  const liver = comps.filter((c) => c.offset < -20 && c.volumeMl >= 600 && fits(c)).sort((a, b) => edgeFit(a) - edgeFit(b) || b.volumeMl - a.volumeMl)[0];
  if (liver) proposals.push(proposal('Liver', liver)); else notes.push('no liver-like region (≥ 600 mL, right side)');
  const spleen = comps.filter((c) => c.offset > 40 && c.volumeMl >= 60 && c.volumeMl <= 800 && fits(c) && !overlapsKidney(c) && (!liver || Math.abs(c.centre[2] - liver.centre[2]) < 150))
    .sort((a, b) => edgeFit(a) - edgeFit(b))[0];
  if (spleen) proposals.push(proposal('Spleen', spleen)); else notes.push('no spleen-like region');
  const kidneyZ = kidneys.length ? Math.min(...kidneys.map((k) => k.centre[2])) : Infinity;
  const bladder = comps.filter((c) => Math.abs(c.offset) < 40 && c.volumeMl >= 20 && c.volumeMl <= 1000 && fits(c) && c.centre[2] < kidneyZ - 120 && !overlapsKidney(c))
    .sort((a, b) => a.centre[2] - b.centre[2] || edgeFit(a) - edgeFit(b));
  // The lowest midline region; among regions at about that height, the best-fitting threshold.
  const low = bladder.length ? bladder.filter((c) => c.centre[2] < bladder[0].centre[2] + 40).sort((a, b) => b.volumeMl * b.suvMean - a.volumeMl * a.suvMean)[0] : undefined;
  if (low) proposals.push(proposal('Bladder', low)); else notes.push('no bladder-like region');
  return { proposals, note: notes.length ? notes.join('; ') : 'liver, spleen and bladder' };
}

/**
 * Label map of physiological uptake for lesion detection: the organs already in `structures` (labels up to
 * the tumour range), completed with proposals (kidneys, salivary glands, liver, spleen, bladder) for the
 * organs it lacks.
 */
export function physiologicalUptake(suv: Volume<Float32Array>, structures?: Volume, ct?: Volume): Volume<Uint8Array> {
  const organs: Volume<Uint8Array> = { ...geometryOf(suv), data: new Uint8Array(suv.data.length) };
  const organLabels = new Set(ORGANS.map((o) => o.label));
  if (structures) for (let n = 0; n < organs.data.length; n++) if (organLabels.has(structures.data[n])) organs.data[n] = structures.data[n];
  const present = new Set(organs.data);
  const kidneys = proposeKidneys(suv, ct).proposals;
  for (const p of [...kidneys, ...proposeSalivary(suv, ct).proposals, ...proposeReferenceOrgans(suv, { kidneys, ct }).proposals]) {
    if (present.has(p.def.label)) continue;
    for (const n of p.indices) if (!organs.data[n]) organs.data[n] = p.def.label;
  }
  return organs;
}

/** Dice overlap of a proposal with a label of a reference map. */
export function dice(indices: Uint32Array, labels: Volume, label: number): number {
  let ref = 0, both = 0;
  for (const v of labels.data) if (v === label) ref++;
  for (const n of indices) if (labels.data[n] === label) both++;
  return (2 * both) / (ref + indices.length || 1);
}
