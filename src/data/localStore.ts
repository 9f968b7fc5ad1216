// Work kept on this device: the structure set of each study in IndexedDB (compressed label map, keyed by
// Study Instance UID), with a retention setting and "clear all local data". Nothing leaves the browser.
import { gzipSync, gunzipSync } from 'fflate';
import type { Volume } from '../core/volume';
import { emptyMeta, type StructureMeta } from '../core/contours/structureSet';

const DB = 'psma-dose-preview';
const STORE = 'structures';
const RETENTION_KEY = 'psma-dose-preview.retentionDays';

export interface SavedStructures { studyUid: string; source: string; savedAt: number; labels: Volume<Uint8Array>; meta: StructureMeta }

function db(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'studyUid' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`local storage is not available (${req.error?.message ?? 'IndexedDB refused'})`));
  });
}

function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return db().then((d) => new Promise<T>((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const r = fn(t.objectStore(STORE));
    t.oncomplete = () => { resolve(r.result); d.close(); };
    t.onerror = () => { reject(t.error); d.close(); };
  }));
}

/** Days local work is kept (0 = until the user clears it). */
export function retentionDays(): number {
  return Number(localStorage.getItem(RETENTION_KEY) ?? '0') || 0;
}
export function setRetentionDays(days: number): void {
  localStorage.setItem(RETENTION_KEY, String(Math.max(0, Math.floor(days))));
}

export async function saveStructures(studyUid: string, labels: Volume, source: string, meta: StructureMeta = emptyMeta()): Promise<void> {
  const u8 = labels.data instanceof Uint8Array ? labels.data : Uint8Array.from(labels.data);
  await tx('readwrite', (s) => s.put({
    studyUid, source, savedAt: Date.now(), meta,
    geometry: { dims: labels.dims, spacing: labels.spacing, origin: labels.origin, direction: labels.direction },
    data: gzipSync(u8, { level: 1 }),
  }));
}

export async function loadStructures(studyUid: string): Promise<SavedStructures | undefined> {
  const rec = (await tx('readonly', (s) => s.get(studyUid))) as
    | { studyUid: string; source: string; savedAt: number; geometry: Omit<Volume, 'data'>; data: Uint8Array; meta?: StructureMeta } | undefined;
  if (!rec) return undefined;
  const days = retentionDays();
  if (days > 0 && Date.now() - rec.savedAt > days * 86400000) {
    await discardStructures(studyUid);
    return undefined;
  }
  return { studyUid, source: rec.source, savedAt: rec.savedAt, meta: { ...emptyMeta(), ...rec.meta }, labels: { ...rec.geometry, data: gunzipSync(rec.data) } as Volume<Uint8Array> };
}

export async function discardStructures(studyUid: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(studyUid));
}

/** Removes every study's saved work and the remembered settings. */
export async function clearAllLocalData(): Promise<void> {
  await tx('readwrite', (s) => s.clear());
  for (const k of Object.keys(localStorage)) if (k.startsWith('psma-dose-preview.')) localStorage.removeItem(k);
}
