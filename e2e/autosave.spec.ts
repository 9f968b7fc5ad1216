import { test, expect, type Page } from '@playwright/test';
import { gzipSync } from 'fflate';
import { base, waitReady } from './helpers';
import { defaultPatientSpec, generatePatient } from '../src/core/phantom/generate';
import { studyIds } from '../src/core/phantom/dicom';
import { geometryOf, type Geometry } from '../src/core/volume';

// The PACS study is the demo patient (seed 1, see global-setup.ts): its truth label map is on the PET grid.
const patient = generatePatient(defaultPatientSpec(1));
const ids = studyIds(patient);
const V1_SOURCE = 'saved by version 1';

/** Writes a version-1 database (store `structures`, keyPath `studyUid`) holding one record, as version 1 did. */
async function writeV1Record(page: Page, geometry: Geometry, labels: Uint8Array) {
  const record = { studyUid: ids.studyUid, source: V1_SOURCE, savedAt: Date.now(), meta: { tumours: {}, hidden: [], locked: [], singleKidney: false }, geometry, data: [...gzipSync(labels, { level: 1 })] };
  await page.evaluate((rec) => new Promise<void>((resolve, reject) => {
    const req = indexedDB.open('psma-dose-preview', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('structures', { keyPath: 'studyUid' });
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const t = req.result.transaction('structures', 'readwrite');
      t.objectStore('structures').put({ ...rec, data: Uint8Array.from(rec.data) });
      t.oncomplete = () => { req.result.close(); resolve(); };
      t.onerror = () => reject(t.error);
    };
  }), record);
}

/** What the database holds now: its version, the keys of the new store, and whether the v1 record is left. */
const stored = (page: Page) => page.evaluate((studyUid) => new Promise<{ version: number; keys: unknown[]; legacy: boolean }>((resolve, reject) => {
  const req = indexedDB.open('psma-dose-preview');
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const db = req.result;
    const t = db.transaction(['structureSets', 'structures'], 'readonly');
    const keys = t.objectStore('structureSets').getAllKeys();
    const legacy = t.objectStore('structures').get(studyUid);
    t.oncomplete = () => { db.close(); resolve({ version: db.version, keys: keys.result, legacy: !!legacy.result }); };
  };
}), ids.studyUid);

async function openPacsStudy(page: Page) {
  await page.getByLabel('Patient name or ID').fill('DEMO0001');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('row', { name: /DEMO0001/ }).getByRole('button', { name: /Open study/ }).click();
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText('DEMO0001');
}

const labelCount = (page: Page) => page.evaluate(() => window.__psma!.viewer.structures?.labels.data.reduce((n, v) => n + (v ? 1 : 0), 0));

test('a version-1 autosave of the study migrates to the PET series + frame of reference key and is restored', async ({ page }) => {
  await page.goto(`${base()}/?source=pacs`);
  await writeV1Record(page, geometryOf(patient.labels), patient.labels.data);
  await openPacsStudy(page);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toContainText('moved to the current storage format');
  await expect(page.getByRole('heading', { name: /^Structures ·/ })).toContainText(V1_SOURCE);
  const truthVoxels = patient.labels.data.reduce((n, v) => n + (v ? 1 : 0), 0);
  expect(await labelCount(page)).toBe(truthVoxels);
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
  expect(await stored(page)).toEqual({ version: 3, keys: [[ids.ptSeriesUid, ids.frameOfReferenceUid]], legacy: false });

  // Opened again: restored from the new key.
  await page.reload();
  await openPacsStudy(page);
  const restored = page.getByRole('status').filter({ hasText: 'Structures restored' });
  await expect(restored).toBeVisible();
  await expect(restored).not.toContainText('moved');
  expect(await labelCount(page)).toBe(truthVoxels);
});

test('a saved structure set on another grid is not applied, with a notice', async ({ page }) => {
  await page.goto(`${base()}/?source=pacs`);
  const other: Geometry = { dims: [8, 8, 8], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  await writeV1Record(page, other, new Uint8Array(512).fill(1));
  await openPacsStudy(page);
  await expect(page.getByRole('status').filter({ hasText: 'was not applied' })).toContainText('another grid');
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toHaveCount(0);
  expect(await labelCount(page)).toBeUndefined();
  expect(await stored(page)).toEqual({ version: 3, keys: [], legacy: true });
});
