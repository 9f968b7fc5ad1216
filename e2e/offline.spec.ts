// Installable and offline: after one visit the service worker serves the app, its wasm and the shipped model;
// PACS responses are never cached. The other specs run with service workers blocked (playwright.config.ts).
import { test, expect } from '@playwright/test';
import { base, waitReady, expectNotBlank, openLocal, drawKidneys, autosaved } from './helpers';

test.use({ serviceWorkers: 'allow' });

test('offline reload: the app opens, the demo works, saved structure sets are listed, a PACS search says the PACS is unreachable', async ({ page, context }) => {
  await page.goto(base());
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
  // The second visit is served by the worker (and keeps the deployment's PACS list).
  await page.goto(`${base()}/?source=pacs`);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row', { name: /DEMO0001/ })).toBeVisible();
  await page.getByRole('button', { name: 'PACS', exact: true }).click(); // closes the study browser
  // A structure set saved in this browser (the local study's kidneys).
  await openLocal(page);
  await drawKidneys(page);
  await autosaved(page);
  // Nothing of the PACS (or any patient data) is in the caches; the app shell, the wasm and the model are.
  const cached = await page.evaluate(async () => (await Promise.all((await caches.keys()).map(async (k) => (await (await caches.open(k)).keys()).map((r) => r.url)))).flat());
  expect(cached.filter((u) => u.includes('/pacs/') || u.includes('dicom-web'))).toEqual([]);
  expect(cached.some((u) => /ort-wasm.*\.wasm/.test(u))).toBe(true);
  expect(cached.some((u) => u.includes('/models/default/model.onnx'))).toBe(true); // precache URLs carry a revision query

  await context.setOffline(true);
  await page.goto(base());
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText('DEMO0001');
  await expectNotBlank(page);
  // The dose model loads offline too.
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toBeVisible();
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  // The saved set is listed (counted by "Clear all local data") and restored with its study.
  await page.getByRole('button', { name: 'Clear all local data' }).click();
  await expect(page.getByRole('dialog')).toContainText('1 saved structure set');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await openLocal(page);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored from this browser' })).toBeVisible();
  // The PACS: unreachable, said so.
  await page.getByRole('button', { name: 'PACS', exact: true }).click();
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'unreachable' })).toBeVisible();
});
