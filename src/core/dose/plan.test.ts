import { describe, expect, it } from 'vitest';
import { plan } from './plan';

const preds = [
  { name: 'Kidney L', type: 'kidney', gyPerGBq: 0.5, lo: 0.3, hi: 0.8 },
  { name: 'Kidney R', type: 'kidney', gyPerGBq: 0.6, lo: 0.4, hi: 1.0 },
  { name: 'Parotid L', type: 'parotid', gyPerGBq: 0.5, lo: 0.3, hi: 0.9 },
  { name: 'T1', type: 'tumour', gyPerGBq: 3, lo: 1.5, hi: 6 },
  { name: 'T2', type: 'tumour', gyPerGBq: 2, lo: 1, hi: 4 },
];

describe('therapy plan', () => {
  it('computes Gy per cycle, cumulative Gy and the kidney-limited activity (point and conservative)', () => {
    const p = plan(preds, { activityGBq: 7.4, cycles: 6 });
    expect(p.rows[0].gyPerCycle).toBeCloseTo(3.7, 10);
    expect(p.rows[0].gyCumulative).toBeCloseTo(22.2, 10);
    const k = p.organs.find((o) => o.limit.id === 'kidneys')!;
    expect(k.gyPerGBq).toBeCloseTo(0.55, 10); // mean of both kidneys
    expect(k.maxActivityGBq).toBeCloseTo(23 / (6 * 0.55), 10);
    expect(k.maxActivityConservativeGBq).toBeCloseTo(23 / (6 * 0.9), 10);
    expect(p.maxActivityConservativeGBq).toBeLessThan(p.maxActivityGBq!);
    expect(p.tumourToKidneyRatio).toBeCloseTo(2.5 / 0.55, 10);
    // Salivary glands have no established limit: reference only, no activity constraint.
    const s = p.organs.find((o) => o.limit.id === 'salivary')!;
    expect(s.maxActivityGBq).toBeUndefined();
    expect(s.limit.caveat).toMatch(/not a limit/);
  });
  it('flags a single kidney', () => {
    const p = plan(preds.filter((x) => x.name !== 'Kidney R'));
    expect(p.organs.find((o) => o.limit.id === 'kidneys')!.flags[0]).toMatch(/single/);
  });
});
