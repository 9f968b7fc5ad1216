// Zones shared by GLSZM and GLDZM: connected voxels of equal grey level (8-connected in 2D, 26 in 3D),
// and the city-block distance of each ROI voxel to the ROI border (border voxels have distance 1).
// Both work on a copy of the box with one voxel of zero margin (padLevels), so neighbours need no
// bounds tests; zones are kept as typed arrays, one entry per zone.
import { padLevels, type Feats } from './texture';
import type { DiscretisedRoi } from './types';

/** Zones in discovery (voxel index) order; in 2D those of slice k are [sliceStart[k], sliceStart[k + 1]). */
export interface Zones {
  count: number;
  level: Int32Array;
  size: Int32Array;
  /** Smallest border distance over the zone's voxels (0 when no distance map was given). */
  minDistance: Int32Array;
  sliceStart: Int32Array;
  /** ROI voxels per slice (2D) or in all (3D, one entry). */
  roiVoxels: Int32Array;
}

/** Linear offsets of the 8 in-plane (2D) or 26 (3D) neighbours in a box nx × ny. */
function neighbours(nx: number, ny: number, twoD: boolean): Int32Array {
  const out: number[] = [];
  const dz = twoD ? 0 : 1;
  for (let c = -dz; c <= dz; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) if (a || b || c) out.push(a + nx * (b + ny * c));
  return Int32Array.from(out);
}

/**
 * Zones within each slice (twoD) or the whole box. `distance`: border distances on the padded grid
 * (borderDistance), when the zones' smallest distances are wanted.
 */
export function findZones(roi: DiscretisedRoi, twoD: boolean, distance?: Int32Array): Zones {
  const pad = padLevels(roi, 1), P = pad.levels, vox = pad.voxels, nz = roi.dims[2];
  const offs = neighbours(pad.nx, pad.ny, twoD), no = offs.length;
  const n = vox.length;
  const level = new Int32Array(n), size = new Int32Array(n), minDistance = new Int32Array(n);
  const sliceStart = new Int32Array(nz + 1), stack = new Int32Array(n);
  let count = 0, k = 0;
  for (let t = 0; t < n; t++) {
    // Zones of slice k start where its first voxel is reached (voxels are in index order).
    while (k < nz && pad.sliceStart[k] <= t) sliceStart[k++] = count;
    const seed = vox[t], g = P[seed];
    if (!g) continue; // already in a zone
    // Flood fill; a voxel is cleared in the copy when it joins, so it is never pushed twice.
    let top = 0, members = 0, minD = 1 << 30;
    stack[top++] = seed; P[seed] = 0;
    while (top) {
      const v = stack[--top];
      members++;
      if (distance && distance[v] < minD) minD = distance[v];
      for (let o = 0; o < no; o++) {
        const m = v + offs[o];
        if (P[m] === g) { P[m] = 0; stack[top++] = m; }
      }
    }
    level[count] = g; size[count] = members; minDistance[count] = distance ? minD : 0; count++;
  }
  while (k <= nz) sliceStart[k++] = count;
  const roiVoxels = twoD ? Int32Array.from({ length: nz }, (_, z) => pad.sliceStart[z + 1] - pad.sliceStart[z]) : Int32Array.of(n);
  return { count, level, size, minDistance, sliceStart, roiVoxels };
}

/**
 * City-block distance to the nearest voxel outside `mask` (outside the box counts as outside), in voxels,
 * 4-connected per slice (twoD) or 6-connected in 3D; border voxels get 1. On the grid of padLevels(·, 1)
 * (one voxel of margin), as findZones reads it. Two raster passes (Rosenfeld & Pfaltz, J ACM 1966): the
 * nearest outside voxel is reached by a monotone path whose voxels are all inside, so the distance within
 * the mask equals the plain city-block distance.
 */
export function borderDistance(mask: Uint8Array, dims: [number, number, number], twoD: boolean): Int32Array {
  const [nx, ny, nz] = dims, NX = nx + 2, NY = ny + 2, plane = NX * NY;
  const INF = 1 << 29;
  const d = new Int32Array(plane * (nz + 2));
  for (let z = 0, n = 0; z < nz; z++) for (let y = 0; y < ny; y++) {
    const row = 1 + NX * (y + 1 + NY * (z + 1));
    for (let x = 0; x < nx; x++, n++) if (mask[n]) d[row + x] = INF;
  }
  const up = twoD ? 0 : plane; // no step across slices in 2D (d[n ± 0] + 1 never wins)
  for (let z = 1; z <= nz; z++) for (let y = 1; y <= ny; y++) {
    for (let n = 1 + NX * (y + NY * z), end = n + nx; n < end; n++) {
      if (!d[n]) continue;
      let v = d[n - 1] + 1;
      const b = d[n - NX] + 1; if (b < v) v = b;
      const c = d[n - up] + 1; if (c < v) v = c;
      if (v < d[n]) d[n] = v;
    }
  }
  for (let z = nz; z >= 1; z--) for (let y = ny; y >= 1; y--) {
    for (let n = NX * (y + NY * z) + nx, end = n - nx; n > end; n--) {
      if (!d[n]) continue;
      let v = d[n + 1] + 1;
      const b = d[n + NX] + 1; if (b < v) v = b;
      const c = d[n + up] + 1; if (c < v) v = c;
      if (v < d[n]) d[n] = v;
    }
  }
  return d;
}

/**
 * Features of the zone matrix of zones [from, to): level i, value j (size for GLSZM, distance for GLDZM)
 * per zone; nv ROI voxels. Cell and value counts come from sorting the zones by (j, i).
 */
export function zoneFeatures(z: Zones, value: Int32Array, from: number, to: number, ng: number, nv: number): Feats | undefined {
  const nz = to - from;
  if (!nz) return undefined;
  const byLevel = new Float64Array(ng + 1);
  const keys = new Float64Array(nz);
  let se = 0, le = 0, lg = 0, hg = 0, slg = 0, shg = 0, llg = 0, lhg = 0;
  for (let t = from; t < to; t++) {
    const i = z.level[t], j = value[t], i2 = i * i, j2 = j * j;
    se += 1 / j2; le += j2; lg += 1 / i2; hg += i2;
    slg += 1 / (i2 * j2); shg += i2 / j2; llg += j2 / i2; lhg += i2 * j2;
    byLevel[i]++;
    keys[t - from] = j * (ng + 1) + i;
  }
  keys.sort();
  let glnu = 0, vnu = 0, mi = 0, mj = 0, ent = 0;
  for (let i = 1; i <= ng; i++) { glnu += byLevel[i] ** 2; mi += (i * byLevel[i]) / nz; }
  // Runs of equal j are the value counts; runs of equal key the cells.
  for (let a = 0; a < nz;) {
    const j = Math.floor(keys[a] / (ng + 1));
    let b = a;
    while (b < nz && Math.floor(keys[b] / (ng + 1)) === j) {
      let c = b;
      while (c < nz && keys[c] === keys[b]) c++;
      const p = (c - b) / nz;
      ent -= p * Math.log2(p);
      b = c;
    }
    const c = b - a;
    vnu += c * c; mj += (j * c) / nz;
    a = b;
  }
  let gv = 0, vv = 0;
  for (let i = 1; i <= ng; i++) gv += (i - mi) ** 2 * (byLevel[i] / nz);
  for (let a = 0; a < nz;) {
    const j = Math.floor(keys[a] / (ng + 1));
    let b = a;
    while (b < nz && Math.floor(keys[b] / (ng + 1)) === j) b++;
    vv += (j - mj) ** 2 * ((b - a) / nz);
    a = b;
  }
  return {
    se: se / nz, le: le / nz, lg: lg / nz, hg: hg / nz, slg: slg / nz, shg: shg / nz, llg: llg / nz, lhg: lhg / nz,
    glnu: glnu / nz, glnu_norm: glnu / (nz * nz), vnu: vnu / nz, vnu_norm: vnu / (nz * nz),
    perc: nz / nv, gl_var: gv, v_var: vv, entr: ent,
  };
}
