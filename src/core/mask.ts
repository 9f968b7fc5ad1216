// Label-map operations shared by the viewer, CLIs and the radiomics profile.
import type { Geometry, Volume, VoxelArray } from './volume';
import { geometryOf, indexToWorld, worldToIndex } from './volume';

/**
 * Nearest-neighbour resampling of any volume onto `target` (outside the source = 0). Grids with the same
 * orientation map each axis separately (fast); others go voxel by voxel.
 */
export function resampleNearest<T extends VoxelArray>(src: Volume, target: Geometry, make: (n: number) => T): Volume<T> {
  const [nx, ny, nz] = target.dims;
  const out = make(nx * ny * nz);
  const [sx, sy, sz] = src.dims;
  const geometry = geometryOf(target);
  if (src.direction.every((v, n) => Math.abs(v - target.direction[n]) < 1e-6)) {
    // Source index of target index t along axis a: c0[a] + t · step[a].
    const c0 = worldToIndex(src, indexToWorld(target, 0, 0, 0));
    const axis = (a: number, n: number, size: number) => Int32Array.from({ length: n }, (_, t) => {
      const s = Math.round(c0[a] + (t * target.spacing[a]) / src.spacing[a]);
      return s >= 0 && s < size ? s : -1;
    });
    const I = axis(0, nx, sx), J = axis(1, ny, sy), K = axis(2, nz, sz);
    for (let k = 0; k < nz; k++) {
      if (K[k] < 0) continue;
      for (let j = 0; j < ny; j++) {
        if (J[j] < 0) continue;
        const row = sx * (J[j] + sy * K[k]), o = nx * (j + ny * k);
        for (let i = 0; i < nx; i++) if (I[i] >= 0) out[o + i] = src.data[row + I[i]];
      }
    }
    return { ...geometry, data: out };
  }
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const c = worldToIndex(src, indexToWorld(target, i, j, k));
    const a = Math.round(c[0]), b = Math.round(c[1]), d = Math.round(c[2]);
    if (a < 0 || b < 0 || d < 0 || a >= sx || b >= sy || d >= sz) continue;
    out[i + nx * (j + ny * k)] = src.data[a + sx * (b + sy * d)];
  }
  return { ...geometry, data: out };
}

/**
 * The one rule for contours drawn on another grid (e.g. CT → PET): each target voxel takes the label of the
 * source voxel nearest to its centre (no partial-volume fractions; outside the source grid = 0).
 */
export function resampleLabelsNearest(labels: Volume, target: Geometry): Volume<Uint8Array> {
  return resampleNearest(labels, target, (n) => new Uint8Array(n));
}
