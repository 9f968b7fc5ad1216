// Work kept on this device, in the app's one IndexedDB database: the schema (a versioned table of stores
// other features add to), the autosaved structure set of each PET series and its one-level trash (the previous
// set, kept when a set is replaced or discarded), retention and "clear all local data". Nothing leaves the browser.
import { gzipSync, gunzipSync } from 'fflate';
import { geometryOf, sameGrid, type Geometry, type Volume } from '../../core/volume';
import { emptyMeta, presentLabels, type StructureMeta } from '../../core/contours/structureSet';
import type { LoadedStudy } from '../../core/study';

const DB = 'psma-dose-preview';
const RETENTION_KEY = 'psma-dose-preview.retentionDays';

export interface StoreSpec {
  name: string;
  /** Schema version that added the store (its upgrade creates it). */
  since: number;
  keyPath: string | string[];
  indexes?: Record<string, string | string[]>;
}

/**
 * Every object store of the database. A feature adds a store with one entry whose `since` is the next version;
 * opening the database then upgrades it (stores of versions newer than the one on disk are created).
 */
export const STORES: StoreSpec[] = [
  // Version 1 autosave, keyed by Study UID alone: read when a study opens and migrated to `structureSets`.
  { name: 'structures', since: 1, keyPath: 'studyUid' },
  { name: 'structureSets', since: 2, keyPath: ['petSeriesUid', 'frameOfReferenceUid'], indexes: { studyUid: 'studyUid' } },
  // The Dose panel's inputs and last results per PET series (session/doseRecord.ts).
  { name: 'doseStates', since: 3, keyPath: ['petSeriesUid', 'frameOfReferenceUid'], indexes: { studyUid: 'studyUid' } },
  // The previous structure set of each PET series (one level), records as in structureSets.
  { name: 'trash', since: 3, keyPath: ['petSeriesUid', 'frameOfReferenceUid'], indexes: { studyUid: 'studyUid' } },
  // The site table (session/siteTable*.ts): one de-identified row per structure, keyed by the random site key of
  // its patient; and its columns, salt and the salted hashes of the studies added (so none is added twice).
  { name: 'siteRows', since: 4, keyPath: ['patient_id', 'structure_id'], indexes: { patient_id: 'patient_id' } },
  { name: 'siteMeta', since: 4, keyPath: 'id' },
];
export const DB_VERSION = Math.max(...STORES.map((s) => s.since));
const LEGACY = 'structures';
const STRUCTURE_SETS = 'structureSets';
const DOSE_STATES = 'doseStates';
const TRASH = 'trash';

/** Schema upgrade from the version on disk: creates the stores added since. (Records of version 1 migrate per
 * study when it opens, see loadStructures: they lack the PET series UID their new key needs.) */
function upgrade(db: IDBDatabase, from: number): void {
  for (const s of STORES) {
    if (s.since <= from || db.objectStoreNames.contains(s.name)) continue;
    const store = db.createObjectStore(s.name, { keyPath: s.keyPath });
    for (const [name, path] of Object.entries(s.indexes ?? {})) store.createIndex(name, path);
  }
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, DB_VERSION);
    req.onupgradeneeded = (e) => upgrade(req.result, e.oldVersion);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`local storage is not available (${req.error?.message ?? 'IndexedDB refused'})`));
    req.onblocked = () => reject(new Error('local storage is being upgraded in another tab of this app: close it and reload'));
  });
}

/** Runs requests in one transaction over `stores`; resolves with the returned request's result once it commits. */
export async function transact<T>(stores: string[], mode: IDBTransactionMode, fn: (t: IDBTransaction) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await open();
  return new Promise<T | undefined>((resolve, reject) => {
    const t = db.transaction(stores, mode);
    const r = fn(t);
    t.oncomplete = () => { resolve(r ? r.result : undefined); db.close(); };
    t.onerror = () => { reject(t.error); db.close(); };
  });
}

let writes: Promise<unknown> = Promise.resolve();
/** Runs writes one after another in the order they were asked for (a set put in the trash is stored before the
 * autosave of the set that replaced it). */
function serially<T>(write: () => Promise<T>): Promise<T> {
  const run = writes.then(write, write);
  writes = run.catch(() => undefined);
  return run;
}

/** `transact` on one store. */
export function inStore<T>(name: string, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return transact([name], mode, (t) => fn(t.objectStore(name)));
}

/** Days local work is kept (0 = until the user clears it). */
export function retentionDays(): number {
  return Number(localStorage.getItem(RETENTION_KEY) ?? '0') || 0;
}
export function setRetentionDays(days: number): void {
  localStorage.setItem(RETENTION_KEY, String(Math.max(0, Math.floor(days))));
}
function expired(savedAt: number): boolean {
  const days = retentionDays();
  return days > 0 && Date.now() - savedAt > days * 86400000;
}

/** What an autosave belongs to: the PET series and its frame of reference (Study UID only to discard by study). */
export interface AutosaveKey { studyUid: string; petSeriesUid: string; frameOfReferenceUid: string }

export function autosaveKey(study: LoadedStudy): AutosaveKey {
  const pet = study.pet?.instances[0]?.attrs;
  return { studyUid: study.studyUid, petSeriesUid: study.petSeriesUid ?? '', frameOfReferenceUid: String(pet?.FrameOfReferenceUID ?? '') };
}

/** A record of `structureSets` and of `trash`. */
interface StructureRecord extends AutosaveKey {
  source: string;
  savedAt: number;
  meta?: StructureMeta;
  geometry: Geometry;
  /** The label map, gzip-compressed. */
  data: Uint8Array;
  /** Labels holding voxels (records written before the trash existed lack it). */
  present?: number[];
}
type LegacyRecord = Omit<StructureRecord, 'petSeriesUid' | 'frameOfReferenceUid'>;

export interface SavedStructures { source: string; savedAt: number; labels: Volume<Uint8Array>; meta: StructureMeta }

function encode(key: AutosaveKey, labels: Volume, source: string, meta: StructureMeta, savedAt = Date.now()): StructureRecord {
  const u8 = labels.data instanceof Uint8Array ? labels.data : Uint8Array.from(labels.data);
  return { ...key, source, savedAt, meta, geometry: geometryOf(labels), data: gzipSync(u8, { level: 1 }), present: presentLabels(u8) };
}

function presentIn(rec: StructureRecord): number[] {
  return rec.present ?? presentLabels(gunzipSync(rec.data));
}

const keyOf = (key: AutosaveKey) => [key.petSeriesUid, key.frameOfReferenceUid];

function refusal(g: Geometry, what: string): { refused: string } {
  return { refused: `${what} was not applied: it was drawn on another grid (${g.dims.join('×')} voxels) than this study's images.` };
}

function decode(rec: LegacyRecord): SavedStructures {
  return { source: rec.source, savedAt: rec.savedAt, meta: { ...emptyMeta(), ...rec.meta }, labels: { ...geometryOf(rec.geometry), data: gunzipSync(rec.data) } };
}

/**
 * Saves the structure set of a PET series. `keepPrevious`: the record it overwrites (saved by an earlier visit and
 * not on screen, e.g. under the demo's untouched truth) goes to the trash first when it holds voxels.
 */
export async function saveStructures(key: AutosaveKey, labels: Volume, source: string, meta: StructureMeta = emptyMeta(), keepPrevious = false): Promise<void> {
  const rec = encode(key, labels, source, meta);
  await serially(() => transact([STRUCTURE_SETS, TRASH], 'readwrite', (t) => {
    const sets = t.objectStore(STRUCTURE_SETS);
    if (!keepPrevious) return void sets.put(rec);
    sets.get(keyOf(key)).onsuccess = (e) => {
      const old = (e.target as IDBRequest<StructureRecord | undefined>).result;
      if (old && presentIn(old).length) t.objectStore(TRASH).put(old);
      sets.put(rec);
    };
  }));
}

/** Puts a structure set in the trash of its PET series, in place of what was there. */
export async function putInTrash(key: AutosaveKey, labels: Volume, source: string, meta: StructureMeta, savedAt = Date.now()): Promise<void> {
  const rec = encode(key, labels, source, meta, savedAt); // encoded now: the set may change after this call
  await serially(() => inStore(TRASH, 'readwrite', (s) => s.put(rec)));
}

export async function dropTrash(key: AutosaveKey): Promise<void> {
  await serially(() => inStore(TRASH, 'readwrite', (s) => s.delete(keyOf(key))));
}

/** What the trash of a PET series holds, without decoding it: its labels, source, save time and grid. */
export interface TrashSummary { present: number[]; source: string; savedAt: number; geometry: Geometry }

async function trashRecord(key: AutosaveKey): Promise<StructureRecord | undefined> {
  const rec = await inStore<StructureRecord>(TRASH, 'readonly', (s) => s.get(keyOf(key)));
  if (rec && expired(rec.savedAt)) { await dropTrash(key); return undefined; }
  return rec;
}

/** The trash of a PET series (deleted when older than the retention). */
export async function trashSummary(key: AutosaveKey): Promise<TrashSummary | undefined> {
  const rec = await trashRecord(key);
  return rec && { present: presentIn(rec), source: rec.source, savedAt: rec.savedAt, geometry: rec.geometry };
}

/** The structure set in the trash of a PET series, if its grid is one of `grids` (refused with the reason otherwise). */
export async function loadTrash(key: AutosaveKey, grids: Geometry[]): Promise<{ saved: SavedStructures } | { refused: string } | undefined> {
  const rec = await trashRecord(key);
  if (!rec) return undefined;
  if (!grids.some((g) => sameGrid(rec.geometry, g))) return refusal(rec.geometry, 'The previous structure set in the trash');
  return { saved: decode(rec) };
}

/** A saved structure set, or why the one found was not applied. */
export type Restored = { saved: SavedStructures; migrated: boolean } | { refused: string } | undefined;

/**
 * The structure set saved for this PET series, if its grid is one of `grids` (the PET's, the CT's). A version-1
 * record of the study (keyed by Study UID) is migrated: applied and rewritten under the new key when its grid
 * matches, left alone otherwise. Records older than the retention are deleted.
 */
export async function loadStructures(key: AutosaveKey, grids: Geometry[]): Promise<Restored> {
  const fits = (g: Geometry) => grids.some((grid) => sameGrid(g, grid));
  const rec = await inStore<StructureRecord>(STRUCTURE_SETS, 'readonly', (s) => s.get(keyOf(key)));
  if (rec && expired(rec.savedAt)) await serially(() => inStore(STRUCTURE_SETS, 'readwrite', (s) => s.delete(keyOf(key))));
  else if (rec) return fits(rec.geometry) ? { saved: decode(rec), migrated: false } : refusal(rec.geometry, 'The structure set saved in this browser');

  const legacy = await inStore<LegacyRecord>(LEGACY, 'readonly', (s) => s.get(key.studyUid));
  if (!legacy) return undefined;
  if (expired(legacy.savedAt)) {
    await serially(() => inStore(LEGACY, 'readwrite', (s) => s.delete(key.studyUid)));
    return undefined;
  }
  if (!fits(legacy.geometry)) return refusal(legacy.geometry, 'The structure set saved for this study by an earlier version');
  const saved = decode(legacy);
  const migrated = encode(key, saved.labels, saved.source, saved.meta, saved.savedAt);
  await serially(() => transact([STRUCTURE_SETS, LEGACY], 'readwrite', (t) => {
    t.objectStore(STRUCTURE_SETS).put(migrated);
    t.objectStore(LEGACY).delete(key.studyUid);
  }));
  return { saved, migrated: true };
}

/** Saves the dose state of a PET series (a record of session/doseRecord.ts). */
export async function saveDoseState(record: AutosaveKey & { savedAt: number }): Promise<void> {
  await inStore(DOSE_STATES, 'readwrite', (s) => s.put(record));
}

/** The dose state saved for this PET series as stored (checked by the caller), unless older than the retention. */
export async function loadDoseState(key: AutosaveKey): Promise<unknown> {
  const id = [key.petSeriesUid, key.frameOfReferenceUid];
  const rec = await inStore<{ savedAt?: unknown }>(DOSE_STATES, 'readonly', (s) => s.get(id));
  if (rec && typeof rec.savedAt === 'number' && expired(rec.savedAt)) {
    await inStore(DOSE_STATES, 'readwrite', (s) => s.delete(id));
    return undefined;
  }
  return rec;
}

/** The labels of each structure set saved for a study (one per PET series), to say what discarding loses. */
export async function savedOfStudy(studyUid: string): Promise<number[][]> {
  const recs = await inStore<StructureRecord[]>(STRUCTURE_SETS, 'readonly', (s) => s.index('studyUid').getAll(studyUid));
  return (recs ?? []).map(presentIn);
}

/**
 * Discards the saved work of a study: each PET series' saved set moves to its trash (replacing what was there;
 * an empty set is just deleted), its dose states and a not yet migrated version-1 record are deleted.
 */
export async function discardStructures(studyUid: string): Promise<void> {
  await serially(() => transact([STRUCTURE_SETS, DOSE_STATES, LEGACY, TRASH], 'readwrite', (t) => {
    const sets = t.objectStore(STRUCTURE_SETS), trash = t.objectStore(TRASH), doses = t.objectStore(DOSE_STATES);
    sets.index('studyUid').getAll(studyUid).onsuccess = (e) => {
      for (const rec of (e.target as IDBRequest<StructureRecord[]>).result) {
        if (presentIn(rec).length) trash.put(rec);
        sets.delete(keyOf(rec));
      }
    };
    doses.index('studyUid').getAllKeys(studyUid).onsuccess = (e) => {
      for (const k of (e.target as IDBRequest<IDBValidKey[]>).result) doses.delete(k);
    };
    t.objectStore(LEGACY).delete(studyUid);
  }));
}

/** Records per store, to say what clearing everything deletes. */
export async function localDataCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await transact(STORES.map((s) => s.name), 'readonly', (t) => {
    for (const s of STORES) t.objectStore(s.name).count().onsuccess = (e) => { counts[s.name] = (e.target as IDBRequest<number>).result; };
  });
  return counts;
}

/** Removes every study's saved work (all stores, the trash too) and the remembered settings. */
export async function clearAllLocalData(): Promise<void> {
  await serially(() => transact(STORES.map((s) => s.name), 'readwrite', (t) => { for (const s of STORES) t.objectStore(s.name).clear(); }));
  for (const k of Object.keys(localStorage)) if (k.startsWith('psma-dose-preview.')) localStorage.removeItem(k);
}
