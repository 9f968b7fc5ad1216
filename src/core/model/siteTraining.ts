// A site table trained as `npm run train -- --data TABLE.csv --target measured_dose_gy_per_gbq --group patient_id
// --type-col type` trains it: the same parsing, tracer rule, `train`, refusal of a model worse than the population
// mean, card and ONNX graph. The browser runs it in its training worker; nothing here touches a file.
import { parseSiteTable } from '../csv';
import { train, type TrainOptions, type TrainResult } from './train';
import { cvSummary, modelCard, modelOnnx, worseMessage, worseThanPopulationMean } from './trainedCard';
import { trainingTracer } from '../tracer';
import type { ModelCard } from './card';

export interface SiteTrainingOptions {
  target: string;
  group: string;
  typeCol: string;
  model: 'lmm' | 'trees';
  /** The name recorded in the card (trainingData.name and the id). */
  name: string;
  /** Real patients' measured doses (--real-data); otherwise the card says "not for clinical use". */
  realData: boolean;
  /** Write a model worse than the population mean (--force); the card records it. */
  force: boolean;
  minPatients?: number;
}

export type SiteTrainingOutcome =
  | { ok: true; card: ModelCard; onnx: Uint8Array; notes: string[]; summary: ReturnType<typeof cvSummary>; columns: TrainResult['columns']; populationValueTypes: string[]; seconds: number }
  | { ok: false; problem: string; notes: string[] };

/** `train` or the same spread over workers (workers/trainingPool.ts: the same result). */
export type Trainer = (table: Record<string, string>[], options: TrainOptions) => TrainResult | Promise<TrainResult>;

/** `stage` is told what runs now (the stages take very different times: the cross-validation is nearly all). */
export async function trainSiteTable(csv: string, file: string, o: SiteTrainingOptions, stage: (what: string) => void = () => undefined, trainer: Trainer = train): Promise<SiteTrainingOutcome> {
  const t0 = performance.now();
  const notes: string[] = [];
  try {
    stage('reading the table');
    const { rows: table, notes: read } = parseSiteTable(csv, file);
    notes.push(...read);
    if (!table.length) return { ok: false, problem: `${file}: no rows to train on (the table is empty)`, notes };
    const tracer = trainingTracer(table.map((r) => r.tracer ?? ''), []);
    if ('problem' in tracer) return { ok: false, problem: `the model's tracer: ${tracer.problem}`, notes };
    const patients = new Set(table.map((r) => r[o.group])).size;
    stage(`leave-one-patient-out cross-validation and fit on ${patients} patients, ${table.length} structures`);
    const r = await trainer(table, { target: o.target, group: o.group, typeCol: o.typeCol, model: o.model, minPatients: o.minPatients });
    for (const c of r.columns.filter((x) => x.decision !== 'candidate')) notes.push(`column ${c.column} ${c.decision}: ${c.reason}`);
    for (const t of r.populationValueTypes) notes.push(`${t}: no model beat the population value (geometric mean) in cross-validation; ${t} gets the population value, not personalised`);
    const worse = worseThanPopulationMean(r);
    if (worse.length && !o.force) return { ok: false, problem: worseMessage(r, worse, '"Write it anyway"'), notes };
    stage('writing the ONNX graph and the model card');
    const card = modelCard(r, { kind: o.model, target: o.target, name: o.name, synthetic: !o.realData, tracer: tracer.tracer, givenFeatures: false, worse });
    return { ok: true, card, onnx: modelOnnx(r, card), notes, summary: cvSummary(r), columns: r.columns, populationValueTypes: r.populationValueTypes, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    return { ok: false, problem: `${file}: ${(e as Error).message}`, notes };
  }
}
