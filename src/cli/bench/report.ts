// Report figures on the demo patient (seed 1, full resolution): the report model with the uptake and the figures,
// the PDF (fonts subset) and CSV, their sizes. The doses come from the shipped model with features in process.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultPatientSpec, generatePatient } from '../../core/phantom/generate';
import { writeCtSeries, writePtSeries } from '../../core/phantom/dicom';
import { readDicomFiles } from '../../core/dicom/read';
import { assembleStudy } from '../../core/study';
import { runTask } from '../../core/radiomics/task';
import { openModel, inferWith } from '../../core/dose/modelSession';
import { dosimetricStructures } from '../../core/dose/tasks';
import { previewDoses } from '../../core/dose/pipeline';
import { DEFAULT_LIMITS, plan } from '../../core/dose/plan';
import { identifyTracer, tracerGate } from '../../core/tracer';
import { makeReport, reportFiles } from '../../core/report/make';
import { fontPath } from '../files';

export async function run() {
  const p = generatePatient(defaultPatientSpec(1));
  const study = assembleStudy(readDicomFiles([...writePtSeries(p).files, ...writeCtSeries(p).files]).series);
  const dir = fileURLToPath(new URL('../../../models/default/', import.meta.url));
  const m = await openModel(readFileSync(`${dir}model.onnx`), JSON.parse(readFileSync(`${dir}model-card.json`, 'utf8')));
  if ('problem' in m) throw new Error(m.problem);
  const tumours = Object.fromEntries(p.truth.structures.filter((s) => s.site).map((s) => [s.label, { site: s.site! }]));
  const structures = dosimetricStructures(p.labels, { tumours });
  const suv = study.pet!.suv!, attrs = study.pet!.instances[0].attrs;
  const preview = await previewDoses({ suv, labels: p.labels, structures, patient: { weight_kg: 82, height_cm: 176, egfr_ml_min_1_73m2: 72, hb_g_dl: 12.5, age_years: 71 } }, m.card, { extract: async (t) => t.map(runTask), infer: inferWith(m) });
  const thePlan = plan(preview.predictions, { skipped: preview.skipped });
  const t0 = performance.now();
  const { report, figures } = makeReport({ petAttrs: attrs, reportDate: new Date().toISOString(), gate: tracerGate(identifyTracer(attrs), m.card.tracer), card: m.card, plan: thePlan, limits: DEFAULT_LIMITS, suv, labels: p.labels, ct: study.ct, structures });
  const modelMs = performance.now() - t0;
  const fonts = { regular: new Uint8Array(readFileSync(fontPath('DejaVuSans.ttf'))), bold: new Uint8Array(readFileSync(fontPath('DejaVuSans-Bold.ttf'))) };
  const t1 = performance.now();
  const { pdf, csv } = await reportFiles(report, figures, fonts);
  return {
    note: 'demo patient (seed 1): report model incl. uptake and figures; PDF with subset DejaVu Sans; in the browser the e2e logs the same steps',
    structures: report.rows.length, figures: figures.length, report_model_and_figures_ms: +modelMs.toFixed(0),
    pdf_and_csv_ms: +(performance.now() - t1).toFixed(0), pdf_bytes: pdf.length, csv_bytes: csv.length,
  };
}
