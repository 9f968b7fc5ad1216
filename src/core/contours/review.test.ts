import { describe, expect, it } from 'vitest';
import { acceptableAll, acceptCandidates, alreadyContoured, guessSite, impliesSingleKidney, mergePicked, petIndicesOn, splitCandidate, VERY_LARGE_NOTE, withLesions, withOrganProposals, without, type ReviewCandidate } from './review';
import { emptyMeta, tumourLabels } from './structureSet';
import type { Candidate } from './ops';
import type { OrganProposal } from './organs';
import { regionStats } from '../labelStats';
import { ORGANS, TUMOUR_LABEL_BASE, structureByLabel } from '../vocabulary';
import { IDENTITY, indexToWorld, type Geometry, type Vec3, type Volume } from '../volume';

// A 20×20×20 grid of 2 mm voxels (8 µL each) with two hot blobs on the x axis.
const grid: Geometry = { dims: [20, 20, 20], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [...IDENTITY] };
const at = (i: number, j: number, k: number) => i + 20 * (j + 20 * k);
const box = (lo: Vec3, hi: Vec3) => {
  const out: number[] = [];
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) out.push(at(i, j, k));
  return Uint32Array.from(out);
};
const suv = (): Volume<Float32Array> => {
  const v: Volume<Float32Array> = { ...grid, data: new Float32Array(8000).fill(0.5) };
  for (const n of box([2, 2, 2], [5, 5, 5])) v.data[n] = 6;
  for (const n of box([10, 2, 2], [13, 5, 5])) v.data[n] = 9;
  v.data[at(12, 3, 3)] = 12;
  return v;
};
const labels = (): Volume<Uint8Array> => ({ ...grid, data: new Uint8Array(8000) });
const found = (indices: Uint32Array, volumeMl = 0.5): Candidate => {
  const s = regionStats(suv(), indices);
  return { id: 0, voxels: indices.length, volumeMl, suvMax: s.max!, centre: s.centre, indices };
};
const kidneyL = ORGANS.find((o) => o.name === 'Kidney L')!;
const organ = (indices: Uint32Array): OrganProposal => ({ def: kidneyL, indices, volumeMl: 1, suvMax: 6, suvMean: 6, centre: [0, 0, 0] });
const a = box([2, 2, 2], [5, 5, 5]), b = box([10, 2, 2], [13, 5, 5]);

describe('candidate review', () => {
  it('guesses bone from the CT density at the centre, otherwise other (and without a CT)', () => {
    const ct: Volume<Int16Array> = { ...grid, data: new Int16Array(8000).fill(40), slope: 1, intercept: -1024 };
    ct.data[at(4, 4, 4)] = 1024 + 400;
    expect(guessSite(ct, indexToWorld(grid, 4, 4, 4))).toBe('bone');
    expect(guessSite(ct, indexToWorld(grid, 8, 8, 8))).toBe('other');
    expect(guessSite(ct, [-100, 0, 0])).toBe('other');
    expect(guessSite(undefined, indexToWorld(grid, 4, 4, 4))).toBe('other');
  });

  it('lists lesions with unique keys, keeps organ proposals, replaces earlier lesions and flags very large ones', () => {
    let list = withOrganProposals([], [organ(a)], structureByLabel);
    list = withLesions(list, [found(b)], undefined);
    list = withLesions(list, [found(a), found(b, 400)], undefined);
    expect(list.map((c) => c.kind)).toEqual(['organ', 'lesion', 'lesion']);
    expect(new Set(list.map((c) => c.key)).size).toBe(3);
    expect(list[2].note).toBe(VERY_LARGE_NOTE);
    expect(acceptableAll(list).map((c) => c.key)).toEqual([list[0].key, list[1].key]);
    // A second proposal of the same organ replaces the first.
    const again = withOrganProposals(list, [organ(b)], structureByLabel);
    expect(again.filter((c) => c.kind === 'organ').map((c) => c.indices)).toEqual([b]);
    expect(() => withOrganProposals([], [{ ...organ(a), def: { ...kidneyL, label: 19 } }], structureByLabel)).toThrow(/unknown label 19/);
  });

  it('a lesion already in the set (its hottest voxel, or half of it) is recognised', () => {
    const s = suv(), set = labels();
    expect(alreadyContoured({ indices: b }, s, set)).toBe(false);
    set.data[at(12, 3, 3)] = 21; // the hottest voxel only
    expect(alreadyContoured({ indices: b }, s, set)).toBe(true);
    const half = labels();
    for (const n of b.slice(b.length / 2)) half.data[n] = 1; // the half without the hottest voxel
    expect(alreadyContoured({ indices: b }, s, half)).toBe(true);
    half.data[b[b.length - 1]] = 0;
    expect(alreadyContoured({ indices: b }, s, half)).toBe(false);
  });

  it('merge gives one candidate with the union and its statistics; split gives the pieces back', () => {
    const s = suv();
    let list = withLesions([], [found(a), found(b)], undefined);
    list[0].site = 'bone';
    expect(() => mergePicked(list, s)).toThrow(/two or more/);
    list = list.map((c) => ({ ...c, picked: true }));
    const merged = mergePicked(list, s);
    expect(merged).toHaveLength(1);
    const m = merged[0];
    expect(m.indices.length).toBe(a.length + b.length);
    expect(m.site).toBe('bone');
    expect(m.suvMax).toBe(12);
    expect(m.volumeMl).toBeCloseTo(((a.length + b.length) * 8) / 1000, 9);
    expect(m.centre[0]).toBeCloseTo(((3.5 + 11.5) / 2) * 2, 6);
    expect(m.picked).toBe(false);
    const { list: back, parts } = splitCandidate(merged, m.key, s);
    expect(parts).toBe(2);
    expect(back.map((c) => [...c.indices])).toEqual([[...a], [...b]]);
    expect(back.map((c) => c.suvMax)).toEqual([6, 12]);
    expect(back.every((c) => c.site === 'bone' && c.kind === 'lesion')).toBe(true);
    expect(() => splitCandidate(back, back[0].key, s)).toThrow(/single uptake peak/);
    expect(() => splitCandidate(back, 999, s)).toThrow(/no candidate 999/);
  });

  it('accept writes the next tumour labels with their sites and an organ into its label, never over other or locked structures', () => {
    const set = labels(), meta = emptyMeta();
    set.data[a[0]] = 3; // another structure inside the first candidate
    set.data[at(0, 0, 0)] = 21; // T1 exists already
    const list: ReviewCandidate[] = withLesions([], [found(a), found(b)], undefined);
    list[1].site = 'lymph node';
    expect(acceptCandidates(set, meta, list, grid)).toEqual([22, 23]);
    expect(set.data[a[0]]).toBe(3);
    expect(set.data[a[1]]).toBe(22);
    expect(set.data[b[5]]).toBe(23);
    expect(meta.tumours).toEqual({ 22: { site: 'other' }, 23: { site: 'lymph node' } });
    expect(tumourLabels(set.data, meta)).toEqual([21, 22, 23]);
    expect(tumourLabels(set.data, meta).every((l) => l > TUMOUR_LABEL_BASE)).toBe(true);

    // An accepted organ replaces that organ's voxels, except where other structures are.
    const kidneys = labels(), km = emptyMeta();
    kidneys.data[at(0, 0, 0)] = 1; // an earlier brushed Kidney L outside the proposal
    kidneys.data[b[0]] = 22;
    const prop = withOrganProposals([], [organ(b)], structureByLabel);
    expect(acceptCandidates(kidneys, km, prop, grid)).toEqual([1]);
    expect(kidneys.data[at(0, 0, 0)]).toBe(0);
    expect(kidneys.data[b[0]]).toBe(22);
    expect(kidneys.data.filter((v) => v === 1).length).toBe(b.length - 1);
    expect(km.tumours).toEqual({});

    // A locked organ stays as it is.
    km.locked = [1];
    const before = kidneys.data.slice();
    expect(acceptCandidates(kidneys, km, withOrganProposals([], [organ(a)], structureByLabel), grid)).toEqual([]);
    expect(kidneys.data).toEqual(before);
    expect(without(prop, prop)).toEqual([]);
  });

  it('accept onto a finer grid maps the PET-grid voxels by nearest neighbour', () => {
    const fine: Geometry = { dims: [40, 40, 40], spacing: [1, 1, 1], origin: [-0.5, -0.5, -0.5], direction: [...IDENTITY] };
    const one = Uint32Array.of(at(3, 3, 3));
    const mapped = petIndicesOn(one, grid, fine);
    expect(mapped.length).toBe(8);
    expect(petIndicesOn(one, grid, grid)).toBe(one);
    const set: Volume<Uint8Array> = { ...fine, data: new Uint8Array(64000) };
    acceptCandidates(set, emptyMeta(), withOrganProposals([], [organ(one)], structureByLabel), grid);
    expect(set.data.filter((v) => v === 1).length).toBe(8);
  });

  it('a kidney search with a single proposal means a single kidney', () => {
    expect(impliesSingleKidney('kidneys', [organ(a)])).toBe(true);
    expect(impliesSingleKidney('kidneys', [organ(a), organ(b)])).toBe(false);
    expect(impliesSingleKidney('salivary', [organ(a)])).toBe(false);
  });
});
