// Tiny argument parser shared by the CLIs: --key value, repeated keys collect, --flag is true.
export type Args = Record<string, string[]>;

export class UsageError extends Error {}

export function parseArgs(argv: string[], known: { values: string[]; flags?: string[] }): Args {
  const out: Args = {};
  for (let n = 0; n < argv.length; n++) {
    const a = argv[n];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const key = a.slice(2);
    if (known.flags?.includes(key)) {
      (out[key] ??= []).push('true');
    } else if (known.values.includes(key)) {
      const v = argv[++n];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`--${key} needs a value`);
      (out[key] ??= []).push(v);
    } else {
      throw new UsageError(`unknown option --${key}`);
    }
  }
  return out;
}

/** Runs a CLI main: errors go to stderr with a non-zero exit (2 for usage errors). */
export async function run(main: () => Promise<void>, usage: string): Promise<void> {
  try {
    await main();
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`error: ${err.message}\n`);
    if (e instanceof UsageError) process.stderr.write(`usage: ${usage}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}

export function intArg(v: string | undefined, name: string, lo: number, hi: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new UsageError(`--${name} must be an integer from ${lo} to ${hi} (got "${v}")`);
  return n;
}
