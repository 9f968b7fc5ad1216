// The site table and *Train site model*: nine `npm run cohort -- --like-seed` patients (PET/CT at 6 mm to keep it
// fast), each opened from local files with its structures (SEG), biomarkers (the Dose panel's form) and measured
// doses (the cohort's measured_dose.csv through the Dose panel's import), added through the button; three patients are refused by the training guard; nine train
// in the browser, the model loads and predicts; the exported CSV trained by `npm run train` gives the same
// coefficients; a table of another model's inputs is refused and the table is unchanged.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, waitReady } from './helpers';
import { generateCohort, type VirtualPatient } from '../src/core/cohort/model';
import { imagingSpec, measuredDoseImportCsv } from '../src/core/cohort/tables';
import { generatePatient } from '../src/core/phantom/generate';
import { writeCtSeries, writePtSeries, studyIds, ptReference } from '../src/core/phantom/dicom';
import { writeSeg } from '../src/core/io/seg';
import { formatCsv, parseCsv, recordsToCsv } from '../src/core/csv';
import { BIOMARKERS } from '../src/core/dose/biomarkers';
import { STORES } from '../src/viewer/session/storage';
import { REPO_DIR } from '../test-support/paths';
import type { ModelCard } from '../src/core/model/card';

const ACTIVITY_GBQ = 7.4;
interface CohortPatient { p: VirtualPatient; files: string[]; seg: string; measured: string; uids: string[] }
let dir: string;
let patients: CohortPatient[];

test.beforeAll(() => {
  dir = join(process.env.E2E_DIR!, 'sitetrain');
  mkdirSync(dir, { recursive: true });
  patients = generateCohort({ patients: 9, seed: 2027, likeSeed: true, scenario: 'sourced' }).map((p) => {
    const spec = imagingSpec(p);
    const img = generatePatient({ ...spec, imaging: { ...spec.imaging, ctSpacing: [6, 6, 6], petSpacing: [6, 6, 6] } });
    const ids = studyIds(img);
    const pdir = join(dir, p.id);
    mkdirSync(pdir, { recursive: true });
    const files = [...writeCtSeries(img, ids).files, ...writePtSeries(img, ids).files].map((f) => {
      const path = join(pdir, f.name);
      writeFileSync(path, new Uint8Array(f.data));
      return path;
    });
    const seg = join(dir, `${p.id}-seg.dcm`);
    writeFileSync(seg, new Uint8Array(writeSeg(img.labels, ptReference(img, ids), { seriesDescription: 'Truth structures (synthetic)' })));
    // The site's dosimetry export as the cohort writes it (measured_dose.csv): mean dose after 7.4 GBq, aggregates too.
    const measured = measuredDoseImportCsv(p, ACTIVITY_GBQ);
    return { p, files, seg, measured, uids: [ids.studyUid, ids.ptSeriesUid, ids.ctSeriesUid, ids.frameOfReferenceUid] };
  });
});

const sitePanel = (page: Page) => page.getByRole('region', { name: 'Site table' });

async function openPatient(page: Page, c: CohortPatient) {
  await page.getByLabel('Open DICOM files').setInputFiles(c.files);
  await expect(page.getByLabel('Patient')).toContainText(c.p.id, { timeout: 60_000 });
  await waitReady(page);
  await page.getByLabel('Import structures').setInputFiles(c.seg);
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  // The biomarkers the Dose panel's form asks for, from the cohort's patients.csv values.
  for (const b of BIOMARKERS) {
    const field = page.getByLabel(b.label, { exact: true });
    if (await field.count()) await field.fill(String(c.p.biomarkers[b.name]));
  }
  // The measured doses through the Dose panel's import.
  await page.getByLabel('Import measured dose').setInputFiles({ name: 'measured_dose.csv', mimeType: 'text/csv', buffer: Buffer.from(c.measured) });
  await expect(page.getByRole('status', { name: 'Measured dose status' })).toContainText('Imported');
}

async function addPatient(page: Page, c: CohortPatient, n: number) {
  await openPatient(page, c);
  await sitePanel(page).getByRole('button', { name: 'Add study to site table' }).click();
  await expect(sitePanel(page).getByRole('status', { name: 'Site table result' })).toContainText(`The table has ${n} patients`, { timeout: 90_000 });
}

/**
 * The browser's card against npm run train's: the same choices and inputs, coefficients to 1e-6 (Chromium's and
 * Node's V8 may round a Math function differently; in Node the pool and train() agree to the bit, a unit test).
 */
function expectSameModel(card: ModelCard, node: ModelCard) {
  expect(card.types).toEqual(node.types);
  expect(card.inputs).toEqual(node.inputs);
  expect(card.variant).toBe(node.variant);
  for (const t of node.perType) {
    const b = card.perType.find((x) => x.type === t.type)!;
    expect(b.features).toEqual(t.features);
    expect(b.fixedEffects.length).toBe(t.fixedEffects.length);
    b.fixedEffects.forEach((v, i) => expect(Math.abs(v - t.fixedEffects[i])).toBeLessThan(1e-6));
    expect(Math.abs(b.groupVariance - t.groupVariance)).toBeLessThan(1e-6);
    expect(Math.abs(b.residualVariance - t.residualVariance)).toBeLessThan(1e-6);
  }
  for (const [t, m] of Object.entries(node.cv)) expect(Math.abs((card.cv[t]?.model.male ?? NaN) - (m.model.male ?? NaN))).toBeLessThan(1e-6);
}

async function download(page: Page, click: () => Promise<void>, count = 1): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  const all = new Promise<void>((resolve) => {
    page.on('download', async function on(d) {
      names[d.suggestedFilename()] = readFileSync(await d.path(), 'utf8');
      if (Object.keys(names).length === count) { page.off('download', on); resolve(); }
    });
  });
  await click();
  await all;
  return names;
}

test('nine cohort patients in the site table train a site model in the browser that loads and predicts, as npm run train does', async ({ page }) => {
  test.setTimeout(20 * 60_000);
  await page.goto(base());
  await waitReady(page);
  // Work saved by schema version 3 (a dose state) is kept by the upgrade that adds the site table's stores.
  const kept = await page.evaluate(async (stores) => {
    await new Promise((resolve, reject) => { const r = indexedDB.deleteDatabase('psma-dose-preview'); r.onsuccess = resolve; r.onerror = reject; });
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('psma-dose-preview', 3);
      r.onupgradeneeded = () => { for (const s of stores) { const o = r.result.createObjectStore(s.name, { keyPath: s.keyPath }); for (const [n, p] of Object.entries(s.indexes ?? {})) o.createIndex(n, p); } };
      r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
    });
    await new Promise((resolve) => { const t = db.transaction('doseStates', 'readwrite'); t.objectStore('doseStates').put({ petSeriesUid: 'x', frameOfReferenceUid: 'y', studyUid: 'z', savedAt: Date.now(), activity: 5 }); t.oncomplete = resolve; });
    db.close();
    return 'x';
  }, STORES.filter((s) => s.since <= 3));
  expect(kept).toBe('x');
  await page.reload();
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(sitePanel(page).getByLabel('Site table size')).toHaveText('0 patient(s), 0 row(s)');
  expect(await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => { const r = indexedDB.open('psma-dose-preview'); r.onsuccess = () => resolve(r.result); });
    const rec = await new Promise<unknown>((resolve) => { const q = db.transaction('doseStates').objectStore('doseStates').get(['x', 'y']); q.onsuccess = () => resolve(q.result); });
    const out = { version: db.version, stores: [...db.objectStoreNames].sort(), activity: (rec as { activity?: number } | undefined)?.activity };
    db.close();
    return out;
  })).toEqual({ version: 4, stores: ['doseStates', 'siteMeta', 'siteRows', 'structureSets', 'structures', 'trash'], activity: 5 });

  // Three patients: the training guard refuses, naming the types and the minimum.
  const added = Date.now();
  for (let n = 0; n < 3; n++) await addPatient(page, patients[n], n + 1);
  // An aggregate of the dosimetry file (both kidneys as one VOI) is not a structure's dose: listed with its reason.
  await expect(sitePanel(page).getByRole('table', { name: 'Structures left out' }).getByRole('row', { name: /^Kidneys aggregate one measured dose for Kidney L \+ Kidney R: the table needs one per structure$/ })).toBeVisible();
  // The same study again is refused (the salted hash of its PET series is in the table).
  await sitePanel(page).getByRole('button', { name: 'Add study to site table' }).click();
  await expect(sitePanel(page).getByRole('alert', { name: 'Site table problem' })).toContainText('This study is already in the site table as patient S');
  await sitePanel(page).getByRole('button', { name: 'Train site model' }).click();
  await expect(sitePanel(page).getByRole('alert', { name: 'Training refused' })).toContainText(/too few patients to train: .*kidney has 3.*\(at least 5 per structure type/, { timeout: 60_000 });

  for (let n = 3; n < 9; n++) await addPatient(page, patients[n], n + 1);
  const size = await sitePanel(page).getByLabel('Site table size').textContent();
  console.log(`sitetrain: 9 patients opened and added through the UI in ${((Date.now() - added) / 1000).toFixed(0)} s`);
  expect(size).toMatch(/^9 patient\(s\), \d+ row\(s\)$/);

  // Exported: the CSV npm run train reads, de-identified (no patient ID, name or UID of the studies).
  const { 'site-table.csv': csv } = await download(page, () => sitePanel(page).getByRole('button', { name: 'Export CSV' }).click());
  for (const c of patients) for (const id of [c.p.id, `Synthetic^${c.p.id}`, ...c.uids]) expect(csv).not.toContain(id);
  const csvPath = join(dir, 'site-table.csv');
  writeFileSync(csvPath, csv);

  // A training cancelled while it runs writes nothing (its worker is terminated).
  await sitePanel(page).getByRole('button', { name: 'Train site model' }).click();
  await expect(sitePanel(page).getByRole('status', { name: 'Site table progress' })).toBeVisible();
  await sitePanel(page).getByRole('button', { name: 'Cancel training' }).click();
  await expect(sitePanel(page).getByRole('status', { name: 'Site table result' })).toHaveText('Training cancelled; no model was written.');
  await expect(sitePanel(page).getByRole('table', { name: 'Site model cross-validation' })).toHaveCount(0);

  // Nine patients: either a model, or the guard against a model worse than the population mean for some type (then
  // written anyway, as `--force` does, and the card records it).
  const t0 = Date.now();
  await sitePanel(page).getByRole('button', { name: 'Train site model' }).click();
  const cv = sitePanel(page).getByRole('table', { name: 'Site model cross-validation' });
  const refused = sitePanel(page).getByRole('alert', { name: 'Training refused' });
  await expect(cv.or(refused)).toBeVisible({ timeout: 8 * 60_000 });
  console.log(`sitetrain: ${size} trained in ${((Date.now() - t0) / 1000).toFixed(0)} s in the browser`);
  let forced = false;
  if (await refused.count()) {
    await expect(refused).toContainText(/^Training refused: the model is worse than the population mean in cross-validation for [a-z, ]+ \(MALE [\d., vs]+\); nothing written\. More patients are needed, or "Write it anyway" writes it/);
    await sitePanel(page).getByLabel('write it anyway when worse than the population mean').check();
    await sitePanel(page).getByRole('button', { name: 'Train site model' }).click();
    await expect(cv).toBeVisible({ timeout: 8 * 60_000 });
    forced = true;
  }
  await expect(sitePanel(page).getByRole('alert', { name: 'Trained model not for clinical use' })).toContainText('NOT FOR CLINICAL USE');
  for (const t of ['kidney', 'parotid', 'submandibular', 'tumour']) await expect(cv.getByRole('row', { name: new RegExp(`^${t}\\b`) })).toBeVisible();
  const files = await download(page, () => sitePanel(page).getByRole('button', { name: 'Download model (.onnx + card .json)' }).click(), 2);
  const card = JSON.parse(files['model-card.json']) as ModelCard;
  expect(card.notForClinicalUse).toBe(true);
  expect(card.trainingData.patients).toBe(9);
  expect(!!card.trainingData.worseThanPopulationMean?.length).toBe(forced);

  // The same table through the Node CLI: the same inputs and coefficients.
  const out = join(dir, 'node-model');
  execFileSync('npx', ['tsx', 'src/cli/train.ts', '--data', csvPath, '--target', 'measured_dose_gy_per_gbq', '--group', 'patient_id', '--type-col', 'type', '--name', 'site-table', ...(forced ? ['--force'] : []), '--out', out], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  const node = JSON.parse(readFileSync(join(out, 'model-card.json'), 'utf8')) as ModelCard;
  expectSameModel(card, node);

  // Loaded like any site model, it predicts the open patient.
  await sitePanel(page).getByRole('button', { name: 'Load this model' }).click();
  await expect.poll(() => page.evaluate(() => document.querySelector('.dose details summary')?.textContent ?? '')).toContain(card.id);
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect(page.getByRole('table', { name: 'Predicted doses' }).getByRole('row', { name: /^Kidney L\b/ })).toBeVisible({ timeout: 90_000 });

  // A table of another model's inputs is refused naming the columns; the table is unchanged.
  const other = formatCsv([['patient_id', 'structure_id', 'type', 'suv_mean', 'volume_ml', 'mass_g', 'measured_dose_gy_per_gbq'],
    ...patients[0].p.structures.map((s) => ['P900', `P900-${s.name}`, s.type, s.petSuvObserved, s.volumeMl, s.massG, s.measuredDoseGyPerGBq])]);
  await sitePanel(page).getByLabel('Import site table').setInputFiles({ name: 'other-model.csv', mimeType: 'text/csv', buffer: Buffer.from(other) });
  await expect(sitePanel(page).getByRole('alert', { name: 'Site table problem' })).toContainText(/other-model\.csv is not a site table of this viewer's features: missing column\(s\) name, site, tracer, suv_max, .*; column\(s\) mass_g that the site table does not have/);
  await expect(sitePanel(page).getByLabel('Site table size')).toHaveText(size!);
  // The exported table imported again merges (every row is already there): unchanged, and it survives a reload.
  await sitePanel(page).getByLabel('Import site table').setInputFiles(csvPath);
  await expect(sitePanel(page).getByRole('status', { name: 'Site table result' })).toContainText(/site-table\.csv: 0 row\(s\) added, \d+ already in the table/);
  await page.reload();
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(sitePanel(page).getByLabel('Site table size')).toHaveText(size!);
  const again = await download(page, () => sitePanel(page).getByRole('button', { name: 'Export CSV' }).click());
  expect(again['site-table.csv']).toBe(csv);

  // 27 patients (the nine and two copies under other site keys with other doses): from 20 patients the outer
  // cross-validation folds run in folds workers started by the training worker; the card is npm run train's.
  const nine = parseCsv(csv, 'site-table.csv');
  const columns = Object.keys(nine[0]);
  const copies = [1, 2].flatMap((k) => nine.map((r) => {
    const key = `S${(0xe0000000 + 16 * Number.parseInt(r.patient_id.slice(1), 16) % 0x1000000 + k).toString(16)}`;
    return { ...r, patient_id: key, structure_id: r.structure_id.replace(r.patient_id, key), measured_dose_gy_per_gbq: String(Number(r.measured_dose_gy_per_gbq) * (1 + 0.08 * k * (k === 1 ? 1 : -1))) };
  }));
  await sitePanel(page).getByLabel('Import site table').setInputFiles({ name: 'copies.csv', mimeType: 'text/csv', buffer: Buffer.from(recordsToCsv(columns, copies)) });
  await expect(sitePanel(page).getByRole('status', { name: 'Site table result' })).toContainText('The table has 27 patients');
  const big = (await download(page, () => sitePanel(page).getByRole('button', { name: 'Export CSV' }).click()))['site-table.csv'];
  writeFileSync(join(dir, 'site-table-27.csv'), big);
  await sitePanel(page).getByLabel('write it anyway when worse than the population mean').check();
  await sitePanel(page).getByRole('button', { name: 'Train site model' }).click();
  await expect(sitePanel(page).getByLabel('Trained model', { exact: true })).toContainText(/27 patients.* s \(cross-validation folds in [1-9]\d* workers\)/, { timeout: 4 * 60_000 });
  const pooled = JSON.parse((await download(page, () => sitePanel(page).getByRole('button', { name: 'Download model (.onnx + card .json)' }).click(), 2))['model-card.json']) as ModelCard;
  execFileSync('npx', ['tsx', 'src/cli/train.ts', '--data', join(dir, 'site-table-27.csv'), '--target', 'measured_dose_gy_per_gbq', '--group', 'patient_id', '--type-col', 'type', '--name', 'site-table', '--force', '--out', join(dir, 'node-27')], { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  const node27 = JSON.parse(readFileSync(join(dir, 'node-27', 'model-card.json'), 'utf8')) as ModelCard;
  expect(pooled.trainingData.patients).toBe(27);
  expectSameModel(pooled, node27);
});
