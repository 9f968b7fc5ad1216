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
 * img: intensities of the whole (interpolated) image or a box with at least the sphere radius of margin
 * around the ROI; mask: ROI voxels (same grid).
 */
export function localIntensityFeatures(img: Float32Array, mask: Uint8Array, dims: Vec3, spacing: Vec3): FeatureValues {
  const offs = sphereOffsets(spacing);
  let max = -Infinity;
  for (let n = 0; n < mask.length; n++) if (mask[n] && img[n] > max) max = img[n];
  let local = -Infinity, global = -Infinity;
  const [nx, ny] = dims;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const i = n % nx, j = Math.floor(n / nx) % ny, k = Math.floor(n / (nx * ny));
    const m = sphereMean(img, dims, offs, i, j, k);
    if (m > global) global = m;
    if (img[n] === max && m > local) local = m;
  }
  return {
    loc_peak_loc: local, // VJGA
    loc_peak_glob: global, // 0F91
  };
}
