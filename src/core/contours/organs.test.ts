import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { dice, proposeKidneys, proposeSalivary } from './organs';
import { scoreCandidates } from '../../testing/candidates';
import type { Volume } from '../volume';

const suvOf = (seed: number, extra: { missingKidney?: 'L' | 'R' } = {}) => {
  const p = generatePatient({ ...defaultPatientSpec(seed), ...extra });
  return { p, suv: { ...p.pet, data: p.pet.data.map((v) => v * p.truth.suvbwPerBqml) } as Volume<Float32Array> };
};

describe('organ proposals (uptake + anatomy) against the phantom truth', () => {
  it('finds both kidneys, the four major salivary glands (Dice ≥ 0.8) and the lacrimal glands (≥ 0.5) on five patients', () => {
    const scores: string[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const { p, suv } = suvOf(seed);
      const sal = proposeSalivary(suv);
      const all = [...proposeKidneys(suv).proposals, ...sal.proposals];
      expect(all.map((x) => x.def.name).sort()).toEqual(['Kidney L', 'Kidney R', 'Lacrimal L', 'Lacrimal R', 'Parotid L', 'Parotid R', 'Submandibular L', 'Submandibular R']);
      for (const x of all) {
        const d = dice(x.indices, p.labels, x.def.label);
        scores.push(`${x.def.name} ${d.toFixed(2)}`);
        // Lacrimal glands are ~1 mL: a voxel more or less moves their Dice a lot.
        expect(d, `${x.def.name} of patient ${seed}`).toBeGreaterThan(x.def.type === 'lacrimal' ? 0.5 : 0.8);
      }
    }
    console.log(`organ proposal Dice: ${scores.join(', ')}`);
  }, 120_000);
  it('a patient with one kidney gets one proposal, on the right side, and a note', () => {
    const { p, suv } = suvOf(2, { missingKidney: 'L' });
    const k = proposeKidneys(suv);
    expect(k.proposals.map((x) => x.def.name)).toEqual(['Kidney R']);
    expect(k.note).toMatch(/one kidney/);
    expect(dice(k.proposals[0].indices, p.labels, 2)).toBeGreaterThan(0.8);
  }, 60_000);
  it('a PET without the head gets no salivary proposals and says why', () => {
    const { suv } = suvOf(1);
    const nz = 120; // pelvis to chest only (4 mm slices)
    const cut: Volume<Float32Array> = { ...suv, dims: [suv.dims[0], suv.dims[1], nz], data: suv.data.slice(0, suv.dims[0] * suv.dims[1] * nz) };
    const s = proposeSalivary(cut);
    expect(s.proposals.length).toBe(0);
    expect(s.note).toMatch(/head/);
  }, 60_000);
});

describe('lesion candidates with automatic physiological exclusion (no organ drawn)', () => {
  it('finds most lesions and few physiological false positives on three patients', async () => {
    const { lesionCandidates } = await import('./ops');
    const { physiologicalUptake, proposeReferenceOrgans } = await import('./organs');
    let found = 0, total = 0, fp = 0;
    const refDice: string[] = [];
    for (const seed of [1, 2, 3]) {
      const { p, suv } = suvOf(seed);
      for (const r of proposeReferenceOrgans(suv).proposals) refDice.push(`${r.def.name} ${dice(r.indices, p.labels, r.def.label).toFixed(2)}`);
      const cands = lesionCandidates(suv, physiologicalUptake(suv), { threshold: 3, minVolumeMl: 0.5 });
      const tumours = p.truth.structures.filter((s) => s.type === 'tumour');
      total += tumours.length;
      const score = scoreCandidates(cands, p.labels.data);
      fp += score.falsePositives;
      found += score.found.size;
    }
    console.log(`reference organ Dice: ${refDice.join(', ')}`);
    console.log(`lesion candidates, organs found automatically: sensitivity ${((100 * found) / total).toFixed(0)} % (${found}/${total}), ${(fp / 3).toFixed(1)} false positives per patient`);
    expect(found / total).toBeGreaterThan(0.6);
    expect(fp / 3).toBeLessThan(1.5);
    for (const d of refDice) expect(Number(d.split(' ').pop())).toBeGreaterThan(0.7);
  }, 120_000);
});
