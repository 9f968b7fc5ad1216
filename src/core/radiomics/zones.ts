// Zones shared by GLSZM and GLDZM: connected voxels of equal grey level (8-connected in 2D, 26 in 3D),
// and the city-block distance of each ROI voxel to the ROI border (border voxels have distance 1).
import type { DiscretisedRoi } from './types';

export interface Zone { level: number; size: number; minDistance: number }

/** Zones within slice k (2D) or the whole box (k = -1). `dist` may be omitted when not needed. */
export function findZones(roi: DiscretisedRoi, k: number, dist?: Int32Array): Zone[] {
  const { dims: [nx, ny, nz], levels } = roi;
  const k0 = k < 0 ? 0 : k, k1 = k < 0 ? nz - 1 : k;
  const seen = new Uint8Array(levels.length);
  const stack = new Int32Array(levels.length);
  const zones: Zone[] = [];
  const dzs = k < 0 ? [-1, 0, 1] : [0];
  for (let z = k0; z <= k1; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const n0 = x + nx * (y + ny * z);
    const g = levels[n0];
    if (!g || seen[n0]) continue;
    let top = 0, size = 0, minD = Infinity;
    stack[top++] = n0; seen[n0] = 1;
    while (top) {
      const n = stack[--top];
      size++;
      if (dist && dist[n] < minD) minD = dist[n];
      const cx = n % nx, cy = Math.floor(n / nx) % ny, cz = Math.floor(n / (nx * ny));
      for (const dz of dzs) {
        const Z = cz + dz;
        if (Z < k0 || Z > k1) continue;
        for (let dy = -1; dy <= 1; dy++) {
          const Y = cy + dy;
          if (Y < 0 || Y >= ny) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const X = cx + dx;
            if (X < 0 || X >= nx) continue;
            const m = X + nx * (Y + ny * Z);
            if (!seen[m] && levels[m] === g) { seen[m] = 1; stack[top++] = m; }
          }
        }
      }
    }
    zones.push({ level: g, size, minDistance: minD });
  }
  return zones;
}

/**
 * City-block distance to the nearest voxel outside `mask` (outside the box counts as outside), in voxels,
 * 4-connected per slice (twoD) or 6-connected in 3D. Border voxels get 1.
 */
export function borderDistance(mask: Uint8Array, dims: [number, number, number], twoD: boolean): Int32Array {
  const [nx, ny, nz] = dims;
  const INF = 1 << 29;
  const d = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  let head = 0, tail = 0;
  const steps: [number, number, number][] = twoD
    ? [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]]
    : [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    d[n] = INF;
    const x = n % nx, y = Math.floor(n / nx) % ny, z = Math.floor(n / (nx * ny));
    for (const [a, b, c] of steps) {
      const X = x + a, Y = y + b, Z = z + c;
      if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz || !mask[X + nx * (Y + ny * Z)]) { d[n] = 1; break; }
    }
    if (d[n] === 1) queue[tail++] = n;
  }
  while (head < tail) {
    const n = queue[head++];
    const x = n % nx, y = Math.floor(n / nx) % ny, z = Math.floor(n / (nx * ny));
    for (const [a, b, c] of steps) {
      const X = x + a, Y = y + b, Z = z + c;
      if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) continue;
      const m = X + nx * (Y + ny * Z);
      if (mask[m] && d[m] > d[n] + 1) { d[m] = d[n] + 1; queue[tail++] = m; }
    }
  }
  return d;
}
