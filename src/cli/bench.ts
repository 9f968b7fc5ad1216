// `npm run bench [-- --only NAME[,NAME]]`: runs every benchmark section in src/cli/bench/*.ts and
// prints one JSON object { section: figures }. Each section exports `run(): Promise<object>` and
// measures its own ratios within the same run. Times are milliseconds unless a key says otherwise.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('./bench/', import.meta.url));
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? process.argv[onlyArg + 1]?.split(',') : undefined;
const sections = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((name) => !only || only.includes(name))
  .sort();

if (only && sections.length !== only.length) {
  console.error(`unknown bench section(s): ${only.filter((o) => !sections.includes(o)).join(', ')}`);
  process.exit(2);
}

const results: Record<string, unknown> = { machine: { cores: (await import('node:os')).availableParallelism(), node: process.version } };
let failed = false;
for (const name of sections) {
  const mod = (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as { run: () => Promise<object> };
  process.stderr.write(`bench: ${name} …\n`);
  try {
    results[name] = await mod.run();
  } catch (e) {
    failed = true;
    results[name] = { error: (e as Error).message };
  }
}
console.log(JSON.stringify(results, null, 2));
process.exit(failed ? 1 : 0);
