// Build- and dev-server-side helpers for a deployment: PACS proxy and Content-Security-Policy.
// Runs in Node (vite.config.ts), never in the browser.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ProxyOptions } from 'vite';

export interface PacsEndpoint {
  id: string;
  name: string;
  /** DICOMweb root as the browser sees it: a same-origin path (normal) or an absolute URL. */
  url: string;
  /** Where the dev/preview server forwards `url` when it is a same-origin path. */
  devProxyTarget?: string;
}
export interface DeploymentConfig {
  pacs: PacsEndpoint[];
  defaultPacs?: string;
}

const configPath = fileURLToPath(new URL('../../public/config.json', import.meta.url));

export function readDeploymentConfig(path = configPath): DeploymentConfig {
  const cfg = JSON.parse(readFileSync(path, 'utf8')) as DeploymentConfig;
  if (!Array.isArray(cfg.pacs)) throw new Error(`${path}: "pacs" must be a list of {id, name, url}`);
  return cfg;
}

/** Proxy table for vite's dev and preview servers. `PACS_TARGET_<ID>` (upper-case id) overrides a target. */
export function pacsProxy(cfg = readDeploymentConfig()): Record<string, ProxyOptions> {
  const out: Record<string, ProxyOptions> = {};
  for (const p of cfg.pacs) {
    if (!p.url.startsWith('/')) continue;
    const target = process.env[`PACS_TARGET_${p.id.toUpperCase()}`] ?? p.devProxyTarget;
    if (!target) continue;
    const prefix = p.url.replace(/\/$/, '');
    out[prefix] = {
      target,
      changeOrigin: true,
      rewrite: (path) => path.slice(prefix.length),
    };
  }
  return out;
}

/** The policy: own origin only, plus the origins of any cross-origin PACS listed in config.json. */
export function cspFor(cfg = readDeploymentConfig()): string {
  const extra = cfg.pacs
    .filter((p) => /^https?:\/\//.test(p.url))
    .map((p) => new URL(p.url).origin);
  const connect = ["'self'", ...new Set(extra)].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src ${connect}`,
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
  ].join('; ');
}

/** Writes the CSP into index.html as a meta tag at build time (dev server keeps Vite's HMR working). */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'psma-csp',
    apply: 'build',
    transformIndexHtml(html) {
      const meta = `<meta http-equiv="Content-Security-Policy" content="${cspFor()}">`;
      return html.replace('<head>', `<head>\n    ${meta}`);
    },
  };
}

/**
 * Serves the shipped dose models (models/<name>/model.onnx + model-card.json) from the app's own origin.
 * Dev server: middleware; build: emitted assets. (onnxruntime-web's .wasm is emitted by the bundler from
 * its `new URL(…, import.meta.url)` reference, so it too comes from the app's origin, never a CDN.)
 */
export function localAssets(): Plugin {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files = (): Record<string, string> => {
    const out: Record<string, string> = {};
    const models = join(root, 'models');
    if (existsSync(models)) {
      for (const d of readdirSync(models, { withFileTypes: true })) {
        if (!d.isDirectory()) continue;
        for (const f of ['model.onnx', 'model-card.json']) if (existsSync(join(models, d.name, f))) out[`models/${d.name}/${f}`] = join(models, d.name, f);
      }
    }
    return out;
  };
  const types: Record<string, string> = { wasm: 'application/wasm', mjs: 'text/javascript', json: 'application/json', onnx: 'application/octet-stream' };
  return {
    name: 'psma-local-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]).replace(/^\//, '');
        const f = files()[path];
        if (!f) return next();
        res.setHeader('Content-Type', types[path.split('.').pop()!] ?? 'application/octet-stream');
        res.end(readFileSync(f));
      });
    },
    generateBundle() {
      for (const [name, f] of Object.entries(files())) this.emitFile({ type: 'asset', fileName: name, source: readFileSync(f) });
    },
  };
}
