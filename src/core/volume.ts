// Volumes and their geometry. Patient coordinates are DICOM LPS in millimetres.
// Voxel (i, j, k) is stored at data[i + nx * (j + ny * k)]: i = column, j = row, k = slice.

export type Vec3 = [number, number, number];
/** Row-major 3×3: first three numbers = direction of +i, then +j, then +k (unit vectors, LPS). */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export type VoxelArray =
  | Float32Array
  | Float64Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Uint32Array;

export interface Geometry {
  dims: Vec3;
  spacing: Vec3;
  /** LPS position (mm) of the centre of voxel (0,0,0). */
  origin: Vec3;
  direction: Mat3;
}

export interface Volume<T extends VoxelArray = VoxelArray> extends Geometry {
  data: T;
  /**
   * Stored value → physical value: physical = data * slope + intercept (HU, Bq/mL, SUV …).
   * Lets CT stay 16-bit in memory. Defaults to 1 / 0.
   */
  slope?: number;
  intercept?: number;
  /** Physical unit of `data * slope + intercept`, e.g. 'HU', 'BQML', 'SUV'. */
  unit?: string;
}

export const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function index(g: Pick<Geometry, 'dims'>, i: number, j: number, k: number): number {
  return i + g.dims[0] * (j + g.dims[1] * k);
}

/** Patient (LPS) position of a continuous voxel index. */
export function indexToWorld(g: Geometry, i: number, j: number, k: number): Vec3 {
  const { origin: o, spacing: s, direction: d } = g;
  const a = i * s[0], b = j * s[1], c = k * s[2];
  return [
    o[0] + a * d[0] + b * d[3] + c * d[6],
    o[1] + a * d[1] + b * d[4] + c * d[7],
    o[2] + a * d[2] + b * d[5] + c * d[8],
  ];
}

/** Continuous voxel index of an LPS point (direction assumed orthonormal). */
export function worldToIndex(g: Geometry, p: Vec3): Vec3 {
  const { origin: o, spacing: s, direction: d } = g;
  const x = p[0] - o[0], y = p[1] - o[1], z = p[2] - o[2];
  return [
    (x * d[0] + y * d[1] + z * d[2]) / s[0],
    (x * d[3] + y * d[4] + z * d[5]) / s[1],
    (x * d[6] + y * d[7] + z * d[8]) / s[2],
  ];
}

/** True when two geometries describe the same voxel grid (within `tolMm`). */
export function sameGrid(a: Geometry, b: Geometry, tolMm = 1e-3): boolean {
  for (let n = 0; n < 3; n++) {
    if (a.dims[n] !== b.dims[n]) return false;
    if (Math.abs(a.spacing[n] - b.spacing[n]) > tolMm) return false;
    if (Math.abs(a.origin[n] - b.origin[n]) > tolMm) return false;
  }
  for (let n = 0; n < 9; n++) if (Math.abs(a.direction[n] - b.direction[n]) > 1e-4) return false;
  return true;
}

export function describeGrid(g: Geometry): string {
  const f = (v: number[]) => v.map((x) => +x.toFixed(3)).join('×');
  return `${g.dims.join('×')} voxels of ${f(g.spacing)} mm at (${g.origin.map((x) => +x.toFixed(2)).join(', ')})`;
}

/** Physical value of voxel n. */
export function valueAt(v: Volume, n: number): number {
  return v.data[n] * (v.slope ?? 1) + (v.intercept ?? 0);
}

/** A Float32 copy of the physical values (for processing that needs real numbers). */
export function toFloat32(v: Volume): Volume<Float32Array> {
  const slope = v.slope ?? 1, icpt = v.intercept ?? 0;
  const out = new Float32Array(v.data.length);
  for (let n = 0; n < out.length; n++) out[n] = v.data[n] * slope + icpt;
  return { dims: [...v.dims], spacing: [...v.spacing], origin: [...v.origin], direction: [...v.direction], data: out, unit: v.unit };
}

/** Physical value of a volume at an LPS point (nearest voxel), or undefined outside. */
export function sampleAt(v: Volume, p: Vec3): { value: number; ijk: Vec3 } | undefined {
  const ijk = worldToIndex(v, p).map(Math.round) as Vec3;
  if (ijk.some((x, n) => x < 0 || x >= v.dims[n])) return undefined;
  return { value: valueAt(v, index(v, ijk[0], ijk[1], ijk[2])), ijk };
}

export function geometryOf(g: Geometry): Geometry {
  return { dims: [...g.dims], spacing: [...g.spacing], origin: [...g.origin], direction: [...g.direction] };
}
