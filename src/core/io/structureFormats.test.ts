import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { ptReference, writePtSeries } from '../phantom/dicom';
import { makeUid } from '../dicom/write';
import { writeSeg } from './seg';
import { rasteriseRoi, selfIntersects, writeRtstruct } from './rtstruct';
import { writeNifti } from './nifti';
import { ORGANS } from '../vocabulary';
import { emptyMeta } from '../contours/structureSet';
import { readStructureFile, sniffStructureFile, STRUCTURE_EXPORTERS, StructureFileError } from './structureFormats';

const p = generatePatient(defaultPatientSpec(5, { lesions: 2, imaging: { ctSpacing: [6, 6, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 420 } }));
const ab = (u: Uint8Array) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
const kidneyL = ORGANS.find((o) => o.name === 'Kidney L')!;
const rois = [{ label: 1, name: kidneyL.name, color: kidneyL.color, interpretedType: 'ORGAN' }];
const petGrid = [{ name: 'PET', geometry: p.pet, seriesUid: ptReference(p).seriesUid }];

describe('structure file sniffing', () => {
  it('recognises SEG and RTSTRUCT by their Modality, whatever the file is called', () => {
    expect(sniffStructureFile('structures.bin', writeSeg(p.labels, ptReference(p))).id).toBe('SEG');
    expect(sniffStructureFile('x.dcm', writeRtstruct(p.labels, ptReference(p), rois)).id).toBe('RTSTRUCT');
  });
  it('recognises NIfTI by name (.nii.gz) and an uncompressed .nii by its header', () => {
    expect(sniffStructureFile('labels.nii.gz', writeNifti(p.labels)).id).toBe('NIfTI');
    expect(sniffStructureFile('labels.NII', writeNifti(p.labels, { gzip: false })).id).toBe('NIfTI');
    expect(sniffStructureFile('labels.bin', writeNifti(p.labels, { gzip: false })).id).toBe('NIfTI');
  });
  it('names the file and what it is for anything else', () => {
    expect(() => sniffStructureFile('notes.txt', new TextEncoder().encode('not a structure file'))).toThrow(/^notes\.txt: not a DICOM file or NIfTI label map/);
    expect(() => sniffStructureFile('PT_0001.dcm', writePtSeries(p).files[0].data)).toThrow(/^PT_0001\.dcm: a PT is not a structure set \(expected a NIfTI label map, DICOM SEG or DICOM RTSTRUCT\)/);
    const truncated = new Uint8Array(200); truncated.set(new TextEncoder().encode('DICM'), 128);
    expect(() => sniffStructureFile('cut.dcm', truncated)).toThrow(StructureFileError);
    expect(() => sniffStructureFile('cut.dcm', truncated)).toThrow(/^cut\.dcm: not a readable DICOM file/);
  });
});

describe('structure file reading', () => {
  it('RTSTRUCT: one ROI mask keeps overlaps, the label map reports them', () => {
    const both = [...rois, { label: 1, name: 'Kidney copy', color: kidneyL.color, interpretedType: 'ORGAN' }];
    const f = readStructureFile('rt.dcm', writeRtstruct(p.labels, ptReference(p), both), petGrid);
    const inKidney = p.labels.data.reduce((s, v) => s + (v === 1 ? 1 : 0), 0);
    expect(f.segments.map((s) => [s.id, s.number, s.name])).toEqual([[1, 1, 'Kidney L'], [2, 2, 'Kidney copy']]);
    expect(f.mask(1).mask.reduce((s, v) => s + v, 0)).toBe(inKidney);
    const map = f.labelMap();
    expect(map.voxels.get(2)).toBe(inKidney);
    expect(map.voxels.get(1)).toBeUndefined();
    expect(map.warnings.join(' ')).toMatch(/more than one ROI/);
  });
  it('RTSTRUCT of a series not loaded: refused, or rasterised by coordinates when the caller accepts it', () => {
    const rt = writeRtstruct(p.labels, { ...ptReference(p), seriesUid: makeUid('elsewhere') }, rois);
    expect(() => readStructureFile('rt.dcm', rt, petGrid)).toThrow(/references series .* not loaded/);
    expect(readStructureFile('rt.dcm', rt, petGrid, { acceptOtherSeries: true }).segments.length).toBe(1);
  });
  it('NIfTI on none of the grids names both', () => {
    const small = writeNifti({ dims: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(64).fill(1) });
    expect(() => readStructureFile('small.nii.gz', ab(small), [...petGrid, { name: 'CT', geometry: p.ct }])).toThrow(/small\.nii\.gz: geometries differ, it is not on the PET grid .* nor on the CT grid/);
  });
});

describe('structure exporters', () => {
  it('SEG, RTSTRUCT and NIfTI, each with its suffix and MIME type, read back by the same table', () => {
    expect(STRUCTURE_EXPORTERS.map((e) => [e.id, e.suffix, e.mime])).toEqual([
      ['NIfTI', '.nii.gz', 'application/gzip'], ['SEG', '-seg.dcm', 'application/dicom'], ['RTSTRUCT', '-rtstruct.dcm', 'application/dicom'],
    ]);
    for (const e of STRUCTURE_EXPORTERS) {
      const bytes = e.write({ labels: p.labels, meta: emptyMeta(), source: ptReference(p), seed: 'test' });
      const f = readStructureFile(`x${e.suffix}`, bytes, petGrid);
      expect(f.kind).toBe(e.id);
      expect(f.labelMap().voxels.size, e.id).toBe(new Set(p.labels.data).size - 1);
    }
  });
});

describe('a NIfTI label map holds whole labels 1…255', () => {
  const geo = { dims: p.pet.dims, spacing: p.pet.spacing, origin: p.pet.origin, direction: p.pet.direction };
  const read = (data: Float32Array | Uint16Array) => () => readStructureFile('x.nii.gz', ab(writeNifti({ ...geo, data })), petGrid);
  it('a float SUV image is refused, float labels with whole values are read', () => {
    expect(read(Float32Array.from(p.pet.data, (v) => v / 5000))).toThrow(/x\.nii\.gz: voxel value [\d.]+ is not a whole number: an image \(e\.g\. SUV\), not a label map/);
    const labels = Float32Array.from(p.labels.data);
    expect(read(labels)().labelMap().labels.data).toEqual(Uint8Array.from(p.labels.data));
  });
  it('labels above 255 are refused, not dropped', () => {
    const data = Uint16Array.from(p.labels.data);
    data[100] = 300;
    expect(read(data)).toThrow(/label 300 outside 1…255/);
  });
});

describe('a structure file must be drawn on the image it is read onto', () => {
  const ref = ptReference(p);
  const grid = [{ name: 'PET', geometry: p.pet, seriesUid: ref.seriesUid, frameOfReferenceUid: ref.frameOfReferenceUid }];
  const onGrid = (geometry: typeof p.pet) => ({ ...p.labels, ...geometry, data: p.labels.data });
  it('SEG: another frame of reference, pixel spacing or orientation is refused', () => {
    const otherFor = writeSeg(p.labels, { ...ref, frameOfReferenceUid: makeUid('another patient') });
    expect(() => readStructureFile('for.dcm', otherFor, grid)).toThrow(/for\.dcm: its frame of reference .* is not the image's .*another scan or patient/);
    // Same dims and frame positions in x/y/z-origin terms, but 4 mm pixels on the 8 mm PET.
    const fine = writeSeg(onGrid({ ...p.pet, spacing: [4, 4, p.pet.spacing[2]] }), ref);
    expect(() => readStructureFile('fine.dcm', fine, grid)).toThrow(/fine\.dcm: pixel spacing 4 × 4 mm is not the image's 8 × 8 mm/);
    // Rows and columns swapped in the orientation (a transposed SEG).
    const transposed = writeSeg(onGrid({ ...p.pet, direction: [0, 1, 0, 1, 0, 0, 0, 0, -1] }), ref);
    expect(() => readStructureFile('t.dcm', transposed, grid)).toThrow(/t\.dcm: image orientation .* \(transposed or rotated\)/);
    const nonzero = (d: Uint8Array) => d.reduce((a, v) => a + (v ? 1 : 0), 0);
    expect(nonzero(readStructureFile('ok.dcm', writeSeg(p.labels, ref), grid).labelMap().labels.data)).toBe(nonzero(p.labels.data));
  });
  it('RTSTRUCT: another frame of reference refused; another series of the same one read with a warning', () => {
    const otherFor = writeRtstruct(p.labels, { ...ref, frameOfReferenceUid: makeUid('another patient') }, rois);
    expect(() => readStructureFile('rt.dcm', otherFor, grid, { acceptOtherSeries: true })).toThrow(/rt\.dcm: its frame of reference .* another scan or patient/);
    const otherSeries = writeRtstruct(p.labels, { ...ref, seriesUid: makeUid('the CT') }, rois);
    const r = readStructureFile('ct-rt.dcm', otherSeries, grid, { acceptOtherSeries: true });
    expect(r.warnings.join()).toMatch(/references series .* not the PET series; its contours were placed by patient coordinates \(same frame of reference\)/);
  });
  it('contours partly outside the image or crossing themselves are reported', () => {
    const k = 3, z = p.pet.origin[2] + k * p.pet.spacing[2] * p.pet.direction[8];
    const at = (pts: [number, number][]) => pts.flatMap(([i, j]) => [p.pet.origin[0] + i * p.pet.spacing[0], p.pet.origin[1] + j * p.pet.spacing[1], z]);
    const nx = p.pet.dims[0];
    const roi = (points: number[]) => ({ number: 1, name: 'R', contours: [{ type: 'CLOSED_PLANAR', points }] });
    const edge = rasteriseRoi(roi(at([[nx - 3, 2], [nx + 5, 2], [nx + 5, 8], [nx - 3, 8]])), p.pet);
    expect(edge.warnings.join()).toMatch(/R: 1 of 1 contour reach beyond the image edge; the part outside was cut/);
    expect(edge.mask.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const figureEight = rasteriseRoi(roi(at([[2, 2], [12, 12], [12, 2], [2, 12]])), p.pet);
    expect(figureEight.warnings.join()).toMatch(/R: 1 of 1 contour cross themselves/);
    expect(rasteriseRoi(roi(at([[2, 2], [12, 2], [12, 12], [2, 12]])), p.pet).warnings).toEqual([]);
    // A sub-voxel loop (as hand-drawn contours have) changes nothing and is not reported.
    expect(selfIntersects([0, 0, 10, 0, 10, 10, 5, 10, 5.2, 10.1, 5.1, 9.9, 0, 10])).toBe(false);
    expect(selfIntersects([0, 0, 10, 10, 10, 0, 0, 10])).toBe(true);
  });
});
