// A tree-ensemble mixed model: gradient-boosted regression trees with a random intercept per patient,
// fitted MERF-style by EM (trees on y − b_group, then shrunken group intercepts). A new patient gets the
// trees only. Thresholds are float32 and compared as ONNX does, so the TypeScript model and the exported
// ai.onnx.ml TreeEnsembleRegressor agree.

export interface TreeNode { feature: number; threshold: number; left: number; right: number; value: number }
export interface Ensemble { trees: TreeNode[][]; base: number; features: string[] }
export interface TreesFit { ensemble: Ensemble; groupVar: number; residVar: number }

export interface TreeOptions { nTrees?: number; learningRate?: number; depth?: number; minLeaf?: number; bins?: number; emIterations?: number }

const f32 = Math.fround;

/** Candidate thresholds per feature: float32 quantile edges (histogram splitting). */
function edges(col: Float32Array, bins: number): Float32Array {
  const s = Float32Array.from(col).sort();
  const out = new Set<number>();
  for (let b = 1; b < bins; b++) out.add(s[Math.floor((b * (s.length - 1)) / bins)]);
  return Float32Array.from([...out].sort((a, c) => a - c));
}

function fitTree(X: Float32Array[], r: Float64Array, rows: Int32Array, cuts: Float32Array[], depth: number, minLeaf: number, nodes: TreeNode[]): number {
  const id = nodes.length;
  let sum = 0;
  for (const i of rows) sum += r[i];
  nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: sum / rows.length });
  if (depth === 0 || rows.length < 2 * minLeaf) return id;
  let best = { gain: 0, f: -1, t: 0 };
  const total = sum, n = rows.length;
  for (let f = 0; f < X.length; f++) {
    const c = cuts[f];
    if (!c.length) continue;
    const sums = new Float64Array(c.length + 1), cnts = new Int32Array(c.length + 1);
    for (const i of rows) {
      const v = X[f][i];
      let lo = 0, hi = c.length; // first cut ≥ v → bin index (values ≤ cut go left of it)
      while (lo < hi) { const m = (lo + hi) >> 1; if (c[m] < v) lo = m + 1; else hi = m; }
      sums[lo] += r[i]; cnts[lo]++;
    }
    let ls = 0, ln = 0;
    for (let b = 0; b < c.length; b++) {
      ls += sums[b]; ln += cnts[b];
      const rn = n - ln;
      if (ln < minLeaf || rn < minLeaf) continue;
      const gain = (ls * ls) / ln + ((total - ls) ** 2) / rn - (total * total) / n;
      if (gain > best.gain + 1e-12) best = { gain, f, t: c[b] };
    }
  }
  if (best.f < 0) return id;
  const L: number[] = [], R: number[] = [];
  for (const i of rows) (f32(X[best.f][i]) <= best.t ? L : R).push(i);
  nodes[id].feature = best.f;
  nodes[id].threshold = best.t;
  nodes[id].left = fitTree(X, r, Int32Array.from(L), cuts, depth - 1, minLeaf, nodes);
  nodes[id].right = fitTree(X, r, Int32Array.from(R), cuts, depth - 1, minLeaf, nodes);
  return id;
}

export function predictTree(nodes: TreeNode[], x: ArrayLike<number>): number {
  let k = 0;
  while (nodes[k].feature >= 0) k = f32(x[nodes[k].feature]) <= nodes[k].threshold ? nodes[k].left : nodes[k].right;
  return nodes[k].value;
}

export function predictEnsemble(e: Ensemble, x: ArrayLike<number>): number {
  let s = e.base;
  for (const t of e.trees) s += predictTree(t, x);
  return s;
}

function boost(X: Float32Array[], y: Float64Array, o: Required<TreeOptions>, features: string[]): Ensemble {
  const n = y.length;
  const cuts = X.map((c) => edges(c, o.bins));
  const base = y.reduce((s, v) => s + v, 0) / n;
  const F = new Float64Array(n).fill(base);
  const trees: TreeNode[][] = [];
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const xi = (i: number) => X.map((c) => c[i]);
  for (let t = 0; t < o.nTrees; t++) {
    const r = y.map((v, i) => v - F[i]);
    const nodes: TreeNode[] = [];
    fitTree(X, r, all, cuts, o.depth, o.minLeaf, nodes);
    for (const nd of nodes) nd.value *= o.learningRate;
    trees.push(nodes);
    for (let i = 0; i < n; i++) F[i] += predictTree(nodes, xi(i));
  }
  return { trees, base, features };
}

/** Fits trees + random intercept by EM (rows × features, target, group per row). */
export function fitTrees(rows: number[][], y: number[], groups: string[], features: string[], opts: TreeOptions = {}): TreesFit {
  const o: Required<TreeOptions> = { nTrees: 80, learningRate: 0.08, depth: 3, minLeaf: 5, bins: 32, emIterations: 3, ...opts };
  const n = y.length;
  const X = features.map((_, j) => Float32Array.from(rows.map((r) => r[j])));
  const gid = new Map<string, number[]>();
  groups.forEach((g, i) => { const a = gid.get(g); if (a) a.push(i); else gid.set(g, [i]); });
  const b = new Map<string, number>([...gid.keys()].map((g) => [g, 0]));
  let sb2 = 0.05, s2 = Math.max(1e-6, variance(y) / 2);
  let ensemble: Ensemble = { trees: [], base: 0, features };
  for (let it = 0; it < o.emIterations; it++) {
    const target = Float64Array.from(y.map((v, i) => v - b.get(groups[i])!));
    ensemble = boost(X, target, o, features);
    const resid = y.map((v, i) => v - predictEnsemble(ensemble, rows[i]));
    let bsq = 0, post = 0, rss = 0;
    for (const [g, idx] of gid) {
      const m = idx.reduce((s, i) => s + resid[i], 0) / idx.length;
      const shrink = sb2 / (sb2 + s2 / idx.length);
      const bi = shrink * m;
      b.set(g, bi);
      bsq += bi * bi;
      post += (sb2 * s2) / (idx.length * sb2 + s2);
      for (const i of idx) rss += (resid[i] - bi) ** 2;
    }
    sb2 = Math.max(1e-8, (bsq + post) / gid.size);
    s2 = Math.max(1e-8, rss / n);
  }
  return { ensemble, groupVar: sb2, residVar: s2 };
}

function variance(v: number[]): number {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
}
