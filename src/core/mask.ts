// Label-map operations shared by the viewer, CLIs and the radiomics profile.
import type { Geometry, Volume } from './volume';
import { indexToWorld, worldToIndex } from './volume';

/**
 * The one rule for contours drawn on another grid (e.g. CT → PET): each target voxel takes the label of the
 * source voxel nearest to its centre (no partial-volume fractions; outside the source grid = 0).
 */
export function resampleLabelsNearest(labels: Volume, target: Geometry): Volume<Uint8Array> {
  const [nx, ny, nz] = target.dims;
  const out = new Uint8Array(nx * ny * nz);
  const [sx, sy, sz] = labels.dims;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const c = worldToIndex(labels, indexToWorld(target, i, j, k));
    const a = Math.round(c[0]), b = Math.round(c[1]), d = Math.round(c[2]);
    if (a < 0 || b < 0 || d < 0 || a >= sx || b >= sy || d >= sz) continue;
    out[i + nx * (j + ny * k)] = labels.data[a + sx * (b + sy * d)];
  }
  return { dims: [...target.dims], spacing: [...target.spacing], origin: [...target.origin], direction: [...target.direction], data: out };
}
