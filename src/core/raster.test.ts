import { describe, expect, it } from 'vitest';
import { Rng } from './random';
import { scanPolygon, sliceContours } from './raster';

const fill = (loops: number[][], nx: number, ny: number) => {
  const out = new Uint8Array(nx * ny);
  for (const l of loops) {
    const one = new Uint8Array(nx * ny);
    scanPolygon(l, nx, ny, (i, j) => { one[i + nx * j] = 1; });
    for (let n = 0; n < out.length; n++) out[n] ^= one[n];
  }
  return out;
};

describe('polygon rasterisation on a slice', () => {
  it('fills voxel centres inside (rows half-open at the top edge)', () => {
    const visited: string[] = [];
    scanPolygon([1, 1, 3, 1, 3, 3, 1, 3], 5, 5, (i, j) => visited.push(`${i},${j}`));
    expect(visited).toEqual(['1,1', '2,1', '3,1', '1,2', '2,2', '3,2']);
  });
  it('contours of a ring have an outer and an inner loop; diagonal-only neighbours stay separate', () => {
    const ring = new Uint8Array(49);
    for (let j = 1; j < 6; j++) for (let i = 1; i < 6; i++) ring[i + 7 * j] = i === 3 && j === 3 ? 0 : 1;
    expect(sliceContours(ring, 7, 7).length).toBe(2);
    const diag = new Uint8Array(9); diag[0] = 1; diag[4] = 1;
    expect(sliceContours(diag, 3, 3).length).toBe(2);
  });
  it('filling the contours of a slice (even–odd) gives back its voxels', () => {
    const rng = new Rng(3);
    const nx = 24, ny = 20;
    const slice = new Uint8Array(nx * ny).map(() => (rng.uint32() % 3 === 0 ? 1 : 0));
    expect(Array.from(fill(sliceContours(slice, nx, ny), nx, ny))).toEqual(Array.from(slice));
  });
});
