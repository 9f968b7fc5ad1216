import { expect, type Locator, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PatientTruth } from '../src/core/phantom/generate';

export const base = () => process.env.E2E_BASE_URL!;
export const truth = (): PatientTruth => JSON.parse(readFileSync(join(process.env.E2E_DIR!, 'truth.json'), 'utf8'));

export async function waitReady(page: Page) {
  await page.waitForFunction(() => window.__psma?.viewer.ready === true, null, { timeout: 90_000 });
}

/** Fraction of non-background pixels in each viewport canvas (real pixels, not just "a canvas exists"). */
export async function canvasCoverage(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.vp canvas')].map((c) => {
      const src = c as HTMLCanvasElement;
      const tmp = document.createElement('canvas');
      tmp.width = src.width; tmp.height = src.height;
      const g = tmp.getContext('2d')!;
      g.drawImage(src, 0, 0);
      const d = g.getImageData(0, 0, tmp.width, tmp.height).data;
      const bg = [d[0], d[1], d[2]];
      let other = 0;
      for (let n = 0; n < d.length; n += 16) if (Math.abs(d[n] - bg[0]) + Math.abs(d[n + 1] - bg[1]) + Math.abs(d[n + 2] - bg[2]) > 30) other++;
      return other / (d.length / 16);
    }),
  );
}

export async function expectNotBlank(page: Page) {
  const cov = await canvasCoverage(page);
  expect(cov.length).toBeGreaterThanOrEqual(4);
  for (const c of cov) expect(c).toBeGreaterThan(0.02);
}

/**
 * SUV the readout shows with the mouse over an LPS point of the axial view. Re-aims until the layout has
 * settled (notices appearing resize the viewports and move the point).
 */
export async function suvReadoutAt(page: Page, lps: [number, number, number], expected: number): Promise<void> {
  await expect.poll(async () => {
    await page.evaluate((p) => window.__psma!.jumpTo!(p), lps);
    const [x, y] = await page.evaluate((p) => window.__psma!.clientPoint!('axial', p), lps);
    await page.mouse.move(x, y);
    return Math.abs(Number(await page.getByLabel('SUV', { exact: true }).textContent()) - expected) / expected;
  }, { timeout: 10_000 }).toBeLessThan(0.01);
}

// Structure sets in the page and in the app's IndexedDB, and the local study they are drawn on.
export const localFiles = () => { const dir = join(process.env.E2E_DIR!, 'local'); return readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => join(dir, f)); };

export interface Digest { counts: Record<number, number>; sum: number }

/** Voxels per label and an order-sensitive checksum of the label map on screen. */
export const digest = (page: Page) => page.evaluate((): Digest | undefined => {
  const d = window.__psma!.viewer.structures?.labels.data;
  if (!d) return undefined;
  const counts: Record<number, number> = {};
  let sum = 0;
  for (let n = 0; n < d.length; n++) if (d[n]) { counts[d[n]] = (counts[d[n]] ?? 0) + 1; sum = (sum + (n + 1) * d[n]) % 2147483647; }
  return { counts, sum };
});
export const EMPTY: Digest = { counts: {}, sum: 0 };

/** The same digest of the record a store of the app's database holds (gunzipped in the page), with its source. */
export const stored = (page: Page, store: 'structureSets' | 'trash') => page.evaluate(async (store) => {
  if (!(await indexedDB.databases()).some((d) => d.name === 'psma-dose-preview')) return null;
  const db = await new Promise<IDBDatabase>((resolve, reject) => { const r = indexedDB.open('psma-dose-preview'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  try {
    if (!db.objectStoreNames.contains(store)) return null;
    const recs = await new Promise<{ data: Uint8Array; source: string; meta?: { hidden: number[] } }[]>((resolve, reject) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
    });
    if (!recs.length) return null;
    const d = new Uint8Array(await new Response(new Blob([recs[0].data as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    const counts: Record<number, number> = {};
    let sum = 0;
    for (let n = 0; n < d.length; n++) if (d[n]) { counts[d[n]] = (counts[d[n]] ?? 0) + 1; sum = (sum + (n + 1) * d[n]) % 2147483647; }
    return { records: recs.length, digest: { counts, sum }, source: recs[0].source, hidden: recs[0].meta?.hidden ?? [] };
  } finally {
    db.close();
  }
}, store);

/** Waits until autosave has stored exactly the set on screen (voxels and hidden structures). */
export async function autosaved(page: Page) {
  const now = { digest: await digest(page), hidden: await page.evaluate(() => [...window.__psma!.viewer.structures!.meta.hidden]) };
  await expect.poll(async () => { const r = await stored(page, 'structureSets'); return r && { digest: r.digest, hidden: r.hidden }; }).toEqual(now);
}

export async function openLocal(page: Page) {
  await page.getByLabel('Open DICOM files').setInputFiles(localFiles());
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  await waitReady(page);
}

export async function acceptAll(page: Page) {
  const cands = page.getByRole('table', { name: 'Candidates' });
  await expect(cands).toBeVisible();
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(cands).toHaveCount(0);
}

/** Kidneys accepted from the proposals, as drawn structures on the local study. */
export async function drawKidneys(page: Page): Promise<Digest> {
  await page.getByRole('button', { name: 'Propose kidneys' }).click();
  await acceptAll(page);
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to Kidney R' })).toBeVisible();
  const d = (await digest(page))!;
  expect(Object.keys(d.counts).map(Number)).toEqual([1, 2]);
  return d;
}

export type Lps = [number, number, number];

/** A stroke of the active tool in the axial view through an LPS point (dx in CSS pixels either side). */
export async function stroke(page: Page, at: Lps, dx = 12) {
  await page.evaluate((p) => window.__psma!.jumpTo!(p), at);
  const [x, y] = await page.evaluate((p) => window.__psma!.clientPoint!('axial', p), at);
  await page.mouse.move(x - dx, y);
  await page.mouse.down();
  for (let d = -dx; d <= dx; d += 3) await page.mouse.move(x + d, y);
  await page.mouse.up();
}

/** Fills the Dose panel's biomarker fields the model asks for (the demo's values), computes, and returns the dose table. */
export async function computeDoses(page: Page): Promise<Locator> {
  for (const [label, value] of [['eGFR', '72'], ['Haemoglobin', '12.5'], ['Height', '176'], ['Weight', '82'], ['Age', '71']]) {
    const field = page.getByLabel(label, { exact: true });
    if (await field.count()) await field.fill(value);
  }
  await page.getByRole('button', { name: 'Compute doses' }).click();
  const table = page.getByRole('table', { name: 'Predicted doses' });
  await expect(table.getByRole('row', { name: /^Kidney L\b/ })).toBeVisible({ timeout: 90_000 });
  return table;
}

/** Dose-table columns by their header, so that added columns do not move them. */
export const DOSE_COLUMNS = ['Structure', 'Volume (mL)', 'Gy/GBq', '90 % PI', 'Gy per cycle', 'Gy cumulative', 'Gy cumulative, upper 90 %'] as const;

/** Per row, the text of the DOSE_COLUMNS cells in that order (name, volume, Gy/GBq, interval, per cycle, cumulative, upper). */
export async function doseCells(table: Locator): Promise<string[][]> {
  const heads = (await table.getByRole('columnheader').allTextContents()).map((t) => t.trim());
  const at = DOSE_COLUMNS.map((h) => heads.findIndex((x) => x === h || (h === 'Gy cumulative' && x.startsWith('Gy cumulative (')))).map((i, n) => {
    if (i < 0) throw new Error(`dose table: no column "${DOSE_COLUMNS[n]}" (headers: ${heads.join(' | ')})`);
    return i;
  });
  // A cell's own value, without its notes ("population value…", "outside the training range…").
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => {
    const c = td.cloneNode(true) as HTMLElement;
    c.querySelectorAll('.note').forEach((n) => n.remove());
    return (c.textContent ?? '').trim();
  })));
  return rows.map((r) => at.map((i) => r[i]));
}
