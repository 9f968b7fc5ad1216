import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { padLevels, rowSpans } from './texture';
import { borderDistance, findZones } from './zones';
import type { DiscretisedRoi } from './types';

/** A random ROI of `fill` density with levels 1…ng, optionally stored at an odd offset in its buffer. */
function randomRoi(seed: number, dims: [number, number, number], ng: number, fill: number, offset = 0): DiscretisedRoi {
  const rng = new Rng(seed), n = dims[0] * dims[1] * dims[2];
  const levels = new Uint16Array(new ArrayBuffer(2 * (n + offset)), 2 * offset, n);
  for (let v = 0; v < n; v++) if (rng.next() < fill) levels[v] = rng.int(1, ng);
  return { dims, spacing: [1, 1, 1], levels, ng };
}

/** Breadth-first city-block distance within the mask from the voxels next to the outside (the definition). */
function naiveDistance(mask: Uint8Array, [nx, ny, nz]: [number, number, number], twoD: boolean): Int32Array {
  const d = new Int32Array(mask.length).fill(-1), queue: number[] = [];
  const steps = twoD ? [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]] : [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  const at = (x: number, y: number, z: number) => (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz ? -1 : x + nx * (y + ny * z));
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const x = n % nx, y = Math.floor(n / nx) % ny, z = Math.floor(n / (nx * ny));
    if (steps.some(([a, b, c]) => { const m = at(x + a, y + b, z + c); return m < 0 || !mask[m]; })) { d[n] = 1; queue.push(n); }
  }
  for (let h = 0; h < queue.length; h++) {
    const n = queue[h], x = n % nx, y = Math.floor(n / nx) % ny, z = Math.floor(n / (nx * ny));
    for (const [a, b, c] of steps) {
      const m = at(x + a, y + b, z + c);
      if (m >= 0 && mask[m] && d[m] < 0) { d[m] = d[n] + 1; queue.push(m); }
    }
  }
  return d;
}

describe('texture helpers', () => {
  for (const [name, offset, ng] of [['aligned', 0, 5], ['odd buffer offset', 1, 5], ['levels ≥ 2¹⁵', 0, 40000]] as const) {
    it(`rowSpans and padLevels copy every ROI voxel (${name})`, () => {
      const roi = randomRoi(3, [13, 7, 5], ng, 0.3, offset);
      const [nx, ny, nz] = roi.dims;
      const spans = rowSpans(roi);
      for (let row = 0; row < ny * nz; row++) {
        const xs = [...Array(nx).keys()].filter((x) => roi.levels[row * nx + x]);
        expect([spans[2 * row], spans[2 * row + 1]]).toEqual(xs.length ? [xs[0], xs[xs.length - 1]] : [nx, nx - 1]);
      }
      const pad = padLevels(roi, 2);
      const expected: number[] = [];
      for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
        const g = roi.levels[x + nx * (y + ny * z)], p = x + 2 + pad.nx * (y + 2 + pad.ny * (z + 2));
        expect(pad.levels[p]).toBe(g);
        if (g) expected.push(p);
      }
      expect([...pad.voxels]).toEqual(expected);
      expect(pad.levels.reduce((s, g) => s + (g ? 1 : 0), 0)).toBe(expected.length); // the margin is empty
      expect(pad.sliceStart[nz]).toBe(expected.length);
    });
  }

  for (const twoD of [true, false]) {
    it(`the two-pass border distance equals the breadth-first one (${twoD ? '2D' : '3D'})`, () => {
      const roi = randomRoi(5, [11, 9, 6], 1, 0.8);
      const mask = Uint8Array.from(roi.levels, (g) => (g ? 1 : 0));
      const d = borderDistance(mask, roi.dims, twoD), ref = naiveDistance(mask, roi.dims, twoD);
      const [nx, ny, nz] = roi.dims;
      for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
        const n = x + nx * (y + ny * z);
        if (mask[n]) expect(d[x + 1 + (nx + 2) * (y + 1 + (ny + 2) * (z + 1))], `voxel ${x},${y},${z}`).toBe(ref[n]);
      }
    });
  }

  it('zones cover every ROI voxel once, in the order of their first voxel', () => {
    const roi = randomRoi(9, [10, 8, 4], 3, 0.7);
    const z = findZones(roi, false);
    let total = 0;
    for (let t = 0; t < z.count; t++) total += z.size[t];
    expect(total).toBe(z.roiVoxels[0]);
    const perSlice = findZones(roi, true);
    expect(perSlice.sliceStart[roi.dims[2]]).toBe(perSlice.count);
    expect(perSlice.count).toBeGreaterThanOrEqual(z.count); // slices split 3-D zones, never merge them
    expect(z.count).toBeGreaterThan(10);
  });
});
