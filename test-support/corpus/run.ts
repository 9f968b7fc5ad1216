// Runs corpus cases through the real CLIs as child processes (node --max-old-space-size=512, tsx as loader,
// as the npm scripts do) with a hang watchdog, and judges each run against its expected outcome.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_DIR } from '../paths';
import type { Base } from './base';
import type { CaseFiles, CorpusCase } from './cases';

/** Kill a run after this long and report a hang (a watchdog, not a speed limit: a case takes about a second). */
export const HANG_MS = 90_000;
/** The heap limit of every run: a header that makes a reader allocate what it claims fails here. */
export const HEAP_MB = 512;

export interface CliRun { code: number | null; signal: string | null; stdout: string; stderr: string; hang: boolean; maxRssMb?: number; ms: number }

export function writeCaseFiles(dir: string, files: CaseFiles): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : content instanceof Uint8Array ? content : new Uint8Array(content));
  }
}

export function runCli(cli: string, args: string[], probeFile: string): Promise<CliRun> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', '--import', './test-support/corpus/probe.mjs', `src/cli/${cli}.ts`, ...args], {
      cwd: REPO_DIR, env: { ...process.env, CORPUS_PROBE_FILE: probeFile, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '', hang = false;
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const watchdog = setTimeout(() => { hang = true; child.kill('SIGKILL'); }, HANG_MS);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      const rss = existsSync(probeFile) ? Number(readFileSync(probeFile, 'utf8')) / 1024 : undefined;
      resolve({ code, signal, stdout, stderr, hang, maxRssMb: rss, ms: performance.now() - t0 });
    });
  });
}

/** Runs every case (at most `parallel` at a time) in its own folder under `root`. */
export async function runCases(cases: CorpusCase[], base: Base, root: string, parallel: number): Promise<Map<string, { run: CliRun; dir: string }>> {
  const out = new Map<string, { run: CliRun; dir: string }>();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const n = next++;
      const c = cases[n];
      const dir = join(root, String(n).padStart(3, '0'));
      writeCaseFiles(dir, c.files(base));
      const run = await runCli(c.cli, c.args((p) => join(dir, p)), join(root, `${String(n).padStart(3, '0')}.rss`));
      out.set(c.id, { run, dir });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

const STACK = /^\s+at .+:\d+(:\d+)?\)?$|\bat (file|node):|\.[cm]?[jt]s:\d+:\d+/m;
const OOM = /heap out of memory|Allocation failed|Array buffer allocation failed|Invalid array (buffer )?length|Invalid typed array length/;

/** What is wrong with a run, given the case's expected outcome (empty when it behaved). */
export function judge(c: CorpusCase, r: CliRun, dir: string): string[] {
  const problems: string[] = [];
  const tail = (s: string) => JSON.stringify(s.length > 600 ? `${s.slice(0, 600)}…` : s);
  if (r.hang) return [`hang: killed after ${HANG_MS / 1000} s`];
  if (OOM.test(r.stderr) || r.signal === 'SIGABRT' || r.code === 134) problems.push(`out of memory: ${tail(r.stderr)}`);
  if (r.signal) problems.push(`killed by ${r.signal}`);
  if (STACK.test(r.stderr) || STACK.test(r.stdout)) problems.push(`stack trace in the output: ${tail(r.stderr)}`);
  const wrote = readdirSync(dir).filter((f) => f.startsWith('out'));
  if ('error' in c.expect) {
    if (r.code === 0) problems.push(`exit 0 where an error was expected (stderr ${tail(r.stderr)}, stdout ${tail(r.stdout)})`);
    else if (r.code !== 1 && r.code !== 2) problems.push(`exit ${r.code}`);
    if (!c.expect.error.test(r.stderr)) problems.push(`message ${tail(r.stderr)} does not match ${c.expect.error}`);
    if (r.stdout.trim()) problems.push(`partial output on stdout: ${tail(r.stdout)}`);
    if (wrote.length) problems.push(`wrote ${wrote.join(', ')} although it failed`);
    return problems;
  }
  if (r.code !== 0) problems.push(`exit ${r.code}: ${tail(r.stderr)}`);
  if ('warning' in c.expect && !c.expect.warning.test(r.stderr)) problems.push(`warning missing: stderr ${tail(r.stderr)} does not match ${c.expect.warning}`);
  if (r.code === 0 && c.check) {
    const read = (p: string) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined);
    let p: string | undefined;
    try { p = c.check({ stdout: r.stdout, read }); } catch (e) { p = `check failed: ${(e as Error).message}`; }
    if (p) problems.push(p);
  }
  return problems;
}
