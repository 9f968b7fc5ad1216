// The model contract: a card is checked field by field (malformed JSON gives a message, never a crash) and
// against the ONNX graph's recorded column order (a reordered card would give wrong doses silently).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_DIR } from '../../../test-support/paths';
import { contractDetails, validateCard, type ModelCard } from './card';
import { outsideTrainingRange } from '../dose/inputs';
import { contractMetadata, toOnnx, type DoseModel } from './doseModel';
import { readOnnxMetadata } from './onnx';
import { openModel } from '../dose/modelSession';

const dir = join(REPO_DIR, 'models/default');
const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')) as ModelCard;
const onnx = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
const graph = { inputNames: ['features', 'type_onehot'], outputNames: ['prediction', 'pi_lo', 'pi_hi'], metadata: readOnnxMetadata(onnx) };

describe('model card contract', () => {
  it('the shipped card fits its ONNX model', async () => {
    expect(validateCard(card, graph)).toEqual([]);
    const r = await openModel(onnx, card);
    expect('problem' in r ? r.problem : 'ok').toBe('ok');
  });
  it('inputs listed in another order than the graph are refused, naming the first difference', async () => {
    const swapped = { ...card, inputs: [card.inputs[1], card.inputs[0], ...card.inputs.slice(2)] };
    expect(validateCard(swapped)).toEqual([]); // the card alone is consistent…
    const r = await openModel(onnx, swapped); // …but not with the graph
    expect('problem' in r && r.problem).toContain(`input columns in another order than the ONNX graph (position 1: card "${card.inputs[1].name}", graph "${card.inputs[0].name}")`);
    expect(validateCard({ ...card, types: [...card.types].reverse() }, graph).join()).toMatch(/structure types in another order/);
    expect(validateCard(card, { ...graph, metadata: {} }).join()).toMatch(/does not record its input columns .* retrain/);
  });
  it('a card whose transforms, target or tracer differ from what the graph records is refused', () => {
    const recorded = { ...graph, metadata: { ...graph.metadata, ...contractDetails(card) } };
    expect(validateCard(card, recorded)).toEqual([]);
    const otherTarget = { ...card, target: { ...card.target, column: 'measured_dose_rc_gy_per_gbq' } };
    expect(validateCard(otherTarget, recorded).join()).toMatch(/disagree on target: card log\(measured_dose_rc_gy_per_gbq\), graph log\(measured_dose_gy_per_gbq\)/);
    const otherTransform = { ...card, inputs: card.inputs.map((c, n) => (n === 0 ? { ...c, transform: 'none' as const } : c)) };
    expect(validateCard(otherTransform, recorded).join()).toMatch(/disagree on transforms/);
    expect(validateCard({ ...card, tracer: '68Ga-PSMA-11' }, recorded).join()).toMatch(/disagree on tracer: card 68Ga-PSMA-11, graph 18F-DCFPyL/);
  });
  it('malformed cards give messages, not exceptions', () => {
    expect(validateCard(null)).toEqual(['the model card is not a JSON object']);
    expect(validateCard([])).toEqual(['the model card is not a JSON object']);
    expect(validateCard({ ...card, inputs: 'x' }).join()).toMatch(/"inputs" must be a list/);
    expect(validateCard({ ...card, perType: 3 }).join()).toMatch(/"perType" must be a list/);
    expect(validateCard({ ...card, target: null }).join()).toMatch(/"target" must be an object/);
    const t0 = card.perType[0];
    expect(validateCard({ ...card, perType: [{ ...t0, means: t0.means.slice(1) }, ...card.perType.slice(1)] }).join()).toMatch(new RegExp(`type ${t0.type}: "means" and "sds" must be ${t0.features.length} finite numbers`));
    expect(validateCard({ ...card, perType: [{ ...t0, covBeta: [[1]] }, ...card.perType.slice(1)] }).join()).toMatch(/"covBeta" must be a \d+×\d+ matrix/);
    expect(validateCard({ ...card, perType: card.perType.slice(1) }).join()).toMatch(new RegExp(`type ${t0.type} is listed but has no coefficients`));
    expect(validateCard({ ...card, notForClinicalUse: false }).join()).toMatch(/synthetic data but its card does not say "not for clinical use"/);
  });
  it('toOnnx records the column order in the model itself', () => {
    const model: DoseModel = { kind: 'lmm', inputs: ['a', 'b'], types: ['kidney'], logTarget: true, perType: [{ type: 'kidney', features: ['b'], means: [0], sds: [1], fit: { beta: [0, 1], groupVar: 0.1, residVar: 0.1, covBeta: [[0.01, 0], [0, 0.01]], nObs: 0, nGroups: 0, reml: 0 } }] };
    expect(readOnnxMetadata(toOnnx(model, { id: 'x' }))).toEqual({ id: 'x', ...contractMetadata(model) });
  });
});

describe('inputs outside the training range', () => {
  const card = {
    inputs: [{ name: 'log_suv_mean', from: 'suv_mean', transform: 'log' as const }, { name: 'age', from: 'age', transform: 'none' as const }],
    perType: [{ type: 'kidney', features: ['log_suv_mean', 'age'], inputRanges: [[Math.log(4), Math.log(24)], [50, 90]] as [number, number][] } as ModelCard['perType'][number]],
  };
  it('names the column, the value and the range in the table\'s units; nothing inside the range', () => {
    expect(outsideTrainingRange(card, { type: 'kidney', values: { log_suv_mean: Math.log(12), age: 70 } })).toEqual([]);
    expect(outsideTrainingRange(card, { type: 'kidney', values: { log_suv_mean: Math.log(31.2), age: 45 } })).toEqual([
      'suv_mean 31.2 above the training range 4–24', 'age 45 below the training range 50–90',
    ]);
    expect(outsideTrainingRange({ ...card, perType: [{ ...card.perType[0], inputRanges: undefined }] }, { type: 'kidney', values: { log_suv_mean: 9, age: 1 } })).toEqual([]);
  });
});
