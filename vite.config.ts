/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { pacsProxy, contentSecurityPolicy, localAssets } from './src/data/deployment.ts';

// Orthanc (and most PACS) send no CORS headers: the dev and preview servers forward
// same-origin paths to the PACS listed in public/config.json (see README, "Deployment").
const proxy = pacsProxy();

export default defineConfig({
  base: './',
  plugins: [svelte(), contentSecurityPolicy(), localAssets(), VitePWA({
    // Installable and offline after the first visit: a Workbox service worker precaches the app shell, the
    // workers, every wasm (onnxruntime's is ~28 MB) and the shipped models. It never caches the PACS path or any
    // PACS response (nothing patient-related: images stay in memory, structures in IndexedDB). Registered from
    // an external script (no inline script, so the CSP stays as it is).
    injectRegister: 'script',
    registerType: 'autoUpdate',
    includeAssets: ['icon.svg'],
    manifest: {
      name: 'psma-dose-preview', short_name: 'PSMA dose', description: 'PSMA PET/CT viewer with a 177Lu-PSMA dose preview (not for clinical use)',
      start_url: './', scope: './', display: 'standalone', background_color: '#111418', theme_color: '#171c22',
      icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,wasm,onnx,svg}', 'models/**/*.json'],
      maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/\/pacs\//],
      // The deployment's PACS list: from the network when there is one, else the copy of the last visit.
      runtimeCaching: [{ urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.endsWith('/config.json'), handler: 'NetworkFirst', options: { cacheName: 'deployment-config' } }],
    },
  })],
  server: { proxy, port: 5173 },
  preview: { proxy, port: 4173 },
  optimizeDeps: {
    exclude: ['@cornerstonejs/dicom-image-loader', 'onnxruntime-web'],
    include: [
      'dicom-parser',
      '@cornerstonejs/metadata',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-charls/decodewasmjs',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-openjpeg/decodewasmjs',
      '@cornerstonejs/dicom-image-loader > @cornerstonejs/codec-openjph/wasmjs',
    ],
  },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
