// Layering guards: the core stands alone, product code needs no test code, and the page's main bundle
// holds no trainer or CLI code (training belongs in its own lazily loaded worker chunk).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../test-support/paths';
import { bundleViolations, importsLeaving, packagesImported, reachable, type BundleRules } from '../test-support/importGraph';

const MAIN_BUNDLE_EXCLUDES: BundleRules = {
  'src/core/model/train.ts': '*',
  'src/core/model/siteTraining.ts': '*',
  'src/core/model/trainedCard.ts': '*',
  'src/core/model/lmm.ts': '*',
  'src/core/model/trees.ts': ['fitTrees'],
  'src/cli': '*',
};

describe('layering', () => {
  it('src/core imports nothing outside src/core (viewer, data, workers, cli, e2e, test-support)', () => {
    expect(importsLeaving(REPO_DIR, 'src/core', 'src/core')).toEqual([]);
  });
  it('src/core uses no viewer-only package (Svelte, Cornerstone rendering, comlink, DICOMweb client)', () => {
    const viewerOnly = /^(svelte|comlink|dicomweb-client|@cornerstonejs\/(core|tools|dicom-image-loader|adapters|metadata))$/;
    expect([...packagesImported(REPO_DIR, 'src/core')].filter(([p]) => viewerOnly.test(p))).toEqual([]);
  });
  it('product code imports nothing from e2e/ or test-support/', () => {
    expect(importsLeaving(REPO_DIR, 'src', 'src')).toEqual([]);
  });
  it('the main bundle (static imports from src/main.ts) contains no trainer, model fitting or CLI code', () => {
    expect(bundleViolations(REPO_DIR, 'src/main.ts', MAIN_BUNDLE_EXCLUDES)).toEqual([]);
  });
});

describe('the import graph walker', () => {
  const root = mkdtempSync(join(tmpdir(), 'layering-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (path: string, text: string) => { mkdirSync(dirname(join(root, path)), { recursive: true }); writeFileSync(join(root, path), text); };
  put('src/main.ts', "import { a } from './viewer/a';\nimport './viewer/Panel.svelte';\nconst w = new Worker(new URL('./workers/w.ts', import.meta.url));\nvoid import('./core/lazy');\nexport { a, w };\n");
  put('src/viewer/a.ts', "import type { T } from '../core/model/train';\nimport { b, type B } from '../core/b';\nexport const a: T | B = b;\n");
  put('src/viewer/Panel.svelte', "<script lang=\"ts\">\n  import { predictEnsemble } from '../core/model/trees';\n  export * from '../core/c';\n</script>\n<p>{predictEnsemble}</p>\n");
  put('src/core/b.ts', "export { x as b } from './c';\nexport type B = number;\n");
  put('src/core/c.ts', "export const x = 1;\n");
  put('src/core/lazy.ts', "import { train } from './model/train';\nexport { train };\n");
  put('src/core/model/train.ts', "import { fitTrees } from './trees';\nexport type T = string;\nexport const train = fitTrees;\n");
  put('src/core/model/trees.ts', "export const fitTrees = 1, predictEnsemble = 2;\n");
  put('src/workers/w.ts', "import { train } from '../core/model/train';\nexport { train };\n");

  it('follows static and re-exporting imports (Svelte scripts too), not type-only ones, dynamic imports or worker chunks', () => {
    const files = [...reachable(join(root, 'src/main.ts')).keys()].map((f) => f.slice(root.length + 1)).sort();
    expect(files).toEqual(['src/core/b.ts', 'src/core/c.ts', 'src/core/model/trees.ts', 'src/main.ts', 'src/viewer/Panel.svelte', 'src/viewer/a.ts']);
    expect(bundleViolations(root, 'src/main.ts', MAIN_BUNDLE_EXCLUDES)).toEqual([]);
  });
  it('reports a banned module or name reached by a runtime import, and a core file leaving the core', () => {
    put('src/viewer/a.ts', "import { train } from '../core/model/train';\nexport const a = train;\n");
    put('src/core/c.ts', "import type { A } from '../viewer/a';\nexport const x: A | 1 = 1;\n");
    expect(bundleViolations(root, 'src/main.ts', MAIN_BUNDLE_EXCLUDES)).toEqual([
      'src/core/model/train.ts (imported by src/viewer/a.ts)',
      'src/core/model/trees.ts: fitTrees (imported by src/core/model/train.ts)',
    ]);
    expect(importsLeaving(root, 'src/core', 'src/core')).toEqual(['src/core/c.ts → src/viewer/a.ts']);
    put('src/core/d.ts', "import { html } from 'svelte/internal';\nimport '@cornerstonejs/core/dist/x';\nexport { html };\n");
    expect([...packagesImported(root, 'src/core').keys()].sort()).toEqual(['@cornerstonejs/core', 'svelte']);
  });
});
