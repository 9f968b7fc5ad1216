import { test, expect } from '@playwright/test';
import { base, waitReady } from './helpers';

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
