// NIfTI-1 reader and writer (.nii and .nii.gz). Geometry comes from the sform when sform_code > 0,
// else the qform, else pixdim; NIfTI's RAS+ is converted to the LPS used everywhere else.
import { Gunzip, gzipSync } from 'fflate';
import { MAX_VOXELS } from '../dicom/validate';
import type { Mat3, Vec3, Volume, VoxelArray } from '../volume';

const DATATYPES: Record<number, { name: string; bytes: number; make: (b: ArrayBuffer, n: number) => VoxelArray }> = {
  2: { name: 'uint8', bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  4: { name: 'int16', bytes: 2, make: (b, n) => new Int16Array(b, 0, n) },
  8: { name: 'int32', bytes: 4, make: (b, n) => new Int32Array(b, 0, n) },
  16: { name: 'float32', bytes: 4, make: (b, n) => new Float32Array(b, 0, n) },
  64: { name: 'float64', bytes: 8, make: (b, n) => new Float64Array(b, 0, n) },
  256: { name: 'int8', bytes: 1, make: (b, n) => new Int8Array(b, 0, n) },
  512: { name: 'uint16', bytes: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  768: { name: 'uint32', bytes: 4, make: (b, n) => new Uint32Array(b, 0, n) },
};

export class NiftiError extends Error {}

function isGzip(b: Uint8Array): boolean {
  return b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Compressed input is fed to the inflater in slices of this size (one slice inflates to at most ~1,000×). */
export const GUNZIP_SLICE = 16 * 1024;
/** The most a NIfTI header may ask for: MAX_VOXELS voxels of 8 bytes. */
const MAX_NIFTI_BYTES = 352 + MAX_VOXELS * 8;

/**
 * Inflates a .nii.gz only as far as its header says the image reaches: the header (first 348 bytes) is checked
 * as soon as it is out, then inflation stops at `voxel offset + voxels × bytes` (plus what the last slice gave).
 * A gzip bomb is refused after its header, a few MB in. `inflated` = bytes produced (for tests).
 */
export function gunzipNifti(gz: Uint8Array, name = 'NIfTI file'): { bytes: Uint8Array; inflated: number } {
  const chunks: Uint8Array[] = [];
  let inflated = 0, need = Infinity, done = false;
  const inflater = new Gunzip((chunk, final) => {
    chunks.push(chunk);
    inflated += chunk.length;
    if (final) done = true;
  });
  const joined = () => {
    const out = new Uint8Array(inflated);
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.length; }
    chunks.length = 0;
    chunks.push(out);
    return out;
  };
  try {
    for (let o = 0; o < gz.length && !done && inflated < need; o += GUNZIP_SLICE) {
      inflater.push(gz.subarray(o, o + GUNZIP_SLICE), o + GUNZIP_SLICE >= gz.length);
      if (need === Infinity && inflated >= 348) need = headerOf(joined(), name).need;
    }
  } catch (e) {
    if (e instanceof NiftiError) throw e;
    throw new NiftiError(`${name}: gzip data is corrupt (${(e as Error).message})`);
  }
  return { bytes: joined(), inflated };
}

interface Header { le: boolean; dims: Vec3; ndim: number; datatype: number; voxOffset: number; need: number }

/** The header fields the reader allocates from, checked: dims, datatype, vox_offset, the size they make. */
function headerOf(bytes: Uint8Array, name: string): Header {
  if (bytes.length < 348) throw new NiftiError(`${name}: too short for a NIfTI-1 header (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  if (dv.getInt32(0, true) !== 348) {
    if (dv.getInt32(0, false) === 348) le = false;
    else throw new NiftiError(`${name}: not a NIfTI-1 file (sizeof_hdr is not 348)`);
  }
  const magic = String.fromCharCode(bytes[344], bytes[345], bytes[346]);
  if (magic !== 'n+1' && magic !== 'ni1') throw new NiftiError(`${name}: missing NIfTI-1 magic ("n+1")`);
  if (magic === 'ni1') throw new NiftiError(`${name}: a .hdr/.img pair; give a single .nii or .nii.gz file`);
  const i16 = (o: number) => dv.getInt16(o, le);
  const ndim = i16(40);
  if (ndim < 1 || ndim > 7) throw new NiftiError(`${name}: invalid dim[0] = ${ndim} (1 to 7 allowed)`);
  const dims: Vec3 = [i16(42), ndim >= 2 ? i16(44) : 1, ndim >= 3 ? i16(46) : 1];
  dims.forEach((d, n) => {
    if (d < 1) throw new NiftiError(`${name}: dim[${n + 1}] = ${d}: image sizes must be at least 1 (a damaged header?)`);
  });
  for (let t = 4; t <= ndim; t++) {
    if (i16(40 + 2 * t) > 1) throw new NiftiError(`${name}: ${ndim}-D images (time series) are not supported; give a 3-D volume`);
  }
  const datatype = i16(70);
  const dt = DATATYPES[datatype];
  if (!dt) throw new NiftiError(`${name}: unsupported NIfTI datatype code ${datatype}`);
  const off = dv.getFloat32(108, le);
  if (!Number.isFinite(off) || off < 348 || off !== Math.floor(off)) throw new NiftiError(`${name}: vox_offset ${off} is not a whole number of bytes at or after the 348-byte header`);
  const n = dims[0] * dims[1] * dims[2];
  if (n > MAX_VOXELS) throw new NiftiError(`${name}: ${dims.join('×')} = ${(n / 1e6).toFixed(0)} M voxels is more than the ${(MAX_VOXELS / 1e6).toFixed(0)} M this viewer reads`);
  const need = off + n * dt.bytes;
  if (need > MAX_NIFTI_BYTES) throw new NiftiError(`${name}: the header asks for ${need} bytes, more than this viewer reads`);
  return { le, dims, ndim, datatype, voxOffset: off, need };
}

/** Reads a NIfTI-1 file. Throws NiftiError naming the problem for anything else. */
export function readNifti(input: Uint8Array | ArrayBuffer, name = 'NIfTI file'): Volume {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (isGzip(bytes)) bytes = gunzipNifti(bytes, name).bytes;
  const h = headerOf(bytes, name);
  const { le, dims } = h;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const i16 = (o: number) => dv.getInt16(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const dt = DATATYPES[h.datatype];
  const pixdim: Vec3 = [Math.abs(f32(80)) || 1, Math.abs(f32(84)) || 1, Math.abs(f32(88)) || 1];
  const voxOffset = h.voxOffset, need = h.need;
  const sclSlope = f32(112);
  const sclInter = f32(116);
  const qformCode = i16(252);
  const sformCode = i16(254);
  const n = dims[0] * dims[1] * dims[2];
  if (bytes.length < need) throw new NiftiError(`${name}: truncated: ${need} bytes of voxel data expected, ${bytes.length} present`);

  // Affine (RAS): voxel index → mm.
  let A: number[][];
  if (sformCode > 0) {
    A = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c)));
  } else if (qformCode > 0) {
    const b = f32(256), c = f32(260), d = f32(264);
    const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
    const qfac = f32(76) < 0 ? -1 : 1;
    const R = [
      [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ];
    const off = [f32(268), f32(272), f32(276)];
    A = [0, 1, 2].map((r) => [R[r][0] * pixdim[0], R[r][1] * pixdim[1], R[r][2] * pixdim[2] * qfac, off[r]]);
  } else {
    A = [[pixdim[0], 0, 0, 0], [0, pixdim[1], 0, 0], [0, 0, pixdim[2], 0]];
  }
  // RAS → LPS: negate the x and y rows.
  A[0] = A[0].map((v) => -v);
  A[1] = A[1].map((v) => -v);
  const spacing: Vec3 = [0, 1, 2].map((c) => Math.hypot(A[0][c], A[1][c], A[2][c])) as Vec3;
  const direction = [0, 1, 2].flatMap((c) => [0, 1, 2].map((r) => A[r][c] / (spacing[c] || 1) + 0)) as Mat3;
  const origin: Vec3 = [A[0][3] + 0, A[1][3] + 0, A[2][3] + 0];

  // Copy voxel data into an aligned buffer in native (little-endian) order.
  const raw = new ArrayBuffer(n * dt.bytes);
  const dst = new Uint8Array(raw);
  dst.set(bytes.subarray(voxOffset, voxOffset + n * dt.bytes));
  if (!le && dt.bytes > 1) {
    for (let p = 0; p < dst.length; p += dt.bytes) dst.subarray(p, p + dt.bytes).reverse();
  }
  const data = dt.make(raw, n);
  const vol: Volume = { dims, spacing, origin, direction, data };
  if (Number.isFinite(sclSlope) && sclSlope !== 0 && !(sclSlope === 1 && sclInter === 0)) {
    vol.slope = sclSlope;
    vol.intercept = Number.isFinite(sclInter) ? sclInter : 0;
  }
  return vol;
}

const CODE_OF: [new (...a: never[]) => VoxelArray, number, number][] = [
  [Uint8Array, 2, 8], [Int16Array, 4, 16], [Int32Array, 8, 32], [Float32Array, 16, 32],
  [Float64Array, 64, 64], [Int8Array, 256, 8], [Uint16Array, 512, 16], [Uint32Array, 768, 32],
];

/** Writes a NIfTI-1 single file (sform and qform both set, LPS → RAS). Gzipped unless `gzip: false`. */
export function writeNifti(vol: Volume, opts: { gzip?: boolean; description?: string } = {}): Uint8Array {
  const entry = CODE_OF.find(([C]) => vol.data instanceof C);
  if (!entry) throw new NiftiError('writeNifti: unsupported voxel array type');
  const [, code, bitpix] = entry;
  const bytesPer = bitpix / 8;
  const n = vol.dims[0] * vol.dims[1] * vol.dims[2];
  const out = new Uint8Array(352 + n * bytesPer);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 348, true);
  dv.setInt16(40, 3, true);
  vol.dims.forEach((d, c) => dv.setInt16(42 + 2 * c, d, true));
  for (let c = 3; c < 7; c++) dv.setInt16(42 + 2 * c, 1, true);
  dv.setInt16(70, code, true);
  dv.setInt16(72, bitpix, true);
  dv.setFloat32(76, 1, true);
  vol.spacing.forEach((s, c) => dv.setFloat32(80 + 4 * c, s, true));
  dv.setFloat32(108, 352, true);
  dv.setFloat32(112, vol.slope ?? 1, true);
  dv.setFloat32(116, vol.intercept ?? 0, true);
  out[123] = 2; // xyzt_units: mm
  const desc = (opts.description ?? 'psma-dose-preview').slice(0, 79);
  for (let c = 0; c < desc.length; c++) out[148 + c] = desc.charCodeAt(c) & 0x7f;
  // Affine in RAS.
  const d = vol.direction, s = vol.spacing, o = vol.origin;
  const A = [0, 1, 2].map((r) => [0, 1, 2].map((c) => d[3 * c + r] * s[c]));
  const off = [...o];
  A[0] = A[0].map((v) => -v); A[1] = A[1].map((v) => -v);
  off[0] = -off[0]; off[1] = -off[1];
  dv.setInt16(252, 1, true); // qform_code scanner
  dv.setInt16(254, 1, true); // sform_code scanner
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) dv.setFloat32(280 + 16 * r + 4 * c, A[r][c], true);
    dv.setFloat32(280 + 16 * r + 12, off[r], true);
  }
  // Quaternion from the rotation part (RAS), qfac from the determinant.
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => A[r][c] / s[c]));
  let qfac = 1;
  const det = R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) + R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
  if (det < 0) { qfac = -1; for (let r = 0; r < 3; r++) R[r][2] = -R[r][2]; }
  const a = 0.5 * Math.sqrt(Math.max(0, 1 + R[0][0] + R[1][1] + R[2][2]));
  let b: number, c: number, e: number;
  if (a > 1e-4) {
    b = (R[2][1] - R[1][2]) / (4 * a); c = (R[0][2] - R[2][0]) / (4 * a); e = (R[1][0] - R[0][1]) / (4 * a);
  } else {
    b = 0.5 * Math.sqrt(Math.max(0, 1 + R[0][0] - R[1][1] - R[2][2]));
    c = b > 1e-4 ? (R[0][1] + R[1][0]) / (4 * b) : 0.5 * Math.sqrt(Math.max(0, 1 - R[0][0] + R[1][1] - R[2][2]));
    e = b > 1e-4 ? (R[0][2] + R[2][0]) / (4 * b) : c > 1e-4 ? (R[1][2] + R[2][1]) / (4 * c) : 1;
  }
  dv.setFloat32(76, qfac, true);
  dv.setFloat32(256, b, true); dv.setFloat32(260, c, true); dv.setFloat32(264, e, true);
  dv.setFloat32(268, off[0], true); dv.setFloat32(272, off[1], true); dv.setFloat32(276, off[2], true);
  out[344] = 0x6e; out[345] = 0x2b; out[346] = 0x31; // "n+1"
  out.set(new Uint8Array(vol.data.buffer, vol.data.byteOffset, n * bytesPer), 352);
  return opts.gzip === false ? out : gzipSync(out, { level: 6 });
}
