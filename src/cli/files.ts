// Files of the CLIs: an input file as an ArrayBuffer; output directories for the generators (refuse a
// non-empty one unless --force, name unwritable paths).
import { existsSync, mkdirSync, readdirSync, accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { UsageError } from './args';

export function prepareOutDir(out: string, force: boolean): void {
  if (existsSync(out)) {
    if (readdirSync(out).length && !force) throw new UsageError(`output directory ${out} exists and is not empty (use --force to write into it)`);
  } else {
    const parent = dirname(resolve(out));
    if (!existsSync(parent)) throw new Error(`cannot create ${out}: parent directory ${parent} does not exist`);
    try { accessSync(parent, constants.W_OK); } catch { throw new Error(`cannot create ${out}: ${parent} is not writable`); }
  }
  mkdirSync(out, { recursive: true });
}


/** A file's bytes as an ArrayBuffer of its own (what the core readers take). */
export function readArrayBuffer(path: string): ArrayBuffer {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

const require = createRequire(import.meta.url);
/** A font of the report, the file the viewer serves too (DejaVu fonts licence: node_modules/dejavu-fonts-ttf/LICENSE). */
export const fontPath = (file: string) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`);
