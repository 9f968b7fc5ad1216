import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { base, waitReady, expectNotBlank, suvReadoutAt } from './helpers';

test('demo patient opens with no PACS and renders fused', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText('DEMO0001');
  await expectNotBlank(page);
});

test('opens local files; non-DICOM files are reported, not fatal', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  const dir = join(process.env.E2E_DIR!, 'local');
  const files = readdirSync(dir).map((f) => join(dir, f));
  await page.getByLabel('Open DICOM files').setInputFiles(files);
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  await waitReady(page);
  await expect(page.getByRole('status').filter({ hasText: 'skipped' })).toContainText('notes.txt');
  await expectNotBlank(page);
});

test('a non-DICOM file alone gets a clear message and the page stays usable', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 not dicom') });
  await expect(page.getByRole('alert')).toContainText('not a DICOM file');
  await expect(page.getByLabel('Patient')).toContainText('DEMO0001');
});

test('every request goes to the app origin (the PACS is proxied same-origin)', async ({ page }) => {
  const hosts = new Set<string>();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http')) hosts.add(u.host);
  });
  await page.goto(`${base()}/?source=pacs`);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row', { name: /DEMO0001/ })).toBeVisible();
  await page.getByRole('button', { name: 'Demo patient' }).click();
  await waitReady(page);
  expect([...hosts]).toEqual([new URL(base()).host]);
});

test('RLE-compressed PET is decoded by the Cornerstone codecs and gives the stored SUV', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  const dir = join(process.env.E2E_DIR!, 'local-rle');
  await page.getByLabel('Open DICOM files').setInputFiles(readdirSync(dir).map((f) => join(dir, f)));
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  await waitReady(page);
  await expect(page.getByRole('status').filter({ hasText: 'PET only' })).toBeVisible();
  const t = JSON.parse(readFileSync(join(process.env.E2E_DIR!, 'local-truth.json'), 'utf8')).structures.find((s: { type: string }) => s.type === 'kidney');
  await suvReadoutAt(page, t.maxVoxelLps, t.suvMax);
});

test('SUV override: a PET without weight shows Bq/mL; the entered weight gives SUV and keeps the structure set', async ({ page }) => {
  const dir = join(process.env.E2E_DIR!, 'local');
  let weight = '';
  const files = readdirSync(dir).filter((f) => f.endsWith('.dcm')).flatMap((f) => {
    const d = dcmjs.data.DicomMessage.readFile(new Uint8Array(readFileSync(join(dir, f))).buffer);
    if (d.dict['00080060']?.Value?.[0] !== 'PT') return [];
    weight = String(d.dict['00101030'].Value[0]);
    delete d.dict['00101030'];
    return [{ name: f, mimeType: 'application/dicom', buffer: Buffer.from(d.write()) }];
  });
  await page.goto(base());
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles(files);
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  await waitReady(page);
  const banner = page.getByRole('form', { name: 'SUV not available' });
  await expect(banner).toContainText('weight');
  await page.getByRole('button', { name: 'New structure set' }).click();
  await expect(page.getByRole('heading', { name: /^Structures ·/ })).toContainText('drawn in this viewer');
  await banner.getByLabel('Weight (kg)').fill(weight);
  await banner.getByRole('button', { name: 'Apply SUV values' }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole('heading', { name: /^Structures ·/ })).toContainText('drawn in this viewer');
  const t = JSON.parse(readFileSync(join(process.env.E2E_DIR!, 'local-truth.json'), 'utf8')).structures.find((s: { type: string }) => s.type === 'kidney');
  await suvReadoutAt(page, t.maxVoxelLps, t.suvMax);
});
