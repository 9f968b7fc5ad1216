import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, waitReady, digest, openLocal, stroke, type Lps } from './helpers';
import type { PatientTruth } from '../src/core/phantom/generate';

const localTruth = (): PatientTruth => JSON.parse(readFileSync(join(process.env.E2E_DIR!, 'local-truth.json'), 'utf8'));

const voxels = async (page: Page, label: number) => (await digest(page))?.counts[label] ?? 0;


async function clickAt(page: Page, at: Lps) {
  await page.evaluate((p) => window.__psma!.jumpTo!(p), at);
  const [x, y] = await page.evaluate((p) => window.__psma!.clientPoint!('axial', p), at);
  await page.mouse.click(x, y);
}

const savedMarks = (page: Page) => page.evaluate(() => performance.getEntriesByName('structures-saved').length);

test('draw a kidney with the brush, grow a lesion, accept candidates, export SEG, re-import it, reload and find it restored', async ({ page }) => {
  const truth = localTruth();
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  await page.getByRole('button', { name: 'New structure set' }).click();
  const list = page.getByRole('table', { name: 'Structure list' });
  const undoBtn = page.getByRole('button', { name: /^Undo/ });

  // Brush: a kidney stroke appears in the list and in the views; undo and redo it.
  await page.getByLabel('Active structure').selectOption({ label: 'Kidney L' });
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await page.getByLabel('Brush radius (mm)').fill('8');
  await page.getByLabel('Brush radius (mm)').dispatchEvent('change');
  const kidneyL = truth.structures.find((s) => s.name === 'Kidney L')!;
  await stroke(page, kidneyL.maxVoxelLps);
  await expect(list.getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  const painted = await voxels(page, 1);
  expect(painted).toBeGreaterThan(5);
  await expect(undoBtn).toBeEnabled();
  await undoBtn.click();
  await expect(list).toHaveCount(0);
  expect(await voxels(page, 1)).toBe(0);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(list.getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  expect(await voxels(page, 1)).toBe(painted);

  // Lesion candidates are listed for review and nothing is added until accepted; this one is rejected here.
  const lesion = truth.structures.filter((s) => s.type === 'tumour').sort((a, b) => b.volumeMl - a.volumeMl)[0];
  const cands = page.getByRole('table', { name: 'Candidates' });
  const beforeFind = await digest(page);
  await page.getByRole('button', { name: 'Find lesions' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^1 lesion candidate/ })).toBeVisible();
  await expect(cands.getByRole('button', { name: 'Jump to candidate 1' })).toBeVisible();
  expect(await digest(page)).toEqual(beforeFind);
  await cands.getByRole('button', { name: 'Reject candidate 1' }).click();
  await expect(cands).toHaveCount(0);

  // Grow: a new tumour by SUV threshold from a click on the lesion.
  await page.getByLabel('Active structure').selectOption({ label: '+ New tumour' });
  await page.getByRole('button', { name: 'Grow (SUV)' }).click();
  await clickAt(page, lesion.maxVoxelLps);
  await expect(list.getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
  const grown = await voxels(page, 21);
  expect(grown).toBeGreaterThan(0.5 * lesion.voxels);
  expect(grown).toBeLessThan(3 * lesion.voxels);
  await page.getByRole('button', { name: 'Find lesions' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^0 lesion candidate/ })).toBeVisible(); // already contoured

  // Organ candidates: one click proposes both kidneys; accepting adds them (replacing the brushed stroke).
  await page.getByRole('button', { name: 'Propose kidneys' }).click();
  await expect(cands).toContainText('Kidney R');
  expect((await digest(page))!.counts[2]).toBeUndefined();
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(list.getByRole('button', { name: 'Jump to Kidney R' })).toBeVisible();
  const accepted = (await digest(page))!;
  expect(accepted.counts[2]).toBeGreaterThan(50);
  expect(accepted.counts[1]).toBeGreaterThan(painted);
  expect(accepted.counts[21]).toBe(grown);

  // The tumour's site and label travel with the SEG (SegmentDescription).
  await list.getByLabel('Site of T1').selectOption('lymph node');
  await list.getByLabel('Label of T1').fill('para-aortic');
  await list.getByLabel('Label of T1').press('Enter');

  // Export SEG, start over, import it back (name mapping dialog): the same voxels.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export SEG' }).click();
  const segPath = await (await download).path();
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await expect(list).toHaveCount(0);
  await page.getByLabel('Import structures').setInputFiles({ name: 'structures-seg.dcm', mimeType: 'application/dicom', buffer: readFileSync(segPath) });
  const dialog = page.getByRole('dialog', { name: 'Map imported segments' });
  await expect(dialog.getByLabel('Map Kidney R')).toHaveValue('2');
  await dialog.getByRole('button', { name: 'Import mapped' }).click();
  await expect(list.getByRole('button', { name: 'Jump to Kidney R' })).toBeVisible();
  expect(await digest(page)).toEqual(accepted);
  await expect(list.getByLabel('Site of T1')).toHaveValue('lymph node');
  await expect(list.getByLabel('Label of T1')).toHaveValue('para-aortic');

  // Reload: the autosaved structure set comes back with a notice.
  await page.waitForFunction(() => performance.getEntriesByName('structures-saved').length > 0);
  await page.waitForTimeout(600);
  await page.reload();
  await waitReady(page);
  await openLocal(page);
  await expect(page.getByRole('status').filter({ hasText: 'Structures restored' })).toBeVisible();
  expect(await digest(page)).toEqual(accepted);
  await expect(list.getByLabel('Site of T1')).toHaveValue('lymph node');
});

test('a page killed mid-edit keeps every stroke made before the last save', async ({ page, context }) => {
  const truth = localTruth();
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  await page.getByRole('button', { name: 'New structure set' }).click();
  await context.setOffline(true); // local work needs no network
  await page.getByLabel('Active structure').selectOption({ label: 'Kidney L' });
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  const kidneyL = truth.structures.find((s) => s.name === 'Kidney L')!;
  const kidneyR = truth.structures.find((s) => s.name === 'Kidney R')!;
  await stroke(page, kidneyL.maxVoxelLps);
  await expect.poll(() => savedMarks(page)).toBeGreaterThan(0);
  const saved = (await digest(page))!;
  expect(saved.counts[1]).toBeGreaterThan(0);
  // A second stroke, then the tab is closed without unload handlers before the autosave delay has passed.
  await page.getByLabel('Active structure').selectOption({ label: 'Kidney R' });
  await stroke(page, kidneyR.maxVoxelLps);
  await page.close({ runBeforeUnload: false });
  await context.setOffline(false);

  const again = await context.newPage();
  await again.goto(base());
  await waitReady(again);
  await openLocal(again);
  await expect(again.getByRole('status').filter({ hasText: 'Structures restored' })).toBeVisible();
  const restored = (await digest(again))!;
  expect(restored.counts[1]).toBe(saved.counts[1]);
});

test('slice interpolation and freehand fill/erase are undoable edits', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByLabel('Active structure').selectOption({ label: 'Kidney L' });
  await page.getByRole('button', { name: 'Freehand fill' }).click();
  const kidneyL = localTruth().structures.find((s) => s.name === 'Kidney L')!;
  const square = async (z: number) => {
    const c: Lps = [kidneyL.maxVoxelLps[0], kidneyL.maxVoxelLps[1], z];
    await page.evaluate((p) => window.__psma!.jumpTo!(p), c);
    const pts = await Promise.all([[-15, -15], [15, -15], [15, 15], [-15, 15]].map(([dx, dy]) => page.evaluate((p) => window.__psma!.clientPoint!('axial', p), [c[0] + dx, c[1] + dy, z] as Lps)));
    await page.mouse.move(pts[0][0], pts[0][1]);
    await page.mouse.down();
    for (const p of [...pts.slice(1), pts[0]]) await page.mouse.move(p[0], p[1], { steps: 4 });
    await page.mouse.up();
  };
  const z0 = kidneyL.maxVoxelLps[2];
  await square(z0 - 18);
  const one = await voxels(page, 1);
  expect(one).toBeGreaterThan(10);
  await square(z0 + 18);
  expect(await voxels(page, 1)).toBe(2 * one);
  await page.getByRole('button', { name: 'Interpolate slices' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Interpolation added/ })).toBeVisible();
  expect(await voxels(page, 1)).toBeGreaterThan(4 * one);
  await page.getByRole('button', { name: /^Undo interpolate/ }).click();
  expect(await voxels(page, 1)).toBe(2 * one);
  // Freehand erase through all slices removes both squares, unless the structure is locked.
  const lock = page.getByRole('table', { name: 'Structure list' }).getByLabel('Lock Kidney L');
  await lock.check();
  await page.getByRole('button', { name: 'Freehand erase' }).click();
  await page.getByLabel(/Through all slices/).check();
  await square(z0);
  expect(await voxels(page, 1)).toBe(2 * one);
  await lock.uncheck();
  await square(z0);
  expect(await voxels(page, 1)).toBe(0);
});

/** The local study with both kidneys accepted from the proposals (and the lesion candidates when asked). */
async function localWithKidneys(page: Page, lesions = false) {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  await page.getByRole('button', { name: 'Propose kidneys' }).click();
  if (lesions) {
    await page.getByRole('button', { name: 'Find lesions' }).click();
    await expect(page.getByRole('status').filter({ hasText: /\d+ lesion candidate/ })).toBeVisible();
  }
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
}

test('bad structure files get a message naming the problem and leave the drawn structures alone', async ({ page }) => {
  await localWithKidneys(page);
  const before = await digest(page);
  expect(before!.counts[1]).toBeGreaterThan(0);
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'bad-rtstruct.dcm'));
  await expect(page.getByRole('status').filter({ hasText: /references series .* not loaded/ })).toBeVisible();
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'bad-size.nii.gz'));
  await expect(page.getByRole('status').filter({ hasText: /not on the PET grid/ })).toBeVisible();
  await page.getByLabel('Import structures').setInputFiles({ name: 'notes.dcm', mimeType: 'application/dicom', buffer: Buffer.from('not dicom at all') });
  await expect(page.getByRole('status').filter({ hasText: /notes\.dcm/ })).toBeVisible();
  expect(await digest(page)).toEqual(before);
});

test('RTSTRUCT export re-imports to the same voxels', async ({ page }) => {
  await localWithKidneys(page, true);
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
  const before = (await digest(page))!;
  expect(Object.keys(before.counts).map(Number)).toEqual([1, 2, 21]);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export RTSTRUCT' }).click();
  const path = await (await download).path();
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await page.getByLabel('Import structures').setInputFiles({ name: 'rt.dcm', mimeType: 'application/dicom', buffer: readFileSync(path) });
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  expect((await digest(page))!.counts).toEqual(before.counts);
});

test('structures stored on the PACS with STOW-RS come back from it voxel for voxel', async ({ page }) => {
  await page.goto(`${base()}/?source=pacs`);
  await page.getByLabel('Patient name or ID').fill('DEMO0001');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('row', { name: /DEMO0001/ }).getByRole('button', { name: /Open study/ }).click();
  await waitReady(page);
  await page.getByRole('button', { name: 'Propose salivary glands' }).click();
  await page.getByRole('button', { name: 'Accept all' }).click();
  const before = (await digest(page))!;
  expect(Object.keys(before.counts).map(Number)).toEqual([3, 4, 5, 6, 7, 8]);
  await page.getByRole('button', { name: 'Store SEG on PACS…' }).click();
  await page.getByRole('button', { name: 'Store', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /Stored the structure set/ })).toBeVisible();
  const onPacs = page.getByRole('list', { name: 'Structure sets on the PACS' });
  await expect(onPacs).toContainText('SEG');
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await onPacs.getByRole('button', { name: /^Import SEG/ }).first().click();
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to Parotid L' })).toBeVisible();
  expect(await digest(page)).toEqual(before);
});

test('a structure set created on the CT grid is drawn, grown, exported (SEG on the CT series) and re-imported there', async ({ page }) => {
  const truth = localTruth();
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  await page.getByLabel('Grid of a new structure set').selectOption('CT');
  await page.getByRole('button', { name: 'New structure set' }).click();
  await expect(page.getByRole('heading', { name: /CT grid/ })).toBeVisible();
  const ctVoxels = await page.evaluate(() => window.__psma!.viewer.study!.ct!.data.length);
  expect(await page.evaluate(() => window.__psma!.viewer.structures!.labels.data.length)).toBe(ctVoxels);
  const lesion = truth.structures.filter((s) => s.type === 'tumour').sort((a, b) => b.volumeMl - a.volumeMl)[0];
  await page.getByLabel('Active structure').selectOption({ label: '+ New tumour' });
  await page.getByRole('button', { name: 'Grow (SUV)' }).click();
  await clickAt(page, lesion.maxVoxelLps);
  const list = page.getByRole('table', { name: 'Structure list' });
  await expect(list.getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Propose kidneys' }).click();
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(list.getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  const before = (await digest(page))!;
  // Volumes are CT-grid volumes of the same structures: within partial-voxel error of the PET-grid truth.
  const ml = await page.evaluate(() => { const l = window.__psma!.viewer.structures!.labels; return (l.spacing[0] * l.spacing[1] * l.spacing[2]) / 1000; });
  const kidney = truth.structures.find((s) => s.name === 'Kidney L')!;
  expect(Math.abs(before.counts[1] * ml - kidney.volumeMl) / kidney.volumeMl).toBeLessThan(0.25);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export SEG' }).click();
  const seg = readFileSync(await (await download).path());
  const ctSeries = await page.evaluate(() => window.__psma!.viewer.study!.ctSeriesUid);
  expect(seg.includes(Buffer.from(ctSeries!))).toBe(true);
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await page.getByLabel('Import structures').setInputFiles({ name: 'ct-seg.dcm', mimeType: 'application/dicom', buffer: seg });
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await expect(list.getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  expect(await digest(page)).toEqual(before);
});

test('lesion candidates can be merged and split back before they are accepted', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.getByRole('button', { name: 'New structure set' }).click();
  await page.getByRole('dialog', { name: 'Replace the structure set?' }).getByRole('button', { name: 'Replace with an empty set' }).click();
  await page.getByRole('button', { name: 'Find lesions' }).click();
  await expect(page.getByRole('status').filter({ hasText: /\d+ lesion candidate/ })).toBeVisible();
  const rows = page.getByRole('table', { name: 'Candidates' }).getByRole('row');
  const n = (await rows.count()) - 1;
  expect(n).toBeGreaterThan(3);
  await page.getByLabel('Pick candidate 1', { exact: true }).check();
  await page.getByLabel('Pick candidate 2', { exact: true }).check();
  await page.getByRole('button', { name: 'Merge ticked' }).click();
  await expect(rows).toHaveCount(n);
  await page.getByRole('button', { name: 'Split candidate 1', exact: true }).click();
  await expect(rows).toHaveCount(n + 1);
  await expect(page.getByRole('status').filter({ hasText: /Split into 2/ })).toBeVisible();
  await page.getByRole('button', { name: 'Accept candidate 1', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to T1', exact: true })).toBeVisible();
  await expect(rows).toHaveCount(n);
});
