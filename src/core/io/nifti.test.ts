import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { readNifti, writeNifti, NiftiError, gunzipNifti, GUNZIP_SLICE } from './nifti';
import { IBSI_DIR } from '../../../test-support/paths';

describe('NIfTI', () => {
  it('reads the IBSI digital phantom with its geometry (RAS → LPS)', () => {
    const v = readNifti(readFileSync(`${IBSI_DIR}/ibsi_1_digital_phantom/nifti/image/phantom.nii.gz`));
    expect(v.dims).toEqual([5, 4, 4]);
    expect(v.spacing).toEqual([2, 2, 2]);
    expect(v.data).toBeInstanceOf(Int16Array);
    // value 9 at (2,2,2)
    expect(v.data[2 + 5 * (2 + 4 * 2)]).toBe(9);
    // sform diag(-2,-2,2) in RAS is +i → +L, +j → +P in LPS
    expect(v.direction.slice(0, 3)).toEqual([1, 0, 0]);
    expect(v.direction.slice(3, 6)).toEqual([0, 1, 0]);
  });
  it('reads the CT phantom and agrees with the DICOM origin', () => {
    const v = readNifti(readFileSync(`${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz`));
    expect(v.dims).toEqual([204, 201, 60]);
    expect(v.origin[0]).toBeCloseTo(-174.3945, 3);
    expect(v.origin[1]).toBeCloseTo(-79.6255, 3);
    expect(v.origin[2]).toBeCloseTo(-100.4, 3);
  });
  it('round-trips geometry and voxels', () => {
    const data = new Float32Array(24).map((_, n) => n * 0.5 - 3);
    const vol = { dims: [2, 3, 4] as [number, number, number], spacing: [0.7, 0.8, 2.5] as [number, number, number], origin: [10, -20, 30] as [number, number, number], direction: [0, 1, 0, -1, 0, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number], data };
    const back = readNifti(writeNifti(vol));
    expect(back.dims).toEqual(vol.dims);
    back.spacing.forEach((s, c) => expect(s).toBeCloseTo(vol.spacing[c], 5));
    back.origin.forEach((s, c) => expect(s).toBeCloseTo(vol.origin[c], 5));
    back.direction.forEach((s, c) => expect(s).toBeCloseTo(vol.direction[c], 5));
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });
  it('names the problem for non-NIfTI input', () => {
    expect(() => readNifti(new Uint8Array(400))).toThrow(NiftiError);
    expect(() => readNifti(new Uint8Array(10))).toThrow(/too short/);
  });
});

describe('NIfTI headers are checked before they are trusted', () => {
  const vol = { dims: [4, 4, 4] as [number, number, number], spacing: [2, 2, 2] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number], data: new Uint8Array(64).fill(1) };
  /** An uncompressed file with one header field changed. */
  const patched = (fn: (dv: DataView) => void) => {
    const b = writeNifti(vol, { gzip: false }).slice();
    fn(new DataView(b.buffer));
    return b;
  };
  it('negative or zero dims, vox_offset NaN / negative / inside the header: refused with the field', () => {
    expect(() => readNifti(patched((dv) => dv.setInt16(44, -64, true)))).toThrow(/dim\[2\] = -64: image sizes must be at least 1/);
    expect(() => readNifti(patched((dv) => dv.setInt16(42, 0, true)))).toThrow(/dim\[1\] = 0/);
    expect(() => readNifti(patched((dv) => dv.setFloat32(108, NaN, true)))).toThrow(/vox_offset NaN is not a whole number/);
    expect(() => readNifti(patched((dv) => dv.setFloat32(108, -300, true)))).toThrow(/vox_offset -300/);
    expect(() => readNifti(patched((dv) => dv.setFloat32(108, 100, true)))).toThrow(/vox_offset 100/);
    expect(() => readNifti(patched((dv) => { dv.setInt16(42, 30000, true); dv.setInt16(44, 30000, true); dv.setInt16(46, 30000, true); }))).toThrow(/M voxels is more than the 524 M/);
  });
  it('a gzip bomb is refused after its header: inflation stops at what the header asks for', () => {
    // A header claiming 1024×1024×16 uint8 voxels (16 MB) followed by 100 MB more of zeros (compress ~1000:1).
    const header = patched((dv) => { dv.setInt16(42, 1024, true); dv.setInt16(44, 1024, true); dv.setInt16(46, 16, true); }).subarray(0, 352);
    const big = new Uint8Array(352 + 1024 * 1024 * 16 + 100_000_000);
    big.set(header);
    const gz = gzipSync(big, { level: 6 });
    const r = gunzipNifti(gz, 'bomb.nii.gz');
    const need = 352 + 1024 * 1024 * 16;
    expect(r.inflated).toBeGreaterThanOrEqual(need);
    // One input slice inflates to at most ~1032× its size: the reader stops within one such step of `need`.
    expect(r.inflated - need).toBeLessThan(GUNZIP_SLICE * 1100);
    expect(r.inflated).toBeLessThan(big.length);
    // And a header over the ceiling stops after the first slice.
    const huge = patched((dv) => { dv.setInt16(42, 32767, true); dv.setInt16(44, 32767, true); dv.setInt16(46, 32767, true); });
    const bomb = new Uint8Array(20_000_000);
    bomb.set(huge.subarray(0, 352));
    let thrown = '';
    try { gunzipNifti(gzipSync(bomb, { level: 9 }), 'huge.nii.gz'); } catch (e) { thrown = (e as Error).message; }
    expect(thrown).toMatch(/huge\.nii\.gz: .* M voxels is more than/);
  });
  it('a truncated or corrupt .nii.gz names the problem', () => {
    const gz = writeNifti(vol);
    expect(() => readNifti(gz.subarray(0, gz.length - 20), 'cut.nii.gz')).toThrow(/cut\.nii\.gz: (truncated|gzip data is corrupt)/);
    const bad = gz.slice();
    bad.fill(0x55, 20, 60);
    expect(() => readNifti(bad, 'bad.nii.gz')).toThrow(/bad\.nii\.gz/);
  });
});
