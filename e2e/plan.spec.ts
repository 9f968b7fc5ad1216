import { test, expect, type Locator, type Page } from '@playwright/test';
import { base, computeDoses, waitReady } from './helpers';

/** Doses of the demo patient (its own structures), computed in the page. */
async function computeDemo(page: Page): Promise<Locator> {
  await page.goto(base());
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose' }).click();
  // The banner shows once the model card is loaded (the biomarker fields depend on it).
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toBeVisible();
  return computeDoses(page);
}

/** A row's volume (mL), Gy/GBq and upper 90 % Gy/GBq as the table shows them. */
async function rowValues(table: Locator, name: string): Promise<{ volume: number; gy: number; hi: number }> {
  const cells = await table.getByRole('row', { name: new RegExp(`^${name}\\b`) }).getByRole('cell').allTextContents();
  return { volume: Number(cells[1]), gy: Number(cells[4]), hi: Number(cells[5].split('–')[1]) };
}

test('plan warnings: kidney upper 90 % bound past 23 Gy with the point estimate under, planned activity above the conservative maximum, salivary gland types apart', async ({ page }) => {
  const table = await computeDemo(page);
  const summary = page.getByLabel('Plan summary');
  const cycles = Number(await page.getByLabel('Cycles').inputValue());
  expect(cycles).toBe(6);

  // The mass-weighted kidney mean from the page's predictions (unit density: volume-weighted).
  const kl = await rowValues(table, 'Kidney L'), kr = await rowValues(table, 'Kidney R');
  const mean = (k: 'gy' | 'hi') => (kl[k] * kl.volume + kr[k] * kr.volume) / (kl.volume + kr.volume);
  const upperFrom = 23 / (cycles * mean('hi')), pointFrom = 23 / (cycles * mean('gy'));
  // The two bounds lie far enough apart that the table's rounding cannot move an activity between them across either.
  expect(pointFrom / upperFrom).toBeGreaterThan(1.2);
  const activity = Math.round(((upperFrom + pointFrom) / 2) * 10) / 10;

  const kidneyUpper = page.getByRole('listitem').filter({ hasText: 'Kidneys (mean of both): upper 90 % bound' });
  const kidneyPoint = page.getByRole('listitem').filter({ hasText: 'Kidneys (mean of both): point estimate' });
  const aboveConservative = page.getByRole('listitem').filter({ hasText: 'above the conservative maximum' });
  const abovePoint = page.getByRole('listitem').filter({ hasText: 'above the maximum from the point estimate' });

  // Under both bounds: no kidney or activity warning.
  await page.getByLabel('Activity per cycle').fill(String(Math.floor(upperFrom * 0.9 * 10) / 10));
  await expect(summary).toContainText('Max activity per cycle');
  await expect(kidneyUpper).toHaveCount(0);
  await expect(aboveConservative).toHaveCount(0);

  // Between them: the upper bound passes 23 Gy, the point estimate does not; the activity is above the conservative maximum.
  await page.getByLabel('Activity per cycle').fill(String(activity));
  await expect(kidneyUpper).toBeVisible();
  await expect(kidneyUpper).toContainText('Warning:');
  await expect(kidneyUpper.locator('[aria-hidden="true"]')).toHaveText('⚠');
  const shown = Number(/([\d.]+) Gy \(mean of both\) passes 23 Gy/.exec((await kidneyUpper.textContent())!)![1]);
  expect(Math.abs(shown / (mean('hi') * activity * cycles) - 1)).toBeLessThan(0.02);
  expect(shown).toBeGreaterThan(23);
  await expect(kidneyPoint).toHaveCount(0);
  await expect(aboveConservative).toBeVisible();
  await expect(aboveConservative).toContainText(`Planned ${activity} GBq per cycle is above the conservative maximum`);
  await expect(aboveConservative).toContainText('set by Kidneys (mean of both)');
  await expect(abovePoint).toHaveCount(0);
  await expect(summary).toContainText(`planned ${activity} GBq is above the conservative maximum`);
  await expect(summary).toContainText('set by Kidneys (mean of both)');
  for (const k of ['Kidney L', 'Kidney R']) {
    await expect(table.getByRole('row', { name: new RegExp(`^${k}\\b`) })).toContainText('over Kidneys (mean of both) limit 23 Gy (upper 90 %)');
  }

  // Above the point maximum as well: both estimates and both maxima flagged.
  await page.getByLabel('Activity per cycle').fill(String(Math.ceil(pointFrom * 1.1 * 10) / 10));
  await expect(kidneyPoint).toBeVisible();
  await expect(abovePoint).toBeVisible();
  await expect(table.getByRole('row', { name: /^Kidney L\b/ })).toContainText('(point and upper 90 %)');

  // Salivary glands: parotid and submandibular apart, each gland and the mass-weighted mean shown.
  for (const [group, glands] of [['Parotid glands', ['Parotid L', 'Parotid R']], ['Submandibular glands', ['Submandibular L', 'Submandibular R']]] as const) {
    const block = summary.getByLabel(group, { exact: true });
    await expect(block).toBeVisible();
    for (const g of glands) await expect(block).toContainText(g);
    await expect(block).toContainText('combined (mass-weighted mean, not a sum)');
  }
  await expect(summary.getByLabel('Parotid glands', { exact: true })).toContainText('Parotid TD50 (NKI) (reference 26.5 Gy per gland, not a limit)');
  await expect(summary.getByLabel('Parotid glands', { exact: true })).toContainText('one gland < 20 Gy or the mean of both < 25 Gy');
  await expect(summary.getByLabel('Submandibular glands', { exact: true })).toContainText('Submandibular TD50 (NKI) (reference 22.9 Gy per gland, not a limit)');
  await expect(summary).not.toContainText('Salivary glands:');

  // Table: sorted by type (tumours, kidneys, parotid, submandibular, lacrimal), volume and upper-bound columns.
  await expect(table.getByRole('columnheader', { name: /Gy cumulative \(tumours: if uptake stayed as in cycle 1\)/ })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'Volume (mL)' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'Gy cumulative, upper 90 %' })).toBeVisible();
  const names = (await table.locator('tbody tr td:first-child').allTextContents()).map((n) => n.replace(/ [LR]$/, '').replace(/^T\d+$/, 'T'));
  const order = ['T', 'Kidney', 'Parotid', 'Submandibular', 'Lacrimal'];
  expect(names.map((n) => order.indexOf(n))).toEqual([...names.map((n) => order.indexOf(n))].sort((a, b) => a - b));
  expect(new Set(names)).toEqual(new Set(order));
  await expect(summary).toContainText('if uptake stayed as in cycle 1');
  await expect(summary).toContainText('Whole-body tumour dose (mass-weighted');
});
