import { describe, expect, it } from 'vitest';
import { describeStructures, presentLabels } from './structureSet';

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
