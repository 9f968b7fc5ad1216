import { describe, expect, it } from 'vitest';
import { labelStats, regionStats } from './labelStats';
import { IDENTITY, type Volume } from './volume';

const grid = { dims: [4, 3, 2] as [number, number, number], spacing: [2, 2, 5] as [number, number, number], origin: [10, 0, 0] as [number, number, number], direction: IDENTITY };

describe('label statistics', () => {
  const labels: Volume<Uint8Array> = { ...grid, data: new Uint8Array(24) };
  const suv: Volume<Float32Array> = { ...grid, data: Float32Array.from({ length: 24 }, (_, n) => n) };
  labels.data[1] = 3; labels.data[2] = 3; labels.data[13] = 7;
  it('counts voxels, volume, centre and SUV per label', () => {
    const s = labelStats(labels, suv);
    expect([...s.keys()]).toEqual([3, 7]);
    expect(s.get(3)).toEqual({ voxels: 2, volumeMl: 0.04, centre: [13, 0, 0], max: 2, mean: 1.5 });
    expect(s.get(7)!.centre).toEqual([12, 0, 5]);
  });
  it('leaves SUV out without values, and a voxel set gives the same as its label', () => {
    expect(labelStats(labels).get(3)!.max).toBeUndefined();
    expect(regionStats(suv, [1, 2])).toEqual(labelStats(labels, suv).get(3));
  });
});
