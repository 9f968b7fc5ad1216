import { test, expect, type Page } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { base, waitReady, digest, autosaved, openLocal, drawKidneys } from './helpers';
import { CASES, caseSlug, type CorpusCase } from '../test-support/corpus/cases';

// A bad file costs no voxel of work: after drawing (autosaved), opening a damaged series or importing a bad
// structure file — the worst cases of the bad-input corpus (test-support/corpus/cases.ts, marked `browser`; the
// same definitions the CLI corpus runs) — shows the problem by name, and the study, its structure set, undo and
// autosave stay as they were, also after a reload. global-setup writes each case's files on the local study.

const caseDir = (c: CorpusCase) => join(process.env.E2E_DIR!, 'corpus', caseSlug(c.id));
const filesUnder = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)]));
const BROWSER = CASES.filter((c) => c.browser);
const REFUSED = BROWSER.filter((c) => !(c.browser?.via === 'open' && c.browser.suvRefused));

async function expectUntouched(page: Page, before: Awaited<ReturnType<typeof digest>>) {
  expect(await digest(page)).toEqual(before);
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  expect(await page.evaluate(() => window.__psma!.viewer.ready)).toBe(true);
}

test('the corpus has the worst 15 bad inputs for the browser: local opens and structure imports', () => {
  expect(REFUSED).toHaveLength(15);
  expect(new Set(REFUSED.map((c) => c.browser!.via))).toEqual(new Set(['open', 'import']));
});

test('a failed open or import after drawing leaves every voxel, the undo history and the autosave (reload included)', async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  const drawn = await drawKidneys(page);
  await autosaved(page);
  for (const c of REFUSED) {
    const b = c.browser!;
    await test.step(c.id, async () => {
      if (b.via === 'open') {
        await page.getByLabel('Open DICOM files').setInputFiles(filesUnder(join(caseDir(c), b.folder)));
        await expect(page.getByRole('alert').filter({ hasText: b.message }), `${c.id}: the open is refused by name`).toBeVisible();
      } else {
        await page.getByLabel('Import structures').setInputFiles(join(caseDir(c), b.file));
        await expect(page.getByRole('status').filter({ hasText: b.message }), `${c.id}: the import is refused by name`).toBeVisible();
      }
      await expectUntouched(page, drawn);
    });
  }
  // The undo history is the drawing's: Undo removes the accepted kidneys, Redo brings them back.
  await page.getByRole('button', { name: /^Undo/ }).click();
  await expect.poll(() => digest(page)).not.toEqual(drawn);
  await page.getByRole('button', { name: /^Redo/ }).click();
  await expect.poll(() => digest(page)).toEqual(drawn);
  await autosaved(page); // the redo is saved too
  // After a reload the same study restores every voxel.
  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toBeVisible();
  expect(await digest(page)).toEqual(drawn);
});

for (const c of BROWSER.filter((x) => x.browser?.via === 'open' && x.browser.suvRefused)) {
  test(`${c.id}: the study opens without a silent SUV`, async ({ page }) => {
    const b = c.browser as { folder: string; message: RegExp };
    await page.goto(base());
    await waitReady(page);
    await page.getByLabel('Open DICOM files').setInputFiles(filesUnder(join(caseDir(c), b.folder)));
    // Either the study opens without SUV and says why, or the open is refused naming the value: never a silent SUV.
    await expect(page.getByText(b.message).first()).toBeVisible();
    expect(await page.evaluate(() => !!window.__psma?.viewer.study?.pet?.suv)).toBe(false);
  });
}
