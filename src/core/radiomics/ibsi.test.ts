import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { IBSI_DIR } from '../../../test-support/paths';
import { readNifti } from '../io/nifti';
import { computeFeatures, labelMask, FeatureError } from './engine';
import { IBSI_CONFIGS } from './settings';
import { compare, featureRows, matches } from './conformance';
import { moranGeary as fft, moranGearyNaive } from './spatialAutocorrelation';

const dp = () => ({
  image: readNifti(readFileSync(`${IBSI_DIR}/ibsi_1_digital_phantom/nifti/image/phantom.nii.gz`)),
  mask: readNifti(readFileSync(`${IBSI_DIR}/ibsi_1_digital_phantom/nifti/mask/mask.nii.gz`)),
});

describe('IBSI digital phantom', () => {
  const { image, mask } = dp();
  const result = computeFeatures(image, labelMask(mask, 1), IBSI_CONFIGS.DP);
  const rows = featureRows(readFileSync(`${IBSI_DIR}/reference_values/ibsi1_digital_phantom_reference_values.csv`, 'utf8'), 'digital_phantom');
  it('has 482 reference values', () => expect(rows.length).toBe(482));
  for (const r of rows) {
    it(`${r.tag} = ${r.reference} ± ${r.tolerance}`, () => {
      const v = result.features[r.tag];
      expect(matches(r.reference, v, r.tolerance), `${r.tag}: got ${v}, reference ${r.reference}`).toBe(true);
    });
  }
  it('summary', () => {
    const c = compare(rows, result.features);
    expect(c.matched).toBe(c.total);
  });
});

describe('workbook rule and bad input', () => {
  it('truncates at the 3rd significant digit of the reference', () => {
    expect(matches(556, 553, 4)).toBe(true);
    expect(matches(0.0326, 0.03269, 0)).toBe(true);
    expect(matches(0.0326, 0.0327, 0)).toBe(false);
    expect(matches(2.15, null, 0)).toBe(false);
  });
  it('empty mask, NaN voxels and mismatched geometry are specific errors', () => {
    const { image } = dp();
    expect(() => computeFeatures(image, new Uint8Array(80), IBSI_CONFIGS.DP)).toThrow(/empty/);
    expect(() => computeFeatures(image, new Uint8Array(10), IBSI_CONFIGS.DP)).toThrow(FeatureError);
    const nan = { ...image, data: Float32Array.from(image.data, (v, n) => (n === 7 ? NaN : v)) };
    expect(() => computeFeatures(nan, new Uint8Array(80).fill(1), IBSI_CONFIGS.DP)).toThrow(/non-finite/);
  });
  for (const method of ['fft', 'pairs'] as const) {
    it(`Moran/Geary (${method}) equal the all-pairs definition, also with a margin around the ROI`, () => {
      const dims: [number, number, number] = [9, 8, 7];
      const mask = new Uint8Array(504), vals = new Float32Array(504);
      for (let k = 1; k < 6; k++) for (let j = 1; j < 7; j++) for (let i = 2; i < 9; i++) {
        const n = i + 9 * (j + 8 * k);
        mask[n] = (n * 7919) % 5 ? 1 : 0; vals[n] = ((n * 104729) % 97) / 7;
      }
      const a = fft(mask, vals, dims, [0.8, 1.1, 2.5], method), b = moranGearyNaive(mask, vals, dims, [0.8, 1.1, 2.5]);
      expect(Math.abs(a.moran - b.moran) / Math.abs(b.moran)).toBeLessThan(1e-9);
      expect(Math.abs(a.geary - b.geary) / Math.abs(b.geary)).toBeLessThan(1e-9);
    });
  }
  it('Moran/Geary (fft) equal the definition on a box with a different transform size per axis', () => {
    // Box 3 × 14 × 6 → transform sizes 8 × 32 × 16: the y and z line blocks differ in length.
    const dims: [number, number, number] = [5, 16, 8];
    const mask = new Uint8Array(640), vals = new Float32Array(640);
    for (let k = 1; k < 7; k++) for (let j = 1; j < 15; j++) for (let i = 1; i < 4; i++) {
      const n = i + 5 * (j + 16 * k);
      mask[n] = (n * 7919) % 4 ? 1 : 0; vals[n] = ((n * 104729) % 89) / 5;
    }
    const a = fft(mask, vals, dims, [1.3, 0.7, 2], 'fft'), b = moranGearyNaive(mask, vals, dims, [1.3, 0.7, 2]);
    expect(Math.abs(a.moran - b.moran) / Math.abs(b.moran)).toBeLessThan(1e-9);
    expect(Math.abs(a.geary - b.geary) / Math.abs(b.geary)).toBeLessThan(1e-9);
  });
});
