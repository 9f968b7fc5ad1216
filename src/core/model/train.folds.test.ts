import { describe, expect, it } from 'vitest';
import { cohortTable } from '../cohort/evaluate';
import { prepareTraining, train, type TrainOptions } from './train';

const options: TrainOptions = { target: 'measured_dose_gy_per_gbq', truthCol: 'true_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type' };

describe('prepareTraining: outer folds in any split, merged in table order', () => {
  it('folds run by separate preparations, in reverse and in pieces, give train() to the last bit', () => {
    const { rows } = cohortTable(14, 8, 'sourced');
    const expected = JSON.stringify(train(rows, options));
    // As workers would: each prepares from the same table and runs some patients, in any order.
    const [a, b, main] = [prepareTraining(rows, options), prepareTraining(rows, options), prepareTraining(rows, options)];
    const ps = [...main.patients].reverse();
    const folds = [...a.outerFolds(ps.filter((_, i) => i % 3 === 0)), ...b.outerFolds(ps.filter((_, i) => i % 3 !== 0))];
    expect(folds.map((f) => f.patient).sort()).toEqual([...main.patients].sort());
    expect(JSON.stringify(main.finish(folds))).toBe(expected);
  });
  it('the trees and given-features paths split the same way', () => {
    const { rows } = cohortTable(10, 9, 'sourced');
    for (const o of [{ ...options, model: 'trees' as const }, { ...options, features: ['suv_mean', 'volume_ml'] }]) {
      const p = prepareTraining(rows, o), q = prepareTraining(rows, o);
      const half = Math.floor(p.patients.length / 2);
      expect(JSON.stringify(p.finish([...q.outerFolds(p.patients.slice(half)), ...p.outerFolds(p.patients.slice(0, half))]))).toBe(JSON.stringify(train(rows, o)));
    }
  });
  it('finish refuses a missing or repeated patient, and an unknown patient is refused by name', () => {
    const { rows } = cohortTable(8, 10, 'sourced');
    const p = prepareTraining(rows, options);
    const folds = p.outerFolds(p.patients.slice(1));
    expect(() => p.finish(folds)).toThrow(`training folds: every patient's fold once is needed (missing ${p.patients[0]}; 7 given for 8 patients)`);
    expect(() => p.finish([...folds, folds[0]])).toThrow(/missing .*; 8 given for 8 patients/);
    expect(() => p.outerFolds(['nobody'])).toThrow('training folds: nobody is not a patient of the table');
  });
});
