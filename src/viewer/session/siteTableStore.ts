// The site table in the app's IndexedDB (stores `siteRows` and `siteMeta` of storage.ts, schema version 4).
// `siteMeta` holds the table's columns, a random salt made once, and per study added the salted SHA-256 of its PET
// series and frame of reference with the site key it got: a one-way mapping, only to refuse adding a study twice.
// Every change is one transaction: a refused write (a key already there) changes nothing.
import { transact } from './storage';
import type { SiteRow } from './siteTableRows';

const ROWS = 'siteRows';
const META = 'siteMeta';

/** A study added to the table: its salted hash, site key, when, and whether it is a synthetic phantom. */
export interface SiteStudy { id: string; patientId: string; addedAt: number; synthetic: boolean }

export interface StoredSiteTable { columns?: string[]; rows: SiteRow[]; studies: SiteStudy[] }

type MetaRecord = { id: 'columns'; columns: string[] } | { id: 'salt'; salt: string } | SiteStudy;

export async function loadSiteTable(): Promise<StoredSiteTable> {
  const out: StoredSiteTable = { rows: [], studies: [] };
  await transact([ROWS, META], 'readonly', (t) => {
    t.objectStore(ROWS).getAll().onsuccess = (e) => { out.rows = (e.target as IDBRequest<SiteRow[]>).result; };
    t.objectStore(META).getAll().onsuccess = (e) => {
      for (const m of (e.target as IDBRequest<MetaRecord[]>).result) {
        if (m.id === 'columns') out.columns = (m as { columns: string[] }).columns;
        else if (m.id.startsWith('study:')) out.studies.push(m as SiteStudy);
      }
    };
  });
  out.studies.sort((a, b) => a.addedAt - b.addedAt);
  return out;
}

/** The salt of the study hashes (made on first use, kept in this browser only). */
async function salt(): Promise<string> {
  const rec = await transact<MetaRecord | undefined>([META], 'readonly', (t) => t.objectStore(META).get('salt'));
  if (rec && 'salt' in rec) return rec.salt;
  const fresh = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  await transact([META], 'readwrite', (t) => void t.objectStore(META).add({ id: 'salt', salt: fresh })).catch(() => undefined); // another tab made one first
  const now = await transact<MetaRecord | undefined>([META], 'readonly', (t) => t.objectStore(META).get('salt'));
  return (now as { salt: string }).salt;
}

/** The one-way id of a study: SHA-256 of the salt, the PET Series Instance UID and the Frame of Reference UID. */
export async function studyHash(petSeriesUid: string, frameOfReferenceUid: string): Promise<string> {
  const bytes = new TextEncoder().encode(`${await salt()}|${petSeriesUid}|${frameOfReferenceUid}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `study:${[...digest].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A random site key for a new patient ("S" and 8 hex digits), not derived from anything of the study. */
export function newSiteKey(taken: Set<string>): string {
  for (;;) {
    const key = `S${[...crypto.getRandomValues(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    if (!taken.has(key)) return key;
  }
}

/**
 * Adds rows (and the study record, for a study) in one transaction. The columns are stored when the table has
 * none yet. A key already there aborts it all (IndexedDB `add`), so nothing is half written.
 */
export async function addSiteRows(columns: string[], rows: SiteRow[], study?: SiteStudy): Promise<void> {
  await transact([ROWS, META], 'readwrite', (t) => {
    const meta = t.objectStore(META), store = t.objectStore(ROWS);
    meta.get('columns').onsuccess = (e) => {
      // The caller checked the columns against the table it read; a table emptied meanwhile takes these.
      if (!(e.target as IDBRequest<unknown>).result) meta.put({ id: 'columns', columns });
      if (study) meta.add(study);
      for (const r of rows) store.add(r);
    };
  });
}

/** Removes a patient's rows and study records; an empty table forgets its columns (the salt stays). */
export async function removeSitePatient(patientId: string): Promise<void> {
  await transact([ROWS, META], 'readwrite', (t) => {
    const rows = t.objectStore(ROWS), meta = t.objectStore(META);
    rows.index('patient_id').getAllKeys(patientId).onsuccess = (e) => {
      for (const k of (e.target as IDBRequest<IDBValidKey[]>).result) rows.delete(k);
      rows.count().onsuccess = (c) => { if ((c.target as IDBRequest<number>).result === 0) meta.delete('columns'); };
    };
    meta.getAll().onsuccess = (e) => {
      for (const m of (e.target as IDBRequest<MetaRecord[]>).result) if ('patientId' in m && m.patientId === patientId) meta.delete(m.id);
    };
  });
}
