import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { base, waitReady, digest, stored, autosaved, openLocal, acceptAll, drawKidneys, EMPTY } from './helpers';

// Nothing destructive without a way back: replacing, discarding and clearing a structure set ask first; a new
// set is one undo step; the previous set waits in the trash of its PET series, also after a reload.

const restoreButton = (page: Page) => page.getByRole('button', { name: /^Restore previous structure set/ });
const heading = (page: Page) => page.getByRole('heading', { name: /^Structures ·/ });

test('new set: asks (Cancel and Escape keep every voxel), is undone with source, meta and its edits, and survives a reload', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  const list = page.getByRole('table', { name: 'Structure list' });
  const kidneys = await drawKidneys(page);
  await page.getByRole('button', { name: 'Find lesions' }).click();
  await expect(page.getByRole('status').filter({ hasText: /\d+ lesion candidate/ })).toBeVisible();
  await acceptAll(page);
  await expect(list.getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
  await list.getByLabel('Site of T1').selectOption('lymph node');
  await list.getByLabel('Show Kidney R').uncheck();
  const drawn = (await digest(page))!;
  expect(drawn.counts[21]).toBeGreaterThan(0);
  const source = (await heading(page).textContent())!;
  await autosaved(page);
  expect((await stored(page, 'structureSets'))!.hidden).toEqual([2]);

  // The confirmation says what goes and how to get it back; Cancel and Escape change nothing.
  const newSet = page.getByRole('button', { name: 'New structure set' });
  const dialog = page.getByRole('dialog', { name: 'Replace the structure set?' });
  await newSet.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(/\d+ structures \(Kidney L, Kidney R, T1/);
  await expect(dialog).toContainText('Undo');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  expect(await digest(page)).toEqual(drawn);
  await newSet.click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(await digest(page)).toEqual(drawn);
  await expect(restoreButton(page)).toHaveCount(0);

  // Confirmed: empty on screen; the drawn set is in the trash before autosave stores the empty one.
  await newSet.click();
  await dialog.getByRole('button', { name: 'Replace with an empty set' }).click();
  await expect(list).toHaveCount(0);
  expect(await digest(page)).toEqual(EMPTY);
  await autosaved(page);
  expect((await stored(page, 'trash'))!.digest).toEqual(drawn);
  await expect(restoreButton(page)).toContainText(`(${Object.keys(drawn.counts).length} structures, saved`);

  // Undo brings every voxel back with its source and meta; Redo replaces it again.
  await page.getByRole('button', { name: 'Undo new structure set' }).click();
  expect(await digest(page)).toEqual(drawn);
  await expect(heading(page)).toHaveText(source);
  await expect(list.getByLabel('Site of T1')).toHaveValue('lymph node');
  await expect(list.getByLabel('Show Kidney R')).not.toBeChecked();
  await expect(restoreButton(page)).toHaveCount(0); // it is on screen again
  await page.getByRole('button', { name: 'Redo' }).click();
  expect(await digest(page)).toEqual(EMPTY);
  await page.getByRole('button', { name: 'Undo new structure set' }).click();
  expect(await digest(page)).toEqual(drawn);
  // The set's own edit history came back with it.
  await page.getByRole('button', { name: /^Undo/ }).click();
  expect(await digest(page)).toEqual(kidneys);
  await page.getByRole('button', { name: 'Redo' }).click();
  expect(await digest(page)).toEqual(drawn);
  await autosaved(page);

  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toBeVisible();
  expect(await digest(page)).toEqual(drawn);
  await expect(list.getByLabel('Site of T1')).toHaveValue('lymph node');
});

test('replaced, reloaded: "Restore previous structure set" brings every voxel back and swaps with the set on screen', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  const kidneys = await drawKidneys(page);
  await autosaved(page);
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await autosaved(page);
  expect((await stored(page, 'trash'))!.digest).toEqual(kidneys);

  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect.poll(() => digest(page)).toEqual(EMPTY); // the empty set was saved (restored once the study is open)
  await expect(restoreButton(page)).toContainText('(2 structures, saved');
  // Nothing on screen to lose: restored without asking, as one undo step.
  await restoreButton(page).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored the previous structure set' })).toBeVisible();
  expect(await digest(page)).toEqual(kidneys);
  await expect(restoreButton(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo restore previous set' }).click();
  expect(await digest(page)).toEqual(EMPTY);
  await expect(restoreButton(page)).toBeVisible();
  await page.getByRole('button', { name: 'Redo' }).click();
  expect(await digest(page)).toEqual(kidneys);
  await autosaved(page);

  // Another set replaces it; restoring then asks and swaps the two (the trash holds the other one).
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await page.getByRole('button', { name: 'Find lesions' }).click();
  await expect(page.getByRole('status').filter({ hasText: /\d+ lesion candidate/ })).toBeVisible();
  await acceptAll(page);
  const lesions = (await digest(page))!;
  expect(lesions.counts[1]).toBeUndefined();
  await autosaved(page);
  const swap = page.getByRole('dialog', { name: 'Restore the previous structure set?' });
  await restoreButton(page).click();
  await expect(swap).toContainText('2 structures (Kidney L, Kidney R)');
  await swap.getByRole('button', { name: 'Restore previous set' }).click();
  await expect.poll(() => digest(page)).toEqual(kidneys);
  await autosaved(page);
  expect((await stored(page, 'trash'))!.digest).toEqual(lesions);
  await restoreButton(page).click();
  await swap.getByRole('button', { name: 'Restore previous set' }).click();
  await expect.poll(() => digest(page)).toEqual(lesions);
  await autosaved(page);
  expect((await stored(page, 'trash'))!.digest).toEqual(kidneys);

  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect.poll(() => digest(page)).toEqual(lesions); // restored once the study is open
  await expect(restoreButton(page)).toContainText('(2 structures, saved');
});

test('discard local edits asks, moves the saved set to the trash (not restored after a reload, restorable); clear all asks and empties it', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  const kidneys = await drawKidneys(page);
  await autosaved(page);
  const discard = page.getByRole('dialog', { name: 'Discard the local edits of this study?' });
  await page.getByRole('button', { name: 'Discard local edits' }).click();
  await expect(discard).toContainText('2 structures (Kidney L, Kidney R)');
  await expect(discard.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await discard.getByRole('button', { name: 'Cancel' }).click();
  expect((await stored(page, 'structureSets'))!.digest).toEqual(kidneys);
  await page.getByRole('button', { name: 'Discard local edits' }).click();
  await discard.getByRole('button', { name: 'Discard local edits' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'moved to the trash' })).toBeVisible();
  expect(await stored(page, 'structureSets')).toBeNull();
  expect((await stored(page, 'trash'))!.digest).toEqual(kidneys);

  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect(restoreButton(page)).toContainText('(2 structures, saved');
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toHaveCount(0);
  expect(await digest(page)).toBeUndefined();
  await restoreButton(page).click();
  await expect.poll(() => digest(page)).toEqual(kidneys);
  await autosaved(page);

  // Clear all says that the trash goes too; Cancel keeps everything.
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await expect(restoreButton(page)).toBeVisible();
  const clear = page.getByRole('dialog', { name: 'Clear all local data of this app?' });
  await page.getByRole('button', { name: 'Clear all local data' }).click();
  await expect(clear).toContainText('The trash is emptied too (1 set)');
  await expect(clear).toContainText('cannot be undone');
  await page.keyboard.press('Escape');
  await expect(clear).toHaveCount(0);
  expect((await stored(page, 'trash'))!.digest).toEqual(kidneys);
  await page.getByRole('button', { name: 'Clear all local data' }).click();
  await clear.getByRole('button', { name: 'Clear all local data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'the trash too' })).toBeVisible();
  await expect(restoreButton(page)).toHaveCount(0);
  expect(await stored(page, 'trash')).toBeNull();
  expect(await stored(page, 'structureSets')).toBeNull();
});

test('an import that overwrites structures on screen asks, and the set as it was waits in the trash', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  const kidneys = await drawKidneys(page);
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'local-structures-seg.dcm'));
  const mapping = page.getByRole('dialog', { name: 'Map imported segments' });
  const overwrite = page.getByRole('dialog', { name: 'Overwrite structures on screen?' });
  await mapping.getByRole('button', { name: 'Import mapped' }).click();
  await expect(overwrite).toContainText(/Kidney L \(\d+ voxels?\)/);
  await overwrite.getByRole('button', { name: 'Cancel' }).click();
  expect(await digest(page)).toEqual(kidneys);
  await expect(mapping).toBeVisible(); // the mapping can still be changed
  await mapping.getByRole('button', { name: 'Import mapped' }).click();
  await overwrite.getByRole('button', { name: 'Import and overwrite' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Imported/ })).toBeVisible();
  const imported = (await digest(page))!;
  expect(imported).not.toEqual(kidneys);
  await autosaved(page);
  expect((await stored(page, 'trash'))!.digest).toEqual(kidneys);
  await page.getByRole('button', { name: /^Undo import/ }).click();
  expect(await digest(page)).toEqual(kidneys);
});

test('a saved set not on screen (the demo opens with its truth) goes to the trash when autosave first writes over it', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  const list = page.getByRole('table', { name: 'Structure list' });
  await list.getByRole('button', { name: 'Remove T1', exact: true }).click();
  const firstEdit = (await digest(page))!;
  await autosaved(page);
  await page.reload();
  await waitReady(page);
  await expect(list.getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible(); // the truth again
  await expect(restoreButton(page)).toHaveCount(0);
  await list.getByRole('button', { name: 'Remove Kidney L' }).click();
  await autosaved(page);
  expect((await stored(page, 'trash'))!.digest).toEqual(firstEdit);
  await expect(restoreButton(page)).toBeVisible();
});

test('the trash follows the retention and refuses a set of another grid with the reason', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  /** Writes a trash record for the open study's PET series: a filled 8³ map on another grid, saved `ageDays` ago. */
  const writeTrash = (ageDays: number) => page.evaluate(async (ageDays) => {
    const s = window.__psma!.viewer.study!;
    const data = new Uint8Array(await new Response(new Blob([new Uint8Array(512).fill(1)]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
    const rec = {
      studyUid: s.studyUid, petSeriesUid: s.petSeriesUid, frameOfReferenceUid: String(s.pet!.instances[0].attrs.FrameOfReferenceUID),
      source: 'elsewhere', savedAt: Date.now() - ageDays * 86400000, meta: { tumours: {}, hidden: [], locked: [], singleKidney: false },
      geometry: { dims: [8, 8, 8], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, data, present: [1],
    };
    const db = await new Promise<IDBDatabase>((resolve, reject) => { const r = indexedDB.open('psma-dose-preview'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    await new Promise<void>((resolve, reject) => { const t = db.transaction('trash', 'readwrite'); t.objectStore('trash').put(rec); t.oncomplete = () => resolve(); t.onerror = () => reject(t.error); });
    db.close();
  }, ageDays);

  await writeTrash(0);
  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect(restoreButton(page)).toContainText('(1 structure, saved');
  await restoreButton(page).click();
  await expect(page.getByRole('status').filter({ hasText: 'another grid (8×8×8 voxels)' })).toBeVisible();
  expect(await digest(page)).toBeUndefined();

  await page.getByLabel('Retention days').fill('1');
  await page.getByLabel('Retention days').dispatchEvent('change');
  await writeTrash(2);
  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect.poll(() => stored(page, 'trash')).toBeNull();
  await expect(restoreButton(page)).toHaveCount(0);
});
