// The README screenshot: the built app (`vite build` first) on the demo patient at 1920×1080, written to
// public/readme-screenshot.png (or --out FILE).
import { chromium } from '@playwright/test';
import { join } from 'node:path';
import { HEADLESS_CHROMIUM, REPO_ROOT, startPreview } from './preview';

async function main(): Promise<void> {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? process.argv[at + 1] : join(REPO_ROOT, 'public', 'readme-screenshot.png');
  if (!out) throw new Error('--out needs a file name');
  const preview = await startPreview();
  const browser = await chromium.launch(HEADLESS_CHROMIUM);
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(preview.url);
    await page.waitForFunction(() => window.__psma?.viewer.ready === true, null, { timeout: 120_000 });
    const vp = (await page.getByRole('img', { name: /^Axial fusion/ }).boundingBox())!;
    await page.mouse.move(vp.x + vp.width * 0.45, vp.y + vp.height * 0.55);
    await page.waitForTimeout(1500); // let the last render land
    await page.screenshot({ path: out });
    console.log(out);
  } finally {
    await browser.close();
    preview.stop();
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
