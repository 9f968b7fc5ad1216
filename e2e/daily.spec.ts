// Daily use: display (PET threshold and palette, inverted-grey MIP, label contrast), layout at two screen sizes,
// keyboard (slices, shortcuts, skip link), labels (units, dates, QIDO description and partial IDs), tumour numbers.
import { test, expect, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, computeDoses, waitReady, truth, openLocal, type Lps } from './helpers';
import { rewriteDicom } from '../test-support/dicomEdit';

type Key = 'axial' | 'coronal' | 'sagittal' | 'mip';

/** RGB of the canvas pixel of a view at client coordinates. */
const pixelAt = (page: Page, key: Key, x: number, y: number) => page.evaluate(([key, x, y]) => {
  const i = ['axial', 'coronal', 'sagittal', 'mip'].indexOf(key as string);
  const c = document.querySelectorAll('.vp canvas')[i] as HTMLCanvasElement;
  const r = c.getBoundingClientRect();
  const t = document.createElement('canvas');
  t.width = c.width; t.height = c.height;
  const g = t.getContext('2d')!;
  g.drawImage(c, 0, 0);
  const d = g.getImageData(Math.round(((x as number) - r.left) * c.width / r.width), Math.round(((y as number) - r.top) * c.height / r.height), 1, 1).data;
  return [d[0], d[1], d[2]];
}, [key, x, y] as const);

/** WCAG 2 contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/[\d.]+/g)!.slice(0, 3).map((v) => { const s = Number(v) / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const hottestLesion = () => truth().structures.filter((s) => s.type === 'tumour').sort((a, b) => b.suvMax - a.suvMax)[0];

test('display: Hot Iron over the CT leaves tissue below the threshold untinted; the MIP is inverted grey and I toggles it; labels over the views have AA contrast', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  const pet = page.getByRole('region', { name: 'PET display' });
  await expect(pet.getByLabel('Colour map')).toHaveValue('Hot Iron');
  await expect(pet.getByLabel(/Hide PET below \(SUV\)/)).toHaveValue('1.5');

  // Along a row through the hottest lesion: soft tissue with SUV under 1 stays grey, SUV over 4 is coloured.
  const lesion = hottestLesion();
  await page.evaluate((p) => window.__psma!.jumpTo!(p), lesion.maxVoxelLps as Lps);
  const box = (await page.getByRole('img', { name: /^Axial fusion/ }).boundingBox())!;
  const [, y] = await page.evaluate((p) => window.__psma!.clientPoint!('axial', p), lesion.maxVoxelLps as Lps);
  let grey = 0, hot = 0, redness = 0;
  for (let x = box.x + 8; x < box.x + box.width - 8; x += 6) {
    await page.mouse.move(x, y);
    const suv = Number(await page.getByLabel('SUV', { exact: true }).textContent());
    const hu = Number(await page.getByLabel('HU', { exact: true }).textContent());
    const [r, g, b] = await pixelAt(page, 'axial', x, y);
    if (hu > -150 && hu < 150 && suv < 1) { grey++; expect(Math.max(Math.abs(r - g), Math.abs(g - b))).toBeLessThan(10); }
    if (suv > 4) { hot++; redness = Math.max(redness, r - b); }
  }
  expect(grey).toBeGreaterThan(3);
  expect(hot).toBeGreaterThan(0);
  expect(redness).toBeGreaterThan(60);

  // The MIP: white background, the lesion dark; I makes it a colour MIP on black, I again inverted grey.
  const mipAt = async () => {
    const mip = (await page.getByRole('img', { name: /^PET MIP/ }).boundingBox())!;
    const [lx, ly] = await page.evaluate((p) => window.__psma!.clientPoint!('mip', p), lesion.maxVoxelLps as Lps);
    return { bg: await pixelAt(page, 'mip', mip.x + 3, mip.y + mip.height - 3), spot: await pixelAt(page, 'mip', lx, ly) };
  };
  const sum = (c: number[]) => c[0] + c[1] + c[2];
  let m = await mipAt();
  expect(sum(m.bg)).toBeGreaterThan(740);
  expect(sum(m.spot)).toBeLessThan(200);
  await page.locator('body').press('i');
  await expect(pet.getByLabel('MIP in inverted grey (I)')).not.toBeChecked();
  await expect.poll(async () => sum((await mipAt()).bg)).toBeLessThan(15);
  m = await mipAt();
  expect(m.spot[0]).toBeGreaterThan(200); // Hot Iron: the hottest voxels red to white
  await page.locator('body').press('i');
  await expect.poll(async () => sum((await mipAt()).bg)).toBeGreaterThan(740);

  // Text over the image views: an opaque chip, contrast ≥ 4.5:1 (WCAG AA) whatever the image under it.
  for (const label of await page.locator('.vp-label').all()) {
    const { color, background } = await label.evaluate((e) => { const s = getComputedStyle(e); return { color: s.color, background: s.backgroundColor }; });
    expect(background).toMatch(/^rgb\(/); // rgb(), not rgba(): nothing of the image shows through
    expect(contrast(color, background)).toBeGreaterThanOrEqual(4.5);
  }
});

for (const [width, height] of [[1366, 768], [1920, 1080]]) {
  test(`layout at ${width}×${height}: nothing in the sidebar is cut off, the PET controls are near the top`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto(base());
    await waitReady(page);
    await openLocal(page); // the demo's lesions are all drawn already: the local study gives candidates
    await page.getByRole('button', { name: 'Find lesions' }).click();
    await expect(page.getByRole('table', { name: 'Candidates' })).toBeVisible({ timeout: 60_000 });
    const aside = page.getByRole('complementary', { name: 'Controls' });
    const cut = await aside.evaluate((a) => {
      const box = a.getBoundingClientRect();
      const right = box.left + a.clientWidth; // inside the scrollbar
      const out = [...a.querySelectorAll('button, input, select, th, td, label, h3')].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.left < box.left - 0.5 || r.right > right + 0.5);
      }).map((e) => `${e.tagName} ${(e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 30)}`);
      return { out, overflow: a.scrollWidth - a.clientWidth };
    });
    expect(cut.out).toEqual([]);
    expect(cut.overflow).toBeLessThanOrEqual(0);
    const pet = (await page.getByRole('region', { name: 'PET display' }).boundingBox())!;
    expect(pet.y).toBeLessThan(height / 2);
    // The splitter widens the sidebar with the keyboard.
    const before = (await aside.boundingBox())!.width;
    await page.getByRole('separator', { name: /Sidebar width/ }).press('ArrowLeft');
    await expect.poll(async () => (await aside.boundingBox())!.width).toBeGreaterThan(before + 10);
  });
}

test('keyboard: shortcuts without a click, arrow keys and PageUp/PageDown in the focused view, skip link to the controls', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.keyboard.press('4');
  await expect(page.getByRole('button', { name: 'SUV 0–5 (4)' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to the controls' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('complementary', { name: 'Controls' })).toBeFocused();

  const z = () => page.evaluate(() => window.__psma!.focalPoint!('axial')[2]);
  const x = () => page.evaluate(() => window.__psma!.focalPoint!('sagittal')[0]);
  await page.getByRole('img', { name: /^Axial fusion/ }).focus();
  const z0 = await z();
  await page.keyboard.press('ArrowUp');
  const step = (await z()) - z0;
  expect(Math.abs(step)).toBeGreaterThan(0.5);
  expect(Math.abs(step)).toBeLessThan(6.01);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  expect((await z()) - z0).toBeCloseTo(3 * step, 3);
  await page.keyboard.press('PageDown');
  expect((await z()) - z0).toBeCloseTo(-7 * step, 3);
  // Only the focused view moves.
  const x0 = await x();
  await page.keyboard.press('PageUp');
  expect(await x()).toBe(x0);
  await page.getByRole('img', { name: /^Sagittal fusion/ }).focus();
  await page.keyboard.press('ArrowDown');
  expect(await x()).not.toBe(x0);
});

test('labels: stored PET value in the series unit (Bq/mL, g/mL for GML), formatted date; PACS search by partial ID lists the description', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText(/· \d{4}-\d{2}-\d{2}/);
  await expect(page.getByLabel('Patient')).not.toContainText(/\d{8}/);
  const vp = (await page.getByRole('img', { name: /^Axial fusion/ }).boundingBox())!;
  await page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
  await expect(page.getByLabel('Stored PET unit')).toHaveText('Bq/mL');

  // The small local study with its PET stored as GML (values already SUVbw, scaled so).
  const dir = join(process.env.E2E_DIR!, 'local');
  const names = readdirSync(dir).filter((f) => f.endsWith('.dcm'));
  const files = rewriteDicom(names.map((n) => ({ name: n, data: new Uint8Array(readFileSync(join(dir, n))).buffer })), (ds) => {
    if (ds.Modality !== 'PT') return;
    ds.Units = 'GML';
    ds.RescaleSlope = String(Number(ds.RescaleSlope) / 5000);
  });
  await page.getByLabel('Open DICOM files').setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'application/dicom', buffer: Buffer.from(f.data) })));
  await expect(page.getByLabel('Patient')).toContainText('LOCAL0005');
  await waitReady(page);
  await page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
  await expect(page.getByLabel('Stored PET unit')).toHaveText('g/mL (SUVbw)');
  await expect(page.getByRole('region', { name: 'Readout' })).not.toContainText('Bq/mL');

  await page.getByRole('button', { name: 'PACS' }).click();
  const browser = page.getByRole('region', { name: 'Study browser' });
  // PAIR0007: no spec stores a SEG there (Orthanc then takes study tags from the SEG, which has no description).
  await browser.getByLabel('Patient name or ID').fill('0007');
  await browser.getByRole('button', { name: 'Search' }).click();
  const row = browser.getByRole('row', { name: /PAIR0007/ }).first();
  await expect(row).toBeVisible();
  await expect(row).toContainText('PSMA PET/CT (synthetic, not a real patient)');
  await expect(row).toContainText(/\d{4}-\d{2}-\d{2}/);
});

test('"+ New tumour" twice without drawing gives the same number (no gap)', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  const pick = page.getByLabel('Active structure');
  const shown = async () => pick.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent?.trim());
  await pick.selectOption('new');
  const first = await shown();
  expect(first).toMatch(/^T\d+ /);
  await pick.selectOption('new');
  expect(await shown()).toBe(first);
});

test('dose table sorted by type then dose with volume and SUV columns; chart y axis in Gy, x labels apart', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose' }).click();
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toBeVisible();
  const table = await computeDoses(page);
  const head = (await table.getByRole('columnheader').allTextContents()).map((t) => t.trim());
  expect(head.slice(0, 7)).toEqual(['Structure', 'Volume (mL)', 'SUVmax', 'SUVmean', 'Gy/GBq', '90 % PI', 'Gy per cycle']);
  expect(head.some((h) => h.includes('upper 90 %'))).toBe(true);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
  // Tumours first by dose (descending), then the organs; each row's SUV columns filled and SUVmax ≥ SUVmean.
  const tumours = rows.filter((r) => /^T\d+$/.test(r[0]));
  expect(tumours.length).toBeGreaterThan(1);
  expect(rows.slice(0, tumours.length)).toEqual(tumours);
  const gy = tumours.map((r) => Number(r[4]));
  expect(gy).toEqual([...gy].sort((a, b) => b - a));
  for (const r of rows) {
    expect(Number(r[2])).toBeGreaterThanOrEqual(Number(r[3]));
    expect(Number(r[3])).toBeGreaterThan(0);
  }
  // The lesion of highest SUVmax in the truth shows its SUVmax within rounding.
  const t = hottestLesion();
  expect(rows.some((r) => Math.abs(Number(r[2]) - t.suvMax) <= 0.06)).toBe(true);
  // Each plot names its y unit; the x labels do not overlap.
  for (const plot of await page.locator('svg.plot').all()) {
    await expect(plot.locator('text', { hasText: /^Gy$/ })).toHaveCount(1);
    const boxes = await plot.locator('text.xlabel').evaluateAll((ts) => ts.map((t) => { const r = t.getBoundingClientRect(); return [r.left, r.right]; }));
    for (let n = 1; n < boxes.length; n++) expect(boxes[n][0]).toBeGreaterThanOrEqual(boxes[n - 1][1] - 0.5);
  }
});

test('ruler and ellipse ROI: the length between two points, SUVmax of the hottest lesion as in the phantom truth', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  const lesion = hottestLesion();
  const p = lesion.maxVoxelLps as Lps;
  await page.evaluate((q) => window.__psma!.jumpTo!(q), p);
  const at = (q: Lps) => page.evaluate((r) => window.__psma!.clientPoint!('axial', r), q);
  const drag = async (a: Lps, b: Lps) => {
    const [x0, y0] = await at(a), [x1, y1] = await at(b);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let s = 1; s <= 8; s++) await page.mouse.move(x0 + ((x1 - x0) * s) / 8, y0 + ((y1 - y0) * s) / 8);
    await page.mouse.up();
  };
  await page.keyboard.press('l');
  await expect(page.getByRole('button', { name: 'Ruler (L)' })).toHaveAttribute('aria-pressed', 'true');
  // 60 mm apart in x and 80 mm in y on the axial slice: 100 mm.
  await drag([p[0] - 30, p[1] - 40, p[2]], [p[0] + 30, p[1] + 40, p[2]]);
  await expect.poll(async () => Number(await page.getByLabel('Length 1').textContent())).toBeCloseTo(100, 0);

  await page.getByRole('button', { name: 'Ellipse ROI (E)' }).click();
  const r = 2.5 * Math.cbrt((3 * lesion.volumeMl * 1000) / (4 * Math.PI)); // well beyond the lesion's radius
  await drag([p[0] - r, p[1] + r, p[2]], [p[0] + r, p[1] - r, p[2]]); // the other diagonal: away from the ruler
  await expect.poll(async () => Number(await page.getByLabel('Maximum 2').textContent())).toBeGreaterThan(0);
  const max = Number(await page.getByLabel('Maximum 2').textContent());
  const mean = Number(await page.getByLabel('Mean 2').textContent());
  expect(Math.abs(max - lesion.suvMax) / lesion.suvMax).toBeLessThan(0.02);
  expect(mean).toBeLessThan(max);
  await page.getByRole('button', { name: 'Remove all measurements' }).click();
  await expect(page.getByRole('list', { name: 'Measurements' })).toHaveCount(0);
});
