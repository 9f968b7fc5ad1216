import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fitLmm, LmmError } from './lmm';
import { parseCsv } from '../csv';

const dir = new URL('./fixtures/', import.meta.url);
const rows = parseCsv(readFileSync(new URL('lmm-table.csv', dir), 'utf8'));
const ref = JSON.parse(readFileSync(new URL('lmm-statsmodels.json', dir), 'utf8'));
const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-8, 1e-4 * Math.abs(b));

describe('LMM (random intercept, REML) equals statsmodels MixedLM', () => {
  const fit = fitLmm(rows.map((r) => [Number(r.suv), Number(r.egfr), Number(r.vol)]), rows.map((r) => Number(r.dose)), rows.map((r) => r.patient));
  it('fixed effects', () => {
    const names = ['Intercept', 'suv', 'egfr', 'vol'];
    names.forEach((n, i) => expect(close(fit.beta[i], ref.fe_params[n]), `${n}: ${fit.beta[i]} vs ${ref.fe_params[n]}`).toBe(true));
  });
  it('random-intercept and residual variances', () => {
    expect(close(fit.groupVar, ref.cov_re), `${fit.groupVar} vs ${ref.cov_re}`).toBe(true);
    expect(close(fit.residVar, ref.scale), `${fit.residVar} vs ${ref.scale}`).toBe(true);
    expect(Math.abs(fit.reml - ref.llf)).toBeLessThan(1e-4);
  });
  it('refuses a single group', () => {
    expect(() => fitLmm([[1], [2], [3]], [1, 2, 3], ['a', 'a', 'a'])).toThrow(LmmError);
  });
});
