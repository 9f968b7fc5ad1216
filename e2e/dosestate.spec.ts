import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, waitReady, openLocal, stroke, type Lps } from './helpers';
import type { PatientTruth } from '../src/core/phantom/generate';

const BIOMARKERS: [string, string][] = [['eGFR', '72'], ['Haemoglobin', '12.5'], ['Height', '176'], ['Weight', '82'], ['Age', '71']];
const localTruth = (): PatientTruth => JSON.parse(readFileSync(join(process.env.E2E_DIR!, 'local-truth.json'), 'utf8'));
const modelFile = (name: string) => join(process.cwd(), 'models', 'default', name);

const doseButton = (page: Page) => page.getByRole('button', { name: 'Dose', exact: true });
const table = (page: Page) => page.getByRole('table', { name: 'Predicted doses' });
const stale = (page: Page) => page.getByRole('status', { name: 'Stale results' });

/** Fills the biomarkers the loaded model asks for; returns the ones it filled. */
async function fillBiomarkers(page: Page): Promise<[string, string][]> {
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled(); // the model (and its inputs) loaded
  const filled: [string, string][] = [];
  for (const [label, value] of BIOMARKERS) {
    const field = page.getByLabel(label, { exact: true });
    if (await field.count()) { await field.fill(value); filled.push([label, value]); }
  }
  expect(filled.length).toBeGreaterThan(0);
  return filled;
}

async function expectBiomarkers(page: Page, values: [string, string][]) {
  for (const [label, value] of values) await expect(page.getByLabel(label, { exact: true })).toHaveValue(value);
}

async function compute(page: Page) {
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect(table(page).getByRole('row', { name: /Kidney L/ })).toBeVisible({ timeout: 90_000 });
}

/** The dose record stored in this browser for a PET series of the study, as the page reads it. */
const storedDose = (page: Page) => page.evaluate(() => new Promise<{ activity: number; cycles: number; biomarkers: Record<string, string>; results?: unknown }[]>((resolve, reject) => {
  const req = indexedDB.open('psma-dose-preview');
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains('doseStates')) { db.close(); resolve([]); return; }
    const all = db.transaction('doseStates', 'readonly').objectStore('doseStates').getAll();
    all.onsuccess = () => { db.close(); resolve(all.result); };
    all.onerror = () => reject(all.error);
  };
}));


const marks = (page: Page, name: string) => page.evaluate((n) => performance.getEntriesByName(n).length, name);

const voxels = (page: Page, label: number) => page.evaluate((l) => window.__psma!.viewer.structures?.labels.data.reduce((n, v) => n + (v === l ? 1 : 0), 0) ?? 0, label);

/** An eraser stroke in the axial view through an LPS point. */
async function eraseAt(page: Page, at: Lps, dx = 12) {
  await page.getByRole('button', { name: 'Eraser', exact: true }).click();
  await stroke(page, at, dx);
}

test('the dose state outlives the panel and a reload of the demo patient; another study has its own', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await doseButton(page).click();
  const biomarkers = await fillBiomarkers(page);
  await compute(page);
  const computedSummary = await page.getByLabel('Plan summary').textContent();
  await page.getByLabel('Activity per cycle').fill('5');
  await page.getByLabel('Cycles').fill('4');
  await page.getByLabel('Kidneys (mean of both) limit').fill('20');
  const summary = page.getByLabel('Plan summary');
  await expect(summary).not.toHaveText(computedSummary!);
  const tableText = await table(page).textContent();
  const summaryText = await summary.textContent();

  // Closed and opened again: everything is still there.
  await doseButton(page).click();
  await expect(table(page)).toBeHidden();
  await doseButton(page).click();
  await expectBiomarkers(page, biomarkers);
  await expect(table(page)).toHaveText(tableText!);

  // Saved in this browser (the demo's untouched structures are not, its dose state is).
  await expect.poll(async () => (await storedDose(page)).map((r) => [r.activity, r.cycles, !!r.results])).toEqual([[5, 4, true]]);
  await page.reload();
  await waitReady(page);
  await expect(page.getByRole('status').filter({ hasText: 'Dose inputs and results restored' })).toBeVisible();
  await doseButton(page).click();
  await expectBiomarkers(page, biomarkers);
  await expect(page.getByLabel('Activity per cycle')).toHaveValue('5');
  await expect(page.getByLabel('Cycles')).toHaveValue('4');
  await expect(page.getByLabel('Kidneys (mean of both) limit')).toHaveValue('20');
  await expect(table(page)).toHaveText(tableText!);
  await expect(summary).toHaveText(summaryText!);
  await expect(stale(page)).toHaveCount(0);

  // Another study starts from its own header, without results; the demo comes back with its state.
  await openLocal(page);
  await expect(page.getByLabel('eGFR', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('Activity per cycle')).toHaveValue('7.4');
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  await expect(table(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Demo patient' }).click();
  await expect(page.getByLabel('Patient')).toContainText('DEMO');
  await waitReady(page);
  await expectBiomarkers(page, biomarkers);
  await expect(table(page)).toHaveText(tableText!);
});

test('results computed from another structure set are not shown after a reload: a stale notice instead', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'local-structures-seg.dcm'));
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await doseButton(page).click();
  const biomarkers = await fillBiomarkers(page);
  await compute(page);
  await expect(stale(page)).toHaveCount(0);

  // An eraser stroke through the left kidney: the results no longer fit, at once and after a reload.
  const before = await voxels(page, 1), structureSaves = await marks(page, 'structures-saved');
  await eraseAt(page, localTruth().structures.find((s) => s.name === 'Kidney L')!.maxVoxelLps);
  await expect.poll(() => voxels(page, 1)).toBeLessThan(before);
  await expect(stale(page)).toContainText('from another structure set: compute again');
  await expect(table(page)).toHaveCount(0);
  const erased = await voxels(page, 1);
  await expect.poll(() => marks(page, 'structures-saved')).toBeGreaterThan(structureSaves);
  await expect.poll(async () => (await storedDose(page)).map((r) => !!r.results)).toEqual([true]);
  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toBeVisible();
  expect(await voxels(page, 1)).toBe(erased);
  await doseButton(page).click();
  await expect(stale(page)).toContainText(/^Results of .+ were computed from another structure set: compute again\.$/);
  await expect(table(page)).toHaveCount(0);
  await expectBiomarkers(page, biomarkers);

  // Computed again: the table is back and the notice gone.
  const doseSaves = await marks(page, 'dose-saved');
  await compute(page);
  await expect(stale(page)).toHaveCount(0);
  await expect.poll(() => marks(page, 'dose-saved')).toBeGreaterThan(doseSaves);

  // "Discard local edits" drops the dose state too.
  await page.getByRole('button', { name: 'Discard local edits' }).click();
  await page.getByRole('dialog', { name: 'Discard the local edits of this study?' }).getByRole('button', { name: 'Discard local edits' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'its saved dose inputs were deleted' })).toBeVisible();
  await expect.poll(async () => (await storedDose(page)).length).toBe(0);
  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await doseButton(page).click();
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  await expect(page.getByLabel('eGFR', { exact: true })).toHaveValue('');
  await expect(table(page)).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Dose inputs' })).toHaveCount(0);
});

test('"Loading the dose model…" is shown and Compute waits until the model is ready', async ({ page }) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let modelLoads = 0;
  await page.route('**/models/default/model.onnx', async (route) => { modelLoads++; await gate; await route.continue(); });
  await page.goto(base());
  await waitReady(page);
  await doseButton(page).click();
  await expect(page.getByRole('status', { name: 'Model status' })).toHaveText('Loading the dose model…');
  await expect(page.getByRole('button', { name: 'Loading the dose model…' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Compute doses' })).toHaveCount(0);
  release();
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  await expect(page.getByRole('status', { name: 'Model status' })).toHaveCount(0);
  await expect(page.getByText('Load a model first')).toHaveCount(0);
  // Closing and opening the panel does not load the model again.
  await doseButton(page).click();
  await doseButton(page).click();
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  expect(modelLoads).toBe(1);
});

test('a default model that cannot be loaded says why and how to load a site model; loading one makes Compute ready', async ({ page }) => {
  await page.route('**/models/default/model.onnx', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await page.goto(base());
  await waitReady(page);
  await doseButton(page).click();
  const failure = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
  await expect(failure).toContainText('HTTP 404');
  await expect(failure).toContainText('Load site model');
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeDisabled();
  await page.getByLabel('Load site model').setInputFiles([modelFile('model.onnx'), modelFile('model-card.json')]);
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  await expect(failure).toHaveCount(0);
  await expect(page.getByRole('status', { name: 'Model status' })).toHaveCount(0);
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toBeVisible();
});
