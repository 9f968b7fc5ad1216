// Dose-model figures: training time, LOPO-CV vs baselines vs oracle (100-patient cohort and --like-seed,
// PET metrics from the generator's analytic stand-in), ORT session creation and whole-patient inference.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateCohort, oracleLimits } from '../../core/cohort/model';
import { structuresCsv, petMetricsCsv, patientsCsv } from '../../core/cohort/tables';
import { parseCsv } from '../../core/csv';
import { train } from '../../core/model/train';
import { createSession, runSession } from '../../core/model/runtime';
import { modelFromCard, type ModelCard } from '../../core/model/card';

function table(patients: number, seed: number, likeSeed = false) {
  const c = generateCohort({ patients, seed, likeSeed });
  const s = parseCsv(structuresCsv(c)), m = parseCsv(petMetricsCsv(c)), p = new Map(parseCsv(patientsCsv(c)).map((r) => [r.patient_id, r]));
  return { cohort: c, rows: s.map((r, i) => ({ ...r, suv_mean: m[i].suv_mean, volume_ml: m[i].volume_ml, ...p.get(r.patient_id)! })) };
}

function cvTable(patients: number, seed: number, likeSeed = false) {
  const { cohort, rows } = table(patients, seed, likeSeed);
  const t0 = performance.now();
  const r = train(rows, { target: 'measured_dose_gy_per_gbq', truthCol: 'true_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type' });
  const ms = performance.now() - t0;
  const oracle = oracleLimits(cohort);
  return {
    training_and_lopo_ms: +ms.toFixed(0),
    per_type: Object.fromEntries(Object.entries(r.cv).map(([t, m]) => [t, {
      n: m.model.n, mape: +m.model.mape.toFixed(1), mape_vs_truth: +(m.modelVsTruth?.mape ?? NaN).toFixed(1), r2: +m.model.r2.toFixed(2), coverage90: +(m.model.coverage90 ?? NaN).toFixed(2),
      population_mean_mape: +m.populationMean.mape.toFixed(1), published_mape: +(m.published?.mape ?? NaN).toFixed(1),
      oracle_mape_measured: +(oracle[t]?.measured.mape ?? NaN).toFixed(1), oracle_mape_true: +(oracle[t]?.true.mape ?? NaN).toFixed(1),
    }])),
  };
}

export async function run() {
  const out: Record<string, unknown> = {
    note: 'LOPO-CV on the measured dose (as a site would), also scored on the true dose; PET metrics from the cohort tables (no images)',
    cohort_100: cvTable(100, 1),
    like_seed: cvTable(9, 1, true),
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
