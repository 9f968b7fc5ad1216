import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { IBSI_DIR } from '../../../test-support/paths';
import { parseCsv } from '../csv';
import { FEATURE_FAMILIES } from './families';
import { computeFeatures } from './engine';
import { IBSI_CONFIGS } from './settings';
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
});
