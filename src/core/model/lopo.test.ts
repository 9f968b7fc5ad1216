import { describe, expect, it } from 'vitest';
import { cohortTable } from '../cohort/evaluate';
import { Rng } from '../random';
import { train, type TrainResult } from './train';

const options = { target: 'measured_dose_gy_per_gbq', truthCol: 'true_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type' };

/** The cross-product LOPO gives what the row-wise refits give: the same choices, the same CV figures to rounding. */
function expectSame(a: TrainResult, b: TrainResult) {
  expect(a.inputSpecs).toEqual(b.inputSpecs);
  expect(a.selected).toEqual(b.selected);
  expect(a.variant).toBe(b.variant);
  expect(Object.keys(a.cv)).toEqual(Object.keys(b.cv));
  const close = (x: number, y: number) => expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(y)));
  for (const t of Object.keys(b.cv)) {
    for (const k of ['male', 'mape', 'mae', 'r2'] as const) close(a.cv[t].model[k]!, b.cv[t].model[k]!);
    expect(a.cv[t].model.coverage90).toBe(b.cv[t].model.coverage90);
    close(a.cv[t].populationMean.mape, b.cv[t].populationMean.mape);
    close(a.cv[t].modelVsTruth!.male!, b.cv[t].modelVsTruth!.male!);
  }
  for (const k of Object.keys(b.lopoMapeByVariant)) close(a.lopoMapeByVariant[k], b.lopoMapeByVariant[k]);
  a.model.perType.forEach((tm, i) => {
    const ref = b.model.perType[i];
    expect(tm.features).toEqual(ref.features);
    tm.fit.beta.forEach((v, j) => close(v, ref.fit.beta[j]));
    close(tm.intervalQ90!, ref.intervalQ90!);
    close(tm.smearing!, ref.smearing!);
  });
}

describe('LOPO from per-patient cross-products equals the row-wise refits', () => {
  it('9 patients (the input choice nested in every outer fold)', () => {
    const { rows } = cohortTable(9, 3, 'sourced');
    expectSame(train(rows, options), train(rows, { ...options, lopo: 'refit' }));
  });
  it('14 patients with 60 extra columns, one of them predictive for parotids (forward selection in every fold)', () => {
    const { rows } = cohortTable(14, 7, 'sourced');
    const rng = new Rng(3);
    for (const r of rows) {
      for (let j = 0; j < 60; j++) r[`feat_${j}`] = String(j % 2 ? Number(r.suv_mean) * (1 + 0.3 * rng.next()) + j : Math.log(Number(r.volume_ml)) * rng.next() + rng.next());
      if (r.type === 'parotid') r.feat_0 = String(Math.log(Number(r.true_dose_gy_per_gbq)) + 0.05 * rng.normal());
    }
    const a = train(rows, options), b = train(rows, { ...options, lopo: 'refit' });
    expect(Object.values(b.inputSpecs)).toContain('automatic');
    expectSame(a, b);
  });
});
