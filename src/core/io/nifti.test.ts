import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readNifti, writeNifti, NiftiError } from './nifti';
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
