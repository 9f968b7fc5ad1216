// Local intensity (IBSI family 9ST6): mean intensity in a 1 cm³ sphere (radius 6.2035 mm) centred on a voxel.
import type { Vec3 } from '../volume';
import type { FeatureValues } from './types';

export const PEAK_RADIUS_MM = Math.cbrt(3000 / (4 * Math.PI)); // 6.2035 mm

/** Offsets (di, dj, dk) of voxel centres within the 1 cm³ sphere. */
export function sphereOffsets(spacing: Vec3, radius = PEAK_RADIUS_MM): Int32Array {
  const r = [0, 1, 2].map((a) => Math.floor(radius / spacing[a]));
  const out: number[] = [];
  for (let c = -r[2]; c <= r[2]; c++) for (let b = -r[1]; b <= r[1]; b++) for (let a = -r[0]; a <= r[0]; a++) {
    if ((a * spacing[0]) ** 2 + (b * spacing[1]) ** 2 + (c * spacing[2]) ** 2 <= radius * radius + 1e-9) out.push(a, b, c);
  }
  return Int32Array.from(out);
}

/** Mean of image voxels whose centres lie in the sphere around (i, j, k); only voxels inside the image count. */
export function sphereMean(img: Float32Array, dims: Vec3, offs: Int32Array, i: number, j: number, k: number): number {
  let s = 0, c = 0;
  for (let o = 0; o < offs.length; o += 3) {
    const I = i + offs[o], J = j + offs[o + 1], K = k + offs[o + 2];
    if (I < 0 || J < 0 || K < 0 || I >= dims[0] || J >= dims[1] || K >= dims[2]) continue;
    s += img[I + dims[0] * (J + dims[1] * K)]; c++;
  }
  return s / c;
}

/**
 * The sphere mean around every ROI voxel, visited in index order: visit(n, mean). The sphere is a set of
 * chords along x (one per (dj, dk)); with running sums along each x row a chord costs one subtraction,
 * so a voxel costs one step per chord instead of one per sphere voxel. Only voxels inside the image count.
 */
export function forEachSphereMean(img: Float32Array, mask: Uint8Array, dims: Vec3, spacing: Vec3, visit: (n: number, mean: number) => void, radius = PEAK_RADIUS_MM): void {
  const [nx, ny, nz] = dims;
  const rj = Math.floor(radius / spacing[1]), rk = Math.floor(radius / spacing[2]);
  // Chords: (dj, dk, half-width in x); a voxel centre is in the sphere when (a·sx)² + (b·sy)² + (c·sz)² ≤ r².
  const cj: number[] = [], ck: number[] = [], ca: number[] = [];
  for (let c = -rk; c <= rk; c++) for (let b = -rj; b <= rj; b++) {
    const rest = radius * radius + 1e-9 - (b * spacing[1]) ** 2 - (c * spacing[2]) ** 2;
    if (rest < 0) continue;
    cj.push(b); ck.push(c); ca.push(Math.floor(Math.sqrt(rest) / spacing[0] + 1e-12));
  }
  // Exact half-widths (the float floor above can be off by one at the boundary).
  for (let t = 0; t < ca.length; t++) {
    const fits = (a: number) => (a * spacing[0]) ** 2 + (cj[t] * spacing[1]) ** 2 + (ck[t] * spacing[2]) ** 2 <= radius * radius + 1e-9;
    while (ca[t] >= 0 && !fits(ca[t])) ca[t]--;
    while (fits(ca[t] + 1)) ca[t]++;
  }
  // Running sums per x row, only on rows within the chords' reach of the ROI would do; all rows is simpler.
  const stride = nx + 1;
  const prefix = new Float64Array(stride * ny * nz);
  for (let row = 0; row < ny * nz; row++) {
    let acc = 0;
    const p = row * stride, src = row * nx;
    for (let i = 0; i < nx; i++) { acc += img[src + i]; prefix[p + i + 1] = acc; }
  }
  const nc = ca.length;
  // Voxels whose whole sphere lies in the box (nearly all, with the margin callers give) read each chord as
  // prefix[base + hiOff[t]] − prefix[base + loOff[t]], base = the voxel's own row position; the voxel count is fixed.
  const hiOff = new Int32Array(nc), loOff = new Int32Array(nc);
  let amax = 0, inSphere = 0;
  for (let t = 0; t < nc; t++) {
    const row = (cj[t] + ny * ck[t]) * stride;
    hiOff[t] = row + ca[t] + 1; loOff[t] = row - ca[t];
    if (ca[t] > amax) amax = ca[t];
    inSphere += 2 * ca[t] + 1;
  }
  for (let k = 0, n = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
    const rowInside = j >= rj && j + rj < ny && k >= rk && k + rk < nz, rowBase = (j + ny * k) * stride;
    for (let i = 0; i < nx; i++, n++) {
      if (!mask[n]) continue;
      if (rowInside && i >= amax && i + amax < nx) {
        const base = rowBase + i;
        let s = 0;
        for (let t = 0; t < nc; t++) s += prefix[base + hiOff[t]] - prefix[base + loOff[t]];
        visit(n, s / inSphere);
        continue;
      }
      let s = 0, c = 0;
      for (let t = 0; t < nc; t++) {
        const J = j + cj[t], K = k + ck[t];
        if (J < 0 || K < 0 || J >= ny || K >= nz) continue;
        const a = ca[t], lo = i - a < 0 ? 0 : i - a, hi = i + a >= nx ? nx - 1 : i + a;
        const p = (J + ny * K) * stride;
        s += prefix[p + hi + 1] - prefix[p + lo]; c += hi - lo + 1;
      }
      visit(n, s / c);
    }
  }
}

/**
 * img: intensities of the whole (interpolated) image or a box with at least the sphere radius of margin
 * around the ROI; mask: ROI voxels (same grid).
 */
export function localIntensityFeatures(img: Float32Array, mask: Uint8Array, dims: Vec3, spacing: Vec3): FeatureValues {
  let max = -Infinity;
  for (let n = 0; n < mask.length; n++) if (mask[n] && img[n] > max) max = img[n];
  let local = -Infinity, global = -Infinity;
  forEachSphereMean(img, mask, dims, spacing, (n, m) => {
    if (m > global) global = m;
    if (img[n] === max && m > local) local = m;
  });
  return {
    loc_peak_loc: local, // VJGA
    loc_peak_glob: global, // 0F91
  };
}
