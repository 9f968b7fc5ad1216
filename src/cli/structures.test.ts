// `npm run structures`: SEG → RTSTRUCT → NIfTI → SEG on the phantom's PT series keeps every structure's voxel
// count, the DICOM it writes validates, and bad input is refused with a message naming the problem.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../../test-support/paths';
import { defaultPatientSpec, generatePatient } from '../core/phantom/generate';
import { ptReference, writePtSeries } from '../core/phantom/dicom';
import { writeSeg } from '../core/io/seg';
import { writeRtstruct } from '../core/io/rtstruct';
import { writeNifti } from '../core/io/nifti';
import { makeUid } from '../core/dicom/write';
import { labelStats } from '../core/labelStats';
import { structureByLabel, ORGANS } from '../core/vocabulary';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/structures.ts', ...args], { cwd: REPO_DIR, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'psma-structures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const p = generatePatient(defaultPatientSpec(4, { lesions: 2, imaging: { ctSpacing: [6, 6, 8], petSpacing: [6, 6, 6], zBottomMm: 250, zTopMm: 420 } }));
const pt = join(dir, 'pt');
mkdirSync(pt);
for (const f of writePtSeries(p).files) writeFileSync(join(pt, f.name), new Uint8Array(f.data));
writeFileSync(join(dir, 'truth-seg.dcm'), new Uint8Array(writeSeg(p.labels, ptReference(p))));
const truth = new Map([...labelStats(p.labels).entries()].map(([l, r]) => [structureByLabel(l)!.name, r.voxels]));
const counts = (stdout: string) => new Map((JSON.parse(stdout).structures as { name: string; voxels: number }[]).map((s) => [s.name, s.voxels]));

describe('structures CLI', () => {
  it('SEG → RTSTRUCT → NIfTI → SEG keeps every voxel count; its DICOM passes dciodvfy', () => {
    const steps: [string, string, string][] = [['truth-seg.dcm', 'rtstruct', 'a-rtstruct.dcm'], ['a-rtstruct.dcm', 'nifti', 'b.nii.gz'], ['b.nii.gz', 'seg', 'c-seg.dcm']];
    for (const [from, format, to] of steps) {
      const r = cli('--image', pt, '--labels', join(dir, from), '--format', format, '--out', join(dir, to));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // RTSTRUCT is contours: rasterising them back may differ by a few voxels on a boundary; here they match.
      expect(counts(r.stdout)).toEqual(truth);
    }
    for (const f of ['a-rtstruct.dcm', 'c-seg.dcm']) {
      const v = spawnSync('/usr/bin/dciodvfy', [join(dir, f)], { encoding: 'utf8' });
      expect(`${v.stdout}${v.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    }
  });

  it('refuses names it cannot map, unless told to leave them out', () => {
    const kidney = ORGANS.find((o) => o.name === 'Kidney L')!;
    const file = join(dir, 'odd-names.dcm');
    writeFileSync(file, new Uint8Array(writeSeg(p.labels, ptReference(p), { segments: [{ label: kidney.label, def: kidney }, { label: 9, def: ORGANS.find((o) => o.label === 9)!, name: 'Couch' }] })));
    const r = cli('--image', pt, '--labels', file, '--format', 'nifti', '--out', join(dir, 'odd.nii.gz'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no vocabulary structure for "Couch".*--skip-unmapped/);
    expect(existsSync(join(dir, 'odd.nii.gz'))).toBe(false);
    const ok = cli('--image', pt, '--labels', file, '--format', 'nifti', '--out', join(dir, 'odd.nii.gz'), '--skip-unmapped');
    expect(ok.status).toBe(0);
    expect([...counts(ok.stdout).keys()]).toEqual(['Kidney L']);
    expect(ok.stderr).toMatch(/left out.*"Couch"/);
  });

  it('bad input: other series, other grid, existing output, usage', () => {
    const rt = join(dir, 'other-series.dcm');
    writeFileSync(rt, new Uint8Array(writeRtstruct(p.labels, { ...ptReference(p), seriesUid: makeUid('another series') }, [{ label: 1, name: 'Kidney L', color: [1, 2, 3], interpretedType: 'ORGAN' }])));
    const other = cli('--image', pt, '--labels', rt, '--format', 'seg', '--out', join(dir, 'x.dcm'));
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/references series .* which is not loaded/);
    expect(cli('--image', pt, '--labels', rt, '--format', 'seg', '--out', join(dir, 'x.dcm'), '--accept-other-series').status).toBe(0);

    const small = join(dir, 'small.nii.gz');
    writeFileSync(small, writeNifti({ dims: [8, 8, 8], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(512).fill(1) }));
    expect(cli('--image', pt, '--labels', small, '--format', 'seg', '--out', join(dir, 'y.dcm')).stderr).toMatch(/geometries differ/);

    const exists = cli('--image', pt, '--labels', join(dir, 'truth-seg.dcm'), '--format', 'seg', '--out', join(dir, 'x.dcm'));
    expect(exists.status).toBe(2);
    expect(exists.stderr).toMatch(/exists \(use --force/);
    expect(cli('--image', pt, '--labels', join(dir, 'truth-seg.dcm'), '--format', 'png', '--out', join(dir, 'z')).stderr).toMatch(/--format must be seg, rtstruct or nifti/);
    expect(cli('--labels', join(dir, 'truth-seg.dcm')).stderr).toMatch(/--image is required/);
  });
});
