import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { IBSI_DIR } from '../../../test-support/paths';
import { parseCsv } from '../csv';
import { FEATURE_FAMILIES } from './families';
import { computeFeatures } from './engine';
import { CLINICAL_PET, IBSI_CONFIGS, parseSettings } from './settings';
import { moranGearyNaive } from './spatialAutocorrelation';
import type { Volume } from '../volume';

describe('IBSI family table', () => {
  it('names every family with the IBSI name and code of the reference tables, once each', () => {
    const rows = parseCsv(readFileSync(`${IBSI_DIR}/reference_values/ibsi1_digital_phantom_reference_values.csv`, 'utf8'));
    const reference = new Map(rows.map((r) => [r.ibsi_family, r.family_code]));
    expect(new Map(FEATURE_FAMILIES.map((f) => [f.ibsiName, f.ibsiCode]))).toEqual(reference);
    expect(new Set(FEATURE_FAMILIES.map((f) => f.id)).size).toBe(FEATURE_FAMILIES.length);
  });
  it('computes only the families asked for', () => {
    const dims: [number, number, number] = [6, 6, 4];
    const image: Volume = { dims, spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: Float32Array.from({ length: 144 }, (_, n) => 1 + ((n * 7) % 5)) };
    const mask = Uint8Array.from({ length: 144 }, (_, n) => (n % 6 > 0 && n % 6 < 5 ? 1 : 0));
    const r = computeFeatures(image, mask, IBSI_CONFIGS.DP, { families: ['ivh', 'ngtdm'] });
    expect(new Set(Object.keys(r.features).map((k) => k.split('_')[0]))).toEqual(new Set(['ivh', 'ngt']));
  });
  it("computes Moran's I and Geary's C only when the settings ask for them (IBSI: yes, clinical PET: no)", () => {
    const dims: [number, number, number] = [8, 8, 6], n = 8 * 8 * 6;
    const image: Volume = { dims, spacing: [2, 2, 3], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: Float32Array.from({ length: n }, (_, v) => 2 + ((v * 13) % 7)) };
    const mask = Uint8Array.from({ length: n }, (_, v) => (v % 8 > 1 && v % 8 < 7 && Math.floor(v / 64) > 0 ? 1 : 0));
    const clinical = computeFeatures(image, mask, CLINICAL_PET, { families: ['morphology'] }).features;
    expect(clinical.morph_volume).toBeGreaterThan(0);
    expect('morph_moran_i' in clinical || 'morph_geary_c' in clinical).toBe(false);
    const both = computeFeatures(image, mask, { ...CLINICAL_PET, moranGeary: true }, { families: ['morphology'] }).features;
    const ref = moranGearyNaive(mask, image.data as Float32Array, dims, [2, 2, 3]);
    expect(both.morph_moran_i).toBeCloseTo(ref.moran, 12);
    expect(both.morph_geary_c).toBeCloseTo(ref.geary, 12);
    expect(Object.values(IBSI_CONFIGS).every((c) => c.moranGeary)).toBe(true);
  });
  it('reads moranGeary from a settings file (default off) and refuses a value that is not true/false', () => {
    const base = { sliceWise: '3D', discretisation: { method: 'FBN', bins: 8 } };
    expect(parseSettings(base).moranGeary).toBe(false);
    expect(parseSettings({ ...base, moranGeary: true }).moranGeary).toBe(true);
    expect(() => parseSettings({ ...base, moranGeary: 'yes' })).toThrow(/"moranGeary" must be true or false \(found "yes"\)/);
  });
});
