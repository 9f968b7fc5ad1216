import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { dice, proposeKidneys, proposeSalivary } from './organs';
import { scoreCandidates } from '../../../test-support/candidates';
import type { Volume } from '../volume';

const suvOf = (seed: number, extra: { missingKidney?: 'L' | 'R' } = {}) => {
  const p = generatePatient({ ...defaultPatientSpec(seed), ...extra });
  return { p, suv: { ...p.pet, data: p.pet.data.map((v) => v * p.truth.suvbwPerBqml) } as Volume<Float32Array> };
};

describe('organ proposals (uptake + anatomy) against the phantom truth', () => {
  it('finds both kidneys, the four major salivary glands (Dice ≥ 0.8) and the lacrimal glands (≥ 0.5) on five patients (PET + CT)', () => {
    const scores: string[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const { p, suv } = suvOf(seed);
      const sal = proposeSalivary(suv, p.ct);
      const all = [...proposeKidneys(suv, p.ct).proposals, ...sal.proposals];
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
      for (const r of proposeReferenceOrgans(suv, { ct: p.ct }).proposals) refDice.push(`${r.def.name} ${dice(r.indices, p.labels, r.def.label).toFixed(2)}`);
      const cands = lesionCandidates(suv, physiologicalUptake(suv, undefined, p.ct), { threshold: 3, minVolumeMl: 0.5 });
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

describe('CT density check of organ proposals', () => {
  it('an avid symmetric pair in bone is not proposed as kidneys when the CT is given; the soft-tissue pair is', () => {
    const n = 64, sp = 4;
    const geom = { dims: [n, n, n] as [number, number, number], spacing: [sp, sp, sp] as [number, number, number], origin: [-128, -128, -128] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number] };
    const suv: Volume<Float32Array> = { ...geom, data: new Float32Array(n ** 3).fill(0.6) };
    const ct: Volume<Int16Array> = { ...geom, data: new Int16Array(n ** 3).fill(40) };
    const blob = (cx: number, cz: number, r: number, value: number, hu: number) => {
      for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
        const x = -128 + i * sp, y = -128 + j * sp, z = -128 + k * sp;
        if ((x - cx) ** 2 + y ** 2 + (z - cz) ** 2 <= r * r) { suv.data[i + n * (j + n * k)] = value; ct.data[i + n * (j + n * k)] = hu; }
      }
    };
    blob(80, -60, 28, 20, 700); blob(-80, -60, 28, 20, 700); // a perfectly symmetric pair, in bone
    blob(75, 50, 28, 20, 30); blob(-75, 62, 28, 20, 30); // soft tissue, a little less symmetric
    const without = proposeKidneys(suv).proposals, withCt = proposeKidneys(suv, ct).proposals;
    expect(without.map((p) => Math.round(p.centre[2]))).toEqual([-60, -60]);
    expect(withCt.map((p) => p.def.name)).toEqual(['Kidney L', 'Kidney R']);
    expect(withCt.map((p) => Math.round(p.centre[2]))).toEqual([50, 62]);
  });
});
