import { test, expect } from '@playwright/test';
import { base, waitReady, computeDoses, doseCells, stroke } from './helpers';

test('dose preview on the demo patient: features in workers, model in onnxruntime-web, plan updates without recompute', async ({ page }) => {
  let modelLoads = 0;
  page.on('request', (r) => { if (r.url().endsWith('/model.onnx')) modelLoads++; });
  await page.goto(base());
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose' }).click();
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toContainText('NOT FOR CLINICAL USE');
  for (const [label, value] of [['eGFR', '72'], ['Haemoglobin', '12.5'], ['Height', '176'], ['Weight', '82'], ['Age', '71']]) {
    const field = page.getByLabel(label, { exact: true });
    if (await field.count()) await field.fill(value);
  }
  await page.getByRole('button', { name: 'Compute doses' }).click();
  const table = page.getByRole('table', { name: 'Predicted doses' });
  await expect(table).toBeVisible({ timeout: 90_000 });
  await expect(table.getByRole('row', { name: /Kidney L/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /^T1\b/ })).toBeVisible();
  const summary = page.getByLabel('Plan summary');
  const before = await summary.textContent();
  await page.getByLabel('Activity per cycle').fill('5');
  await expect(summary).not.toHaveText(before!);
  await expect(table.getByRole('row', { name: /Kidney L/ })).toBeVisible();
  // Closing and reopening the panel keeps the results and the entered biomarkers.
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(table).toBeHidden();
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(table.getByRole('row', { name: /Kidney L/ })).toBeVisible();
  await expect(page.getByLabel('eGFR', { exact: true })).toHaveValue('72');
  await expect(page.getByLabel('Activity per cycle')).toHaveValue('5');
  expect(modelLoads).toBe(1);
});

test('a site model that is not ONNX gets a message listing the problem', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose' }).click();
  await page.getByLabel('Load site model').setInputFiles([
    { name: 'model.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') },
    { name: 'model-card.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ id: 'x' })) },
  ]);
  await expect(page.getByRole('alert').filter({ hasText: 'contract' })).toContainText('missing');
});

test('one model session per page; a second Compute extracts no structure, an edit one, its undo none (counted)', async ({ page }) => {
  const { ORGANS } = await import('../src/core/vocabulary');
  const kidneyL = ORGANS.find((o) => o.name === 'Kidney L')!.label;
  const counters = () => page.evaluate(() => ({ ...window.__psma!.dose! }));
  await page.goto(base());
  await waitReady(page);
  // The model session is made after the first render, before the panel is opened.
  await expect.poll(async () => (await counters()).sessions, { timeout: 60_000 }).toBe(1);
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  const table = await computeDoses(page);
  const first = await counters();
  expect(first.computes).toBe(1);
  expect(first.recomputed).toBe(await table.locator('tbody tr').count());
  const cells = await doseCells(table);
  // Reopening the panel makes no second session.
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect.poll(async () => (await counters()).computes).toBe(2);
  expect(await counters()).toMatchObject({ sessions: 1, recomputed: 0 });
  expect(await doseCells(table)).toEqual(cells);

  // An eraser stroke through Kidney L changes that structure only.
  const at = await page.evaluate((label) => {
    const l = window.__psma!.viewer.structures!.labels;
    const [nx, ny] = l.dims;
    let n = 0, si = 0, sj = 0, sk = 0;
    for (let v = 0; v < l.data.length; v++) if (l.data[v] === label) { n++; si += v % nx; sj += Math.floor(v / nx) % ny; sk += Math.floor(v / (nx * ny)); }
    const ijk = [si / n, sj / n, sk / n].map(Math.round);
    return [0, 1, 2].map((a) => l.origin[a] + [0, 1, 2].reduce((s, b) => s + l.direction[a + 3 * b] * ijk[b] * l.spacing[b], 0)) as [number, number, number];
  }, kidneyL);
  const before = await page.evaluate((label) => window.__psma!.viewer.structures!.labels.data.filter((v) => v === label).length, kidneyL);
  await page.getByRole('button', { name: 'Eraser', exact: true }).click();
  await stroke(page, at, 10);
  await expect.poll(() => page.evaluate((label) => window.__psma!.viewer.structures!.labels.data.filter((v) => v === label).length, kidneyL)).toBeLessThan(before);
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect.poll(async () => (await counters()).computes).toBe(3);
  expect((await counters()).recomputed).toBe(1);
  // Undo brings the kidney's voxels back: its features come from the cache, the doses are those of the first Compute.
  await page.keyboard.press('Control+z');
  await expect.poll(() => page.evaluate((label) => window.__psma!.viewer.structures!.labels.data.filter((v) => v === label).length, kidneyL)).toBe(before);
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect.poll(async () => (await counters()).computes).toBe(4);
  expect(await counters()).toMatchObject({ sessions: 1, recomputed: 0 });
  expect(await doseCells(table)).toEqual(cells);
});
