// Dose-model figures: training time, LOPO-CV vs baselines vs oracle (100-patient cohort and --like-seed,
// PET metrics from the generator's analytic stand-in); models trained on n = 9, 30, 100 patients scored on fresh
// patients over many seeds (MALE, MAPE, 90 % coverage vs the constant and the oracle); ORT session and inference.
// `--seeds K` sets the seeds per setting (default 100 at n = 9 and 30, 20 at n = 100); `--fresh n9,n30` picks settings.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { oracleLimits, type Scenario } from '../../core/cohort/model';
import { cohortTable, scoreOnFresh, type FreshCohort, type FreshScore } from '../../core/cohort/evaluate';
import { loadavg } from 'node:os';
import { Rng } from '../../core/random';
import { train } from '../../core/model/train';
import { nodeTrainingPool, trainInNodePool } from '../../workers/nodeTrainingPool';
import { createSession, runSession } from '../../core/model/runtime';
import { modelFromCard, type ModelCard } from '../../core/model/card';

function cvTable(patients: number, seed: number, likeSeed = false, target = 'measured_dose_gy_per_gbq') {
  const { cohort, rows } = cohortTable(patients, seed, 'sourced', likeSeed);
  const t0 = performance.now();
  const r = train(rows, { target, truthCol: 'true_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type' });
  const ms = performance.now() - t0;
  const oracle = oracleLimits(cohort);
  return {
    training_and_lopo_ms: +ms.toFixed(0),
    per_type: Object.fromEntries(Object.entries(r.cv).map(([t, m]) => [t, {
      n: m.model.n, male: +(m.model.male ?? NaN).toFixed(3), male_vs_truth: +(m.modelVsTruth?.male ?? NaN).toFixed(3), mape: +m.model.mape.toFixed(1), mape_vs_truth: +(m.modelVsTruth?.mape ?? NaN).toFixed(1), r2: +m.model.r2.toFixed(2), coverage90: +(m.model.coverage90 ?? NaN).toFixed(2),
      population_mean_mape: +m.populationMean.mape.toFixed(1), published_mape: +(m.published?.mape ?? NaN).toFixed(1),
      oracle_mape_measured: +(oracle[t]?.measured.mape ?? NaN).toFixed(1), oracle_mape_true: +(oracle[t]?.true.mape ?? NaN).toFixed(1),
      oracle_male_measured: +(oracle[t]?.measured.male ?? NaN).toFixed(3), oracle_male_true: +(oracle[t]?.true.male ?? NaN).toFixed(3),
    }])),
  };
}

const freshCache = new Map<string, FreshCohort>();
/** The 100 fresh patients of seed k and their oracle (shared by the settings of one scenario). */
function freshCohort(k: number, scenario: Scenario): FreshCohort {
  const key = `${scenario}:${k}`;
  let f = freshCache.get(key);
  if (!f) { const t = cohortTable(100, 500000 + k, scenario); f = { ...t, oracle: oracleLimits(t.cohort, 200) }; freshCache.set(key, f); }
  return f;
}

/**
 * Training time of LOPO as the dose-model issue defines it (per-type input choice by LOPO, pooled vs per-type,
 * conformal intervals) on 100 patients: the table stand-in, and the same widened with synthetic feature-like
 * columns to as many candidates as an `extract` table has. The row-wise refit (the reference the fast path is
 * tested equal to) is timed in the same run on the narrow table; so is the same training with the outer folds in
 * worker_threads (trainInNodePool, worker start-up included; its result is compared with the sequential one).
 */
async function trainingSpeed() {
  const options = { target: 'measured_dose_gy_per_gbq', truthCol: 'true_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type' };
  const { rows } = cohortTable(100, 1, 'sourced');
  // Wall time, and the process's CPU time beside it (less sensitive to the other sessions sharing the cores).
  const cpu: number[] = [];
  const time = (f: () => unknown) => { const c0 = process.cpuUsage(); const t0 = performance.now(); f(); const c = process.cpuUsage(c0); cpu.push((c.user + c.system) / 1000); return performance.now() - t0; };
  const load = loadavg()[0];
  let sequential: unknown;
  const fast = time(() => { sequential = train(rows, options); });
  const pool = nodeTrainingPool();
  // process.cpuUsage counts the worker threads too: the pool's CPU time is the sequential's plus its overhead.
  const timeAsync = async <T>(f: () => Promise<T>) => { const c0 = process.cpuUsage(); const t0 = performance.now(); const r = await f(); const c = process.cpuUsage(c0); return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, r }; };
  const pooled = await timeAsync(() => trainInNodePool(rows, options, pool));
  // The row-wise refit takes minutes at 100 patients: the speed-up is measured on 30 (both paths, this run).
  const small = cohortTable(30, 1, 'sourced').rows;
  const fast30 = time(() => train(small, options));
  const refit30 = time(() => train(small, { ...options, lopo: 'refit' }));
  const rng = new Rng(3);
  const wide = rows.map((r) => {
    const w: Record<string, string> = { ...r };
    for (let j = 0; j < 230; j++) w[`feat_${j}`] = String(j % 2 ? Number(r.suv_mean) * (1 + 0.3 * rng.next()) + j : Math.log(Number(r.volume_ml)) * rng.next() + rng.next());
    return w;
  });
  let candidates = 0, wideSequential: unknown;
  const wideMs = time(() => { const r = train(wide, options); wideSequential = r; candidates = r.columns.filter((c) => c.decision === 'candidate' || c.decision === 'imputed').length; });
  const widePooled = await timeAsync(() => trainInNodePool(wide, options, pool));
  return {
    note: 'one call of train(): validation, per-type input choice (population value / shrunk pre-specified / forward selection) by 10-fold CV repeated inside every outer LOPO fold (nested), the pooled LOPO for the card, conformal intervals, final fit',
    load_average_1min: +load.toFixed(2),
    patients: 100, rows: rows.length,
    table_ms: +fast.toFixed(0), table_cpu_ms: +cpu[0].toFixed(0),
    wide_candidates: candidates, wide_ms: +wideMs.toFixed(0), wide_cpu_ms: +cpu[3].toFixed(0),
    worker_pool: {
      note: 'the same trainings with the outer LOPO folds (nested choice, pooled variant) in worker_threads, start-up and each worker\'s own preparation of the table included; same_result: the TrainResult is identical',
      workers: pool.size,
      table_ms: +pooled.ms.toFixed(0), table_cpu_ms: +pooled.cpuMs.toFixed(0), table_ratio_sequential_to_pool: +(fast / pooled.ms).toFixed(2), table_same_result: JSON.stringify(pooled.r) === JSON.stringify(sequential),
      wide_ms: +widePooled.ms.toFixed(0), wide_cpu_ms: +widePooled.cpuMs.toFixed(0), wide_ratio_sequential_to_pool: +(wideMs / widePooled.ms).toFixed(2), wide_same_result: JSON.stringify(widePooled.r) === JSON.stringify(wideSequential),
    },
    speedup_30_patients: { cross_products_ms: +fast30.toFixed(0), row_wise_refit_ms: +refit30.toFixed(0), ratio: +(refit30 / fast30).toFixed(1) },
    goal_10s_met: Math.max(fast, wideMs) <= 10000,
  };
}

/** Models trained on n patients of many seeds, each scored on 100 fresh patients: mean over seeds, coverage also its 10th percentile. */
function freshSeeds(n: number, seeds: number, scenario: Scenario) {
  const all: Record<string, FreshScore>[] = [];
  const t0 = performance.now();
  for (let k = 0; k < seeds; k++) {
    const t = cohortTable(n, 1000 + k, scenario);
    const trained = train(t.rows, { target: 'measured_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type' });
    all.push(scoreOnFresh(trained, t.rows, freshCohort(k, scenario)));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const p10 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(0.1 * (xs.length - 1))];
  const perType = Object.fromEntries(Object.keys(all[0]).map((type) => {
    const ss = all.map((a) => a[type]).filter(Boolean);
    const f = (g: (s: FreshScore) => number, d = 3) => +mean(ss.map(g)).toFixed(d);
    return [type, {
      male: { model: f((s) => s.model.male), constant: f((s) => s.constant.male), oracle: f((s) => s.oracle.male) },
      mape: { model: f((s) => s.model.mape, 1), constant: f((s) => s.constant.mape, 1), oracle: f((s) => s.oracle.mape, 1) },
      coverage90: { mean: f((s) => s.model.coverage90, 2), p10: +p10(ss.map((s) => s.model.coverage90)).toFixed(2) },
    }];
  }));
  return { n, seeds, scenario, fresh_patients_per_seed: 100, seconds: +((performance.now() - t0) / 1000).toFixed(1), per_type: perType };
}

const FRESH_SETTINGS: Record<string, (seeds?: number) => ReturnType<typeof freshSeeds>> = {
  n9: (k) => freshSeeds(9, k ?? 100, 'sourced'),
  n30: (k) => freshSeeds(30, k ?? 100, 'sourced'),
  n100: (k) => freshSeeds(100, k ?? 20, 'sourced'),
  n30_easy: (k) => freshSeeds(30, k ?? 100, 'easy'),
  n30_hard: (k) => freshSeeds(30, k ?? 100, 'hard'),
};

export async function run() {
  // `--training-speed` runs only the training-speed figures (a minute, not the half hour of the seeds).
  if (process.argv.includes('--training-speed')) return { training_speed: await trainingSpeed() };
  // `--fresh n9,n30` runs only those fresh-patient settings (all by default).
  const freshArg = process.argv.indexOf('--fresh');
  const settings = freshArg >= 0 ? process.argv[freshArg + 1].split(',') : Object.keys(FRESH_SETTINGS);
  const unknown = settings.filter((k) => !FRESH_SETTINGS[k]);
  if (unknown.length) throw new Error(`--fresh: unknown setting(s) ${unknown.join(', ')} (known: ${Object.keys(FRESH_SETTINGS).join(', ')})`);
  const seedsArg = process.argv.indexOf('--seeds');
  const seeds = seedsArg >= 0 ? Number(process.argv[seedsArg + 1]) : undefined;
  if (seeds !== undefined && !(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be a positive whole number (got ${process.argv[seedsArg + 1]})`);
  const out: Record<string, unknown> = {
    note: 'LOPO-CV on the measured dose (as a site would), also scored on the true dose; PET metrics from the cohort tables (no images)',
    training_speed: await trainingSpeed(),
    cohort_100: cvTable(100, 1),
    // The same with the recovery-corrected measured dose as the target: its error against the true dose beside the uncorrected one's.
    cohort_100_recovery_corrected_target: cvTable(100, 1, false, 'measured_dose_rc_gy_per_gbq'),
    like_seed: cvTable(9, 1, true),
    fresh: {
      note: 'trained on n patients of each seed, scored on the measured dose of 100 fresh patients; MALE = mean |log(pred/obs)|; constant = geometric mean of the training doses; oracle = Monte Carlo over the hidden terms',
      ...Object.fromEntries(settings.map((k) => [k, FRESH_SETTINGS[k]!(seeds)])),
    },
  };
  const dir = fileURLToPath(new URL('../../../models/default/', import.meta.url));
  if (existsSync(`${dir}model.onnx`)) {
    const card = JSON.parse(readFileSync(`${dir}model-card.json`, 'utf8')) as ModelCard;
    const t0 = performance.now();
    const session = await createSession(readFileSync(`${dir}model.onnx`));
    const sessionMs = performance.now() - t0;
    const model = modelFromCard(card);
    // A whole patient: 2 kidneys, 4 salivary, 2 lacrimal, 12 tumours with the card's inputs at their means.
    const types = ['kidney', 'kidney', 'parotid', 'parotid', 'submandibular', 'submandibular', 'lacrimal', 'lacrimal', ...Array(12).fill('tumour')];
    const rows = types.map((type) => {
      const t = card.perType.find((p) => p.type === type) ?? card.perType[0];
      const values: Record<string, number> = {};
      for (const c of card.inputs) {
        const j = t.features.indexOf(c.name);
        values[c.name] = j >= 0 ? t.means[j] : 0;
      }
      return { values, type };
    });
    await runSession(session, model, rows); // warm-up
    const reps = 50;
    const t1 = performance.now();
    for (let i = 0; i < reps; i++) await runSession(session, model, rows);
    out.default_model = { id: card.id, session_create_ms: +sessionMs.toFixed(1), inference_whole_patient_ms: +((performance.now() - t1) / reps).toFixed(2), rows: rows.length, goal_50ms_met: (performance.now() - t1) / reps <= 50 };
  } else out.default_model = { error: 'models/default/model.onnx is missing' };
  return out;
}
