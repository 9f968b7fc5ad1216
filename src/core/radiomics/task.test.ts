import { describe, expect, it } from 'vitest';
import { cropLabels, cropToRoi } from './task';
import { labelMask } from './engine';
import type { Mat3, Volume } from '../volume';

const grid = { dims: [12, 10, 9] as [number, number, number], spacing: [4, 4, 5] as [number, number, number], origin: [-10, 5, 2] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3 };

describe('cropLabels', () => {
  it('gives each label the same crop as cropToRoi of its own mask, in one pass', () => {
    const n = 12 * 10 * 9;
    const image: Volume = { ...grid, data: Int16Array.from({ length: n }, (_, i) => (i * 37) % 101), slope: 0.5, intercept: -3 };
    const labels: Volume = { ...grid, data: new Uint8Array(n) };
    for (let i = 0; i < n; i++) labels.data[i] = i % 97 === 0 ? 3 : i % 89 === 0 ? 7 : (i * 13) % 211 === 5 ? 9 : 0;
    const got = cropLabels(image, labels, [3, 7, 9, 12], 6);
    expect([...got.keys()]).toEqual([3, 7, 9]);
    for (const l of [3, 7, 9]) {
      const want = cropToRoi(image, labelMask(labels, l), 6);
      expect(got.get(l)!.image).toEqual(want.image);
      expect(got.get(l)!.mask).toEqual(want.mask);
    }
  });
  it('refuses a label map of another size', () => {
    const image: Volume = { ...grid, data: new Float32Array(1080) };
    expect(() => cropLabels(image, { ...grid, data: new Uint8Array(10) }, [1])).toThrow(/label map has 10 voxels but the image has 1080/);
  });
});
