// The study session: opens a study from any data source (demo, local files, DICOMweb) the same way — load
// with progress, decode, assemble, render, then its structure set (the source's, or the one saved in this
// browser), then its dose state — pairs a PET with a CT stored as another study, applies SUV overrides, and keeps the notices,
// the error (with retry when it makes sense) and the load progress the panels show.
import { assembleStudy, canPair, withSuvOverrides, StudyError, type LoadedStudy } from '../../core/study';
import type { DicomSeriesInfo } from '../../core/dicom/read';
import type { SuvOverrides } from '../../core/suv';
import { decodeCompressed, decodeFrameInWorker, NATIVE } from '../../data/decode';
import { initCornerstone } from '../render/scene';
import { localFilesSource } from '../../data/localFiles';
import type { DataSource, FrameStream, LoadReport, PartnerOffer, SourceStudy } from '../../data/source';
import { firstViewSlices, initialZ, nearestFirst, progressiveProblem, sliceTargets, writeFrame } from '../../core/progressive';
import type { DicomInstance } from '../../core/dicom/read';
import { viewer } from './state.svelte';
import { setStructures } from './editing.svelte';
import { showInViews, slicesArrived } from './view.svelte';
import { restoreSaved } from './autosave.svelte';
import { offerDoseImage, openDoseState, prepareDoseWorkers } from './dose.svelte';
import { listStoredResults } from './results.svelte';

export const session = $state({
  /** What is being done (generating, decoding, rendering…), '' when idle. */
  status: '',
  error: undefined as { message: string; retry?: () => void } | undefined,
  notices: [] as string[],
  /** Load progress by part (a series, the chosen files). */
  progress: {} as Record<string, { label: string; done: number; total: number }>,
  /** A study that holds what the open one lacks (its CT), offered for pairing. */
  partner: undefined as PartnerOffer | undefined,
});

/** The open study's parsed series (pairing adds the CT's). */
let series: DicomSeriesInfo[] = [];

const report: LoadReport = {
  status: (text) => (session.status = text),
  progress: (id, label, done, total) => (session.progress[id] = { label, done, total }),
};

export function notify(text: string): void {
  session.notices = [...session.notices, text];
}

export function fail(e: unknown, retry?: () => void): void {
  session.error = { message: e instanceof Error ? e.message : String(e), retry };
  session.status = '';
  session.progress = {};
}

export function dismissError(): void {
  session.error = undefined;
}

/** Loads a source's series; throws what the source throws. */
async function load(source: DataSource): Promise<SourceStudy> {
  session.progress = {};
  const got = await source.load(report);
  session.progress = {};
  return got;
}

async function assemble(all: DicomSeriesInfo[], over: SuvOverrides): Promise<LoadedStudy> {
  performance.mark('series-chosen');
  await decodeCompressed(all.flatMap((s) => s.instances), (done, total) => (session.status = `Decoding compressed images ${done}/${total}…`));
  return assembleStudy(all, over);
}

/** Makes a study the open one and renders it; the notices become the study's own. `loading`: frames are still arriving (not ready yet). */
async function present(s: LoadedStudy, loading = false): Promise<void> {
  viewer.study = s;
  session.notices = s.notices;
  session.status = 'Rendering…';
  await showInViews(s);
  performance.mark('first-fused-render');
  session.status = loading ? 'Loading the remaining slices…' : '';
  viewer.ready = !loading;
  prepareDoseWorkers(); // the model session and the feature workers, once per page, after the first render
}

/** The images' own pixel buffers are dropped once their volumes are built (no second copy); the PET's are kept while a CT may still be paired. */
function releasePixels(all: DicomSeriesInfo[], s: LoadedStudy): void {
  const keep = new Set(s.ct ? [] : s.pet?.instances ?? []);
  for (const x of all) for (const i of x.instances) if (!keep.has(i)) i.pixels = undefined;
}

/** Slices around the first view (mm either side) that must be in, for both series, before the first render. */
const FIRST_VIEW_MM = 6;
/** How often the progress (ms) and the views (ms) follow the arriving frames. */
const PROGRESS_MS = 200, REFRESH_MS = 1500;

/**
 * Frames of a streamed PACS study: fetched nearest the first view first and written straight into the
 * volumes; the study is shown as soon as the slices around the first view of both series are in (when it can
 * be: see progressiveProblem), and is ready (numbers, tools, doses) only once every frame is in. A failed or
 * damaged frame fails the whole open.
 */
async function streamFrames(s: LoadedStudy, all: DicomSeriesInfo[], frames: FrameStream, labels: Map<string, string>): Promise<void> {
  const targets = sliceTargets(s);
  const z0 = initialZ(s);
  const problem = progressiveProblem(s);
  const first = firstViewSlices(targets, z0, FIRST_VIEW_MM);
  const bySeries = new Map<DicomInstance, string>();
  for (const x of all) for (const i of x.instances) bySeries.set(i, x.seriesUid);
  const counts: Record<string, { done: number; total: number }> = {};
  for (const i of frames.pending) {
    const uid = bySeries.get(i)!;
    (counts[uid] ??= { done: 0, total: 0 }).total++;
  }
  loadCounters.totals = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.total]));
  loadCounters.atFirstRender = loadCounters.atFirstRenderDone = undefined;
  for (const [uid, c] of Object.entries(counts)) session.progress[uid] = { label: labels.get(uid) ?? uid, ...c };
  session.status = 'Loading images (nearest the first view first)…';
  let missing = first.size, shown: Promise<void> | undefined, arrived = 0;
  const dirty = { CT: [] as number[], PT: [] as number[] };
  let flush: ReturnType<typeof setTimeout> | undefined;
  streaming?.abort(); // a study still streaming in gives way to this one
  const ctrl = (streaming = new AbortController());
  viewer.loading = { done: 0, total: frames.pending.length };
  // State and views follow the arrivals at a bounded rate (a software-rendered MIP of a whole body takes a second).
  let progressTimer: ReturnType<typeof setTimeout> | undefined;
  const showProgress = () => {
    progressTimer = undefined;
    for (const [uid, c] of Object.entries(counts)) session.progress[uid] = { label: labels.get(uid) ?? uid, ...c };
    viewer.loading = { done: arrived, total: frames.pending.length };
  };
  const onFrame = (inst: DicomInstance, pixels: ArrayBuffer) => {
    const t = targets.get(inst);
    if (!t) return;
    writeFrame(s, inst, t, pixels);
    arrived++;
    counts[bySeries.get(inst)!].done++;
    progressTimer ??= setTimeout(showProgress, PROGRESS_MS);
    if (first.has(inst)) missing--;
    if (!shown && !problem && missing === 0) {
      loadCounters.atFirstRender = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.done]));
      shown = present(s, true).then(() => {
        loadCounters.atFirstRenderDone = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.done]));
      });
      return;
    }
    if (shown) {
      dirty[t.modality].push(t.k);
      flush ??= setTimeout(() => { flush = undefined; slicesArrived(dirty.CT.splice(0), dirty.PT.splice(0)); }, REFRESH_MS);
    }
  };
  transferSyntaxes.clear();
  await initCornerstone(); // its decode worker takes the compressed frames
  try {
    await frames.fetch(nearestFirst(targets, z0), async (inst, px, ts) => {
      try {
        transferSyntaxes.add(ts);
        onFrame(inst, NATIVE.has(ts) ? px : await decodeFrameInWorker(inst.name, inst.attrs, ts, new Uint8Array(px)));
      } catch (e) { ctrl.abort(); throw e; }
    }, ctrl.signal);
    await shown;
  } finally {
    if (flush) clearTimeout(flush);
    if (progressTimer) clearTimeout(progressTimer);
    if (streaming === ctrl) { streaming = undefined; viewer.loading = undefined; }
  }
  if (ctrl.signal.aborted) throw new Superseded();
  loadCounters.transferSyntaxes = [...transferSyntaxes];
  releasePixels(all, s);
  if (shown) {
    slicesArrived(dirty.CT.splice(0), dirty.PT.splice(0), true);
    session.status = '';
    viewer.ready = true;
  } else {
    await present(s);
  }
  session.progress = {};
  performance.mark('study-fully-loaded');
}

const transferSyntaxes = new Set<string>();
let streaming: AbortController | undefined;
/** A streamed open that another open replaced: it ends without touching the session. */
class Superseded extends Error {}
/** Counters of a streamed open, for tests and the bench: frames per series in all, when the first render started and ended, the transfer syntaxes the PACS sent. */
export const loadCounters: { totals?: Record<string, number>; atFirstRender?: Record<string, number>; atFirstRenderDone?: Record<string, number>; transferSyntaxes?: string[] } = {};
if (typeof window !== 'undefined' && window.__psma) window.__psma.loading = loadCounters;

/**
 * Opens a study from any source and resolves whether it is shown. `onLoaded` runs once the images have
 * arrived, before they are rendered (the study browser closes then).
 */
export async function openStudy(source: DataSource, onLoaded?: () => void): Promise<boolean> {
  session.error = undefined;
  const before = viewer.study, beforeSeries = series, beforeStructures = viewer.structures, beforePacs = viewer.pacs;
  viewer.ready = false;
  try {
    const got = await load(source);
    onLoaded?.();
    const s = await assemble(got.series, {});
    series = got.series;
    session.partner = undefined;
    viewer.structures = undefined;
    viewer.pacs = got.archive;
    if (got.frames) await streamFrames(s, got.series, got.frames, new Map(got.series.map((x) => [x.seriesUid, `${x.modality} ${x.description}`.trim()])));
    else {
      releasePixels(got.series, s);
      await present(s);
    }
    if (got.structures) setStructures(got.structures.labels, got.structures.source, got.structures.meta);
    else await restore(s);
    const doseNotice = await openDoseState(s); // its results are shown only while they fit these structures
    offerDoseImage(s);
    if (doseNotice) notify(doseNotice);
    void listStoredResults(); // the dose results (SR) stored in a PACS study before
    for (const n of got.notices) notify(n);
    session.partner = await got.findPartner?.();
    return true;
  } catch (e) {
    if (e instanceof Superseded) return false;
    fail(e, source.retryable ? () => openStudy(source, onLoaded) : undefined);
    if (viewer.study !== before) {
      // A streamed study failed after it was first shown: the previous one comes back (or none), nothing of it stays.
      series = beforeSeries;
      viewer.structures = beforeStructures;
      viewer.pacs = beforePacs;
      if (before) await present(before).catch(() => undefined);
      else viewer.study = undefined;
      session.status = '';
    }
    if (before && viewer.study === before) viewer.ready = true; // the views still show it
    return false;
  }
}

export function openLocalFiles(files: File[]): void {
  if (files.length) void openStudy(localFilesSource(files));
}

async function restore(s: LoadedStudy): Promise<void> {
  const notice = await restoreSaved(s);
  if (notice) notify(notice);
}

/** Loads the offered study's CT and fuses it with the open PET (the structure set stays). */
export async function pairWithPartner(): Promise<void> {
  const offer = session.partner;
  if (!offer) return;
  session.partner = undefined;
  try {
    const got = await load(offer.source);
    const ptInfo = series.find((x) => x.modality === 'PT'), ctInfo = got.series.find((x) => x.modality === 'CT');
    if (!ptInfo || !ctInfo) throw new StudyError('the paired study has no CT images');
    const check = canPair(ptInfo, ctInfo);
    if (!check.ok) throw new StudyError(`the CT study cannot be paired with this PET: ${check.why}`);
    const all = [...series, ...got.series];
    const s = await assemble(all, viewer.study?.pet?.overrides ?? {});
    series = all;
    await present(s);
    if (!viewer.structures) await restore(s);
    notify(`PET paired with the CT of study "${offer.description}" (${check.why}).`);
  } catch (e) {
    fail(e);
  }
}

export function declinePartner(): void {
  session.partner = undefined;
}

/** Applies weight, injected activity or injection time the header lacks; the structure set stays. */
export async function applySuvOverrides(over: SuvOverrides): Promise<void> {
  const study = viewer.study;
  if (!study?.pet) return;
  if (viewer.loading) return fail(new Error(`The images are still arriving (${viewer.loading.done} of ${viewer.loading.total} slices): enter the SUV values again once all are in.`));
  // The core checks the values against the physiological table and refuses with the range.
  const next = withSuvOverrides(study, over);
  if (!next.ok) return fail(new Error(next.reason));
  session.error = undefined;
  try {
    await present(next.study);
  } catch (e) {
    fail(e);
  }
}
