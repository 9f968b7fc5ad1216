// Rows the model cannot predict are named with the column, the value and what is allowed — in `predict` (which
// refuses them) and in the Dose panel's pipeline (which lists them as skipped) alike.
import { describe, expect, it } from 'vitest';
import { modelInput, neededColumns, predictionInputs, rowProblems } from './predict';

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

describe('each structure type needs only its own inputs', () => {
  const perTypeCard = {
    ...card,
    inputs: [...card.inputs, { name: 'log_psa_ng_ml', from: 'psa_ng_ml', transform: 'log' as const }],
    perType: [{ type: 'kidney', features: ['log_suv_max', 'log_weight_kg'] }, { type: 'tumour', features: ['log_suv_max', 'log_psa_ng_ml'] }],
  };
  const kidney = { structure_id: 'K1', name: 'Kidney L', type: 'kidney', suv_max: 20, weight_kg: 80, volume_ml: 150 };
  const tumour = { structure_id: 'T1', name: 'Tumour 1', type: 'tumour', suv_max: 30, weight_kg: 80, volume_ml: 5 };
  it('a kidney without PSA (and without the texture column) is predicted; a tumour without PSA is skipped, naming it', () => {
    expect(neededColumns(perTypeCard, 'kidney')).toEqual(['suv_max', 'weight_kg']);
    expect(neededColumns(perTypeCard)).toEqual(['suv_max', 'weight_kg', 'cm_clust_shade', 'psa_ng_ml']);
    expect(rowProblems(perTypeCard, kidney, 'kidney')).toEqual([]);
    expect(rowProblems(perTypeCard, tumour, 'tumour')).toEqual(['PSA (psa_ng_ml) is not given; the tumour model needs it']);
    const r = predictionInputs(perTypeCard, [kidney, tumour]);
    expect(r.usable.map((x) => x.structure_id)).toEqual(['K1']);
    expect(r.skipped.map((x) => x.id)).toEqual(['T1']);
    expect(r.inputs[0].values).toEqual({ log_suv_max: Math.log(20), log_weight_kg: Math.log(80) });
  });
  it('a tumour with PSA reads it and not the weight', () => {
    expect(modelInput(perTypeCard, { ...tumour, psa_ng_ml: 12 }, 'tumour').values).toEqual({ log_suv_max: Math.log(30), log_psa_ng_ml: Math.log(12) });
  });
});
