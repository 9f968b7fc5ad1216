import { test, expect, type Download, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base, computeDoses, doseCells, openLocal, waitReady } from './helpers';
import { parseCsv } from '../src/core/csv';

// The biomarkers the default model asks for beyond the PET header's weight, height and age (eGFR, for kidneys).
const BIOMARKERS = { egfr_ml_min_1_73m2: 72 };

/** Local study (files) → its SEG imported → doses computed with the header's weight, height and age. */
async function computeLocal(page: Page) {
  await page.goto(base());
  await waitReady(page);
  await openLocal(page);
  await page.getByLabel('Import structures').setInputFiles(join(process.env.E2E_DIR!, 'local-structures-seg.dcm'));
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  await page.getByLabel('eGFR', { exact: true }).fill(String(BIOMARKERS.egfr_ml_min_1_73m2));
  await page.getByRole('button', { name: 'Compute doses' }).click();
  const table = page.getByRole('table', { name: 'Predicted doses' });
  await expect(table.getByRole('row', { name: /Kidney L/ })).toBeVisible({ timeout: 90_000 });
  return table;
}

test('report: PDF and CSV from the Dose panel hold every structure and figure, the CSV equals the table on screen and the CLI\'s CSV of the same files', async ({ page }) => {
  test.setTimeout(240_000);
  const table = await computeLocal(page);
  const screen = await doseCells(table);
  expect(screen.length).toBeGreaterThanOrEqual(3); // both kidneys and at least one tumour

  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByRole('button', { name: 'Report (PDF + CSV)' }).click();
  await expect(page.getByRole('status', { name: 'Report status' })).toContainText('Report downloaded', { timeout: 60_000 });
  await expect.poll(() => downloads.length).toBe(2);
  const names = downloads.map((d) => d.suggestedFilename()).sort();
  expect(names).toEqual(['20260115-dose-report.csv', '20260115-dose-report.pdf']); // no Patient ID unless asked for
  const pdfPath = await downloads.find((d) => d.suggestedFilename().endsWith('.pdf'))!.path();
  const csv = readFileSync(await downloads.find((d) => d.suggestedFilename().endsWith('.csv'))!.path(), 'utf8');

  // The CSV is the table on screen (same rows in the same order, values as the table rounds them).
  const rows = parseCsv(csv);
  expect(rows.map((r) => r.name)).toEqual(screen.map((c) => c[0]));
  rows.forEach((r, n) => {
    const c = screen[n];
    expect(Number(r.volume_ml).toFixed(1)).toBe(c[1]);
    expect(Number(r.gy_per_gbq).toFixed(2)).toBe(c[2]);
    expect(`${Number(r.pi90_lo_gy_per_gbq).toFixed(2)}–${Number(r.pi90_hi_gy_per_gbq).toFixed(2)}`).toBe(c[3]);
    expect(Number(r.gy_per_cycle).toFixed(1)).toBe(c[4]);
    expect(Number(r.gy_cumulative).toFixed(1)).toBe(c[5]);
    expect(Number(r.gy_cumulative_upper90).toFixed(1)).toBe(c[6]);
  });

  // The PDF: every structure's name and predicted value with its interval, one image per figure.
  const text = spawnSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).stdout;
  expect(text).toContain('NOT FOR CLINICAL USE');
  expect(text).toContain('LOCAL0005');
  for (const c of screen) {
    expect(text).toContain(c[0]);
    expect(text).toContain(`${c[2]} [${c[3]}]`);
  }
  const tumours = rows.filter((r) => r.type === 'tumour').length;
  expect(tumours).toBeGreaterThan(0);
  const images = spawnSync('pdfimages', ['-list', pdfPath], { encoding: 'utf8' }).stdout.trim().split('\n').slice(2);
  expect(images).toHaveLength(1 + tumours + 1); // MIP, an axial slice per tumour, the dose chart

  // The CLI on the same local files and SEG gives the same table (numbers to 1e-6, text exactly).
  const dir = mkdtempSync(join(tmpdir(), 'psma-report-e2e-'));
  writeFileSync(join(dir, 'biomarkers.json'), JSON.stringify(BIOMARKERS));
  const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', '--image', join(process.env.E2E_DIR!, 'local'), '--structures', join(process.env.E2E_DIR!, 'local-structures-seg.dcm'),
    '--biomarkers', join(dir, 'biomarkers.json'), '--out', join(dir, 'out')], { encoding: 'utf8' });
  expect(cli.stderr).not.toMatch(/error/);
  expect(cli.status).toBe(0);
  const cliRows = parseCsv(readFileSync(join(dir, 'out', 'report.csv'), 'utf8'));
  expect(cliRows.map((r) => r.name)).toEqual(rows.map((r) => r.name));
  cliRows.forEach((r, n) => {
    for (const [k, v] of Object.entries(r)) {
      const mine = rows[n][k];
      if (v !== '' && Number.isFinite(Number(v))) expect(Math.abs(Number(v) - Number(mine)), `${r.name} ${k}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(Number(v))));
      else expect(mine, `${r.name} ${k}`).toBe(v);
    }
  });

  // The print view: the same table and figures, closed again.
  await page.getByRole('button', { name: 'Print view' }).click();
  const view = page.getByRole('dialog', { name: 'Report print view' });
  await expect(view.getByRole('table', { name: 'Report table' }).locator('tbody tr')).toHaveCount(rows.length);
  await expect(view.locator('figure img')).toHaveCount(1 + tumours + 1);
  expect(await view.locator('figure img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
  // Printed, only the report shows (the app behind it and the view's buttons are hidden by the print CSS).
  await page.emulateMedia({ media: 'print' });
  await expect(table).toBeHidden();
  await expect(view.getByRole('button', { name: 'Print' })).toBeHidden();
  await expect(view.getByRole('table', { name: 'Report table' })).toBeVisible();
  await page.emulateMedia({ media: 'screen' });
  await expect(table).toBeVisible();
  await view.getByRole('button', { name: 'Close' }).click();
  await expect(view).toHaveCount(0);
});

test('report on the demo patient: every structure and tumour slice in the PDF, the Patient ID in the file names only when ticked', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(base());
  await waitReady(page);
  // The export option of the Structures panel ("ID in export file names") names the report files too.
  await page.evaluate(() => localStorage.setItem('psma-dose-preview.exportNamesWithPatientId', '1'));
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  const table = await computeDoses(page);
  const screen = await doseCells(table);
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByRole('button', { name: 'Report (PDF + CSV)' }).click();
  await expect.poll(() => downloads.length, { timeout: 60_000 }).toBe(2);
  for (const d of downloads) expect(d.suggestedFilename()).toMatch(/^DEMO0001-\d{8}-dose-report\.(pdf|csv)$/);
  const pdfPath = await downloads.find((d) => d.suggestedFilename().endsWith('.pdf'))!.path();
  const text = spawnSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).stdout;
  for (const c of screen) expect(text).toContain(`${c[2]} [${c[3]}]`);
  const tumours = screen.filter((c) => /^T\d+$/.test(c[0])).length;
  expect(tumours).toBeGreaterThan(1);
  const images = spawnSync('pdfimages', ['-list', pdfPath], { encoding: 'utf8' }).stdout.trim().split('\n').slice(2);
  expect(images).toHaveLength(1 + tumours + 1);
  const made = await page.evaluate(() => ['report-made', 'report-model', 'report-files'].flatMap((n) => performance.getEntriesByName(n).map((e) => e.duration)));
  console.log(`demo report made in the browser in ${made.map((ms) => ms.toFixed(0)).join(', ')} ms (PDF ${readFileSync(pdfPath).length} bytes)`);
});
