import { test, expect, type Page } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { base, waitReady, digest, autosaved, openLocal, drawKidneys, stored } from './helpers';

// A bad file costs no voxel of work: after drawing (autosaved), opening a damaged series or importing a bad
// structure file shows the problem by name, and the study, its structure set, undo and autosave stay as they
// were — also after a reload. The folders are written by global-setup (one fault each).

const badFolder = (name: string) => { const dir = join(process.env.E2E_DIR!, 'bad-open', name); return readdirSync(dir).map((f) => join(dir, f)); };

const CASES: [string, RegExp][] = [
  ['bits-8', /pixel data is \d+ bytes, but .* BitsAllocated 8 need \d+ \(the data look like 16-bit pixels/],
  ['slope-0', /RescaleSlope "0" cannot scale pixel values/],
  ['huge-rows', /30000×30000 slice is larger than the 4096×4096/],
  ['no-spacing', /PixelSpacing absent: two positive numbers \(mm\) are needed/],
  ['weight-900', /weight|900/i],
];

async function expectUntouched(page: Page, before: Awaited<ReturnType<typeof digest>>) {
  expect(await digest(page)).toEqual(before);
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  expect(await page.evaluate(() => window.__psma!.viewer.ready)).toBe(true);
}

test('a failed open after drawing leaves every voxel, the undo history and the autosave (reload included)', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  const drawn = await drawKidneys(page);
  await autosaved(page);
  const alert = page.getByRole('alert');
  for (const [name, message] of CASES.filter(([n]) => n !== 'weight-900')) {
    await page.getByLabel('Open DICOM files').setInputFiles(badFolder(name));
    await expect(alert.filter({ hasText: message })).toBeVisible();
    await expectUntouched(page, drawn);
  }
  // The undo history is the drawing's: Undo removes the accepted kidneys, Redo brings them back.
  await page.getByRole('button', { name: /^Undo/ }).click();
  await expect.poll(() => digest(page)).not.toEqual(drawn);
  await page.getByRole('button', { name: /^Redo/ }).click();
  await expect.poll(() => digest(page)).toEqual(drawn);
  // A structure file that would inflate far beyond what it holds is refused after its header.
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'bomb.nii.gz'));
  await expect(page.getByRole('status').filter({ hasText: /bomb\.nii\.gz: .*M voxels|bomb\.nii\.gz: geometries differ/ })).toBeVisible();
  await expectUntouched(page, drawn);
  await autosaved(page); // the redo above is saved too
  // After a reload the same study restores every voxel.
  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toBeVisible();
  expect(await digest(page)).toEqual(drawn);
});

test('an implausible patient weight is not turned into a silent SUV', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles(badFolder('weight-900'));
  // Either the study opens without SUV and says why, or the open is refused naming the weight: never a silent SUV.
  await expect(page.getByText(/900 kg|weight 900|PatientWeight/i).first()).toBeVisible();
  const suv = await page.evaluate(() => !!window.__psma?.viewer.study?.pet?.suv);
  expect(suv).toBe(false);
});
