// Structure-set import/export of the viewer (pure: runs in Node on a study assembled from the phantom's DICOM).
import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from '../../core/phantom/generate';
import { ptReference, writeCtSeries, writePtSeries } from '../../core/phantom/dicom';
import { makeUid } from '../../core/dicom/write';
import { readDicomFiles } from '../../core/dicom/read';
import { assembleStudy } from '../../core/study';
import { writeSeg } from '../../core/io/seg';
import { writeNifti } from '../../core/io/nifti';
import { ORGANS } from '../../core/vocabulary';
import { emptyMeta } from '../../core/contours/structureSet';
import { applyIncoming, exportRtstruct, exportSeg, importLosses, proposeTarget, readIncoming } from './structures';
import type { Volume } from '../../core/volume';

const p = generatePatient(defaultPatientSpec(5, { lesions: 3, imaging: { ctSpacing: [4, 4, 6], petSpacing: [6, 6, 6], zBottomMm: 200, zTopMm: 420 } }));
const study = assembleStudy(readDicomFiles([...writeCtSeries(p).files, ...writePtSeries(p).files]).series);
const kidneyL = ORGANS.find((o) => o.name === 'Kidney L')!, kidneyR = ORGANS.find((o) => o.name === 'Kidney R')!;
const empty = (): Volume<Uint8Array> => ({ ...p.labels, data: new Uint8Array(p.labels.data.length) });
const count = (d: Uint8Array, l: number) => d.reduce((s, v) => s + (v === l ? 1 : 0), 0);

describe('structure import in the viewer', () => {
  it('SEG with overlapping segments: read, the overlap reported, mapped by name', () => {
    const seg = writeSeg(p.labels, ptReference(p), { segments: [{ label: 1, def: kidneyL }, { label: 1, def: kidneyR, name: 'right kidney' }] });
    const inc = readIncoming('overlap.dcm', seg, study);
    expect(inc.kind).toBe('SEG');
    expect(inc.warnings.join(' ')).toMatch(/more than one segment/);
    expect(inc.segments.map((s) => [s.name, proposeTarget(s.name)])).toEqual([['Kidney L', 1], ['right kidney', 2]]);
  });
  it('mapping: a mapped structure replaces its old voxels, locked structures are kept, "new tumour" takes the next T', () => {
    const inc = readIncoming('truth.dcm', writeSeg(p.labels, ptReference(p)), study);
    const labels = empty(), meta = emptyMeta();
    labels.data[0] = 1; // an old Kidney L voxel, replaced by the import
    labels.data[1] = 2; meta.locked = [2]; // Kidney R is locked
    const t = inc.segments.find((s) => s.name.startsWith('T'))!;
    const mapping = new Map(inc.segments.map((s) => [s.id, s.name === 'Kidney L' ? 1 : s.name === 'Kidney R' ? 2 : s.id === t.id ? 'new tumour' as const : 'skip' as const]));
    meta.tumours[21] = { site: 'bone' }; // T1 exists: the new tumour becomes T2
    const r = applyIncoming(labels, meta, inc, mapping);
    expect(labels.data[0]).toBe(p.labels.data[0] === 1 ? 1 : 0);
    expect(count(labels.data, 1)).toBe(count(p.labels.data, 1));
    expect(count(labels.data, 2)).toBe(1); // locked: untouched
    const firstTumour = Math.min(...new Set([...p.labels.data].filter((v) => v > 20))); // segment t (segments follow label order)
    expect(count(labels.data, 22)).toBe(count(p.labels.data, firstTumour));
    expect(r.structures).toBe(2);
    expect(meta.tumours[22]).toBeDefined();
  });
  it('import losses: the voxels of structures on screen an import would overwrite, per label, the set untouched', () => {
    const inc = readIncoming('truth.dcm', writeSeg(p.labels, ptReference(p)), study);
    const mapping = new Map(inc.segments.map((s) => [s.id, s.name === 'Kidney L' ? 1 : 'skip' as const]));
    const kidney = [...p.labels.data.keys()].filter((v) => p.labels.data[v] === 1);
    const outside = p.labels.data.findIndex((v) => v === 0);
    const labels = empty(), meta = emptyMeta();
    expect(importLosses(labels, meta, inc, mapping).size).toBe(0); // nothing on screen: nothing lost
    labels.data[outside] = 1; // an old Kidney L voxel outside the imported one: replaced
    labels.data[kidney[0]] = 21; labels.data[kidney[1]] = 21; // T1 inside the imported kidney: overwritten
    labels.data[kidney[2]] = 2; meta.locked = [2]; // locked Kidney R: kept
    const before = labels.data.slice();
    expect([...importLosses(labels, meta, inc, mapping)]).toEqual([[1, 1], [21, 2]]);
    expect(labels.data).toEqual(before);
    expect(meta.tumours).toEqual({});
    const mapped = new Map(inc.segments.map((s) => [s.id, 'skip' as const]));
    expect(importLosses(labels, meta, inc, mapped).size).toBe(0);
  });
  it('bad files: RTSTRUCT of images not loaded, NIfTI of another size, a non-DICOM file', () => {
    const rt = exportRtstruct({ ...study, petSeriesUid: makeUid('elsewhere') }, p.labels);
    expect(() => readIncoming('rt.dcm', rt, study)).toThrow(/references series .* not loaded/);
    const small = writeNifti({ dims: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(64) });
    expect(() => readIncoming('x.nii.gz', small.buffer.slice(small.byteOffset, small.byteOffset + small.byteLength) as ArrayBuffer, study)).toThrow(/not on the PET grid/);
    expect(() => readIncoming('notes.dcm', new TextEncoder().encode('hello').buffer as ArrayBuffer, study)).toThrow(/notes\.dcm/);
  });
  it('export → import round trips: SEG and RTSTRUCT on the PET grid, SEG onto the CT grid and back', () => {
    const meta = emptyMeta();
    for (const kind of ['SEG', 'RTSTRUCT'] as const) {
      const buf = kind === 'SEG' ? exportSeg(study, p.labels, meta) : exportRtstruct(study, p.labels);
      const inc = readIncoming(`x.${kind}`, buf, study);
      const labels = empty();
      applyIncoming(labels, emptyMeta(), inc, new Map(inc.segments.map((s) => [s.id, proposeTarget(s.name)])));
      expect(Array.from(labels.data), kind).toEqual(Array.from(p.labels.data));
    }
    // A PET-grid SEG imported into a CT-grid set lands on the CT grid (nearest rule).
    const onCt = readIncoming('x.dcm', exportSeg(study, p.labels, meta), study, study.ct);
    expect(onCt.labels.dims).toEqual(study.ct!.dims);
    expect(onCt.segments.find((s) => s.name === 'Kidney L')!.voxels).toBeGreaterThan(count(p.labels.data, 1));
  });
});

describe('privacy of names', () => {
  it('exported files are named after the study date, the Patient ID only when asked for', async () => {
    const { exportFileName, importedSource } = await import('./structures');
    const study = { studyDate: '20260115', patientId: 'MRN 0042/x' };
    expect(exportFileName(study, 'structures', '-seg.dcm')).toBe('20260115-structures-seg.dcm');
    expect(exportFileName(study, 'structures', '.nii.gz', true)).toBe('MRN_0042_x-20260115-structures.nii.gz');
    expect(exportFileName({ studyDate: '', patientId: '' }, 'structures', '-seg.dcm', true)).toBe('study-structures-seg.dcm');
    expect(importedSource('SEG')).toBe('imported SEG');
  });
});
