// The dose model: one random-intercept LMM per structure type (or one for all rows), feature scaling and
// selection inside, optional log target; its TypeScript prediction and its ONNX graph compute the same thing.
import { fitLmm, type LmmFit } from './lmm';
import { predictEnsemble, type Ensemble } from './trees';
import { encodeModel, type OnnxGraph, type OnnxNode } from './onnx';

export const Z90 = 1.6448536269514722;

export interface TypeModel {
  type: string;
  /** Selected input columns (names, in `inputs` of the model) and their training mean / SD. */
  features: string[];
  means: number[];
  sds: number[];
  fit: LmmFit;
  /** Tree-ensemble model (kind 'trees'): the ensemble on the selected features and the conformal
   *  half-width of the 90 % interval on the log scale (from leave-one-patient-out residuals). */
  trees?: { ensemble: Ensemble; q90: number };
  /** Log-target models: mean / median of the dose (Duan's smearing factor from LOPO residuals). */
  smearing?: number;
  /** Training range [min, max] of each selected feature (as the model sees it, transform applied). */
  ranges?: [number, number][];
  /** Pre-specified inputs shrunk toward the population value: the model's weight (coefficients already shrunk). */
  shrink?: number;
  /** LMM: the 90 % interval as ± this on the log scale (conformal, from leave-one-patient-out residuals) instead of the Gaussian one. */
  intervalQ90?: number;
}

export interface DoseModel {
  kind?: 'lmm' | 'trees';
  /** All input columns in ONNX input order. */
  inputs: string[];
  /** Structure types, in the order of the type one-hot input. */
  types: string[];
  logTarget: boolean;
  perType: TypeModel[];
}

export interface PredictRow { values: Record<string, number>; type: string }

/** Fits one type model on rows (features named; selection already decided). */
export function fitTypeModel(type: string, features: string[], X: number[][], y: number[], groups: string[], scale: boolean, startLogGamma?: number): TypeModel {
  const k = features.length;
  const means = new Array(k).fill(0), sds = new Array(k).fill(1);
  if (scale) {
    for (let j = 0; j < k; j++) {
      const col = X.map((r) => r[j]);
      const m = col.reduce((s, v) => s + v, 0) / col.length;
      const sd = Math.sqrt(col.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, col.length - 1));
      means[j] = m; sds[j] = sd > 0 ? sd : 1;
    }
  }
  const Z = X.map((r) => r.map((v, j) => (v - means[j]) / sds[j]));
  return { type, features, means, sds, fit: fitLmm(Z, y, groups, { startLogGamma }) };
}

/** Population-level prediction with a 90 % prediction interval (between-patient variance included). */
export function predictRow(model: DoseModel, row: PredictRow): { prediction: number; pi90: [number, number] } {
  const tm = model.perType.find((t) => t.type === row.type) ?? (model.types.length === 1 ? model.perType[0] : undefined);
  if (!tm) throw new Error(`structure type "${row.type}" is not covered by this model (it knows ${model.types.join(', ')})`);
  if (tm.trees) {
    const m = predictEnsemble(tm.trees.ensemble, tm.features.map((f) => row.values[f]));
    const e = (v: number) => Math.fround(Math.exp(Math.fround(v)));
    return { prediction: e(m), pi90: [e(m - tm.trees.q90), e(m + tm.trees.q90)] };
  }
  const u = [1, ...tm.features.map((f, j) => (row.values[f] - tm.means[j]) / tm.sds[j])];
  let mean = 0, q = 0;
  for (let a = 0; a < u.length; a++) {
    mean += tm.fit.beta[a] * u[a];
    for (let b = 0; b < u.length; b++) q += u[a] * tm.fit.covBeta[a][b] * u[b];
  }
  const sd = tm.intervalQ90 !== undefined ? tm.intervalQ90 / Z90 : Math.sqrt(q + tm.fit.groupVar + tm.fit.residVar);
  const lo = mean - Z90 * sd, hi = mean + Z90 * sd;
  return model.logTarget ? { prediction: Math.exp(mean), pi90: [Math.exp(lo), Math.exp(hi)] } : { prediction: mean, pi90: [lo, hi] };
}

/**
 * ONNX graph: inputs `features` [N, F] (columns = model.inputs) and `type_onehot` [N, T]; outputs
 * `prediction`, `pi_lo`, `pi_hi` [N, 1]. Per type: u = [1, (x_sel − mean)/sd] = X·B + e, μ = u·β,
 * var = Σ (u·Cov) ⊙ u + σ_b² + σ²; the one-hot picks the row's type.
 */
export function toOnnx(model: DoseModel, extra: Record<string, string> = {}): Uint8Array {
  // The column order of `features` and of `type_onehot`: the contract a card is checked against when loaded.
  const metadata = { ...extra, ...contractMetadata(model) };
  if (model.kind === 'trees') return treesToOnnx(model, metadata);
  const F = model.inputs.length, T = model.types.length;
  const nodes: OnnxNode[] = [];
  const inits: OnnxGraph['initializers'] = [{ name: 'axis1', dims: [1], data: [1] }];
  // ReduceSum (opset 13) takes axes as an int64 input: encode via a Constant node.
  nodes.push({ op: 'Constant', inputs: [], outputs: ['axes1'], attrs: { value_ints: [1] } });
  const means: string[] = [], vars: string[] = [];
  model.types.forEach((type, t) => {
    const tm = model.perType.find((m) => m.type === type)!;
    const k = tm.features.length;
    const B = new Float32Array(F * (k + 1)), e = new Float32Array(k + 1);
    e[0] = 1;
    tm.features.forEach((f, j) => {
      const col = model.inputs.indexOf(f);
      B[col * (k + 1) + j + 1] = 1 / tm.sds[j];
      e[j + 1] = -tm.means[j] / tm.sds[j];
    });
    // A conformal interval has a fixed half-width: no covariance term, the variance (q / z90)².
    const conformal = tm.intervalQ90 !== undefined;
    const cov = new Float32Array((k + 1) * (k + 1));
    if (!conformal) for (let a = 0; a <= k; a++) for (let b = 0; b <= k; b++) cov[a * (k + 1) + b] = tm.fit.covBeta[a][b];
    inits.push(
      { name: `B${t}`, dims: [F, k + 1], data: B }, { name: `e${t}`, dims: [k + 1], data: e },
      { name: `beta${t}`, dims: [k + 1, 1], data: Float32Array.from(tm.fit.beta) },
      { name: `cov${t}`, dims: [k + 1, k + 1], data: cov },
      { name: `s2_${t}`, dims: [1], data: [conformal ? (tm.intervalQ90! / Z90) ** 2 : tm.fit.groupVar + tm.fit.residVar] },
    );
    nodes.push(
      { op: 'MatMul', inputs: ['features', `B${t}`], outputs: [`XB${t}`] },
      { op: 'Add', inputs: [`XB${t}`, `e${t}`], outputs: [`u${t}`] },
      { op: 'MatMul', inputs: [`u${t}`, `beta${t}`], outputs: [`mu${t}`] },
      { op: 'MatMul', inputs: [`u${t}`, `cov${t}`], outputs: [`uC${t}`] },
      { op: 'Mul', inputs: [`uC${t}`, `u${t}`], outputs: [`uCu${t}`] },
      { op: 'ReduceSum', inputs: [`uCu${t}`, 'axes1'], outputs: [`q${t}`], attrs: { keepdims: 1 } },
      { op: 'Add', inputs: [`q${t}`, `s2_${t}`], outputs: [`var${t}`] },
    );
    means.push(`mu${t}`); vars.push(`var${t}`);
  });
  const pick = (xs: string[], out: string) => {
    nodes.push(
      { op: 'Concat', inputs: xs, outputs: [`${out}_all`], attrs: { axis: 1 } },
      { op: 'Mul', inputs: [`${out}_all`, 'type_onehot'], outputs: [`${out}_sel`] },
      { op: 'ReduceSum', inputs: [`${out}_sel`, 'axes1'], outputs: [out], attrs: { keepdims: 1 } },
    );
  };
  pick(means, 'mu');
  pick(vars, 'var');
  inits.push({ name: 'z90', dims: [1], data: [Z90] });
  nodes.push(
    { op: 'Sqrt', inputs: ['var'], outputs: ['sd'] },
    { op: 'Mul', inputs: ['sd', 'z90'], outputs: ['half'] },
    { op: 'Sub', inputs: ['mu', 'half'], outputs: [model.logTarget ? 'lo_log' : 'pi_lo'] },
    { op: 'Add', inputs: ['mu', 'half'], outputs: [model.logTarget ? 'hi_log' : 'pi_hi'] },
  );
  if (model.logTarget) {
    nodes.push(
      { op: 'Exp', inputs: ['mu'], outputs: ['prediction'] },
      { op: 'Exp', inputs: ['lo_log'], outputs: ['pi_lo'] },
      { op: 'Exp', inputs: ['hi_log'], outputs: ['pi_hi'] },
    );
  } else {
    nodes.push({ op: 'Identity', inputs: ['mu'], outputs: ['prediction'] });
  }
  inits.shift(); // 'axis1' placeholder not needed (axes come from the Constant node)
  return encodeModel({
    name: 'psma_dose_lmm',
    inputs: [{ name: 'features', dims: ['N', F] }, { name: 'type_onehot', dims: ['N', T] }],
    outputs: [{ name: 'prediction', dims: ['N', 1] }, { name: 'pi_lo', dims: ['N', 1] }, { name: 'pi_hi', dims: ['N', 1] }],
    initializers: inits,
    nodes,
    metadata,
  });
}

/** ONNX metadata keys holding the ordered input columns and structure types (JSON arrays). */
export const ONNX_INPUTS_KEY = 'psma_dose_inputs', ONNX_TYPES_KEY = 'psma_dose_types';

export function contractMetadata(model: Pick<DoseModel, 'inputs' | 'types'>): Record<string, string> {
  return { [ONNX_INPUTS_KEY]: JSON.stringify(model.inputs), [ONNX_TYPES_KEY]: JSON.stringify(model.types) };
}

/** Input tensors for ONNX Runtime from rows. */
export function onnxInputs(model: DoseModel, rows: PredictRow[]): { features: Float32Array; onehot: Float32Array } {
  const F = model.inputs.length, T = model.types.length;
  const features = new Float32Array(rows.length * F), onehot = new Float32Array(rows.length * T);
  rows.forEach((r, i) => {
    const t = T === 1 ? 0 : model.types.indexOf(r.type);
    if (t < 0) throw new Error(`row ${i}: structure type "${r.type}" is not covered by this model (it knows ${model.types.join(', ')})`);
    // Inputs the row's type does not read are 0: a row carries only its type's inputs, and a NaN would reach the
    // output through the other types' zero weights.
    const own = new Set(model.perType?.find((m) => m.type === model.types[t])?.features ?? model.inputs);
    model.inputs.forEach((f, j) => (features[i * F + j] = own.has(f) ? r.values[f] : 0));
    onehot[i * T + t] = 1;
  });
  return { features, onehot };
}

/**
 * Trees: one ai.onnx.ml TreeEnsembleRegressor per type on the shared `features` input (feature ids index
 * model.inputs), the type one-hot picks μ and the conformal half-width q; outputs exp(μ), exp(μ ∓ q).
 */
function treesToOnnx(model: DoseModel, metadata: Record<string, string>): Uint8Array {
  const T = model.types.length;
  const nodes: OnnxNode[] = [{ op: 'Constant', inputs: [], outputs: ['axes1'], attrs: { value_ints: [1] } }];
  const inits: OnnxGraph['initializers'] = [];
  const mus: string[] = [];
  const q = new Float32Array(T);
  model.types.forEach((type, t) => {
    const tm = model.perType.find((m) => m.type === type)!;
    const { ensemble, q90 } = tm.trees!;
    q[t] = q90;
    const a = { treeIds: [] as number[], nodeIds: [] as number[], feat: [] as number[], vals: [] as number[], modes: [] as string[], tIds: [] as number[], fIds: [] as number[],
      tgtTree: [] as number[], tgtNode: [] as number[], tgtW: [] as number[] };
    ensemble.trees.forEach((tree, ti) => tree.forEach((nd, ni) => {
      a.treeIds.push(ti); a.nodeIds.push(ni);
      if (nd.feature >= 0) {
        a.feat.push(model.inputs.indexOf(tm.features[nd.feature])); a.vals.push(nd.threshold); a.modes.push('BRANCH_LEQ');
        a.tIds.push(nd.left); a.fIds.push(nd.right);
      } else {
        a.feat.push(0); a.vals.push(0); a.modes.push('LEAF'); a.tIds.push(0); a.fIds.push(0);
        a.tgtTree.push(ti); a.tgtNode.push(ni); a.tgtW.push(nd.value);
      }
    }));
    nodes.push({
      op: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', inputs: ['features'], outputs: [`mu${t}`],
      attrs: {
        n_targets: 1, aggregate_function: 'SUM', post_transform: 'NONE', base_values: Float32Array.from([ensemble.base]),
        nodes_treeids: a.treeIds, nodes_nodeids: a.nodeIds, nodes_featureids: a.feat, nodes_values: Float32Array.from(a.vals),
        nodes_modes: a.modes, nodes_truenodeids: a.tIds, nodes_falsenodeids: a.fIds,
        target_ids: a.tgtTree.map(() => 0), target_treeids: a.tgtTree, target_nodeids: a.tgtNode, target_weights: Float32Array.from(a.tgtW),
      },
    });
    mus.push(`mu${t}`);
  });
  inits.push({ name: 'q_all', dims: [1, T], data: q });
  nodes.push(
    { op: 'Concat', inputs: mus, outputs: ['mu_all'], attrs: { axis: 1 } },
    { op: 'Mul', inputs: ['mu_all', 'type_onehot'], outputs: ['mu_sel'] },
    { op: 'ReduceSum', inputs: ['mu_sel', 'axes1'], outputs: ['mu'], attrs: { keepdims: 1 } },
    { op: 'Mul', inputs: ['q_all', 'type_onehot'], outputs: ['q_sel'] },
    { op: 'ReduceSum', inputs: ['q_sel', 'axes1'], outputs: ['q'], attrs: { keepdims: 1 } },
    { op: 'Sub', inputs: ['mu', 'q'], outputs: ['lo_log'] },
    { op: 'Add', inputs: ['mu', 'q'], outputs: ['hi_log'] },
    { op: 'Exp', inputs: ['mu'], outputs: ['prediction'] },
    { op: 'Exp', inputs: ['lo_log'], outputs: ['pi_lo'] },
    { op: 'Exp', inputs: ['hi_log'], outputs: ['pi_hi'] },
  );
  return encodeModel({
    name: 'psma_dose_trees',
    inputs: [{ name: 'features', dims: ['N', model.inputs.length] }, { name: 'type_onehot', dims: ['N', T] }],
    outputs: [{ name: 'prediction', dims: ['N', 1] }, { name: 'pi_lo', dims: ['N', 1] }, { name: 'pi_hi', dims: ['N', 1] }],
    initializers: inits, nodes, metadata,
  });
}
