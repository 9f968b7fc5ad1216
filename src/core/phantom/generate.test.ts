import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient, suvbwFactor } from './generate';
import { hashString } from '../random';

const spec = (seed: number) => defaultPatientSpec(seed, { lesions: 4, imaging: { ctSpacing: [5, 5, 6], petSpacing: [6, 6, 6], zBottomMm: 0, zTopMm: 850 } });
const digest = (a: ArrayLike<number>) => hashString(Array.from(a as ArrayLike<number>, (v) => v.toFixed(3)).join(','));

describe('synthetic PSMA PET/CT patient', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generatePatient(spec(11)), b = generatePatient(spec(11)), c = generatePatient(spec(12));
    expect(digest(a.pet.data)).toBe(digest(b.pet.data));
    expect(digest(a.ct.data)).toBe(digest(b.ct.data));
    expect(a.truth).toEqual(b.truth);
    expect(digest(a.pet.data)).not.toBe(digest(c.pet.data));
  });
  it('has the vocabulary structures, PSMA-like uptake, and truth computed from the stored voxels', () => {
    const p = generatePatient(spec(4));
    const by = Object.fromEntries(p.truth.structures.map((s) => [s.name, s]));
    for (const n of ['Kidney L', 'Kidney R', 'Parotid L', 'Parotid R', 'Submandibular L', 'Submandibular R', 'Lacrimal L', 'Lacrimal R', 'Liver', 'Spleen', 'Bladder']) expect(by[n], n).toBeDefined();
    expect(by['Kidney L'].suvMean).toBeGreaterThan(by.Liver.suvMean);
    expect(by.Liver.suvMean).toBeGreaterThan(3);
    // truth SUVmax is exactly the stored voxel × SUV factor
    const t = by['Kidney L'];
    const [i, j, k] = t.maxVoxel;
    const n = i + p.pet.dims[0] * (j + p.pet.dims[1] * k);
    expect(p.pet.data[n] * suvbwFactor(p.spec)).toBeCloseTo(t.suvMax, 6);
    expect(p.labels.data[n]).toBe(t.label);
    // PET and CT are on different grids of one frame of reference
    expect(p.pet.spacing).not.toEqual(p.ct.spacing);
    expect(p.ct.data).toBeInstanceOf(Int16Array);
  });
  it('rejects an impossible spec with a message', () => {
    const s = spec(1);
    expect(() => generatePatient({ ...s, weightKg: 5 })).toThrow(/weight/);
  });
});
