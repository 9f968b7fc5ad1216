import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
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
