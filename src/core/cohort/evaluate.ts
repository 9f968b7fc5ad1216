// A trained model scored on fresh virtual patients against the constant baseline and the Monte Carlo oracle:
// MALE (primary) and MAPE, and the coverage of its 90 % prediction intervals, per structure type.
import { parseCsv } from '../csv';
import { applyInputs } from '../dose/inputs';
import { predictRow } from '../model/doseModel';
import type { TrainResult } from '../model/train';
import { generateCohort, metrics, oracleLimits, type Scenario, type VirtualPatient } from './model';
import { patientsCsv, petMetricsCsv, structuresCsv } from './tables';

/** The cohort's tables joined as `npm run train` reads them (PET metrics from the generator's no-images stand-in). */
export function cohortTable(patients: number, seed: number, scenario: Scenario = 'sourced', likeSeed = false): { cohort: VirtualPatient[]; rows: Record<string, string>[] } {
  const cohort = generateCohort({ patients, seed, scenario, likeSeed });
  const s = parseCsv(structuresCsv(cohort)), m = parseCsv(petMetricsCsv(cohort)), p = new Map(parseCsv(patientsCsv(cohort)).map((r) => [r.patient_id, r]));
  return { cohort, rows: s.map((r, i) => ({ ...r, suv_mean: m[i].suv_mean, volume_ml: m[i].volume_ml, ...p.get(r.patient_id)! })) };
}

export interface FreshScore {
  n: number;
  model: { male: number; mape: number; coverage90: number };
  /** Geometric mean of the training doses of the type. */
  constant: { male: number; mape: number };
  oracle: { male: number; mape: number };
}

/** Fresh patients to score on; `oracle` (their oracleLimits) is computed when not given, so that settings sharing the fresh patients compute it once. */
export interface FreshCohort { cohort: VirtualPatient[]; rows: Record<string, string>[]; oracle?: ReturnType<typeof oracleLimits> }

/** Scores on the measured dose of fresh patients (what a site would see), per type. */
export function scoreOnFresh(trained: TrainResult, trainRows: Record<string, string>[], fresh: FreshCohort, target = 'measured_dose_gy_per_gbq', oracleDraws = 200): Record<string, FreshScore> {
  const oracle = fresh.oracle ?? oracleLimits(fresh.cohort, oracleDraws);
  const out: Record<string, FreshScore> = {};
  for (const type of Object.keys(oracle)) {
    const rows = fresh.rows.filter((r) => r.type === type);
    const train = trainRows.filter((r) => r.type === type).map((r) => Number(r[target]));
    if (!rows.length || !train.length) continue;
    const obs = rows.map((r) => Number(r[target]));
    const preds = rows.map((r) => {
      const values = Object.fromEntries(trained.inputColumns.map((c) => [c.from, Number(r[c.from])]));
      return predictRow(trained.model, { values: applyInputs(values, trained.inputColumns), type });
    });
    const constant = Math.exp(train.reduce((s, y) => s + Math.log(y), 0) / train.length);
    const m = metrics(preds.map((p) => p.prediction), obs), c = metrics(obs.map(() => constant), obs);
    const target_ = target === 'true_dose_gy_per_gbq' ? 'true' : 'measured';
    out[type] = {
      n: rows.length,
      model: { male: m.male, mape: m.mape, coverage90: preds.filter((p, i) => obs[i] >= p.pi90[0] && obs[i] <= p.pi90[1]).length / obs.length },
      constant: { male: c.male, mape: c.mape },
      oracle: { male: oracle[type][target_].male, mape: oracle[type][target_].mape },
    };
  }
  return out;
}
