// Viewer figures in headless Chromium (built app, `vite preview`): demo study from "series chosen" to first
// fused render / fully loaded volumes, divided by the time to decode the same frames alone (same page load);
// memory of a whole-body CT (512×512×800) held as Int16 vs Float32.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { HEADLESS_CHROMIUM, REPO_ROOT, startPreview } from '../preview';

export async function run() {
  if (!existsSync(`${REPO_ROOT}dist/index.html`)) execFileSync('npx', ['vite', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
  const preview = await startPreview();
  const base = `${preview.url}/`;
  try {
    const browser = await chromium.launch(HEADLESS_CHROMIUM);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(base);
    await page.waitForFunction(() => window.__psma?.viewer.ready === true, null, { timeout: 120000 });
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null);
    // Autosave of a whole-body structure set (demo PET grid) to IndexedDB after an edit (accepting proposed kidneys).
    await page.getByRole('button', { name: 'Propose kidneys' }).click();
    await page.getByRole('button', { name: 'Accept all' }).click();
    await page.waitForFunction(() => performance.getEntriesByName('structures-saved').length > 0, null, { timeout: 30000 });
    const autosaveMs = await page.evaluate(() => performance.getEntriesByName('structures-save')[0].duration);
    await browser.close();
    const decode = marks['demo-parsed'] - marks['demo-files-ready'];
    const toRender = marks['first-fused-render'] - marks['demo-files-ready'];
    // Whole-body CT memory: Int16 (as held) vs Float32.
    const before = process.memoryUsage().arrayBuffers;
    const ct16 = new Int16Array(512 * 512 * 800);
    const mid = process.memoryUsage().arrayBuffers;
    const ct32 = new Float32Array(512 * 512 * 800);
    const after = process.memoryUsage().arrayBuffers;
    return {
      demo: {
        generate_ms: +(marks['demo-files-ready'] - marks['demo-start']).toFixed(0),
        decode_frames_alone_ms: +decode.toFixed(0),
        series_chosen_to_first_fused_render_ms: +toRender.toFixed(0),
        fully_loaded_volumes_ms: +toRender.toFixed(0),
        ratio_to_decode: +(toRender / decode).toFixed(2),
        goal_1_5x_met: toRender / decode <= 1.5,
        page_js_heap_mb: heap === null ? null : +(heap / 2 ** 20).toFixed(0),
        note: 'local volumes render in one step, so "first fused render" and "fully loaded" coincide; SwiftShader WebGL, not a GPU',
      },
      autosave_whole_body_structure_set_indexeddb_ms: +autosaveMs.toFixed(0),
      whole_body_ct_512x512x800: { voxels: ct16.length, float32_copy_voxels: ct32.length, int16_mb: +((mid - before) / 2 ** 20).toFixed(0), float32_mb: +((after - mid) / 2 ** 20).toFixed(0), held_as: 'Int16 (CT volumes stay 16-bit in memory and in Cornerstone)' },
    };
  } finally {
    preview.stop();
  }
}
