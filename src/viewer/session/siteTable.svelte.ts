// The site table of this browser and *Train site model*. A study with structures, biomarkers (the Dose panel's
// form) and measured doses (session/measured.svelte.ts) adds one de-identified row per structure
// (siteTableRows.ts); the table lives in IndexedDB (siteTableStore.ts), is exported and imported as the CSV
// `npm run train` reads, and trains in its own worker (workers/training.worker.ts, loaded on first use) with the
// core training of the CLI. A trained model is loaded like any site model (dose.svelte.ts loadSiteModel).
import { wrap, proxy, type Remote } from 'comlink';
import { viewer } from './state.svelte';
import { onPetGrid } from './grids';
import { autosaveKey } from './storage';
import { dose, loadSiteModel } from './dose.svelte';
import { measuredDoses } from './measured.svelte';
import { addSiteRows, loadSiteTable, newSiteKey, removeSitePatient, studyHash, type SiteStudy } from './siteTableStore';
import { checkImport, GROUP, patientsOf, profileProblem, studyRows, tableCsv, TARGET, TYPE, type LeftOut, type SiteRow } from './siteTableRows';
import { browserFeaturePool } from '../../workers/featurePool';
import type { TrainingApi } from '../../workers/training.worker';
import type { SiteTrainingOutcome } from '../../core/model/siteTraining';
import { extractRows } from '../../core/dose/pipeline';
import { dosimetricStructures } from '../../core/dose/tasks';
import { BIOMARKERS, biomarkerProblems, biomarkersOf } from '../../core/dose/biomarkers';
import { identifyTracer, nonPsmaBlock, tracerColumn } from '../../core/tracer';

export type SiteBusy = 'reading' | 'adding' | 'importing' | 'training';

export const site = $state<{
  loaded: boolean;
  columns?: string[];
  rows: SiteRow[];
  studies: SiteStudy[];
  busy?: SiteBusy;
  /** What runs now (features x of n; the training stage), and since when the training runs (epoch ms). */
  progress?: string;
  trainingSince?: number;
  /** The last outcome to show (added, imported, refused), and the structures the last study left out. */
  message?: string;
  error?: string;
  leftOut?: LeftOut[];
  /** The last training: the model and card, or the refusal (the guard's message). */
  /** `foldWorkers`: workers that ran the outer cross-validation folds (0: in the training worker itself). */
  trained?: SiteTrainingOutcome & { csvRows: number; foldWorkers?: number };
}>({ loaded: false, rows: [], studies: [] });

export const SITE_TABLE_FILE = 'site-table.csv';

let training: { api: Remote<TrainingApi>; worker: Worker } | undefined;
let featureAbort: AbortController | undefined;

async function reload(): Promise<void> {
  const t = await loadSiteTable();
  site.columns = t.columns;
  site.rows = t.rows;
  site.studies = t.studies;
  site.loaded = true;
}

/** Reads the table from this browser (once per page, and after every change). */
export async function openSiteTable(): Promise<void> {
  if (site.loaded || site.busy) return;
  site.busy = 'reading';
  try { await reload(); } catch (e) { site.error = `The site table could not be read: ${(e as Error).message}`; } finally { site.busy = undefined; }
}

export const sitePatients = () => patientsOf(site.rows);

/** Whether a study's PET says it is a synthetic phantom of this project (its card must say "not for clinical use"). */
const isSynthetic = (attrs: Record<string, unknown>) => attrs.Manufacturer === 'psma-dose-preview' && attrs.ManufacturerModelName === 'synthetic phantom';

function begin(busy: SiteBusy) {
  site.busy = busy;
  site.message = undefined;
  site.error = undefined;
}

/** Why the open study cannot be added (checked before any feature is computed), or undefined. */
export function addProblem(): string | undefined {
  const study = viewer.study, st = viewer.structures;
  if (!study?.pet?.suv || !study.petSeriesUid) return 'Open a study with a PET in SUV first.';
  if (!st) return 'The study has no structures: draw or import them in the Structures panel.';
  const block = nonPsmaBlock(identifyTracer(study.pet.instances[0]?.attrs ?? {}));
  if (block) return `Not added: ${block.message}`;
  const entered = BIOMARKERS.filter((b) => dose.biomarkers[b.name] !== undefined && String(dose.biomarkers[b.name]) !== '');
  const wanted = dose.card ? biomarkersOf(dose.card) : [];
  const bad = biomarkerProblems([...new Set([...wanted, ...entered])], dose.biomarkers);
  if (bad.length) return `Check the biomarkers in the Dose panel's form: ${bad.join(', ')}.`;
  if (!measuredDoses().length) return 'The study has no measured doses: import its post-therapy dosimetry (CSV or RT Dose) first.';
  return profileProblem(site.rows);
}

/** Measured cycle-1 Gy/GBq per structure; aggregates and other cycles are left out with the reason. */
function measuredByStructure(): { doses: Map<string, number>; notes: LeftOut[] } {
  const doses = new Map<string, number>(), notes: LeftOut[] = [];
  for (const d of measuredDoses()) {
    if (d.members?.length) notes.push({ name: d.structure, type: 'aggregate', reason: `one measured dose for ${d.members.join(' + ')}: the table needs one per structure` });
    else if (d.cycle !== 1) notes.push({ name: d.structure, type: '', reason: `measured after cycle ${d.cycle}: the model's target is the cycle-1 dose` });
    else doses.set(d.structure, d.gyPerGBq);
  }
  return { doses, notes };
}

/** Adds the open study: features as the Dose panel computes them, biomarkers, measured doses; one transaction. */
export async function addOpenStudy(): Promise<void> {
  const problem = addProblem();
  if (problem) { site.error = problem; return; }
  if (site.busy) return;
  begin('adding');
  const study = viewer.study!, st = viewer.structures!;
  const key = autosaveKey(study);
  const attrs = study.pet!.instances[0]?.attrs ?? {};
  const biomarkers = { ...dose.biomarkers };
  const { doses, notes } = measuredByStructure();
  const pool = browserFeaturePool();
  const ctrl = (featureAbort = new AbortController());
  try {
    await reload();
    const hash = await studyHash(key.petSeriesUid, key.frameOfReferenceUid);
    const known = site.studies.find((s) => s.id === hash);
    if (known) { site.error = `This study is already in the site table as patient ${known.patientId} (added ${new Date(known.addedAt).toLocaleString()}); remove that patient first to add it again.`; return; }
    const labels = onPetGrid(st.labels, study);
    const list = dosimetricStructures(labels, st.meta);
    site.progress = `features 0 of ${list.length}`;
    const r = await extractRows({ suv: study.pet!.suv!, labels, structures: list, patient: {} }, {
      extract: pool.run, signal: ctrl.signal, onProgress: (done, total) => (site.progress = `features ${done} of ${total}`),
    });
    const patientId = newSiteKey(new Set(site.studies.map((s) => s.patientId).concat(site.rows.map((x) => x[GROUP]))));
    const out = studyRows({ patientId, tracer: tracerColumn(identifyTracer(attrs)), rows: r.rows, skipped: r.skipped, biomarkers, measured: doses, columns: site.columns });
    site.leftOut = [...out.leftOut, ...notes];
    if (!out.rows.length) { site.error = 'Nothing was added: every structure was left out (see the list below).'; return; }
    await addSiteRows(out.columns, out.rows, { id: hash, patientId, addedAt: Date.now(), synthetic: isSynthetic(attrs) });
    await reload();
    site.message = `Added patient ${patientId}: ${out.rows.length} structure(s)${site.leftOut.length ? `, ${site.leftOut.length} left out (listed below)` : ''}. The table has ${sitePatients().length} patients, ${site.rows.length} rows.`;
  } catch (e) {
    site.error = ctrl.signal.aborted ? 'Adding the study was cancelled; the table is unchanged.' : `The study was not added: ${(e as Error).message}`;
  } finally {
    pool.close();
    site.progress = undefined;
    site.busy = undefined;
  }
}

export function cancelAdd(): void {
  featureAbort?.abort();
}

export async function removePatient(patientId: string): Promise<void> {
  if (site.busy) return;
  begin('adding');
  try {
    await removeSitePatient(patientId);
    await reload();
    site.message = `Patient ${patientId} was removed from the site table.`;
  } catch (e) {
    site.error = `Patient ${patientId} was not removed: ${(e as Error).message}`;
  } finally {
    site.busy = undefined;
  }
}

/** The table as the CSV `npm run train` reads (undefined while it is empty). */
export function siteTableCsv(): string | undefined {
  return site.columns && site.rows.length ? tableCsv(site.columns, site.rows) : undefined;
}

/** Imports a CSV: checked whole first (columns, profile, rows, keys); merged rows are counted, conflicts refuse it. */
export async function importSiteCsv(file: File): Promise<void> {
  if (site.busy) return;
  begin('importing');
  try {
    await reload();
    const check = checkImport(await file.text(), file.name, { columns: site.columns, rows: site.rows });
    if (!check.ok) { site.error = check.problem; return; }
    if (check.added.length) await addSiteRows(check.columns, check.added);
    await reload();
    site.message = `${file.name}: ${check.added.length} row(s) added${check.duplicates ? `, ${check.duplicates} already in the table (the same values: merged)` : ''}. The table has ${sitePatients().length} patients, ${site.rows.length} rows.${check.notes.length ? ` ${check.notes.join('; ')}.` : ''}`;
  } catch (e) {
    site.error = `${file.name} was not imported: ${(e as Error).message}`;
  } finally {
    site.busy = undefined;
  }
}

/** Whether a synthetic phantom is among the studies added (the model is then not for clinical use whatever is ticked). */
export const hasSyntheticStudies = () => site.studies.some((s) => s.synthetic);

/** Trains the table in the training worker (created on first use, terminated by cancel). */
export async function trainSiteModel(o: { model: 'lmm' | 'trees'; realData: boolean; force: boolean }): Promise<void> {
  if (site.busy) return;
  const csv = siteTableCsv();
  if (!csv) { site.error = 'The site table is empty: add studies or import a site table first.'; return; }
  begin('training');
  site.trained = undefined;
  site.trainingSince = Date.now();
  site.progress = 'starting the training worker';
  const t = (training ??= (() => {
    const worker = new Worker(new URL('../../workers/training.worker.ts', import.meta.url), { type: 'module' });
    return { worker, api: wrap<TrainingApi>(worker) };
  })());
  const rows = site.rows.length;
  try {
    const r = await t.api.train(csv, SITE_TABLE_FILE, {
      target: TARGET, group: GROUP, typeCol: TYPE, model: o.model, name: 'site-table',
      realData: o.realData && !hasSyntheticStudies(), force: o.force,
    }, proxy((what: string) => { if (training === t) site.progress = what; }));
    if (training !== t) return; // cancelled meanwhile
    site.trained = { ...r, csvRows: rows };
    if (r.ok) performance.mark('site-model-trained');
  } catch (e) {
    if (training === t) site.error = `Training failed: ${(e as Error).message}`;
  } finally {
    if (training === t || !training) { site.busy = undefined; site.progress = undefined; site.trainingSince = undefined; }
  }
}

/** Stops a training: its worker is terminated (the next training starts a new one); nothing is written. */
export function cancelTraining(): void {
  if (!training || site.busy !== 'training') return;
  training.worker.terminate();
  training = undefined;
  site.busy = undefined;
  site.progress = undefined;
  site.trainingSince = undefined;
  site.message = 'Training cancelled; no model was written.';
}

/** The trained model's two files, named like `npm run train` writes them. */
export function trainedFiles(): File[] | undefined {
  const t = site.trained;
  if (!t?.ok) return undefined;
  return [
    new File([t.onnx as BlobPart], 'model.onnx', { type: 'application/octet-stream' }),
    new File([JSON.stringify(t.card, null, 2)], 'model-card.json', { type: 'application/json' }),
  ];
}

/** Loads the trained model into the Dose panel, as "Load site model…" does with its two files. */
export async function loadTrainedModel(): Promise<void> {
  const files = trainedFiles();
  if (files) await loadSiteModel(files);
}

