import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, truth, waitReady, expectNotBlank, suvReadoutAt } from './helpers';
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
