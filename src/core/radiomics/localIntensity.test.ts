import { describe, expect, it } from 'vitest';
import { forEachSphereMean, sphereMean, sphereOffsets } from './localIntensity';
import type { Vec3 } from '../volume';

describe('sphere means by chords', () => {
  for (const spacing of [[2, 2, 2], [0.98, 0.98, 3.27], [4.07, 4.07, 2]] as Vec3[]) {
    it(`equal the voxel-by-voxel sphere mean everywhere, borders included (spacing ${spacing.join(' × ')})`, () => {
      const dims: Vec3 = [13, 11, 9];
      const n = dims[0] * dims[1] * dims[2];
      const img = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 113) / 3 - 5);
      const mask = Uint8Array.from({ length: n }, (_, i) => (i % 3 ? 1 : 0));
      const offs = sphereOffsets(spacing);
      let visited = 0;
      forEachSphereMean(img, mask, dims, spacing, (v, m) => {
        visited++;
        const i = v % dims[0], j = Math.floor(v / dims[0]) % dims[1], k = Math.floor(v / (dims[0] * dims[1]));
        expect(Math.abs(m - sphereMean(img, dims, offs, i, j, k))).toBeLessThan(1e-9);
      });
      expect(visited).toBe(mask.reduce((s, x) => s + x, 0));
    });
  }
});
