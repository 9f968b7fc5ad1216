// Rows the model cannot predict are named with the column, the value and what is allowed — in `predict` (which
// refuses them) and in the Dose panel's pipeline (which lists them as skipped) alike.
import { describe, expect, it } from 'vitest';
import { predictionInputs, rowProblems } from './predict';

const card = {
  types: ['kidney', 'tumour'],
  inputs: [
    { name: 'log_suv_max', from: 'suv_max', transform: 'log' as const },
    { name: 'log_weight_kg', from: 'weight_kg', transform: 'log' as const },
    { name: 'cm_clust_shade', from: 'cm_clust_shade', transform: 'none' as const },
  ],
};
const good = { structure_id: 'S1', name: 'Kidney L', type: 'kidney', suv_max: 20, weight_kg: 80, cm_clust_shade: -3, volume_ml: 150 };

describe('rows the model cannot predict', () => {
  it('a good row has no problem; a negative non-log feature is allowed', () => {
    expect(rowProblems(card, good, 'kidney')).toEqual([]);
  });
  it('weight outside the physiological table, SUVmax ≤ 0, text and a type not covered are named', () => {
    expect(rowProblems(card, { ...good, weight_kg: 0 }, 'kidney')).toEqual(['weight_kg = 0 is outside the plausible 20–350 kg (Weight)']);
    expect(rowProblems(card, { ...good, weight_kg: 90000 }, 'kidney')).toEqual(['weight_kg = 90000 is outside the plausible 20–350 kg (Weight)']);
    expect(rowProblems(card, { ...good, suv_max: -2 }, 'kidney')).toEqual(['suv_max = -2 must be greater than 0 (the model takes its logarithm)']);
    expect(rowProblems(card, { ...good, cm_clust_shade: 'n/a' }, 'kidney')).toEqual(['cm_clust_shade = "n/a" is not a number']);
    expect(rowProblems(card, { ...good, suv_max: '' }, 'kidney')).toEqual(['suv_max = (empty) is not a number']);
    expect(rowProblems(card, good, 'liver')).toEqual(['structure type "liver" is not covered by the model (kidney, tumour)']);
  });
  it('the pipeline skips such rows with the reason instead of predicting NaN', () => {
    const r = predictionInputs(card, [good, { ...good, structure_id: 'S2', suv_max: 0 }]);
    expect(r.usable.map((x) => x.structure_id)).toEqual(['S1']);
    expect(r.skipped).toEqual([{ id: 'S2', name: 'Kidney L', type: 'kidney', reason: 'suv_max = 0 must be greater than 0 (the model takes its logarithm)' }]);
  });
});
