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

class Accumulator {
  n = 0; sum = 0; max = -Infinity; ci = 0; cj = 0; ck = 0;
  add(v: number, nx: number, ny: number, value?: number): void {
    this.n++;
    this.ci += v % nx; this.cj += Math.floor(v / nx) % ny; this.ck += Math.floor(v / (nx * ny));
    if (value !== undefined) { this.sum += value; if (value > this.max) this.max = value; }
  }
  stats(g: Geometry, withValues: boolean): RegionStats {
    const m = this.n || 1;
    return {
      voxels: this.n,
      volumeMl: (this.n * g.spacing[0] * g.spacing[1] * g.spacing[2]) / 1000,
      centre: indexToWorld(g, this.ci / m, this.cj / m, this.ck / m),
      ...(withValues && this.n ? { max: this.max, mean: this.sum / this.n } : {}),
    };
  }
}

/** Statistics of every non-zero label; `values` (same grid) gives max and mean. */
export function labelStats(labels: Volume, values?: Volume<Float32Array>): Map<number, RegionStats> {
  const acc = new Map<number, Accumulator>();
  const [nx, ny] = labels.dims;
  const d = labels.data, x = values?.data;
  for (let v = 0; v < d.length; v++) {
    const l = d[v];
    if (!l) continue;
    let a = acc.get(l);
    if (!a) acc.set(l, (a = new Accumulator()));
    a.add(v, nx, ny, x ? x[v] : undefined);
  }
  return new Map([...acc.entries()].sort((p, q) => p[0] - q[0]).map(([l, a]) => [l, a.stats(labels, !!values)]));
}

/** Statistics of a set of voxel indices of `values`' grid (e.g. a candidate region). */
export function regionStats(values: Volume<Float32Array>, indices: ArrayLike<number>): RegionStats {
  const a = new Accumulator();
  const [nx, ny] = values.dims;
  for (let t = 0; t < indices.length; t++) a.add(indices[t], nx, ny, values.data[indices[t]]);
  return a.stats(values, true);
}
