import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../test-support/paths';
import { parseDicom } from '../core/dicom/read';
import { identifyTracer } from '../core/tracer';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/phantom.ts', ...args], { cwd: REPO_DIR, encoding: 'utf8' });

describe('phantom CLI --tracer', () => {
  it('writes the named agent into the PET header', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'phantom-')), 'p');
    const r = cli('--out', out, '--seed', '3', '--lesions', '1', '--tracer', 'Fluorodeoxyglucose');
    expect(r.status, r.stderr).toBe(0);
    const first = readdirSync(join(out, 'pt'))[0];
    const attrs = parseDicom(new Uint8Array(readFileSync(join(out, 'pt', first))).buffer).attrs;
    expect(identifyTracer(attrs)).toMatchObject({ agent: '18F-FDG', evidence: 'Radiopharmaceutical Code Sequence (SCT 35321007)' });
  }, 60_000);
  it('refuses a name that is no known agent, listing the known ones', () => {
    for (const name of ['18F-PSMA', 'banana']) {
      const r = cli('--out', join(tmpdir(), 'never'), '--seed', '1', '--tracer', name);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`--tracer "${name}" is not a known agent \\(known: 18F-DCFPyL, 18F-PSMA-1007, `));
    }
  });
});
