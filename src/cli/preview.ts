// Local servers and browser for the Node tooling (bench, e2e harness): a free loopback port, `vite preview`
// of the built app on one (ready when it answers), and the headless Chromium both launch.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Debian's Chromium (Playwright cannot download browsers here) with SwiftShader WebGL for Cornerstone. */
export const HEADLESS_CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  ],
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface PreviewServer {
  url: string;
  stop(): void;
}

/** Serves dist/ (run `vite build` first) with `vite preview` on a free loopback port. */
export async function startPreview(opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<PreviewServer> {
  const port = await freePort();
  const proc = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true,
  });
  let log = '';
  proc.stderr?.on('data', (d) => (log = (log + d).slice(-2000)));
  const stop = () => { try { process.kill(-proc.pid!, 'SIGTERM'); } catch { /* gone */ } };
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch { /* starting */ }
    if (proc.exitCode !== null || Date.now() - t0 > (opts.timeoutMs ?? 30000)) {
      stop();
      throw new Error(`vite preview did not start (did \`vite build\` run?)${log ? `: ${log.trim()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
