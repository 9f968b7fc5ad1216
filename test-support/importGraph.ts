// The static import graph of the sources (tests): `import … from`, `import '…'` and `export … from` in .ts
// files and Svelte <script> blocks, resolved to files. Dynamic `import()` and `new Worker(new URL(…))` are
// separate chunks and not edges; imports with a query (`?url`, `?worker`) are assets, not code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface StaticImport {
  specifier: string;
  /** `import type …` / `export type … from`: erased from the bundle. */
  typeOnly: boolean;
  /** Imported names ('default' for a default import), '*' for a namespace import or `export *`. */
  names: string[] | '*';
}

function scripts(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.svelte')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

export function staticImports(file: string): StaticImport[] {
  if (!/\.(ts|svelte|js|mjs)$/.test(file)) return []; // CSS, JSON…: leaves
  const sf = ts.createSourceFile(file, scripts(file), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: StaticImport[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const c = st.importClause;
      let names: string[] | '*' = [];
      if (c?.namedBindings && ts.isNamespaceImport(c.namedBindings)) names = '*';
      else {
        if (c?.name) names.push('default');
        if (c?.namedBindings && ts.isNamedImports(c.namedBindings)) names.push(...c.namedBindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text));
      }
      out.push({ specifier: st.moduleSpecifier.text, typeOnly: !!c?.isTypeOnly, names });
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      const names = st.exportClause && ts.isNamedExports(st.exportClause)
        ? st.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text)
        : '*';
      out.push({ specifier: st.moduleSpecifier.text, typeOnly: st.isTypeOnly, names });
    }
  }
  return out;
}

const isFile = (p: string) => { try { return statSync(p).isFile(); } catch { return false; } };

/** The file a relative specifier names (undefined for packages and asset/worker queries). */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.') || specifier.includes('?')) return undefined;
  const p = resolve(dirname(from), specifier);
  const candidates = [p, `${p}.ts`, `${p}.svelte`, `${p}.svelte.ts`, join(p, 'index.ts'), p.replace(/\.js$/, '.ts')];
  const hit = candidates.find(isFile);
  if (!hit) throw new Error(`${from}: cannot resolve "${specifier}"`);
  return hit;
}

export interface Edge { from: string; to: string; names: string[] | '*' }

/** Every file reached from `entry` through runtime imports (type-only ones are erased), with the edges into it. */
export function reachable(entry: string): Map<string, Edge[]> {
  const seen = new Map<string, Edge[]>([[resolve(entry), []]]);
  const queue = [resolve(entry)];
  while (queue.length) {
    const file = queue.shift()!;
    for (const imp of staticImports(file)) {
      if (imp.typeOnly) continue;
      const to = resolveImport(file, imp.specifier);
      if (!to) continue;
      if (!seen.has(to)) { seen.set(to, []); queue.push(to); }
      seen.get(to)!.push({ from: file, to, names: imp.names });
    }
  }
  return seen;
}

/** Source files under `dir` (.ts and .svelte), without tests and declaration files. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => /\.(ts|svelte)$/.test(f) && !/\.test\.ts$|\.d\.ts$/.test(f) && isFile(f));
}

const inside = (dir: string, file: string) => !relative(dir, file).startsWith('..');
const show = (root: string, f: string) => relative(root, f).split(sep).join('/');

/** Imports (type-only ones too) from a file under `from` to a file outside `allowed` (all relative to root). */
export function importsLeaving(root: string, from: string, allowed: string): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(join(root, from))) {
    for (const imp of staticImports(file)) {
      const to = resolveImport(file, imp.specifier);
      if (to && !inside(join(root, allowed), to)) out.push(`${show(root, file)} → ${show(root, to)}`);
    }
  }
  return out;
}

/** Packages (bare specifiers, `node:` modules included) that files under `from` import, with the importing files. */
export function packagesImported(root: string, from: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, from))) {
    for (const imp of staticImports(file)) {
      if (imp.specifier.startsWith('.')) continue;
      const pkg = imp.specifier.startsWith('@') ? imp.specifier.split('/').slice(0, 2).join('/') : imp.specifier.split('/')[0];
      (out.get(pkg) ?? out.set(pkg, []).get(pkg)!).push(show(root, file));
    }
  }
  return out;
}

/**
 * Files or names the bundle of `entry` must not contain: a path (file or folder, relative to root) with
 * '*' for the whole module, or the names that must not be imported from it.
 */
export type BundleRules = Record<string, '*' | string[]>;

export function bundleViolations(root: string, entry: string, rules: BundleRules): string[] {
  const out: string[] = [];
  for (const [file, edges] of reachable(join(root, entry))) {
    for (const [path, banned] of Object.entries(rules)) {
      if (!inside(join(root, path), file)) continue;
      if (banned === '*') { out.push(`${show(root, file)} (imported by ${edges.map((e) => show(root, e.from)).join(', ')})`); continue; }
      for (const e of edges) {
        const hit = e.names === '*' ? banned : banned.filter((n) => (e.names as string[]).includes(n));
        if (hit.length) out.push(`${show(root, file)}: ${hit.join(', ')} (imported by ${show(root, e.from)})`);
      }
    }
  }
  return out;
}
