// The dose preview end to end in Node: phantom study → structure tasks → features (in process, as the
// worker pool runs them: `runTask`) → rows → the shipped default model in onnxruntime-web → predictions, equal to
// the TypeScript model on the same rows. The worker pool itself is tested in src/workers.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR } from '../../../test-support/paths';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { writePtSeries } from '../phantom/dicom';
import { readDicomFiles } from '../dicom/read';
import { assembleStudy } from '../study';
import { runTask } from '../radiomics/task';
import { modelFromCard } from '../model/card';
import { predictRow } from '../model/doseModel';
import { openModel, inferWith, type LoadedModel } from './modelSession';
import { dosimetricStructures } from './tasks';
import { extractRows, previewDoses, type Extract, type PatientImages } from './pipeline';
import { modelInput } from './predict';
import { biomarkersOf } from './biomarkers';

const p = generatePatient(defaultPatientSpec(3, { lesions: 3, imaging: { ctSpacing: [8, 8, 8], petSpacing: [6, 6, 6] } }));
const study = assembleStudy(readDicomFiles(writePtSeries(p).files).series);
const tumours = Object.fromEntries(p.truth.structures.filter((s) => s.site).map((s) => [s.label, { site: s.site! }]));
const inProcess: Extract = async (tasks, o) => tasks.map((t, n) => { const r = runTask(t); o.onProgress?.(n + 1, tasks.length); return r; });
const dir = join(REPO_DIR, 'models/default');

describe('previewDoses (features in process, default model)', async () => {
  const m = await openModel(readFileSync(join(dir, 'model.onnx')), JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')));
  if ('problem' in m) throw new Error(m.problem);
  const model = m as LoadedModel;
  const patient = { weight_kg: 82, height_cm: 176, egfr_ml_min_1_73m2: 72, hb_g_dl: 12.5, age_years: 71 };
  const images: PatientImages = { suv: study.pet!.suv!, labels: p.labels, structures: dosimetricStructures(p.labels, { tumours }), patient };

  it('predicts every dosimetric structure of the phantom, as the TypeScript model does on the same rows', async () => {
    const progress: number[] = [];
    const r = await previewDoses(images, model.card, { extract: inProcess, infer: inferWith(model), onProgress: (done) => progress.push(done) });
    const names = images.structures.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['Kidney L', 'Kidney R', 'T1']));
    expect(r.notes).toEqual([]);
    expect(r.predictions.map((x) => x.name).sort()).toEqual([...names].sort());
    expect(progress.at(-1)).toBe(names.length);
    const { rows } = await extractRows(images, { extract: inProcess });
    const ts = modelFromCard(model.card);
    for (const pred of r.predictions) {
      const row = rows.find((x) => x.name === pred.name)!;
      const want = predictRow(ts, modelInput(model.card, row, pred.type));
      expect(Math.abs(pred.gyPerGBq / want.prediction - 1)).toBeLessThan(1e-4);
      expect(pred.lo).toBeLessThan(pred.gyPerGBq);
      expect(pred.hi).toBeGreaterThan(pred.gyPerGBq);
      expect(pred.volumeMl).toBe(row.volume_ml); // for mass weighting in the plan
    }
    // A coarse (6 mm) phantom is outside the training images' grid: only the order of magnitude is checked.
    const kidney = r.predictions.find((x) => x.name === 'Kidney L')!;
    expect(kidney.gyPerGBq).toBeGreaterThan(0.01);
    expect(kidney.gyPerGBq).toBeLessThan(5);
  });

  it('a structure missing an input of its type is not predicted and the note names the column; other types are', async () => {
    expect(biomarkersOf(model.card).map((b) => b.name)).toContain('egfr_ml_min_1_73m2');
    // Which types read eGFR comes from the card: those are skipped, the others are predicted without it.
    const readsEgfr = (type: string) => model.card.perType.find((t) => t.type === type)!.features.some((f) => model.card.inputs.find((c) => c.name === f)!.from === 'egfr_ml_min_1_73m2');
    const kidney = images.structures.find((x) => x.type === 'kidney')!, tumour = images.structures.find((x) => x.type === 'tumour')!;
    expect(readsEgfr('kidney')).toBe(true);
    expect(readsEgfr('tumour')).toBe(false);
    const r = await previewDoses({ ...images, structures: [kidney, tumour], patient: { ...patient, egfr_ml_min_1_73m2: NaN } }, model.card, { extract: inProcess, infer: inferWith(model) });
    expect(r.predictions.map((x) => x.name)).toEqual([tumour.name]);
    expect(Number.isFinite(r.predictions[0].gyPerGBq)).toBe(true);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(/egfr_ml_min_1_73m2/);
    expect(r.skipped.map((x) => [x.name, x.type])).toEqual([[kidney.name, 'kidney']]);
    expect(r.skipped[0].reason).toMatch(/egfr_ml_min_1_73m2/);
  });
});
