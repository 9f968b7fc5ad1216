/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { pacsProxy, contentSecurityPolicy, localAssets } from './src/data/deployment.ts';

// Orthanc (and most PACS) send no CORS headers: the dev and preview servers forward
// same-origin paths to the PACS listed in public/config.json (see README, "Deployment").
const proxy = pacsProxy();

export default defineConfig({
  base: './',
  plugins: [svelte(), contentSecurityPolicy(), localAssets()],
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
