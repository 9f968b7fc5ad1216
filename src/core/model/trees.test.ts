import { describe, expect, it } from 'vitest';
import { Rng } from '../random';
import { fitTrees } from './trees';
import { predictRow, toOnnx, type DoseModel } from './doseModel';
import { createSession, runSession } from './runtime';

describe('tree-ensemble mixed model', () => {
  it('learns a non-linear effect, and ONNX Runtime (TreeEnsembleRegressor) equals the TypeScript model to 1e-5', async () => {
    const rng = new Rng(8);
    const rows: number[][] = [], y: number[] = [], g: string[] = [];
    for (let p = 0; p < 15; p++) {
      const b = rng.normal(0, 0.2);
      for (let k = 0; k < 8; k++) {
        const a = rng.uniform(0, 4), c = rng.normal(0, 1);
        rows.push([a, c]); y.push((a > 2 ? 1 : 0) + 0.3 * c + b + rng.normal(0, 0.1)); g.push(`P${p}`);
      }
    }
    const fit = fitTrees(rows, y, g, ['a', 'c'], { nTrees: 40 });
    expect(fit.groupVar).toBeGreaterThan(0.005);
    const model: DoseModel = { kind: 'trees', inputs: ['c', 'a'], types: ['tumour'], logTarget: true, perType: [{ type: 'tumour', features: ['a', 'c'], means: [], sds: [], fit: { beta: [], groupVar: fit.groupVar, residVar: fit.residVar, covBeta: [], nObs: 0, nGroups: 0, reml: NaN }, trees: { ensemble: fit.ensemble, q90: 0.3 } }] };
    const pr = rows.map((r) => ({ values: { a: r[0], c: r[1] }, type: 'tumour' }));
    const ts = pr.map((r) => predictRow(model, r));
    // The step at a = 2 is learnt: log-predictions differ by ≈ 1 across it.
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(ts.filter((_, i) => rows[i][0] > 2.3).map((t) => Math.log(t.prediction))) - mean(ts.filter((_, i) => rows[i][0] < 1.7).map((t) => Math.log(t.prediction)))).toBeGreaterThan(0.7);
    const session = await createSession(toOnnx(model));
    const ort = await runSession(session, model, pr);
    ort.forEach((o, i) => {
      expect(Math.abs(o.prediction - ts[i].prediction) / ts[i].prediction).toBeLessThan(1e-5);
      expect(Math.abs(o.pi90[1] - ts[i].pi90[1]) / ts[i].pi90[1]).toBeLessThan(1e-5);
    });
  });
});
