import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, waitReady } from './helpers';

test('imported structures are listed, autosaved locally, restored after a reload, exported as SEG, and can be discarded', async ({ page }) => {
  const dir = join(process.env.E2E_DIR!, 'local');
  const files = readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => join(dir, f));
  await page.goto(base());
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles(files);
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'local-structures-seg.dcm'));
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  const list = page.getByRole('table', { name: 'Structure list' });
  await expect(list.getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  await list.getByRole('button', { name: 'Jump to Kidney L' }).click();
  // Autosave reaches IndexedDB, then the page is reloaded and the same files opened again.
  await page.waitForFunction(() => performance.getEntriesByName('structures-saved').length > 0);
  await page.reload();
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles(files);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toBeVisible();
  await expect(list.getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  // Nothing in the browser's storage names the imported file (file names often carry a name or MRN).
  const stored = await page.evaluate(() => new Promise<string>((resolve, reject) => {
    const req = indexedDB.open('psma-dose-preview');
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const t = req.result.transaction('structureSets', 'readonly').objectStore('structureSets').getAll();
      t.onsuccess = () => resolve(JSON.stringify(t.result.map((r: { source: string; meta: unknown }) => ({ source: r.source, meta: r.meta }))));
    };
  }));
  expect(stored).toContain('imported SEG');
  expect(stored).not.toContain('local-structures-seg');
  // Exported files are named after the study date, not the Patient ID (unless asked for).
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export SEG' }).click();
  expect((await download).suggestedFilename()).toBe('20260115-structures-seg.dcm');
  const seg = readFileSync(await (await download).path());
  expect(seg.subarray(128, 132).toString()).toBe('DICM');
  const named = page.waitForEvent('download');
  await page.getByLabel('ID in export file names').check();
  await page.getByRole('button', { name: 'Export NIfTI' }).click();
  expect((await named).suggestedFilename()).toBe('LOCAL0005-20260115-structures.nii.gz');
  await page.getByRole('button', { name: 'Discard local edits' }).click();
  await page.getByRole('dialog', { name: 'Discard the local edits of this study?' }).getByRole('button', { name: 'Discard local edits' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'moved to the trash' })).toBeVisible();
  await page.reload();
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles(files);
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toHaveCount(0);
});

test('a SEG of another series is refused and nothing already loaded is touched', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'local-structures-seg.dcm'));
  await expect(page.getByRole('status').filter({ hasText: /does not|geometry|references/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
});
