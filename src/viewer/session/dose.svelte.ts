// The dose preview's state for the page: the model (the inference worker is created once, the default model
// loaded once on first use), the entered biomarkers and plan, the results. Kept while the Dose panel is
// closed; reset when another study is opened. The pipeline itself is core/dose.
import { wrap, type Remote } from 'comlink';
import { viewer } from './state.svelte';
import { onPetGrid } from './grids';
import { browserFeaturePool } from '../../workers/featurePool';
import type { InferenceApi } from '../../workers/inference.worker';
import type { ModelCard } from '../../core/model/card';
import type { LoadedStudy } from '../../core/study';
import { previewDoses } from '../../core/dose/pipeline';
import { dosimetricStructures } from '../../core/dose/tasks';
import { biomarkerProblems, biomarkersFromHeader, biomarkersOf, biomarkerValues, type Biomarker } from '../../core/dose/biomarkers';
import { plan, DEFAULT_LIMITS, type OrganLimit, type Plan, type StructurePrediction } from '../../core/dose/plan';
import { tracerRefusal } from './tracer.svelte';

export const dose = $state<{
  card?: ModelCard;
  modelError?: string;
  message?: string;
  progress?: { done: number; total: number };
  /** Entered biomarkers (form text), by name. */
  biomarkers: Record<string, string>;
  activity: number;
  cycles: number;
  limits: OrganLimit[];
  predictions?: StructurePrediction[];
  timing?: { featuresMs: number; inferenceMs: number; sessionMs: number };
  /** The user's confirmation to predict although the tracer is not the model's (session/tracer.svelte.ts). */
  tracerConfirmation?: { agent: string; caveat: string; confirmedAt: string };
}>({ biomarkers: {}, activity: 7.4, cycles: 6, limits: structuredClone(DEFAULT_LIMITS) });

let inference: Remote<InferenceApi> | undefined;
let defaultModel: Promise<void> | undefined;
let sessionMs = 0;
let controller: AbortController | undefined;
let studyKey: string | undefined;
let studySuv: unknown;

const worker = () => (inference ??= wrap<InferenceApi>(new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' })));

/** The biomarkers the loaded model asks for. */
export function wantedBiomarkers(): Biomarker[] {
  return dose.card ? biomarkersOf(dose.card) : [];
}

/** The plan of the current predictions with the entered activity, cycles and limits. */
export function currentPlan(): Plan | undefined {
  const p = dose.predictions;
  if (!p) return undefined;
  const singleKidney = !!viewer.structures?.meta.singleKidney || p.filter((x) => x.type === 'kidney').length === 1;
  return plan(p, { activityGBq: dose.activity, cycles: dose.cycles, limits: dose.limits, singleKidney });
}

/** Follows the open study: another study clears biomarkers and results; new SUV values clear the results. */
export function followStudy(study: LoadedStudy | undefined): void {
  const key = study ? `${study.studyUid}|${study.petSeriesUid}` : undefined;
  if (key !== studyKey) {
    studyKey = key;
    dose.biomarkers = {};
    dose.predictions = undefined;
    dose.message = undefined;
    dose.tracerConfirmation = undefined;
    prefill();
  }
  if (study?.pet?.suv !== studySuv) {
    if (studySuv !== undefined) dose.predictions = undefined;
    studySuv = study?.pet?.suv;
  }
}

function prefill() {
  const header = biomarkersFromHeader(viewer.study?.pet?.instances[0]?.attrs ?? {});
  const next: Record<string, string> = { ...dose.biomarkers };
  for (const [k, v] of Object.entries(header)) if (!next[k]) next[k] = v;
  dose.biomarkers = next;
}

async function loadModel(onnx: Uint8Array, card: unknown) {
  dose.modelError = undefined;
  const r = await worker().load(onnx, card);
  if (r.problem) { dose.modelError = r.problem; return; }
  sessionMs = r.sessionMs;
  dose.card = card as ModelCard;
  dose.predictions = undefined;
  prefill();
}

/** Loads the shipped default model, once per page. */
export function ensureDefaultModel(): Promise<void> {
  return (defaultModel ??= (async () => {
    try {
      const base = new URL('./', document.baseURI).href;
      const [o, c] = await Promise.all([fetch(`${base}models/default/model.onnx`), fetch(`${base}models/default/model-card.json`)]);
      if (!o.ok || !c.ok) throw new Error(`the default model is not available (HTTP ${o.status}/${c.status})`);
      await loadModel(new Uint8Array(await o.arrayBuffer()), await c.json());
    } catch (e) {
      dose.modelError = (e as Error).message;
    }
  })());
}

/** A site's model: the .onnx file and its model card (.json). */
export async function loadSiteModel(files: File[]): Promise<void> {
  const onnx = files.find((f) => f.name.endsWith('.onnx')), json = files.find((f) => f.name.endsWith('.json'));
  if (!onnx || !json) { dose.modelError = 'Choose two files: the model (.onnx) and its model card (.json).'; return; }
  let card: unknown;
  try { card = JSON.parse(await json.text()); } catch (e) { dose.modelError = `${json.name} is not valid JSON (${(e as Error).message})`; return; }
  try {
    await loadModel(new Uint8Array(await onnx.arrayBuffer()), card);
  } catch (e) {
    dose.modelError = `${onnx.name}: ${(e as Error).message}`;
  }
}

export async function computeDoses(): Promise<void> {
  dose.message = undefined;
  const refusal = tracerRefusal();
  if (refusal) { dose.message = refusal; return; }
  const study = viewer.study, structures = viewer.structures, card = dose.card;
  if (!card) { dose.message = 'Load a model first.'; return; }
  if (!study?.pet?.suv) { dose.message = 'Dose prediction needs the PET in SUV (enter the missing SUV values first).'; return; }
  if (!structures) { dose.message = 'No structures: draw them, accept candidates or import a SEG/RTSTRUCT/NIfTI in the Structures panel (the demo patient has its own).'; return; }
  const wanted = biomarkersOf(card);
  const bad = biomarkerProblems(wanted, dose.biomarkers);
  if (bad.length) { dose.message = `Check ${bad.join(', ')}.`; return; }
  const labels = onPetGrid(structures.labels, study);
  const list = dosimetricStructures(labels, structures.meta);
  const pool = browserFeaturePool();
  controller = new AbortController();
  try {
    dose.progress = { done: 0, total: list.length };
    const r = await previewDoses({ suv: study.pet.suv, labels, structures: list, patient: biomarkerValues(wanted, dose.biomarkers) }, card, {
      extract: pool.run, infer: (rows) => worker().predict(rows), signal: controller.signal, onProgress: (done, total) => (dose.progress = { done, total }),
    });
    dose.predictions = r.predictions;
    dose.timing = { ...r.timing, sessionMs };
    performance.mark('dose-computed');
    if (r.notes.length) dose.message = `Not predicted: ${r.notes.join('; ')}`;
  } catch (e) {
    dose.message = (e as Error).message;
  } finally {
    pool.close();
    dose.progress = undefined;
  }
}

export function cancelDoses(): void {
  controller?.abort();
}
