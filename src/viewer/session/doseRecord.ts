// The dose state of a study as saved in this browser (store `doseStates`): what the user entered, the last
// results and what they were computed from (model, structure set, SUV factors), and whether those results
// still fit what is open now. Pure (no runes, no DOM), so it is unit-tested in Node.
import { DEFAULT_LIMITS, type NotPredicted, type OrganLimit, type StructurePrediction } from '../../core/dose/plan';
import type { SuvResult } from '../../core/suv';
import type { StructureMeta } from '../../core/contours/structureSet';
import type { AutosaveKey } from './storage';
import type { MeasuredImport } from '../../core/dose/measured';

/** The measured doses saved with the dose state (measured.svelte.ts); the file name is not saved. */
export type SavedMeasured = Omit<MeasuredImport, 'file'>;

export interface TracerConfirmation { agent: string; caveat: string; confirmedAt: string }

/** What a set of results was computed from, to tell later whether they still fit. */
export interface ComputedFrom {
  /** Epoch ms. */
  at: number;
  modelId: string;
  modelVersion: string;
  /** structureFingerprint of the structure set used. */
  structures: string;
  /** suvFingerprint of the PET's SUV factors. */
  suv: string;
}

export interface DoseTiming { featuresMs: number; inferenceMs: number; sessionMs: number }

/** The parts of the dose state that are saved (the session's `dose` holds them, among others). */
export interface DoseInputs {
  /** Form text by biomarker name (number inputs may hand numbers or null). */
  biomarkers: Record<string, string | number | null | undefined>;
  activity: number;
  cycles: number;
  limits: OrganLimit[];
  predictions?: StructurePrediction[];
  /** Structures drawn but not predicted, with the reason. */
  skipped?: NotPredicted[];
  timing?: DoseTiming;
  computed?: ComputedFrom;
  tracerConfirmation?: TracerConfirmation;
  /** Imported post-therapy doses (measured.svelte.ts owns them; the dose state saves them). */
  measured?: SavedMeasured;
}

export interface DoseRecord extends AutosaveKey {
  savedAt: number;
  biomarkers: Record<string, string>;
  activity: number;
  cycles: number;
  /**
   * Only the thresholds the user changed from the shipped defaults (null = cleared), by limit id: a limit's or a
   * reference's Gy; `<id>.spareGy` for a one-gland value (QUANTEC parotid).
   */
  limits: Record<string, number | null>;
  /** Predictions saved before their volume was kept lack `volumeMl` (the plan then asks to compute again). */
  results?: { predictions: StructurePrediction[]; skipped?: NotPredicted[]; timing?: DoseTiming; computed: ComputedFrom };
  tracerConfirmation?: TracerConfirmation;
  measured?: SavedMeasured;
}

/** The record of a dose state (a plain copy: reads every field, so an effect calling it tracks them all). */
export function doseRecord(key: AutosaveKey, s: DoseInputs, savedAt = Date.now()): DoseRecord {
  const biomarkers: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.biomarkers)) if (v !== undefined && v !== null && String(v) !== '') biomarkers[k] = String(v);
  const limits: Record<string, number | null> = {};
  for (const l of s.limits) {
    const shipped = DEFAULT_LIMITS.find((d) => d.id === l.id);
    if (!shipped || thresholdOf(shipped) !== thresholdOf(l)) limits[l.id] = thresholdOf(l);
    if (shipped?.spareGy !== undefined && shipped.spareGy !== l.spareGy) limits[`${l.id}.spareGy`] = l.spareGy ?? null;
  }
  const rec: DoseRecord = {
    studyUid: key.studyUid, petSeriesUid: key.petSeriesUid, frameOfReferenceUid: key.frameOfReferenceUid,
    savedAt, biomarkers, activity: s.activity, cycles: s.cycles, limits,
  };
  if (s.predictions && s.computed) {
    rec.results = {
      // The notes a row carries are saved with it (a reload shows "population value" and extrapolation as computed).
      predictions: s.predictions.map((p) => ({ name: p.name, type: p.type, gyPerGBq: p.gyPerGBq, lo: p.lo, hi: p.hi, volumeMl: p.volumeMl,
        ...(p.populationValue ? { populationValue: true } : {}), ...(p.outsideTrainingRange?.length ? { outsideTrainingRange: [...p.outsideTrainingRange] } : {}) })),
      ...(s.skipped ? { skipped: s.skipped.map((x) => ({ name: x.name, type: x.type, reason: x.reason })) } : {}),
      computed: { ...s.computed },
      ...(s.timing ? { timing: { featuresMs: s.timing.featuresMs, inferenceMs: s.timing.inferenceMs, sessionMs: s.timing.sessionMs } } : {}),
    };
  }
  if (s.tracerConfirmation) rec.tracerConfirmation = { ...s.tracerConfirmation };
  if (s.measured) {
    const m = s.measured;
    rec.measured = {
      kind: m.kind, importedAt: m.importedAt, warnings: [...m.warnings], unused: m.unused.map((u) => ({ row: u.row, name: u.name, reason: u.reason })),
      doses: m.doses.map((d) => ({
        structure: d.structure, ...(d.members ? { members: [...d.members] } : {}), meanDoseGy: d.meanDoseGy,
        administeredActivityGBq: d.administeredActivityGBq, gyPerGBq: d.gyPerGBq, cycle: d.cycle, method: d.method,
      })),
    };
  }
  return rec;
}

/** What a record compares by to tell whether anything changed since it was saved (everything but savedAt). */
export function recordContent(rec: DoseRecord): string {
  const { savedAt: _, ...rest } = rec;
  return JSON.stringify(rest);
}

/** The value a limit or reference is edited by (a reference's Gy, else the limit's). */
const thresholdOf = (l: OrganLimit): number | null => (l.kind === 'reference' ? l.referenceGy : l.limitGy) ?? null;

/** The shipped limits with the record's edited values applied (sources and caveats always from the code). */
export function limitsWith(edited: Record<string, number | null>): OrganLimit[] {
  return structuredClone(DEFAULT_LIMITS).map((l) => {
    const out = { ...l };
    if (l.id in edited) {
      if (l.kind === 'reference') out.referenceGy = edited[l.id] ?? undefined;
      else out.limitGy = edited[l.id];
    }
    if (`${l.id}.spareGy` in edited) out.spareGy = edited[`${l.id}.spareGy`] ?? undefined;
    return out;
  });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a record read from storage; the problem names the first field that is wrong. */
export function decodeDoseRecord(raw: unknown): { record: DoseRecord } | { problem: string } {
  const bad = (what: string) => ({ problem: `the saved dose state has ${what}` });
  if (!isObj(raw)) return bad('no fields');
  for (const k of ['studyUid', 'petSeriesUid', 'frameOfReferenceUid'] as const) if (!isStr(raw[k])) return bad(`no ${k}`);
  if (!isNum(raw.savedAt)) return bad('no save time');
  if (!isObj(raw.biomarkers) || !Object.values(raw.biomarkers).every(isStr)) return bad('biomarkers that are not text');
  if (!isNum(raw.activity) || raw.activity <= 0) return bad(`an invalid activity (${String(raw.activity)})`);
  if (!isNum(raw.cycles) || raw.cycles < 1) return bad(`an invalid number of cycles (${String(raw.cycles)})`);
  if (!isObj(raw.limits) || !Object.values(raw.limits).every((v) => v === null || isNum(v))) return bad('limits that are not numbers');
  if (raw.results !== undefined) {
    const r = raw.results;
    if (!isObj(r) || !Array.isArray(r.predictions)) return bad('results without predictions');
    const predictionOk = (p: unknown) => isObj(p) && isStr(p.name) && isStr(p.type) && isNum(p.gyPerGBq) && isNum(p.lo) && isNum(p.hi);
    if (!r.predictions.every(predictionOk)) return bad('a prediction without name, type or dose');
    if (!r.predictions.every((p) => p.volumeMl === undefined || (isNum(p.volumeMl) && p.volumeMl > 0))) return bad('a prediction whose volume is not a positive number');
    if (!r.predictions.every((p) => (p.populationValue === undefined || typeof p.populationValue === 'boolean') && (p.outsideTrainingRange === undefined || (Array.isArray(p.outsideTrainingRange) && p.outsideTrainingRange.every(isStr))))) return bad('a prediction whose notes are not a flag and a list of texts');
    const skipOk = (x: unknown) => isObj(x) && isStr(x.name) && isStr(x.type) && isStr(x.reason);
    if (r.skipped !== undefined && !(Array.isArray(r.skipped) && r.skipped.every(skipOk))) return bad('structures not predicted without name, type or reason');
    const c = r.computed;
    if (!isObj(c) || !isNum(c.at) || !isStr(c.modelId) || !isStr(c.modelVersion) || !isStr(c.structures) || !isStr(c.suv)) return bad('results without what they were computed from');
    if (r.timing !== undefined && !(isObj(r.timing) && isNum(r.timing.featuresMs) && isNum(r.timing.inferenceMs) && isNum(r.timing.sessionMs))) return bad('an invalid timing');
  }
  if (raw.tracerConfirmation !== undefined) {
    const t = raw.tracerConfirmation;
    if (!isObj(t) || !isStr(t.agent) || !isStr(t.caveat) || !isStr(t.confirmedAt)) return bad('an invalid tracer confirmation');
  }
  if (raw.measured !== undefined) {
    const m = raw.measured;
    const doseOk = (d: unknown) => isObj(d) && isStr(d.structure) && isNum(d.meanDoseGy) && isNum(d.administeredActivityGBq) && d.administeredActivityGBq > 0
      && isNum(d.gyPerGBq) && isNum(d.cycle) && isStr(d.method) && (d.members === undefined || (Array.isArray(d.members) && d.members.every(isStr)));
    const unusedOk = (u: unknown) => isObj(u) && isNum(u.row) && isStr(u.name) && isStr(u.reason);
    if (!isObj(m) || (m.kind !== 'csv' && m.kind !== 'rtdose') || !isNum(m.importedAt) || !Array.isArray(m.doses) || !m.doses.every(doseOk)
      || !Array.isArray(m.warnings) || !m.warnings.every(isStr) || !Array.isArray(m.unused) || !m.unused.every(unusedOk)) return bad('invalid measured doses');
  }
  return { record: raw as unknown as DoseRecord };
}

/** 53-bit hash (cyrb53 mixing) of bytes, read as 32-bit words (platform byte order); as 14 hex digits. */
export function hashBytes(input: Uint8Array, seed = 0): string {
  const bytes = input.byteOffset % 4 === 0 ? input : input.slice(); // a copy starts aligned
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  const mix = (w: number) => { h1 = Math.imul(h1 ^ w, 2654435761); h2 = Math.imul(h2 ^ w, 1597334677); };
  const words = Math.floor(bytes.length / 4);
  const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
  for (let n = 0; n < words; n++) mix(u32[n]);
  for (let n = words * 4; n < bytes.length; n++) mix(bytes[n] | 0x100); // tail bytes, told apart from a word
  mix(bytes.length);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

const hashText = (s: string) => hashBytes(new TextEncoder().encode(s));

/**
 * Fingerprint of what the dose pipeline reads from a structure set: the label map with its grid size and the
 * tumour sites (visibility, locks and the single-kidney flag change the plan, not the predictions).
 */
export function structureFingerprint(labels: { dims: readonly number[]; data: Uint8Array }, meta: Pick<StructureMeta, 'tumours'>): string {
  const sites = Object.entries(meta.tumours).map(([l, t]) => [Number(l), t.site] as const).sort((a, b) => a[0] - b[0]);
  return `${hashBytes(labels.data)}-${hashText(JSON.stringify([labels.dims, sites]))}`;
}

let fingerprintMemo: { data: Uint8Array; revision: number; sites: string; value: string } | undefined;

/** structureFingerprint of an open structure set, hashed again only after an edit (its revision) or new sites. */
export function openStructureFingerprint(st: { labels: { dims: readonly number[]; data: Uint8Array }; meta: Pick<StructureMeta, 'tumours'>; revision: number }): string {
  const sites = JSON.stringify(st.meta.tumours), m = fingerprintMemo;
  if (m && m.data === st.labels.data && m.revision === st.revision && m.sites === sites) return m.value;
  const value = structureFingerprint(st.labels, st.meta);
  fingerprintMemo = { data: st.labels.data, revision: st.revision, sites, value };
  return value;
}

/** Fingerprint of the PET's SUVbw factors (they change with the SUV overrides). */
export function suvFingerprint(suv: SuvResult | undefined): string {
  return suv?.ok ? hashText(JSON.stringify(suv.suvbw)) : 'no SUV';
}

/** Whether saved results may be shown: yes, not yet (no model loaded to compare with), or why not. */
export type ResultsFit = { fit: true } | { fit: false; waiting: true } | { fit: false; stale: string };

export function resultsFit(
  computed: ComputedFrom | undefined,
  /** model: the loaded one, undefined while one is loading, null when none could be loaded. */
  now: { model?: { id: string; version: string } | null; structures?: string; suv: string },
  formatDate: (ms: number) => string = (ms) => new Date(ms).toLocaleString(),
): ResultsFit | undefined {
  if (!computed) return undefined;
  const of = `Results of ${formatDate(computed.at)} were computed`;
  if (now.model === null) return { fit: false, stale: `${of} with model ${computed.modelId} ${computed.modelVersion}, which is not loaded: load it or another model and compute again.` };
  if (!now.model) return { fit: false, waiting: true };
  if (computed.modelId !== now.model.id || computed.modelVersion !== now.model.version) {
    return { fit: false, stale: `${of} with model ${computed.modelId} ${computed.modelVersion}, not the loaded ${now.model.id} ${now.model.version}: compute again.` };
  }
  if (computed.structures !== now.structures) {
    return { fit: false, stale: `${of} ${now.structures ? 'from another structure set' : 'from a structure set that is not loaded'}: compute again.` };
  }
  if (computed.suv !== now.suv) return { fit: false, stale: `${of} with other SUV values (weight, injected activity or time): compute again.` };
  return { fit: true };
}
