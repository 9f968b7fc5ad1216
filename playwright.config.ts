import { defineConfig } from '@playwright/test';
import { HEADLESS_CHROMIUM } from './src/cli/preview';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    viewport: { width: 1400, height: 900 },
    launchOptions: HEADLESS_CHROMIUM,
    // The app's service worker would serve later tests from its cache: only offline.spec.ts allows it.
    serviceWorkers: 'block',
  },
});
