// The dose preview's state for the open study, kept in the session (not in the Dose panel) and saved in this
// browser per PET series (doseRecord.ts, store `doseStates`): the entered biomarkers and plan, the last results
// and what they were computed from. The model: the inference worker and its session are created once per
// page, the default model loaded once on first use; `modelState` says whether one is ready. The pipeline
// itself is core/dose.
import { wrap, type Remote } from 'comlink';
import { viewer } from './state.svelte';
import { onPetGrid } from './grids';
import { autosaveKey } from './autosave.svelte';
import { loadDoseState, type AutosaveKey } from './storage';
import {
  decodeDoseRecord, doseRecord, limitsWith, openStructureFingerprint, recordContent, resultsFit, suvFingerprint,
  type DoseInputs, type DoseRecord, type ResultsFit,
} from './doseRecord';
import { pageFeaturePool } from '../../workers/featurePool';
import { clearFeatureCache, offerImage, structureFeatures } from './doseFeatures';
import type { InferenceApi } from '../../workers/inference.worker';
import type { ModelCard } from '../../core/model/card';
import type { LoadedStudy } from '../../core/study';
import { predictRows, rowsFromResults } from '../../core/dose/pipeline';
import { warmUpTask } from '../../core/dose/tasks';
import { biomarkerProblems, biomarkersFromHeader, biomarkersOf, biomarkerValues, type Biomarker } from '../../core/dose/biomarkers';
import { tracerRefusal } from './tracer.svelte';
import { openMeasuredState, savedMeasured } from './measured.svelte';
import { plan, planInputProblem as inputProblem, DEFAULT_LIMITS, type NotPredicted, type OrganLimit, type Plan, type StructurePrediction } from '../../core/dose/plan';

/** idle: no model asked for yet; loading: a model is being loaded (Compute waits); failed: none could be loaded. */
export type ModelState = 'idle' | 'loading' | 'ready' | 'failed';

export const LOADING_MODEL = 'Loading the dose model…';

export const dose = $state<DoseInputs & {
  card?: ModelCard;
  modelState: ModelState;
  /** Why the last model load failed. */
  modelError?: string;
  message?: string;
  progress?: { done: number; total: number };
  /** Entered biomarkers (form text), by name. */
  biomarkers: Record<string, string>;
}>({ modelState: 'idle', biomarkers: {}, activity: 7.4, cycles: 6, limits: structuredClone(DEFAULT_LIMITS) });

let inference: Remote<InferenceApi> | undefined;
let defaultModel: Promise<void> | undefined;
let modelLoads: Promise<void> = Promise.resolve();
let queuedLoads = 0;
let sessionMs = 0;
let controller: AbortController | undefined;
/** The PET series the dose state belongs to (undefined while it is being read: nothing is saved then);
 * reactive, so the autosave effect runs again when it is set. */
const owner = $state<{ key?: AutosaveKey }>({});
/** Content of the record last read or saved for `owner.key` (a save is due when the state differs). */
let lastSaved: string | undefined;
let opening = 0;

const worker = () => (inference ??= wrap<InferenceApi>(new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' })));

/** Counters for the e2e tests and the bench: model sessions created in the page, structures the last Compute extracted. */
export const doseCounters = {
  sessions: 0, recomputed: 0, computes: 0, lastMs: { prepare: 0, extract: 0, infer: 0 },
  /** For the bench: forgets the cached features (the next Compute extracts every structure, with warm workers). */
  clearCache: clearFeatureCache,
};
if (typeof window !== 'undefined' && window.__psma) window.__psma.dose = doseCounters;

/** Sends an opened study's SUV to the dose worker ahead of the first Compute (off its path). */
export function offerDoseImage(study: LoadedStudy): void {
  if (study.pet?.suv) offerImage(worker(), study.pet.suv);
}

let warmedUp = false;

/**
 * After a study's first render: the dose worker, the model session (default model, once per page) and the
 * feature pool (workers loaded and compiled) are made ready while the user looks at the images.
 */
export function prepareDoseWorkers(): void {
  if (warmedUp) return;
  warmedUp = true;
  const start = () => { pageFeaturePool(warmUpTask); void ensureDefaultModel(); };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 2000 });
  else setTimeout(start, 200);
}

/** What is said while a streamed study's frames are still arriving (undefined once all are in). */
export function imagesArriving(): string | undefined {
  const l = viewer.loading;
  return l && `The images are still arriving (${l.done} of ${l.total} slices).`;
}

/** The biomarkers the loaded model asks for. */
export function wantedBiomarkers(): Biomarker[] {
  return dose.card ? biomarkersOf(dose.card) : [];
}

/** Whether the last results fit the loaded model, the open structure set and the SUV (undefined: no results). */
export function doseResultsFit(): ResultsFit | undefined {
  const card = dose.card;
  if (!dose.computed) return undefined; // nothing to hash the structures for
  return resultsFit(dose.computed, {
    model: dose.modelState === 'ready' && card ? { id: card.id, version: card.version } : dose.modelState === 'failed' ? null : undefined,
    structures: viewer.structures && openStructureFingerprint(viewer.structures),
    suv: suvFingerprint(viewer.study?.pet?.suvResult),
  });
}

/** Why the entered activity or cycles cannot make a plan (the core's rule, shown instead of the plan), undefined when they can. */
export function planInputProblem(): string | undefined {
  const p = inputProblem(dose.activity, dose.cycles);
  return p && `${p[0].toUpperCase()}${p.slice(1)}; the plan is shown again once it is.`;
}

/** The plan of the current predictions with the entered activity, cycles and limits (only while they fit). */
export function currentPlan(): Plan | undefined {
  const p = dose.predictions;
  if (!p || doseResultsFit()?.fit !== true || planInputProblem()) return undefined;
  const singleKidney = !!viewer.structures?.meta.singleKidney;
  return plan(p, { activityGBq: dose.activity, cycles: dose.cycles, limits: dose.limits, singleKidney, skipped: dose.skipped });
}

/** The saved key of a study's PET (none without a PET series: its state is then not saved). */
const doseKeyOf = (study: LoadedStudy): AutosaveKey | undefined => (study.pet && study.petSeriesUid ? autosaveKey(study) : undefined);
const sameKey = (a: AutosaveKey | undefined, b: AutosaveKey | undefined) =>
  !!a && !!b && a.petSeriesUid === b.petSeriesUid && a.frameOfReferenceUid === b.frameOfReferenceUid;

/** Replaces the dose state by a saved record, or by a fresh one; biomarkers missing are taken from the header. */
function applyState(study: LoadedStudy, rec?: DoseRecord) {
  dose.biomarkers = { ...rec?.biomarkers };
  dose.activity = rec?.activity ?? 7.4;
  dose.cycles = rec?.cycles ?? 6;
  dose.limits = limitsWith(rec?.limits ?? {});
  dose.predictions = rec?.results?.predictions;
  dose.skipped = rec?.results?.skipped;
  dose.timing = rec?.results?.timing;
  dose.computed = rec?.results?.computed;
  dose.tracerConfirmation = rec?.tracerConfirmation;
  dose.message = undefined;
  openMeasuredState(study, rec?.measured);
  prefill(study);
}

/**
 * Switches the dose state to the opened study's: the one saved in this browser for its PET series, else a fresh
 * one prefilled from its header. The same PET (pairing with a CT, SUV overrides) keeps the state. Returns the
 * notice to show, if any.
 */
export async function openDoseState(study: LoadedStudy): Promise<string | undefined> {
  const key = doseKeyOf(study);
  if (sameKey(key, owner.key)) return undefined;
  const token = ++opening;
  controller?.abort();
  owner.key = undefined;
  applyState(study);
  let rec: DoseRecord | undefined, notice: string | undefined;
  if (key) {
    try {
      const raw = await loadDoseState(key);
      const decoded = raw === undefined ? undefined : decodeDoseRecord(raw);
      if (decoded && 'problem' in decoded) notice = `The dose inputs saved in this browser were not used: ${decoded.problem}.`;
      else rec = decoded?.record;
    } catch (e) {
      notice = `The saved dose inputs could not be read: ${(e as Error).message}`;
    }
  }
  if (token !== opening) return undefined; // another study was opened meanwhile
  if (rec) {
    applyState(study, rec);
    notice = `Dose inputs${rec.results ? ' and results' : ''} restored from this browser (saved ${new Date(rec.savedAt).toLocaleString()}).`;
  }
  owner.key = key;
  lastSaved = key ? recordContent(doseRecord(key, { ...dose, measured: savedMeasured() })) : undefined;
  return notice;
}

/** The record to save when the dose state changed since it was read or saved (reads every saved field). */
export function pendingDoseSave(): { record: DoseRecord; content: string } | undefined {
  const key = owner.key;
  if (!key) return undefined;
  const record = doseRecord(key, { ...dose, measured: savedMeasured() });
  const content = recordContent(record);
  return content === lastSaved ? undefined : { record, content };
}

/** Called once a pending record is stored. */
export function doseSaved(saved: { record: DoseRecord; content: string }): void {
  if (sameKey(saved.record, owner.key)) lastSaved = saved.content;
}

function prefill(study: LoadedStudy | undefined = viewer.study) {
  const header = biomarkersFromHeader(study?.pet?.instances[0]?.attrs ?? {});
  const next: Record<string, string> = { ...dose.biomarkers };
  for (const [k, v] of Object.entries(header)) if (!next[k]) next[k] = v;
  dose.biomarkers = next;
}

/**
 * Runs model loads one after another (the worker holds one session; the last load wins). The state is
 * 'loading' while any is queued; afterwards 'ready' when a model is loaded (a failed site model leaves the
 * previous one in place), else 'failed'.
 */
function queueLoad(load: () => Promise<void>): Promise<void> {
  queuedLoads++;
  dose.modelState = 'loading';
  dose.modelError = undefined;
  const run = modelLoads.then(load).catch((e: unknown) => {
    dose.modelError = e instanceof Error ? e.message : String(e);
  }).finally(() => {
    if (--queuedLoads === 0) dose.modelState = dose.card ? 'ready' : 'failed';
  });
  modelLoads = run;
  return run;
}

async function loadModel(onnx: Uint8Array, card: unknown) {
  const r = await worker().load(onnx, card);
  doseCounters.sessions = r.sessions;
  if (r.problem) throw new Error(r.problem);
  sessionMs = r.sessionMs;
  dose.card = card as ModelCard;
  dose.modelError = undefined;
  dose.message = undefined;
  prefill();
}

/** Loads the shipped default model, once per page. */
export function ensureDefaultModel(): Promise<void> {
  return (defaultModel ??= queueLoad(async () => {
    const base = new URL('./', document.baseURI).href;
    const [o, c] = await Promise.all([fetch(`${base}models/default/model.onnx`), fetch(`${base}models/default/model-card.json`)]);
    if (!o.ok || !c.ok) throw new Error(`the default model is not available (HTTP ${o.status}/${c.status})`);
    await loadModel(new Uint8Array(await o.arrayBuffer()), await c.json());
  }));
}

/** A site's model: the .onnx file and its model card (.json). */
export async function loadSiteModel(files: File[]): Promise<void> {
  const onnx = files.find((f) => f.name.endsWith('.onnx')), json = files.find((f) => f.name.endsWith('.json'));
  if (!onnx || !json) { dose.modelError = 'Choose two files: the model (.onnx) and its model card (.json).'; return; }
  await queueLoad(async () => {
    let card: unknown;
    try { card = JSON.parse(await json.text()); } catch (e) { throw new Error(`${json.name} is not valid JSON (${(e as Error).message})`); }
    try {
      await loadModel(new Uint8Array(await onnx.arrayBuffer()), card);
    } catch (e) {
      throw new Error(`${onnx.name}: ${(e as Error).message}`);
    }
  });
}

export async function computeDoses(): Promise<void> {
  performance.mark('dose-compute-start');
  dose.message = undefined;
  const refusal = tracerRefusal();
  if (refusal) { dose.message = refusal; return; }
  const study = viewer.study, structures = viewer.structures, card = dose.card, key = owner.key;
  if (viewer.loading) { dose.message = `${imagesArriving()} Doses are computed from complete images only: Compute once all have arrived.`; return; }
  if (dose.modelState === 'loading') { dose.message = `${LOADING_MODEL} Compute when it is ready.`; return; }
  if (!card) { dose.message = 'No dose model is loaded: load a site model (.onnx + model card .json).'; return; }
  if (!study?.pet?.suv) { dose.message = 'Dose prediction needs the PET in SUV (enter the missing SUV values first).'; return; }
  if (!structures) { dose.message = 'No structures: draw them, accept candidates or import a SEG/RTSTRUCT/NIfTI in the Structures panel (the demo patient has its own).'; return; }
  // A biomarker left empty skips only the structure types whose model reads it (the notes name it).
  const wanted = biomarkersOf(card).filter((b) => String(dose.biomarkers[b.name] ?? '').trim() !== '');
  const bad = biomarkerProblems(wanted, dose.biomarkers);
  if (bad.length) { dose.message = `Check ${bad.join(', ')}.`; return; }
  // What the results are computed from, taken before any await (edits made meanwhile make them stale).
  const from = { modelId: card.id, modelVersion: card.version, structures: openStructureFingerprint(structures), suv: suvFingerprint(study.pet.suvResult) };
  const labels = onPetGrid(structures.labels, study);
  const suv = study.pet.suv, tumours = $state.snapshot(structures.meta.tumours);
  const patient = biomarkerValues(wanted, dose.biomarkers);
  const pool = pageFeaturePool(warmUpTask);
  const ctrl = (controller = new AbortController());
  try {
    const t0 = performance.now();
    const w = worker();
    const f = await structureFeatures(w, pool, suv, labels, tumours, { signal: ctrl.signal, onProgress: (done, total) => (dose.progress = { done, total }) });
    if (!f) return;
    const { prep, results } = f;
    doseCounters.recomputed = f.extracted;
    doseCounters.computes++;
    const { rows, skipped } = rowsFromResults(prep.refs, results, prep.skipped, prep.references, patient);
    const t2 = performance.now();
    const r = await predictRows(rows, skipped, card, (inputs) => w.predict(inputs), t2 - t0);
    doseCounters.lastMs = { prepare: f.prepareMs, extract: t2 - t0 - f.prepareMs, infer: performance.now() - t2 };
    if (ctrl.signal.aborted || !sameKey(key, owner.key)) return; // another study was opened meanwhile
    dose.predictions = r.predictions;
    dose.skipped = r.skipped;
    dose.timing = { ...r.timing, sessionMs };
    dose.computed = { at: Date.now(), ...from };
    performance.mark('dose-computed');
    if (r.notes.length) dose.message = `Not predicted: ${r.notes.join('; ')}`;
  } catch (e) {
    if (sameKey(key, owner.key)) dose.message = (e as Error).message;
  } finally {
    if (controller === ctrl) dose.progress = undefined;
  }
}

export function cancelDoses(): void {
  controller?.abort();
}
