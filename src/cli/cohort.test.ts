import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../test-support/paths';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/cohort.ts', ...args], { cwd: REPO_DIR, encoding: 'utf8' });

describe('cohort CLI', () => {
  it('writes the tables, cohort.json with oracle limits, and per-patient truth (deterministic)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cohort-'));
    expect(cli('--patients', '4', '--seed', '9', '--out', join(tmp, 'a'), '--no-images').status).toBe(0);
    expect(cli('--patients', '4', '--seed', '9', '--out', join(tmp, 'b'), '--no-images').status).toBe(0);
    for (const f of ['patients.csv', 'structures.csv', 'pet_metrics.csv']) expect(readFileSync(join(tmp, 'a', f), 'utf8')).toBe(readFileSync(join(tmp, 'b', f), 'utf8'));
    const c = JSON.parse(readFileSync(join(tmp, 'a', 'cohort.json'), 'utf8'));
    expect(c.tracer).toBe('18F-DCFPyL');
    expect(Object.keys(c.oracle)).toEqual(expect.arrayContaining(['kidney', 'parotid', 'submandibular', 'lacrimal', 'tumour']));
    expect(existsSync(join(tmp, 'a', 'patients', 'P001', 'truth.json'))).toBe(true);
  });
  it('--report prints the statistics beside their sources and writes nothing; --scenario is checked', () => {
    const r = cli('--report', '--patients', '200', '--seed', '3');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kidney \(n 400\): median 0\.\d+ Gy\/GBq \[0\.43\], CV 0\.\d+ \[0\.37\], r\(log SUV, log dose\) 0\.\d+ \[0\.61\]/);
    expect(r.stdout).toMatch(/VISION dosimetry substudy/);
    expect(r.stdout).toMatch(/kidney dose vs total tumour volume r -0\.\d+ \[-0\.58\]/);
    const hard = cli('--report', '--patients', '200', '--seed', '3', '--scenario', 'hard');
    expect(hard.status, hard.stderr).toBe(0);
    expect(hard.stdout).not.toBe(r.stdout);
    const bad = cli('--report', '--scenario', 'medium');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--scenario must be one of sourced, easy, hard \(got "medium"\)/);
  });
  it('refuses an existing directory without --force, invalid counts and seeds', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cohort-'));
    expect(cli('--patients', '2', '--seed', '1', '--out', tmp, '--no-images').status).toBe(0);
    const again = cli('--patients', '2', '--seed', '1', '--out', tmp, '--no-images');
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/exists and is not empty/);
    expect(cli('--patients', '-3', '--seed', '1', '--out', join(tmp, 'x')).stderr).toMatch(/--patients must be an integer/);
    expect(cli('--patients', '3', '--seed', 'abc', '--out', join(tmp, 'y')).stderr).toMatch(/--seed must be an integer/);
    expect(cli('--patients', '3', '--seed', '1', '--out', join(tmp, 'z'), '--like-seed').stderr).toMatch(/exactly 9 patients/);
  });
});
