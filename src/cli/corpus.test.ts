// The bad-input corpus (test-support/corpus) through the real CLIs: every case ends as expected — a clear
// error naming the problem, a documented warning, or a clean run for the controls — with no stack trace, no
// out-of-memory under a 512 MB heap and no hang. Test names list the cases.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBase, tinyPatient } from '../../test-support/corpus/base';
import { CASES } from '../../test-support/corpus/cases';
import { judge, runCases, type CliRun } from '../../test-support/corpus/run';

const root = mkdtempSync(join(tmpdir(), 'psma-corpus-'));
let results: Map<string, { run: CliRun; dir: string }>;

beforeAll(async () => {
  results = await runCases(CASES, makeBase(tinyPatient()), root, Math.max(1, Math.min(3, availableParallelism())));
}, 900_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('bad-input corpus', () => {
  it('has at least 60 malformed cases over every kind of input, with unique names', () => {
    const faults = CASES.filter((c) => !c.id.startsWith('control'));
    expect(faults.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    expect(new Set(faults.map((c) => c.input))).toEqual(new Set(['PT', 'CT', 'DICOM', 'NIfTI', 'SEG', 'RTSTRUCT', 'CSV', 'ONNX', 'model card', 'feature row']));
    expect(new Set(CASES.map((c) => c.cli))).toEqual(new Set(['features', 'extract', 'predict', 'structures', 'train']));
  });
  for (const c of CASES) {
    const outcome = 'error' in c.expect ? 'error' : 'warning' in c.expect ? 'warning' : 'ok';
    it(`${c.cli} · ${c.id} → ${outcome}`, () => {
      const r = results.get(c.id)!;
      expect(judge(c, r.run, r.dir)).toEqual([]);
    });
  }
});
