import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, truth, waitReady, expectNotBlank, suvReadoutAt, canvasCoverage } from './helpers';
import { startOrthanc } from './orthanc';

test('finds the study on the PACS, loads it fused, SUV readout matches the stored lesion voxel', async ({ page }) => {
  await page.goto(`${base()}/?source=pacs`);
  await page.getByLabel('Patient name or ID').fill('DEMO0001');
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row', { name: /DEMO0001/ });
  await expect(row).toBeVisible();
  await expect(row).toContainText('PT');
  await row.getByRole('button', { name: /^Series of/ }).click();
  const list = page.getByRole('list', { name: 'Series list' });
  await expect(list).toContainText('PT · PET 18F-DCFPyL AC');
  await expect(list).toContainText('CT ·');
  await row.getByRole('button', { name: /Open study/ }).click();
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText('DEMO0001');
  await expectNotBlank(page);
  // Streamed: the first fused render was done with at most a quarter of the larger series' frames in (counted).
  const c = await page.evaluate(() => window.__psma!.loading!);
  const larger = Object.entries(c.totals!).sort((a, b) => b[1] - a[1])[0];
  expect(Object.keys(c.totals!)).toHaveLength(2);
  expect(c.atFirstRenderDone, 'the study was shown before all frames were in').toBeDefined();
  expect(c.atFirstRenderDone![larger[0]] / larger[1]).toBeLessThanOrEqual(0.25);
  expect(c.atFirstRender![larger[0]]).toBeGreaterThan(0);
  // Debian's Orthanc offers lossless JPEG-LS for frames: that is what came (decoded in the worker; the SUV check below is exact).
  expect(c.transferSyntaxes).toEqual(['1.2.840.10008.1.2.4.80']);

  const t1 = truth().structures.find((s) => s.name === 'T1')!;
  await suvReadoutAt(page, t1.maxVoxelLps, t1.suvMax);
});

test('while a streamed study is still arriving the views show it, the Dose panel refuses, and all is ready once the frames are in', async ({ page }) => {
  let passed = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\/frames\/1$/, async (route) => {
    if (++passed > 40) await held; // the frames around the first view come first; the rest wait for the test
    await route.continue();
  });
  await page.goto(`${base()}/?source=pacs`);
  await page.getByLabel('Patient name or ID').fill('DEMO0001');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('row', { name: /DEMO0001/ }).getByRole('button', { name: /Open study/ }).click();
  await page.waitForFunction(() => performance.getEntriesByName('first-fused-render').length > 0, null, { timeout: 60_000 });
  // The axial view (the slices around it are in) is drawn; coronal, sagittal and MIP fill as the rest arrives.
  expect((await canvasCoverage(page))[0]).toBeGreaterThan(0.02);
  expect(await page.evaluate(() => window.__psma!.viewer.ready)).toBe(false);
  for (const m of ['CT', 'PT']) await expect(page.getByRole('progressbar', { name: new RegExp(`^${m}.* progress$`) })).toBeVisible(); // per series
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Images arriving' })).toContainText('still arriving');
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'complete images only' })).toBeVisible();
  expect(await page.evaluate(() => window.__psma!.dose!.computes)).toBe(0);
  release();
  await waitReady(page);
  await expect(page.getByRole('status', { name: 'Images arriving' })).toHaveCount(0);
  await expectNotBlank(page);
  const t1 = truth().structures.find((s) => s.name === 'T1')!;
  await suvReadoutAt(page, t1.maxVoxelLps, t1.suvMax);
});

test('PACS outage: specific message, then recovery with Retry', async ({ page }) => {
  const dir = process.env.E2E_DIR!;
  await page.goto(`${base()}/?source=pacs`);
  const pid = Number(readFileSync(join(dir, 'orthanc.pid'), 'utf8'));
  process.kill(pid, 'SIGTERM');
  for (let n = 0; n < 100; n++) {
    try { process.kill(pid, 0); } catch { break; }
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.getByRole('button', { name: 'Search' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/PACS/);
  await expect(alert).toContainText(/unreachable|HTTP 5\d\d|did not answer/);
  // The page is still usable.
  await expect(page.getByRole('button', { name: 'Demo patient' })).toBeEnabled();
  await startOrthanc({ configPath: process.env.E2E_ORTHANC_CONFIG!, port: Number(new URL(process.env.E2E_ORTHANC_URL!).port), url: process.env.E2E_ORTHANC_URL!, dir });
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('row', { name: /DEMO0001/ })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('PET and CT stored as two studies: the viewer offers to pair them and fuses', async ({ page }) => {
  await page.goto(`${base()}/?source=pacs`);
  await page.getByLabel('Patient name or ID').fill('PAIR0007');
  await page.getByLabel('Modality').selectOption('');
  await page.getByRole('button', { name: 'Search' }).click();
  const petRow = page.getByRole('row', { name: /PAIR0007.*PT/ });
  await expect(petRow).toBeVisible();
  await expect(page.getByRole('row', { name: /PAIR0007/ })).toHaveCount(2);
  await petRow.getByRole('button', { name: /Open study/ }).click();
  await waitReady(page);
  await expect(page.getByRole('status').filter({ hasText: 'PET only' })).toBeVisible();
  await page.getByRole('button', { name: 'Pair PET with this CT' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'paired with the CT' })).toBeVisible();
  await waitReady(page);
  await expectNotBlank(page);
});
