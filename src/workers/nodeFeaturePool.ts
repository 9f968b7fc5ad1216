// Node pool: os.availableParallelism() worker_threads running the same task code. The workers load the
// TypeScript source through tsx's loader API (the project ships no compiled JS).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createFeaturePool, type FeaturePool } from './featurePool';

const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
const entry = new URL('./features.node-worker.ts', import.meta.url).href;
const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;

export function nodeFeaturePool(size = availableParallelism()): FeaturePool {
  return createFeaturePool(size, () => {
    const worker = new Worker(bootstrap, { eval: true });
    const failed = new Promise<never>((_, reject) => worker.on('error', (e) => reject(new Error(`feature worker failed: ${e.message}`))));
    failed.catch(() => undefined);
    return { api: wrap(nodeEndpoint(worker)), terminate: () => void worker.terminate(), failed };
  });
}
