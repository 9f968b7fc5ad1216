import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { fitTypeModel, predictRow, toOnnx, type DoseModel, type PredictRow } from './doseModel';
import { createSession, runSession } from './runtime';

function data() {
  const rng = new Rng(5);
  const rows: (PredictRow & { y: number; group: string })[] = [];
  for (let p = 0; p < 12; p++) {
    const b = rng.normal(0, 0.2);
    for (const type of ['kidney', 'tumour']) for (let n = 0; n < (type === 'tumour' ? 4 : 2); n++) {
      const suv = rng.lognormal(15, 0.3), vol = rng.lognormal(10, 0.8), egfr = rng.normal(75, 15);
      const y = (type === 'kidney' ? -0.7 + 0.3 * Math.log(suv) - 0.004 * egfr : 0.2 + 0.8 * Math.log(suv) - 0.1 * Math.log(vol)) + b + rng.normal(0, 0.15);
      rows.push({ values: { suv, log_vol: Math.log(vol), egfr }, type, y: Math.exp(y), group: `P${p}` });
    }
  }
  return rows;
}

/** Kidneys from SUV and eGFR, tumours from SUV and log volume, fitted on `rows`. */
function kidneyTumourModel(rows: ReturnType<typeof data>): DoseModel {
  const model: DoseModel = { inputs: ['suv', 'log_vol', 'egfr'], types: ['kidney', 'tumour'], logTarget: true, perType: [] };
  for (const [type, feats] of [['kidney', ['suv', 'egfr']], ['tumour', ['suv', 'log_vol']]] as const) {
    const rs = rows.filter((r) => r.type === type);
    model.perType.push(fitTypeModel(type, [...feats], rs.map((r) => feats.map((f) => r.values[f])), rs.map((r) => Math.log(r.y)), rs.map((r) => r.group), true));
  }
  return model;
}

describe('dose model: ONNX Runtime output equals the TypeScript model', () => {
  it('on every row, to 1e-5 relative', async () => {
    const rows = data();
    const model = kidneyTumourModel(rows);
    const session = await createSession(toOnnx(model, { id: 'test' }));
    const ort = await runSession(session, model, rows);
    rows.forEach((r, i) => {
      const ts = predictRow(model, r);
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      expect(rel(ort[i].prediction, ts.prediction)).toBeLessThan(1e-5);
      expect(rel(ort[i].pi90[0], ts.pi90[0])).toBeLessThan(1e-5);
      expect(rel(ort[i].pi90[1], ts.pi90[1])).toBeLessThan(1e-5);
    });
  });
  it('a row carrying only its own type\'s inputs gets the same output (the other types\' inputs are not needed)', async () => {
    const rows = data();
    const model = kidneyTumourModel(rows);
    const session = await createSession(toOnnx(model, { id: 'test' }));
    const own = rows.map((r) => {
      const feats = model.perType.find((t) => t.type === r.type)!.features;
      return { type: r.type, values: Object.fromEntries(feats.map((f) => [f, r.values[f]])) };
    });
    const [full, part] = [await runSession(session, model, rows), await runSession(session, model, own)];
    expect(part.every((p) => Number.isFinite(p.prediction) && Number.isFinite(p.pi90[0]))).toBe(true);
    expect(part).toEqual(full);
  });
  it('a file that is not an ONNX model gets a clear message', async () => {
    await expect(createSession(new TextEncoder().encode('not a model'))).rejects.toThrow(/not a loadable ONNX model/);
  });
});
