import { test, expect, type Page, type Route } from '@playwright/test';
import { base, waitReady } from './helpers';

async function openFromPacs(page: Page, id: string) {
  await page.goto(`${base()}/?source=pacs`);
  await page.getByLabel('Patient name or ID').fill(id);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('row', { name: new RegExp(id) }).getByRole('button', { name: /Open study/ }).click();
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText(id);
}

async function fillBiomarkers(page: Page) {
  for (const [label, value] of [['eGFR', '72'], ['Haemoglobin', '12.5'], ['Height', '176'], ['Weight', '82'], ['Age', '71']]) {
    const field = page.getByLabel(label, { exact: true });
    if (await field.count()) await field.fill(value);
  }
}

test('an FDG study from the PACS: the refusal shows as soon as the Dose panel opens, and Compute gives no doses', async ({ page }) => {
  // Hold the model back: the refusal must not wait for it.
  const held: Route[] = [];
  await page.route('**/models/default/model.onnx', (route) => void held.push(route));
  await openFromPacs(page, 'FDG0011');
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  const check = page.getByRole('alert', { name: 'Tracer check' });
  await expect(check).toContainText('The PET was acquired with 18F-FDG (fluorodeoxyglucose), not a PSMA ligand: 177Lu-PSMA doses cannot be predicted from it.');
  await expect(check).toContainText('Radiopharmaceutical Code Sequence (SCT 35321007)');
  await expect(page.getByRole('status', { name: 'Model status' })).toHaveText('Loading the dose model…');
  await expect.poll(() => held.length).toBe(1);
  await expect(page.getByRole('button', { name: 'Loading the dose model…' })).toBeDisabled();
  // With the model loaded the answer is the same.
  for (const r of held) await r.continue();
  await page.unroute('**/models/default/model.onnx');
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toBeVisible({ timeout: 60_000 });
  await expect(check).toContainText('not a PSMA ligand');
  await fillBiomarkers(page);
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'No doses' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Predicted doses' })).toHaveCount(0);
  await expect(page.getByRole('progressbar', { name: 'Feature extraction progress' })).toHaveCount(0);
});

test('the demo (18F-DCFPyL-coded, the model\'s agent): the tracer check passes and doses are computed', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(page.getByLabel('Tracer check')).toContainText('The PET was acquired with 18F-DCFPyL, the tracer the model was trained on (Radiopharmaceutical Code Sequence (NCIt C116352))');
  await expect(page.getByRole('alert', { name: 'Tracer check' })).toHaveCount(0);
  await fillBiomarkers(page);
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect(page.getByRole('table', { name: 'Predicted doses' }).getByRole('row', { name: /Kidney L/ })).toBeVisible({ timeout: 90_000 });
});

test('an 18F-PSMA-1007 study: confirmation with its caveat; Compute refuses until confirmed, then doses', async ({ page }) => {
  await openFromPacs(page, 'P1007');
  await page.getByRole('button', { name: 'Import SEG Structures P1007' }).click();
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  const check = page.getByRole('alert', { name: 'Tracer check' });
  await expect(check).toContainText('The PET was acquired with 18F-PSMA-1007; the model was trained on 18F-DCFPyL PET.');
  await expect(check).toContainText('predominantly hepatobiliary rather than urinary clearance');
  await fillBiomarkers(page);
  await page.getByRole('button', { name: 'Compute doses' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'No doses yet' })).toContainText('confirmation');
  await expect(page.getByRole('table', { name: 'Predicted doses' })).toHaveCount(0);
  await check.getByRole('button', { name: 'Predict for 18F-PSMA-1007 anyway' }).click();
  await expect(page.getByRole('table', { name: 'Predicted doses' }).getByRole('row', { name: /Kidney L/ })).toBeVisible({ timeout: 90_000 });
  const confirmed = page.getByRole('status', { name: 'Tracer check' });
  await expect(confirmed).toContainText('Predicting for 18F-PSMA-1007, confirmed');
  await expect(confirmed).toContainText('hepatobiliary');
});
