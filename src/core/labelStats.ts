// Per-label statistics of a label map (voxel count, volume, centre, and SUV max/mean when values are given):
// the one implementation behind the Structures panel, candidate review, reference regions and feature rows.
import { indexToWorld, type Geometry, type Vec3, type Volume } from './volume';

export interface RegionStats {
  voxels: number;
  volumeMl: number;
  /** Centre of mass of the voxels (LPS mm). */
  centre: Vec3;
  /** Of `values` over the region (undefined when no values were given or the region is empty). */
  max?: number;
  mean?: number;
}

/** Statistics of every non-zero label (non-negative integers); `values` (same grid) gives max and mean. */
export function labelStats(labels: Volume, values?: Volume<Float32Array>): Map<number, RegionStats> {
  const d = labels.data, x = values?.data;
  let top = 0;
  for (let v = 0; v < d.length; v++) if (d[v] > top) top = d[v];
  if (!Number.isInteger(top) || top > 2 ** 24) throw new Error(`labelStats needs integer labels (found ${top})`);
  const n = new Float64Array(top + 1), ci = new Float64Array(top + 1), cj = new Float64Array(top + 1), ck = new Float64Array(top + 1);
  const sum = new Float64Array(top + 1), max = new Float64Array(top + 1).fill(-Infinity);
  const [nx, ny, nz] = labels.dims;
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const l = d[v];
        if (!l) continue;
        n[l]++; ci[l] += i; cj[l] += j; ck[l] += k;
        if (x) { sum[l] += x[v]; if (x[v] > max[l]) max[l] = x[v]; }
      }
    }
  }
  const out = new Map<number, RegionStats>();
  for (let l = 1; l <= top; l++) if (n[l]) out.set(l, stats(labels, n[l], [ci[l], cj[l], ck[l]], x ? [sum[l], max[l]] : undefined));
  return out;
}

function stats(g: Geometry, voxels: number, c: Vec3, values?: [sum: number, max: number]): RegionStats {
  const m = voxels || 1;
  return {
    voxels,
    volumeMl: (voxels * g.spacing[0] * g.spacing[1] * g.spacing[2]) / 1000,
    centre: indexToWorld(g, c[0] / m, c[1] / m, c[2] / m),
    ...(values && voxels ? { max: values[1], mean: values[0] / voxels } : {}),
  };
}

/** Statistics of a set of voxel indices of `values`' grid (e.g. a candidate region). */
export function regionStats(values: Volume<Float32Array>, indices: ArrayLike<number>): RegionStats {
  const [nx, ny] = values.dims;
  const c: Vec3 = [0, 0, 0];
  let sum = 0, max = -Infinity;
  for (let t = 0; t < indices.length; t++) {
    const v = indices[t], x = values.data[v];
    c[0] += v % nx; c[1] += Math.floor(v / nx) % ny; c[2] += Math.floor(v / (nx * ny));
    sum += x; if (x > max) max = x;
  }
  return stats(values, indices.length, c, [sum, max]);
}
