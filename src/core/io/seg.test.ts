import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { ptReference } from '../phantom/dicom';
import { readSeg, writeSeg, SegError } from './seg';
import { structureByName } from '../vocabulary';

const p = generatePatient(defaultPatientSpec(9, { lesions: 4, imaging: { ctSpacing: [6, 6, 6], petSpacing: [6, 6, 6], zBottomMm: 0, zTopMm: 850 } }));

describe('Binary DICOM SEG', () => {
  const seg = writeSeg(p.labels, ptReference(p), { seriesDescription: 'Truth' });
  it('round-trips the label map voxel for voxel (segments mapped back by vocabulary name)', () => {
    const back = readSeg(seg, p.pet, { expectSeriesUid: ptReference(p).seriesUid, labelOf: (name) => structureByName(name)!.label });
    expect(back.segments.map((s) => s.name)).toEqual(expect.arrayContaining(['Kidney L', 'Parotid R', 'T1']));
    expect(Array.from(back.labels.data)).toEqual(Array.from(p.labels.data));
  });
  it('is read by Debian pydicom as a valid Binary SEG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seg-'));
    const f = join(dir, 'seg.dcm');
    writeFileSync(f, new Uint8Array(seg));
    const script = [
      'import sys, pydicom',
      'd = pydicom.dcmread(sys.argv[1])',
      'arr = d.pixel_array',
      'print(d.Modality, d.SegmentationType, len(d.SegmentSequence), int(d.NumberOfFrames), arr.shape[0], int(arr.sum()))',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script, f], { encoding: 'utf8' }).trim().split(' ');
    expect(out[0]).toBe('SEG');
    expect(out[1]).toBe('BINARY');
    const labelled = p.labels.data.reduce((s, v) => s + (v ? 1 : 0), 0);
    expect(Number(out[5])).toBe(labelled);
    expect(Number(out[3])).toBe(Number(out[4]));
  });
  it('refuses a SEG of another series or geometry', () => {
    expect(() => readSeg(seg, p.pet, { expectSeriesUid: '1.2.3' })).toThrow(/references series/);
    expect(() => readSeg(seg, { ...p.pet, dims: [p.pet.dims[0] + 1, p.pet.dims[1], p.pet.dims[2]] })).toThrow(SegError);
    expect(() => readSeg(seg, { ...p.pet, origin: [p.pet.origin[0], p.pet.origin[1], p.pet.origin[2] + 3] })).toThrow(/geometry does not match/);
  });
});
