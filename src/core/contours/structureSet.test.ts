import { describe, expect, it } from 'vitest';
import { describeStructures, dropUnusedTumours, emptyMeta, nextTumourLabel, presentLabels } from './structureSet';
import { TUMOUR_LABEL_BASE } from '../vocabulary';

describe('what a structure set holds', () => {
  it('lists the labels with voxels and names them', () => {
    const data = new Uint8Array(100);
    data[3] = 2; data[50] = 21; data[51] = 21; data[99] = 1;
    expect(presentLabels(data)).toEqual([1, 2, 21]);
    expect(describeStructures(presentLabels(data))).toBe('3 structures (Kidney L, Kidney R, T1)');
    expect(describeStructures([22])).toBe('1 structure (T2)');
    expect(describeStructures(presentLabels(new Uint8Array(10)))).toBe('no structures');
  });
});

describe('tumour numbers', () => {
  const T = (n: number) => TUMOUR_LABEL_BASE + n;
  it('the lowest number neither drawn nor described comes next (a removed tumour frees its number)', () => {
    const labels = new Uint8Array([0, T(1), T(3), 0]);
    expect(nextTumourLabel(labels, emptyMeta())).toBe(T(2));
    expect(nextTumourLabel(labels, { ...emptyMeta(), tumours: { [T(2)]: { site: 'bone' } } })).toBe(T(4));
  });
  it('a reservation never drawn nor described is dropped and its number used again', () => {
    const labels = new Uint8Array([T(1), T(2)]);
    const meta = { ...emptyMeta(), tumours: { [T(3)]: { site: 'other' as const }, [T(4)]: { site: 'lymph node' as const } } };
    expect(nextTumourLabel(labels, meta)).toBe(T(5));
    expect(dropUnusedTumours(labels, meta)).toEqual([T(3)]);
    expect(Object.keys(meta.tumours).map(Number)).toEqual([T(4)]);
    expect(nextTumourLabel(labels, meta)).toBe(T(3));
  });
});
