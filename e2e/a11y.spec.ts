// Accessibility of the main screens with axe-core (WCAG 2.x A and AA rules): no serious or critical violation.
// Text drawn over the image views, which axe cannot judge, has its own contrast check in daily.spec.ts.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { base, computeDoses, waitReady } from './helpers';

async function serious(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('viewer, study browser, settings and the dose panel with results: 0 serious/critical axe violations', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  expect(await serious(page)).toEqual([]);

  await page.getByRole('button', { name: 'PACS' }).click();
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('row', { name: /DEMO0001/ })).toBeVisible();
  await page.getByRole('button', { name: /^Series of/ }).first().click();
  await expect(page.getByRole('list', { name: 'Series list' })).toBeVisible();
  expect(await serious(page)).toEqual([]);
  await page.getByRole('button', { name: 'PACS' }).click();

  await page.getByRole('button', { name: 'Settings' }).click();
  expect(await serious(page)).toEqual([]);
  await page.getByRole('button', { name: 'Settings' }).click();

  await page.getByRole('button', { name: 'Dose' }).click();
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toBeVisible();
  await computeDoses(page);
  expect(await serious(page)).toEqual([]);

  // The check itself: a button without a name is reported.
  await page.evaluate(() => document.body.append(Object.assign(document.createElement('button'), { id: 'unnamed' })));
  expect((await serious(page)).join('\n')).toContain('button-name');
});
