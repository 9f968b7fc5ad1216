// The bad-input corpus: what a scanner, an anonymiser, a colleague's script or a spreadsheet sends, one fault per
// case, each built from the good inputs of base.ts and run through the CLI that reads that input. Each case
// says what must happen: a clear error (non-zero exit, a message naming the file or row, the attribute and the
// value), a documented warning (exit 0, the warning on stderr) or, for controls, a clean run. The browser
// e2e (e2e/badopen.spec.ts) opens or imports the cases marked `browser` from this same list.
import { gunzipSync, gzipSync } from 'fflate';
import { rewriteDicom, type Dataset, type DicomFiles } from '../dicomEdit';
import { toEnhanced } from '../enhanced';
import { cohortTables, type Base } from './base';
import { writeNifti } from '../../src/core/io/nifti';
import { writeSeg } from '../../src/core/io/seg';
import { writeRtstruct } from '../../src/core/io/rtstruct';
import { ptReference } from '../../src/core/phantom/dicom';
import { makeUid } from '../../src/core/dicom/write';
import { encodeModel } from '../../src/core/model/onnx';
import { recordsToCsv, type CsvCell } from '../../src/core/csv';
import type { Volume } from '../../src/core/volume';

export type Cli = 'features' | 'extract' | 'predict' | 'structures' | 'train';
/** A case's files: path relative to the case folder → content. */
export type CaseFiles = Record<string, Uint8Array | ArrayBuffer | string>;
export type Expected = { error: RegExp } | { warning: RegExp } | { ok: true };

export interface CorpusCase {
  id: string;
  /** The kind of input that is malformed. */
  input: 'PT' | 'CT' | 'DICOM' | 'NIfTI' | 'SEG' | 'RTSTRUCT' | 'CSV' | 'ONNX' | 'model card' | 'feature row';
  cli: Cli;
  files: (b: Base) => CaseFiles;
  /** Arguments; `at(p)` is the absolute path of a case file. */
  args: (at: (p: string) => string) => string[];
  expect: Expected;
  /** An extra check on a run that succeeded: a problem, or undefined. */
  check?: (out: { stdout: string; read: (p: string) => string | undefined }) => string | undefined;
  /** Also run in the browser: open the folder, or import the structure file, after drawing. */
  browser?: { via: 'open'; folder: string; message: RegExp; suvRefused?: true } | { via: 'import'; file: string; message: RegExp };
}

/** The folder name of a case (its position-free id, for the browser cases global-setup writes). */
export const caseSlug = (id: string) => id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

// ---- building blocks ----

const folder = (name: string, files: DicomFiles): CaseFiles => Object.fromEntries(files.map((f) => [`${name}/${f.name}`, f.data]));
const ptWith = (b: Base, fn: (ds: Dataset, k: number) => void): CaseFiles => ({ ...folder('pt', rewriteDicom(b.pt, fn)), 'seg.dcm': b.seg });
const ctWith = (b: Base, fn: (ds: Dataset, k: number) => void): CaseFiles => ({ ...folder('ct', rewriteDicom(b.ct, fn)), 'ct-mask.nii.gz': b.ctMaskNifti });
const bytes = (d: ArrayBuffer | Uint8Array) => (d instanceof Uint8Array ? d : new Uint8Array(d));
const cut = (d: ArrayBuffer | Uint8Array, n: number) => bytes(d).slice(0, n);
const middle = (b: Base) => Math.floor(b.pt.length / 2);

const featuresPt = (at: (p: string) => string) => ['--image', at('pt'), '--mask', at('seg.dcm'), '--label', '1'];
const featuresCt = (at: (p: string) => string) => ['--image', at('ct'), '--mask', at('ct-mask.nii.gz')];
const featuresSuv = (at: (p: string) => string) => ['--image', at('suv.nii.gz'), '--mask', at('labels.nii.gz'), '--label', '1'];
const structuresTo = (file: string) => (at: (p: string) => string) => ['--image', at('pt'), '--labels', at(file), '--format', 'nifti', '--out', at('out.nii.gz')];
const predictArgs = (at: (p: string) => string) => ['--model', at('model'), '--data', at('features.csv')];
const trainArgs = (at: (p: string) => string) => ['--data', at('train.csv'), '--target', 'measured_dose_gy_per_gbq', '--group', 'patient_id', '--type-col', 'type', '--out', at('out')];
const extractArgs = (at: (p: string) => string) => ['--cohort', at('cohort'), '--out', at('out.csv')];

/** An uncompressed NIfTI with its header changed (offsets of the NIfTI-1 header). */
function niftiWith(vol: Volume, edit: (h: DataView, raw: Uint8Array) => Uint8Array | void, gzip = true): Uint8Array {
  const raw = gunzipSync(writeNifti(vol));
  const out = edit(new DataView(raw.buffer, raw.byteOffset, raw.byteLength), raw) ?? raw;
  return gzip ? gzipSync(out) : out;
}
const H = { dim: 40, datatype: 70, bitpix: 72, voxOffset: 108, sclSlope: 112, magic: 344 };

/** The PET (SUV) as a float NIfTI with values changed. */
const suvWith = (b: Base, fn: (v: number, n: number) => number): Volume<Float32Array> => ({ ...b.suv, data: b.suv.data.map(fn) });
const suvCase = (b: Base, vol: Volume): CaseFiles => ({ 'suv.nii.gz': writeNifti(vol), 'labels.nii.gz': b.labelsNifti });

const withSeg = (b: Base, fn: (ds: Dataset) => void): CaseFiles => ({ ...folder('pt', b.pt), 'seg.dcm': rewriteDicom([{ name: 'seg.dcm', data: b.seg }], (ds) => fn(ds))[0].data });
const withRt = (b: Base, fn: (ds: Dataset) => void): CaseFiles => ({ ...folder('pt', b.pt), 'rt.dcm': rewriteDicom([{ name: 'rt.dcm', data: b.rtstruct }], (ds) => fn(ds))[0].data });
/** The contours of the first ROI (dcmjs gives a sequence of one item as an array or an object). */
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const firstRoiContours = (ds: Dataset): Dataset[] => list(list(ds.ROIContourSequence)[0].ContourSequence);

const modelFiles = (b: Base, card: unknown = b.card, onnx: Uint8Array | string = b.onnx): CaseFiles => ({
  'model/model.onnx': onnx, 'model/model-card.json': typeof card === 'string' ? card : JSON.stringify(card, null, 2),
});
const featureCsv = (b: Base, edit: (rows: Record<string, CsvCell>[]) => void = () => {}, columns = b.featureColumns): string => {
  const rows = b.featureRows.map((r) => ({ ...r }));
  edit(rows);
  return recordsToCsv(columns, rows);
};
const predictWith = (b: Base, csv: string, card?: unknown, onnx?: Uint8Array | string): CaseFiles => ({ ...modelFiles(b, card, onnx), 'features.csv': csv });
const cardWith = (b: Base, fn: (c: Record<string, any>) => void) => { const c = structuredClone(b.card) as unknown as Record<string, any>; fn(c); return c; };

/** A one-patient cohort folder (DICOM PET and its SEG), tables optionally replaced. */
function cohort(b: Base, over: { patients?: string; structures?: string; pt?: DicomFiles; niftiPet?: Volume } = {}): CaseFiles {
  const t = cohortTables(b);
  const id = b.patient.spec.id;
  const pet: CaseFiles = over.niftiPet
    ? { [`cohort/patients/${id}/pet_suv.nii.gz`]: writeNifti(over.niftiPet), [`cohort/patients/${id}/labels.nii.gz`]: b.labelsNifti }
    : { ...folder(`cohort/patients/${id}/pt`, over.pt ?? b.pt), [`cohort/patients/${id}/structures-seg.dcm`]: b.seg };
  return { 'cohort/patients.csv': over.patients ?? t.patients, 'cohort/structures.csv': over.structures ?? t.structures, ...pet };
}

/** A training table with one cell, line or the header changed. */
const trainCsv = (b: Base, fn: (lines: string[]) => string[]) => ({ 'train.csv': fn(b.trainingCsv.trimEnd().split('\n')).join('\n') + '\n' });

/** A row of the feature table named as predict must name it. */
const ROW0 = /row 1 \(patient P001, structure S1/;

/** A date one day before a DICOM DA. */
const dayBefore = (da: string) => { const d = new Date(Date.UTC(+da.slice(0, 4), +da.slice(4, 6) - 1, +da.slice(6, 8) - 1)); return d.toISOString().slice(0, 10).replace(/-/g, ''); };
const rp = (ds: Dataset) => list(ds.RadiopharmaceuticalInformationSequence)[0] as Dataset;
const secondsOf = (tm: string) => +tm.slice(0, 2) * 3600 + +tm.slice(2, 4) * 60 + +tm.slice(4, 6);
const tmOf = (s: number) => [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, Math.floor(s) % 60].map((x) => String(x).padStart(2, '0')).join('');

/** A settings file for images in any unit: 32 bins between the ROI's minimum and maximum. */
const FBN_SETTINGS = { name: 'raw values, 32 bins', sliceWise: '3D', discretisation: { method: 'FBN', bins: 32 }, ivh: { method: 'FBN-bins', bins: 100 }, texture: { distance: 1, ngldmAlpha: 0 } };

// ---- the cases ----

export const CASES: CorpusCase[] = [
  // Controls: the good inputs pass, so every refusal below is the fault's.
  { id: 'control: PT series + SEG', input: 'PT', cli: 'features', files: (b) => ({ ...folder('pt', b.pt), 'seg.dcm': b.seg }), args: featuresPt, expect: { ok: true }, check: ({ stdout }) => (JSON.parse(stdout).features.morph_volume > 0 ? undefined : 'no volume') },
  { id: 'control: CT series + NIfTI mask (IBSI config A)', input: 'CT', cli: 'features', files: (b) => ctWith(b, () => {}), args: (at) => [...featuresCt(at), '--ibsi-config', 'A'], expect: { ok: true } },
  { id: 'control: SUV NIfTI', input: 'NIfTI', cli: 'features', files: (b) => suvCase(b, b.suv), args: featuresSuv, expect: { ok: true } },
  { id: 'control: SEG → NIfTI', input: 'SEG', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'seg.dcm': b.seg }), args: structuresTo('seg.dcm'), expect: { ok: true } },
  { id: 'control: RTSTRUCT → NIfTI', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, () => {}), args: structuresTo('rt.dcm'), expect: { ok: true } },
  { id: 'control: predict', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b)), args: predictArgs, expect: { ok: true }, check: ({ stdout }) => (JSON.parse(stdout).every((p: { prediction: unknown }) => typeof p.prediction === 'number' && p.prediction > 0) ? undefined : `predictions not all positive: ${stdout}`) },
  { id: 'control: extract', input: 'CSV', cli: 'extract', files: (b) => cohort(b), args: extractArgs, expect: { ok: true }, check: ({ read }) => (read('out.csv')?.split('\n')[0].startsWith('patient_id,') ? undefined : 'no table written') },

  // ---- PT image series (features CLI) ----
  { id: 'PT: BitsAllocated 8 on 16-bit pixel data', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.BitsAllocated = 8; ds.BitsStored = 8; ds.HighBit = 7; }), args: featuresPt,
    expect: { error: /PT_0000\.dcm: pixel data is \d+ bytes, but \d+×\d+ pixels of BitsAllocated 8 need \d+ \(the data look like 16-bit/ },
    browser: { via: 'open', folder: 'pt', message: /pixel data is \d+ bytes, but .* BitsAllocated 8 need \d+ \(the data look like 16-bit pixels/ } },
  { id: 'PT: BitsAllocated 32 on 16-bit pixel data', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.BitsAllocated = 32; ds.BitsStored = 32; ds.HighBit = 31; }), args: featuresPt,
    expect: { error: /pixel data is \d+ bytes, but .*BitsAllocated 32 need \d+/ } },
  { id: 'PT: BitsAllocated 12', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.BitsAllocated = 12; ds.BitsStored = 12; ds.HighBit = 11; }), args: featuresPt,
    expect: { error: /BitsAllocated "12" is not supported \(8, 16 or 32\)/ } },
  { id: 'PT: BitsStored larger than BitsAllocated', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.BitsStored = 24; }), args: featuresPt,
    expect: { error: /BitsStored "24" does not fit BitsAllocated 16/ } },
  { id: 'PT: Rows one more than the pixel data', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.Rows += 1; }), args: featuresPt,
    expect: { error: /pixel data is \d+ bytes, but \d+×\d+ pixels of BitsAllocated 16 need \d+/ } },
  { id: 'PT: Rows 0', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.Rows = 0; }), args: featuresPt,
    expect: { error: /Rows "0" \/ Columns "\d+": positive whole numbers are needed/ } },
  { id: 'PT: 30000×30000 8-bit claim in an 18 kB header', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.Rows = 30000; ds.Columns = 30000; ds.BitsAllocated = 8; ds.BitsStored = 8; ds.HighBit = 7; }), args: featuresPt,
    expect: { error: /30000×30000 slice is larger than the 4096×4096 this viewer reads/ },
    browser: { via: 'open', folder: 'pt', message: /30000×30000 slice is larger than the 4096×4096/ } },
  { id: 'PT: 4096×4096 32-bit claim on a small slice', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.Rows = 4096; ds.Columns = 4096; ds.BitsAllocated = 32; ds.BitsStored = 32; ds.HighBit = 31; }), args: featuresPt,
    expect: { error: /pixel data is \d+ bytes, but 4096×4096 pixels of BitsAllocated 32 need 67108864/ } },
  { id: 'PT: pixel data half as long as declared', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 1) ds.PixelData = [ds.PixelData[0].slice(0, ds.PixelData[0].byteLength / 2)]; }), args: featuresPt,
    expect: { error: /PT_0001\.dcm: pixel data is 876 bytes, but 35×25 pixels of BitsAllocated 16 need 1750; the file is damaged or its header is wrong/ } },
  { id: 'PT: file truncated inside the pixel data', input: 'PT', cli: 'features', files: (b) => { const f: CaseFiles = { ...folder('pt', b.pt), 'seg.dcm': b.seg }; const k = `pt/${b.pt[middle(b)].name}`; f[k] = cut(f[k] as ArrayBuffer, bytes(f[k] as ArrayBuffer).length - 500); return f; }, args: featuresPt,
    expect: { error: /PT_0003\.dcm: pixel data is 1250 bytes, but 35×25 pixels of BitsAllocated 16 need 1750; the file is damaged/ },
    browser: { via: 'open', folder: 'pt', message: /PT_\d{4}\.dcm: .*(pixel data is \d+ bytes|truncated|could not be read|could not be parsed)/ } },
  { id: 'PT: file truncated inside the header', input: 'PT', cli: 'features', files: (b) => { const f: CaseFiles = { ...folder('pt', b.pt), 'seg.dcm': b.seg }; const k = `pt/${b.pt[middle(b)].name}`; f[k] = cut(f[k] as ArrayBuffer, 700); return f; }, args: featuresPt,
    expect: { error: /1 file\(s\) of the series cannot be read.*PT_000\d\.dcm: no (SeriesInstanceUID and no )?pixel data.*\(a truncated or damaged file\?\)/ } },
  { id: 'PT: no DICM marker (raw dataset)', input: 'PT', cli: 'features', files: (b) => { const f: CaseFiles = { ...folder('pt', b.pt), 'seg.dcm': b.seg }; for (const x of b.pt) f[`pt/${x.name}`] = bytes(x.data).slice(132); return f; }, args: featuresPt,
    expect: { error: /PT_0000\.dcm: not a DICOM file \(no "DICM" marker at byte 128\)/ } },
  { id: 'PT: one file of the series not DICOM', input: 'PT', cli: 'features', files: (b) => { const f: CaseFiles = { ...folder('pt', b.pt), 'seg.dcm': b.seg }; f[`pt/${b.pt[middle(b)].name}`] = 'not a DICOM file'; return f; }, args: featuresPt,
    expect: { error: /slice spacing varies .*\(1 file\(s\) in the folder were skipped: .*PT_000\d\.dcm: not a DICOM file/ } },
  { id: 'PT: RescaleSlope 0 on one slice', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 2) ds.RescaleSlope = '0'; }), args: featuresPt,
    expect: { error: /PT_0002\.dcm: RescaleSlope "0" cannot scale pixel values/ },
    browser: { via: 'open', folder: 'pt', message: /RescaleSlope "0" cannot scale pixel values/ } },
  { id: 'PT: RescaleSlope NaN', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 1) ds.RescaleSlope = 'NaN'; }), args: featuresPt,
    expect: { error: /PT_0001\.dcm: RescaleSlope empty \(or not a number\) cannot scale pixel values/ } },
  { id: 'PT: RescaleIntercept not a number', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 0) ds.RescaleIntercept = 'abc'; }), args: featuresPt,
    expect: { error: /PT_0000\.dcm: RescaleIntercept empty \(or not a number\) is not a number/ } },
  { id: 'PT: PixelSpacing absent', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { delete ds.PixelSpacing; }), args: featuresPt,
    expect: { error: /PixelSpacing absent: two positive numbers \(mm\) are needed/ },
    browser: { via: 'open', folder: 'pt', message: /PixelSpacing absent: two positive numbers \(mm\) are needed/ } },
  { id: 'PT: PixelSpacing 0', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.PixelSpacing = ['0', '0']; }), args: featuresPt,
    expect: { error: /PixelSpacing "0\\0": two positive numbers/ } },
  { id: 'PT: ImageOrientationPatient absent', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { delete ds.ImageOrientationPatient; }), args: featuresPt,
    expect: { error: /ImageOrientationPatient absent: six numbers are needed/ } },
  { id: 'PT: orientation not orthonormal', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.ImageOrientationPatient = ['1', '0', '0', '0.5', '1', '0']; }), args: featuresPt,
    expect: { error: /ImageOrientationPatient "1\\0\\0\\0.5\\1\\0" is not two orthogonal unit vectors/ },
    browser: { via: 'open', folder: 'pt', message: /ImageOrientationPatient .* is not two orthogonal unit vectors/ } },
  { id: 'PT: one slice with another orientation', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 3) ds.ImageOrientationPatient = ['0', '1', '0', '1', '0', '0']; }), args: featuresPt,
    expect: { error: /inconsistent geometry: .*PT_0003\.dcm has another orientation/ } },
  { id: 'PT: ImagePositionPatient absent on one slice', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 2) delete ds.ImagePositionPatient; }), args: featuresPt,
    expect: { error: /PT_0002\.dcm: missing ImagePositionPatient/ } },
  { id: 'PT: two slices at the same position', input: 'PT', cli: 'features', files: (b) => { const pos = rewriteDicom(b.pt, () => {}); let p1: unknown; rewriteDicom(pos, (ds, k) => { if (k === 1) p1 = ds.ImagePositionPatient; }); return ptWith(b, (ds, k) => { if (k === 2) ds.ImagePositionPatient = p1; }); }, args: featuresPt,
    expect: { error: /two slices at the same position \(-?\d+\.\d+ mm\)/ },
    browser: { via: 'open', folder: 'pt', message: /two slices at the same position/ } },
  { id: 'PT: a slice missing (gap)', input: 'PT', cli: 'features', files: (b) => ({ ...folder('pt', b.pt.filter((_, k) => k !== middle(b))), 'seg.dcm': b.seg }), args: featuresPt,
    expect: { error: /slice spacing varies \(12\.00 mm vs 14\.40 mm; a gap or missing slice\?\)/ } },
  { id: 'PT: one slice with another size', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 1) { ds.Rows -= 1; ds.PixelData = [ds.PixelData[0].slice(0, ds.Rows * ds.Columns * 2)]; } }), args: featuresPt,
    expect: { error: /inconsistent geometry: .*PT_0001\.dcm is \d+×\d+, others \d+×\d+/ } },
  { id: 'PT: one slice with another PixelSpacing', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds, k) => { if (k === 4) ds.PixelSpacing = ['6', '6']; }), args: featuresPt,
    expect: { error: /PT_0004\.dcm has PixelSpacing 6\\6, others 12\\12/ } },
  { id: 'PT: PT and CT mixed in one folder', input: 'DICOM', cli: 'features', files: (b) => ({ ...folder('pt', [...b.pt, ...b.ct.map((f) => ({ ...f, name: `x${f.name}` }))]), 'seg.dcm': b.seg }), args: featuresPt,
    expect: { error: /2 image series found \((PT, CT|CT, PT)\); give one series/ } },
  { id: 'PT: RLE transfer syntax on raw pixel data', input: 'PT', cli: 'features', files: (b) => ({ ...Object.fromEntries(b.pt.map((f) => [`pt/${f.name}`, withTransferSyntax(f.data, '1.2.840.10008.1.2.5')])), 'seg.dcm': b.seg }), args: featuresPt,
    expect: { error: /compressed transfer syntax 1\.2\.840\.10008\.1\.2\.5/ },
    browser: { via: 'open', folder: 'pt', message: /PT_\d{4}\.dcm: .*(1\.2\.840\.10008\.1\.2\.5|RLE)/ } },
  { id: 'PT: SamplesPerPixel 3', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.SamplesPerPixel = 3; }), args: featuresPt,
    expect: { error: /SamplesPerPixel "3": only greyscale images/ } },
  { id: 'PT: classic PET claiming 40 frames', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.NumberOfFrames = '40'; }), args: featuresPt,
    expect: { error: /multi-frame images of SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.128 are not read/ } },
  { id: 'PT: Enhanced PET with NumberOfFrames larger than its functional groups', input: 'PT', cli: 'features', files: (b) => ({ 'pt/enhanced.dcm': toEnhanced(b.pt, { edit: (ds) => { ds.NumberOfFrames = String(Number(ds.NumberOfFrames) * 3); } }), 'seg.dcm': b.seg }), args: featuresPt,
    expect: { error: /enhanced\.dcm \(Enhanced PET Image\): PerFrameFunctionalGroupsSequence has 7 items for NumberOfFrames 21; the frames cannot be placed/ } },
  { id: 'PT: Enhanced PET with pixel data shorter than its frames', input: 'PT', cli: 'features', files: (b) => ({ 'pt/enhanced.dcm': toEnhanced(b.pt, { edit: (ds) => { ds.PixelData = (ds.PixelData as ArrayBuffer).slice(0, Math.floor((ds.PixelData as ArrayBuffer).byteLength / 2)); } }), 'seg.dcm': b.seg }), args: featuresPt,
    expect: { error: /enhanced\.dcm \(Enhanced PET Image\): pixel data is 6126 bytes, but 7 frames of 35×25 pixels of BitsAllocated 16 need 12250/ },
    browser: { via: 'open', folder: 'pt', message: /enhanced\.dcm \(Enhanced PET Image\): pixel data is \d+ bytes, but \d+ frames of/ } },
  { id: 'PT: PatientWeight 0', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.PatientWeight = '0'; }), args: featuresPt,
    expect: { error: /PET image cannot be converted to SUV: SUV needs the patient's weight, which the DICOM header does not give \(use --suv none/ } },
  { id: 'PT: PatientWeight negative', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.PatientWeight = '-70'; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: .*[Ww]eight -70 kg is outside the plausible 20–350 kg/ } },
  { id: 'PT: PatientWeight 900 kg', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.PatientWeight = '900'; }), args: featuresPt,
    expect: { error: /[Ww]eight 900 kg is outside the plausible 20–350 kg/ },
    // The browser opens the study without SUV and says why (the weight can be entered there).
    browser: { via: 'open', folder: 'pt', message: /900 kg/, suvRefused: true } },
  { id: 'PT: PatientWeight absent', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { delete ds.PatientWeight; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: SUV needs the patient's weight, which the DICOM header does not give/ } },
  { id: 'PT: PatientWeight 190 kg (unusual)', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.PatientWeight = '190'; }), args: featuresPt,
    expect: { warning: /warning: SUV: .*[Ww]eight 190 kg is unusual \(expected 40–180 kg/ } },
  { id: 'PT: injected dose 0', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { rp(ds).RadionuclideTotalDose = '0'; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: SUV needs the patient's injected dose, which the DICOM header does not give/ } },
  { id: 'PT: injected dose negative', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { rp(ds).RadionuclideTotalDose = '-3.3e8'; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: .*18F activity -330 MBq is outside the plausible 5–2000 MBq/ } },
  { id: 'PT: injected dose 1 TBq', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { rp(ds).RadionuclideTotalDose = '1e12'; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: .*1000000 MBq is outside the plausible 5–2000 MBq/ } },
  { id: 'PT: injection after the scan (same date)', input: 'PT', cli: 'features',
    files: (b) => ptWith(b, (ds) => { const r = rp(ds); delete r.RadiopharmaceuticalStartDateTime; r.RadiopharmaceuticalStartTime = tmOf(secondsOf(ds.SeriesTime) + 1800); }), args: featuresPt,
    // QIBA: the day before, i.e. ~23.5 h of uptake: refused by the ranges table before any feature (no "222991 grey levels").
    expect: { error: /Uptake time \(injection to scan\) 1410 min is outside the plausible 1–360 min: check the injection time/ } },
  { id: 'PT: injection a day before the scan', input: 'PT', cli: 'features',
    files: (b) => ptWith(b, (ds) => { const r = rp(ds); r.RadiopharmaceuticalStartDateTime = `${dayBefore(ds.SeriesDate)}${r.RadiopharmaceuticalStartTime}`; }), args: featuresPt,
    expect: { error: /Uptake time \(injection to scan\) 15\d\d min is outside the plausible 1–360 min/ } },
  { id: 'PT: uptake 200 min (unusual)', input: 'PT', cli: 'features',
    files: (b) => ptWith(b, (ds) => { const r = rp(ds); delete r.RadiopharmaceuticalStartDateTime; r.RadiopharmaceuticalStartTime = tmOf(secondsOf(ds.SeriesTime) - 200 * 60); }), args: featuresPt,
    expect: { warning: /warning: SUV: Uptake time \(injection to scan\) 200 min is unusual/ } },
  { id: 'PT: Units CNTS without a Philips factor', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.Units = 'CNTS'; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: .*Units are in CNTS, but PhilipsPETPrivateGroup has invalid values/ } },
  { id: 'PT: DecayCorrection NONE', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.DecayCorrection = 'NONE'; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: .*DecayCorrection NONE/ } },
  { id: 'PT: half-life 0', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { rp(ds).RadionuclideHalfLife = '0'; }), args: featuresPt,
    expect: { error: /cannot be converted to SUV: SUV needs the patient's half-life, which the DICOM header does not give/ } },
  { id: 'PT: raw Bq/mL (--suv none) with the SUV profile', input: 'PT', cli: 'features', files: (b) => ptWith(b, (ds) => { ds.PatientWeight = '900'; }), args: (at) => [...featuresPt(at), '--suv', 'none'],
    expect: { error: /the highest intensity \d+(\.\d+)? in the ROI gives \d+ grey levels of bins of 0\.25 from 0 \(profile "clinical PET"\), more than 65535: the image is probably not SUV/ } },
  { id: 'PT: raw Bq/mL (--suv none) with 32 fixed bins', input: 'PT', cli: 'features', files: (b) => ({ ...ptWith(b, (ds) => { ds.PatientWeight = '900'; }), 'fbn.json': JSON.stringify(FBN_SETTINGS) }), args: (at) => [...featuresPt(at), '--suv', 'none', '--settings', at('fbn.json')],
    expect: { ok: true }, check: ({ stdout }) => (JSON.parse(stdout).settings.suv === 'none' ? undefined : 'SUV was computed') },

  // ---- CT image series (features CLI) ----
  { id: 'CT: HU with the clinical PET profile', input: 'CT', cli: 'features', files: (b) => ctWith(b, () => {}), args: featuresCt,
    expect: { error: /the lowest intensity -\d+ in the ROI is below the discretisation minimum 0 \(bins of 0\.25 from 0 \(profile "clinical PET"\)\).*\(e\.g\. a CT in HU\)/ } },
  { id: 'CT: gantry tilt (sheared stack)', input: 'CT', cli: 'features', files: (b) => ctWith(b, (ds, k) => { const p = ds.ImagePositionPatient.map(Number); p[1] += k * 12 * Math.tan((15 * Math.PI) / 180); ds.ImagePositionPatient = p.map(String); }), args: featuresCt,
    expect: { error: /not stacked along their normal \(sheared by 15\.0°, e\.g\. a CT with gantry tilt\)/ } },
  { id: 'CT: RescaleSlope 0', input: 'CT', cli: 'features', files: (b) => ctWith(b, (ds) => { ds.RescaleSlope = '0'; }), args: featuresCt,
    expect: { error: /CT_0000\.dcm: RescaleSlope "0" cannot scale pixel values/ } },
  { id: 'CT: BitsAllocated 8 on 16-bit data', input: 'CT', cli: 'features', files: (b) => ctWith(b, (ds) => { ds.BitsAllocated = 8; ds.BitsStored = 8; ds.HighBit = 7; }), args: featuresCt,
    expect: { error: /CT_0000\.dcm: pixel data is \d+ bytes.*BitsAllocated 8/ } },
  { id: 'CT: PixelSpacing absent', input: 'CT', cli: 'features', files: (b) => ctWith(b, (ds) => { delete ds.PixelSpacing; }), args: featuresCt,
    expect: { error: /CT_0000\.dcm: PixelSpacing absent/ } },
  { id: 'CT: orientation of zero vectors', input: 'CT', cli: 'features', files: (b) => ctWith(b, (ds) => { ds.ImageOrientationPatient = ['0', '0', '0', '0', '0', '0']; }), args: featuresCt,
    expect: { error: /ImageOrientationPatient "0\\0\\0\\0\\0\\0" is not two orthogonal unit vectors/ } },
  { id: 'CT: duplicate slice positions', input: 'CT', cli: 'features', files: (b) => ctWith(b, (ds, k) => { if (k === 1) ds.ImagePositionPatient = [...ds.ImagePositionPatient.slice(0, 2), String(Number(ds.ImagePositionPatient[2]) - 12)]; }), args: featuresCt,
    expect: { error: /two slices at the same position/ } },
  { id: 'CT: a slice missing (gap)', input: 'CT', cli: 'features', files: (b) => ({ ...folder('ct', b.ct.filter((_, k) => k !== 2)), 'ct-mask.nii.gz': b.ctMaskNifti }), args: featuresCt,
    expect: { error: /slice spacing varies/ } },
  { id: 'CT: file truncated', input: 'CT', cli: 'features', files: (b) => { const f = ctWith(b, () => {}); f[`ct/${b.ct[1].name}`] = cut(b.ct[1].data, bytes(b.ct[1].data).length - 100); return f; }, args: featuresCt,
    expect: { error: /CT_0001\.dcm: pixel data is 1650 bytes, but 35×25 pixels of BitsAllocated 16 need 1750; the file is damaged/ } },
  { id: 'CT: Rows claim 4096 on a small slice', input: 'CT', cli: 'features', files: (b) => ctWith(b, (ds) => { ds.Rows = 4096; ds.Columns = 4096; }), args: featuresCt,
    expect: { error: /pixel data is \d+ bytes, but 4096×4096 pixels of BitsAllocated 16 need 33554432/ } },

  // ---- NIfTI images and label maps ----
  { id: 'NIfTI: dim -64', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { h.setInt16(H.dim + 2, -64, true); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: dim\[1\] = -64: image sizes must be at least 1/ } },
  { id: 'NIfTI: dim[0] 9', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { h.setInt16(H.dim, 9, true); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: invalid dim\[0\] = 9 \(1 to 7 allowed\)/ } },
  { id: 'NIfTI: 4-D time series', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { h.setInt16(H.dim, 4, true); h.setInt16(H.dim + 8, 3, true); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: 4-D images \(time series\) are not supported/ } },
  { id: 'NIfTI: vox_offset -300', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { h.setFloat32(H.voxOffset, -300, true); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: vox_offset -300 is not a whole number of bytes at or after the 348-byte header/ } },
  { id: 'NIfTI: vox_offset NaN', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { h.setFloat32(H.voxOffset, NaN, true); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: vox_offset NaN is not a whole number/ } },
  { id: 'NIfTI: datatype 999', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { h.setInt16(H.datatype, 999, true); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: unsupported NIfTI datatype code 999/ } },
  { id: 'NIfTI: voxel data truncated', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (_h, raw) => raw.slice(0, raw.length - 1000)), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: truncated: \d+ bytes of voxel data expected, \d+ present/ } },
  { id: 'NIfTI: header truncated', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (_h, raw) => raw.slice(0, 200)), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: too short for a NIfTI-1 header \(200 bytes\)/ } },
  { id: 'NIfTI: corrupt gzip stream', input: 'NIfTI', cli: 'features', files: (b) => { const gz = writeNifti(b.suv).slice(); gz.fill(0x55, 20, 200); return { 'suv.nii.gz': gz, 'labels.nii.gz': b.labelsNifti }; }, args: featuresSuv,
    expect: { error: /suv\.nii\.gz: gzip data is corrupt/ } },
  { id: 'NIfTI: magic missing', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { h.setUint32(H.magic, 0, true); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: missing NIfTI-1 magic/ } },
  { id: 'NIfTI: not a NIfTI file', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': gzipSync(new TextEncoder().encode('patient_id,weight\n'.repeat(40))), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: not a NIfTI-1 file \(sizeof_hdr is not 348\)/ } },
  { id: 'NIfTI: 2000³ claim in a small file', input: 'NIfTI', cli: 'features', files: (b) => ({ 'suv.nii.gz': niftiWith(b.suv, (h) => { [2000, 2000, 2000].forEach((d, n) => h.setInt16(H.dim + 2 + 2 * n, d, true)); }), 'labels.nii.gz': b.labelsNifti }), args: featuresSuv,
    expect: { error: /suv\.nii\.gz: 2000×2000×2000 = 8000 M voxels is more than the 524 M this viewer reads/ } },
  { id: 'NIfTI: SUV image with NaN in the ROI', input: 'NIfTI', cli: 'features', files: (b) => { const roi = b.labels.data.indexOf(1); return suvCase(b, suvWith(b, (v, n) => (n === roi ? NaN : v))); }, args: featuresSuv,
    expect: { error: /image has a non-finite value \(NaN\) inside the ROI/ } },
  { id: 'NIfTI: SUV image with negative values', input: 'NIfTI', cli: 'features', files: (b) => suvCase(b, suvWith(b, (v) => -v * 4)), args: featuresSuv,
    expect: { error: /the lowest intensity -\d+(\.\d+)? in the ROI is below the discretisation minimum 0 .*negative values mean the SUV scaling is wrong \(patient weight, injected activity or injection time\)/ } },
  { id: 'NIfTI: PET in Bq/mL given as SUV', input: 'NIfTI', cli: 'features', files: (b) => suvCase(b, suvWith(b, (v) => v * 6000)), args: featuresSuv,
    expect: { error: /the highest intensity \d+(\.\d+)? in the ROI gives \d+ grey levels of bins of 0\.25 from 0 .*more than 65535: the image is probably not SUV \(e\.g\. Bq\/mL\)/ } },
  { id: 'NIfTI: float SUV image as a label map', input: 'NIfTI', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'labels.nii.gz': writeNifti(b.suv) }), args: structuresTo('labels.nii.gz'),
    expect: { error: /labels\.nii\.gz: voxel value \d+(\.\d+)? is not a whole number: an image \(e\.g\. SUV\), not a label map/ },
    browser: { via: 'import', file: 'labels.nii.gz', message: /labels\.nii\.gz: voxel value .* is not a whole number/ } },
  { id: 'NIfTI: label 300 in a uint16 map', input: 'NIfTI', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'labels.nii.gz': writeNifti({ ...b.labels, data: Uint16Array.from(b.labels.data, (v) => (v === 1 ? 300 : v)) }) }), args: structuresTo('labels.nii.gz'),
    expect: { error: /labels\.nii\.gz: label 300 outside 1…255/ },
    browser: { via: 'import', file: 'labels.nii.gz', message: /label 300 outside 1…255/ } },
  { id: 'NIfTI: label -1 in an int16 map', input: 'NIfTI', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'labels.nii.gz': writeNifti({ ...b.labels, data: Int16Array.from(b.labels.data, (v) => (v === 2 ? -1 : v)) }) }), args: structuresTo('labels.nii.gz'),
    expect: { error: /labels\.nii\.gz: label -1 outside 1…255/ } },
  { id: 'NIfTI: label map with scl_slope', input: 'NIfTI', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'labels.nii.gz': niftiWith(b.labels, (h) => { h.setFloat32(H.sclSlope, 0.5, true); }) }), args: structuresTo('labels.nii.gz'),
    expect: { error: /labels\.nii\.gz: scaled voxel values \(scl_slope 0\.5\) are an image, not a label map/ } },
  { id: 'NIfTI: label map on another grid', input: 'NIfTI', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'labels.nii.gz': writeNifti({ dims: [8, 8, 8], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(512).fill(1) }) }), args: structuresTo('labels.nii.gz'),
    expect: { error: /labels\.nii\.gz: geometries differ, it is not on the PT series grid/ } },
  { id: 'NIfTI: gzip bomb (1024×1024×512 claim, 64 MB of zeros)', input: 'NIfTI', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'bomb.nii.gz': niftiBomb() }), args: structuresTo('bomb.nii.gz'),
    expect: { error: /bomb\.nii\.gz: (.*M voxels|geometries differ)/ },
    browser: { via: 'import', file: 'bomb.nii.gz', message: /bomb\.nii\.gz: .*M voxels|bomb\.nii\.gz: geometries differ/ } },
  { id: 'NIfTI: .hdr/.img pair header', input: 'NIfTI', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'labels.nii': niftiWith(b.labels, (h) => { h.setUint8(H.magic + 1, 'i'.charCodeAt(0)); }, false) }), args: structuresTo('labels.nii'),
    expect: { error: /labels\.nii: .*\.hdr\/\.img pair/ } },

  // ---- SEG ----
  { id: 'SEG: another frame of reference', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { ds.FrameOfReferenceUID = makeUid('another patient'); }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: its frame of reference [\d.]+ is not the image's \([\d.]+\): it belongs to another scan or patient/ },
    browser: { via: 'import', file: 'seg.dcm', message: /frame of reference .* is not the image's/ } },
  { id: 'SEG: 8 mm pixel spacing on a 12 mm PET', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { list(list(ds.SharedFunctionalGroupsSequence)[0].PixelMeasuresSequence)[0].PixelSpacing = ['8', '8']; }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: pixel spacing 8 × 8 mm is not the image's 12 × 12 mm/ },
    browser: { via: 'import', file: 'seg.dcm', message: /pixel spacing 8 × 8 mm is not the image's/ } },
  { id: 'SEG: transposed orientation', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { list(list(ds.SharedFunctionalGroupsSequence)[0].PlaneOrientationSequence)[0].ImageOrientationPatient = ['0', '1', '0', '1', '0', '0']; }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: image orientation .* is not the image's .* \(transposed or rotated\)/ },
    browser: { via: 'import', file: 'seg.dcm', message: /image orientation .* is not the image's .*transposed or rotated/ } },
  { id: 'SEG: referenced series missing', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { list(ds.ReferencedSeriesSequence)[0].SeriesInstanceUID = makeUid('not loaded'); }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: it references series [\d.]+, not the loaded image series [\d.]+/ } },
  { id: 'SEG: NumberOfFrames larger than the pixel data', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { ds.NumberOfFrames = String(Number(ds.NumberOfFrames) * 4); }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: pixel data is shorter than \d+ frames/ } },
  { id: 'SEG: a frame between image slices', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { const pos = list(list(ds.PerFrameFunctionalGroupsSequence)[0].PlanePositionSequence)[0]; pos.ImagePositionPatient = pos.ImagePositionPatient.map((v: string, n: number) => (n === 2 ? String(Number(v) + 5) : v)); }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: frame 1 at \(.*\) does not lie on a slice of the image grid/ } },
  { id: 'SEG: frame without a plane position', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { delete list(ds.PerFrameFunctionalGroupsSequence)[0].PlanePositionSequence; }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: frame 1 has no plane position/ } },
  { id: 'SEG: FRACTIONAL', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { ds.SegmentationType = 'FRACTIONAL'; }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: SegmentationType FRACTIONAL is not supported \(BINARY only\)/ } },
  { id: 'SEG: frames of another size', input: 'SEG', cli: 'structures', files: (b) => withSeg(b, (ds) => { ds.Rows = Number(ds.Rows) + 3; }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: frames are \d+×\d+ but the image is \d+×\d+: geometry does not match/ } },
  { id: 'SEG: file truncated', input: 'SEG', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'seg.dcm': cut(b.seg, Math.floor(bytes(b.seg).length * 0.6)) }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: the file ends before its data do \(\d+ bytes; truncated or damaged in transfer\)/ } },
  { id: 'SEG: a CT image given as structures', input: 'DICOM', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'seg.dcm': b.ct[0].data }), args: structuresTo('seg.dcm'),
    expect: { error: /seg\.dcm: a CT is not a structure set/ } },
  { id: 'SEG: no segment with a voxel on the grid', input: 'SEG', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'seg.dcm': writeSeg({ ...b.labels, data: Uint8Array.from(b.labels.data, (v, n) => (v === 1 && n === b.labels.data.indexOf(1) ? 1 : 0)) }, ptReference(b.patient)) }), args: structuresTo('seg.dcm'),
    expect: { ok: true } },

  // ---- RTSTRUCT ----
  { id: 'RTSTRUCT: another frame of reference', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { list(ds.ReferencedFrameOfReferenceSequence)[0].FrameOfReferenceUID = makeUid('other'); for (const r of list(ds.StructureSetROISequence)) r.ReferencedFrameOfReferenceUID = makeUid('other'); }), args: structuresTo('rt.dcm'),
    expect: { error: /rt\.dcm: its frame of reference [\d.]+ is not the image's/ } },
  { id: 'RTSTRUCT: referenced series not loaded', input: 'RTSTRUCT', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'rt.dcm': writeRtstruct(b.labels, { ...ptReference(b.patient), seriesUid: makeUid('not-loaded') }, b.rtstructRois) }), args: structuresTo('rt.dcm'),
    expect: { error: /rt\.dcm: the RTSTRUCT references series [\d.]+, which is not loaded/ } },
  { id: 'RTSTRUCT: a contour outside the image', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { const c = firstRoiContours(ds)[0]; c.ContourData = c.ContourData.map((v: string, n: number) => (n % 3 === 0 ? String(Number(v) + 5000) : v)); }), args: structuresTo('rt.dcm'),
    expect: { warning: /warning: Kidney L: 1 of \d+ contours lie outside the image and were left out/ } },
  { id: 'RTSTRUCT: a contour reaching beyond the edge', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => {
    // Centred on the image's right edge (x increases with the column index here).
    const c = firstRoiContours(ds)[0];
    const xs = c.ContourData.filter((_: string, n: number) => n % 3 === 0).map(Number);
    const shift = b.labels.origin[0] + (b.labels.dims[0] - 0.5) * b.labels.spacing[0] - (Math.min(...xs) + Math.max(...xs)) / 2;
    c.ContourData = c.ContourData.map((v: string, n: number) => (n % 3 === 0 ? String(Number(v) + shift) : v));
  }), args: structuresTo('rt.dcm'),
    expect: { warning: /warning: Kidney L: 1 of \d+ contours reach beyond the image edge; the part outside was cut/ } },
  { id: 'RTSTRUCT: a self-intersecting contour', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { const c = firstRoiContours(ds)[0]; const z = c.ContourData[2]; const [x, y] = [Number(c.ContourData[0]), Number(c.ContourData[1])]; c.ContourData = [x, y, z, x + 60, y + 60, z, x + 60, y, z, x, y + 60, z].map(String); c.NumberOfContourPoints = 4; }), args: structuresTo('rt.dcm'),
    expect: { warning: /warning: Kidney L: 1 of \d+ contours cross themselves; filled by the even–odd rule/ } },
  { id: 'RTSTRUCT: an open contour', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { firstRoiContours(ds)[0].ContourGeometricType = 'OPEN_PLANAR'; }), args: structuresTo('rt.dcm'),
    expect: { warning: /warning: Kidney L: OPEN_PLANAR contour skipped \(only CLOSED_PLANAR encloses a region\)/ } },
  { id: 'RTSTRUCT: a two-point contour', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { const c = firstRoiContours(ds)[0]; c.ContourData = c.ContourData.slice(0, 6); c.NumberOfContourPoints = 2; }), args: structuresTo('rt.dcm'),
    expect: { warning: /warning: Kidney L: contour with 2 points skipped/ } },
  { id: 'RTSTRUCT: a tilted contour', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { const c = firstRoiContours(ds)[0]; c.ContourData = c.ContourData.map((v: string, n: number) => (n % 3 === 2 ? String(Number(v) + (n % 2 ? 7 : -7)) : v)); }), args: structuresTo('rt.dcm'),
    expect: { warning: /warning: Kidney L: 1 of \d+ contours do not lie in one image slice \(tilted contours\)/ } },
  { id: 'RTSTRUCT: contour points not numbers', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { const c = firstRoiContours(ds)[0]; c.ContourData = c.ContourData.map((v: string, n: number) => (n === 4 ? 'NaN' : v)); }), args: structuresTo('rt.dcm'),
    expect: { warning: /warning: Kidney L: contour with a point that is not a number skipped/ } },
  { id: 'RTSTRUCT: every ROI without contours', input: 'RTSTRUCT', cli: 'structures', files: (b) => withRt(b, (ds) => { for (const r of list(ds.ROIContourSequence)) delete r.ContourSequence; }), args: structuresTo('rt.dcm'),
    expect: { error: /rt\.dcm: no structure with voxels on the image grid; nothing written/ } },
  { id: 'RTSTRUCT: file truncated', input: 'RTSTRUCT', cli: 'structures', files: (b) => ({ ...folder('pt', b.pt), 'rt.dcm': cut(b.rtstruct, Math.floor(bytes(b.rtstruct).length / 2)) }), args: structuresTo('rt.dcm'),
    expect: { error: /rt\.dcm: the file ends before its data do \(\d+ bytes; truncated or damaged in transfer\)/ } },

  // ---- CSV: the feature table of predict, the training table, the cohort tables of extract ----
  { id: 'CSV predict: unclosed quote', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b).replace('P001', '"P001')), args: predictArgs,
    expect: { error: /features\.csv: line 2: a quote \(\"\) opened here is never closed/ } },
  { id: 'CSV predict: a row with extra fields', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b).replace(/\n(P001,S2,[^\n]*)/, '\n$1,0,5')), args: predictArgs,
    expect: { error: /features\.csv: line 3 has \d+ fields but the header \d+/ } },
  { id: 'CSV predict: duplicate header', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b).replace('structure_id', 'patient_id')), args: predictArgs,
    expect: { error: /features\.csv: line 1: column "patient_id" appears twice in the header/ } },
  { id: 'CSV predict: semicolon-separated', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b).replace(/,/g, ';')), args: predictArgs,
    expect: { error: /features\.csv: the header is separated by semicolons/ } },
  { id: 'CSV predict: UTF-8 BOM and CRLF', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, `\ufeff${featureCsv(b).replace(/\n/g, '\r\n')}`), args: predictArgs,
    expect: { ok: true }, check: ({ stdout }) => (JSON.parse(stdout).length === 5 ? undefined : 'not every row predicted') },
  { id: 'CSV predict: formula cell in a number column', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[0].suv_mean = '=1+2'; })), args: predictArgs,
    expect: { error: /row 1 \(patient P001, structure S1.*\): suv_mean = "=1\+2" is not a number/ } },
  { id: 'CSV predict: decimal comma', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[1].weight_kg = '81,5'; })), args: predictArgs,
    expect: { error: /row 2 \(patient P001, structure S2.*\): weight_kg = "81,5" is not a number/ } },
  { id: 'CSV predict: empty file', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, ''), args: predictArgs,
    expect: { error: /features\.csv: no rows to predict/ } },
  { id: 'CSV predict: header only', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b).split('\n')[0] + '\n'), args: predictArgs,
    expect: { error: /features\.csv: no rows to predict/ } },
  { id: 'CSV predict: a column the model needs is missing', input: 'CSV', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, () => {}, b.featureColumns.filter((c) => c !== 'egfr_ml_min_1_73m2'))), args: predictArgs,
    expect: { error: /features\.csv: the table lacks column\(s\) the model needs: egfr_ml_min_1_73m2 \(for kidney\)/ } },
  { id: 'CSV train: unclosed quote', input: 'CSV', cli: 'train', files: (b) => trainCsv(b, (l) => { l[3] = l[3].replace(',', ',"'); return l; }), args: trainArgs,
    expect: { error: /train\.csv: line 4: a quote \(\"\) opened here is never closed/ } },
  { id: 'CSV train: semicolons', input: 'CSV', cli: 'train', files: (b) => trainCsv(b, (l) => l.map((x) => x.replace(/,/g, ';'))), args: trainArgs,
    expect: { warning: /train: train\.csv: semicolon-separated/ } },
  { id: 'CSV train: duplicate header', input: 'CSV', cli: 'train', files: (b) => trainCsv(b, (l) => { l[0] = l[0].replace('tracer', 'type'); return l; }), args: trainArgs,
    expect: { error: /train\.csv: line 1: column "type" appears twice/ } },
  { id: 'CSV train: target not a number', input: 'CSV', cli: 'train', files: (b) => trainCsv(b, (l) => { l[5] = l[5].replace(/,[^,]*$/, ',n/a'); return l; }), args: trainArgs,
    expect: { error: /train\.csv: 1 bad value\(s\): row 6: target measured_dose_gy_per_gbq = "n\/a"/ } },
  { id: 'CSV train: target column missing', input: 'CSV', cli: 'train', files: (b) => trainCsv(b, (l) => { l[0] = l[0].replace('measured_dose_gy_per_gbq', 'dose'); return l; }), args: trainArgs,
    expect: { error: /train\.csv: missing column\(s\): measured_dose_gy_per_gbq \(the table has patient_id, type/ } },
  { id: 'CSV train: empty file', input: 'CSV', cli: 'train', files: () => ({ 'train.csv': '' }), args: trainArgs,
    expect: { error: /train\.csv: no rows to train on/ } },
  { id: 'CSV extract: unclosed quote in patients.csv', input: 'CSV', cli: 'extract', files: (b) => cohort(b, { patients: cohortTables(b).patients.replace(b.patient.spec.id, `"${b.patient.spec.id}`) }), args: extractArgs,
    expect: { error: /patients\.csv: line 2: a quote \(\"\) opened here is never closed/ } },
  { id: 'CSV extract: extra fields in structures.csv', input: 'CSV', cli: 'extract', files: (b) => cohort(b, { structures: cohortTables(b).structures.replace(/\n([^\n]+)\n/, '\n$1,x,y\n') }), args: extractArgs,
    expect: { error: /structures\.csv: line 2 has 12 fields but the header 10/ } },
  { id: 'CSV extract: formula injection in a structure name', input: 'CSV', cli: 'extract', files: (b) => cohort(b, { structures: cohortTables(b).structures.replace(/,Kidney L,L,/, ",\"=cmd|' /C calc'!A0\",L,") }), args: extractArgs,
    expect: { warning: /skipped 1: S1: name not in the vocabulary/ }, check: ({ read }) => (/(^|,)"?=cmd/m.test(read('out.csv') ?? '') ? 'formula written unescaped' : undefined) },
  { id: 'CSV extract: formula injection in a patient cell', input: 'CSV', cli: 'extract', files: (b) => cohort(b, { patients: cohortTables(b).patients.replace(/\n/, ',note\n').replace(/\n$/, ",\"=cmd|' /C calc'!A0\"\n") }), args: extractArgs,
    expect: { ok: true }, check: ({ read }) => { const t = read('out.csv') ?? ''; return /(^|,)"?=cmd/m.test(t) ? 'formula written unescaped' : t.includes("'=cmd") ? undefined : 'the note column is missing'; } },
  { id: 'CSV extract: patient weight negative', input: 'CSV', cli: 'extract', files: (b) => cohort(b, { patients: cohortTables(b).patients.replace(/\n([^,]+),([^,]+),([^,]+),/, '\n$1,$2,-70,') }), args: extractArgs,
    expect: { error: /patients\.csv: 1 implausible value\(s\).*\n  patient CORPUS04: weight_kg -70 is outside 20–350 kg \(Weight\)/ } },
  { id: 'CSV extract: NIfTI PET with negative SUV', input: 'NIfTI', cli: 'extract', files: (b) => cohort(b, { niftiPet: suvWith(b, (v) => -v) }), args: (at) => [...extractArgs(at), '--tracer', '18F-DCFPyL'],
    expect: { error: /no structure could be extracted:\n  S1: the lowest intensity -\d+(\.\d+)? in the ROI is below the discretisation minimum 0/ } },

  // ---- feature rows predict cannot predict ----
  { id: 'row: weight 0', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[0].weight_kg = 0; })), args: predictArgs,
    expect: { error: /features\.csv: 1 row cannot be predicted .*\n  row 1 \(patient P001, structure S1 "kidney L", kidney\): weight_kg = 0 is outside the plausible 20–350 kg \(Weight\)/ } },
  { id: 'row: weight 90,000 kg', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[2].weight_kg = 90000; })), args: predictArgs,
    expect: { error: /row 3 \(patient P001, structure S3 .*\): weight_kg = 90000 is outside the plausible 20–350 kg/ } },
  { id: 'row: SUVmean 0', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[0].suv_mean = 0; })), args: predictArgs,
    expect: { error: /row 1 \(patient P001, structure S1 .*\): suv_mean = 0 must be greater than 0/ } },
  { id: 'row: SUVmean negative', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[4].suv_mean = -3; })), args: predictArgs,
    expect: { error: /row 5 \(patient P001, structure S5 "T1", tumour\): suv_mean = -3 must be greater than 0/ } },
  { id: 'row: eGFR 900', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[0].egfr_ml_min_1_73m2 = 900; })), args: predictArgs,
    expect: { error: /row 1 .*egfr_ml_min_1_73m2 = 900 is outside the plausible 5–150 mL\/min\/1\.73 m²/ } },
  { id: 'row: a log-transformed feature at 0', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[0].total_tumour_volume_ml = 0; })), args: predictArgs,
    expect: { error: /row 1 .*total_tumour_volume_ml = 0 must be greater than 0 \(the model takes its logarithm\)/ } },
  { id: 'row: NaN text', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[3].weight_kg = 'NaN'; })), args: predictArgs,
    expect: { error: /row 4 .*weight_kg = "NaN" is not a number/ } },
  { id: 'row: structure type not covered', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[0].type = 'liver'; })), args: predictArgs,
    expect: { error: /row 1 .*structure type "liver" is not covered by the model/ } },
  { id: 'row: every bad row listed at once', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { r[0].weight_kg = 0; r[4].suv_mean = -1; })), args: predictArgs,
    expect: { error: /2 rows cannot be predicted.*row 1 .*weight_kg = 0.*row 5 .*suv_mean = -1/s } },
  { id: 'row: an FDG PET', input: 'feature row', cli: 'predict', files: (b) => predictWith(b, featureCsv(b, (r) => { for (const x of r) x.tracer = '18F-FDG'; })), args: predictArgs,
    expect: { error: /5 row\(s\) with tracer "18F-FDG": The PET was acquired with 18F-FDG \(fluorodeoxyglucose\), not a PSMA ligand/ } },

  // ---- ONNX ----
  { id: 'ONNX: not an ONNX file', input: 'ONNX', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), undefined, 'this is a model card, not a model'), args: predictArgs,
    expect: { error: /model\.onnx: not a loadable ONNX model/ } },
  { id: 'ONNX: truncated', input: 'ONNX', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), undefined, b.onnx.slice(0, Math.floor(b.onnx.length / 2))), args: predictArgs,
    expect: { error: /model\.onnx: not a loadable ONNX model/ } },
  { id: 'ONNX: empty file', input: 'ONNX', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), undefined, new Uint8Array(0)), args: predictArgs,
    expect: { error: /model\.onnx: not a loadable ONNX model/ } },
  { id: 'ONNX: other inputs than the card describes', input: 'ONNX', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), undefined, identityModel(['x'], true, b)), args: predictArgs,
    expect: { error: /ONNX input "features" is missing \(the model has x\)/ } },
  { id: 'ONNX: no contract metadata', input: 'ONNX', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), undefined, identityModel(['features', 'type_onehot'], false, b)), args: predictArgs,
    expect: { error: /the ONNX model does not record its input columns \(metadata "psma_dose_inputs"\): retrain it/ } },
  { id: 'ONNX: model.onnx missing', input: 'ONNX', cli: 'predict', files: (b) => ({ 'model/model-card.json': JSON.stringify(b.card), 'features.csv': featureCsv(b) }), args: predictArgs,
    expect: { error: /model\.onnx does not exist/ } },

  // ---- model card ----
  { id: 'card: malformed JSON', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), JSON.stringify(b.card).slice(0, 500)), args: predictArgs,
    expect: { error: /model-card\.json: not valid JSON/ } },
  { id: 'card: a JSON list', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), '[]'), args: predictArgs,
    expect: { error: /the model card is not a JSON object/ } },
  { id: 'card: inputs not a list', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), cardWith(b, (c) => { c.inputs = 'log_weight_kg'; })), args: predictArgs,
    expect: { error: /card field "inputs" must be a list of \{name, from, transform\}/ } },
  { id: 'card: inputs reordered', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), cardWith(b, (c) => { c.inputs = [c.inputs[1], c.inputs[0], ...c.inputs.slice(2)]; })), args: predictArgs,
    expect: { error: /the card lists its input columns in another order than the ONNX graph \(position 1: card "log_weight_kg", graph "log_suv_mean"\)/ } },
  { id: 'card: tracer missing', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), cardWith(b, (c) => { delete c.tracer; })), args: predictArgs,
    expect: { error: /The model card does not name the PSMA ligand it was trained on.*Run with --accept-tracer to predict anyway/ } },
  { id: 'card: synthetic data without the clinical-use flag', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), cardWith(b, (c) => { c.notForClinicalUse = false; })), args: predictArgs,
    expect: { error: /trained on synthetic data but its card does not say "not for clinical use"/ } },
  { id: 'card: target in mGy', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), cardWith(b, (c) => { c.target.units = 'mGy/MBq'; })), args: predictArgs,
    expect: { error: /target units are "mGy\/MBq", the viewer needs Gy\/GBq/ } },
  { id: 'card: means of the wrong length', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), cardWith(b, (c) => { c.perType[0].means = c.perType[0].means.slice(1); })), args: predictArgs,
    expect: { error: /type \w+: "means" and "sds" must be \d+ finite numbers/ } },
  { id: 'card: types missing', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), cardWith(b, (c) => { delete c.types; })), args: predictArgs,
    expect: { error: /card field "types" is missing/ } },
  { id: 'card: empty file', input: 'model card', cli: 'predict', files: (b) => predictWith(b, featureCsv(b), ''), args: predictArgs,
    expect: { error: /model-card\.json: not valid JSON/ } },
];

/** A Part-10 file whose meta header claims another transfer syntax of the same length (the data stay as they are). */
function withTransferSyntax(data: ArrayBuffer, uid: string): Uint8Array {
  const out = bytes(data).slice();
  const from = new TextEncoder().encode('1.2.840.10008.1.2.1\0');
  const to = new TextEncoder().encode(uid.padEnd(from.length, '\0'));
  for (let n = 132; n < Math.min(out.length, 1024); n++) if (from.every((b, q) => out[n + q] === b)) { out.set(to, n); return out; }
  throw new Error('withTransferSyntax: no explicit little endian UID in the meta header');
}

/** A .nii.gz that inflates to 64 MB: a header claiming 1024×1024×512 uint8 labels, then zeros. */
export function niftiBomb(): Uint8Array {
  const raw = new Uint8Array(352 + 64 * 1024 * 1024);
  raw.set(writeNifti({ dims: [1, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(1) }, { gzip: false }).subarray(0, 352));
  [1024, 1024, 512].forEach((d, n) => new DataView(raw.buffer).setInt16(H.dim + 2 + 2 * n, d, true));
  return gzipSync(raw, { level: 6 });
}

/** An ONNX graph passing its first input through to prediction, pi_lo and pi_hi, with or without the card's contract metadata. */
function identityModel(inputs: string[], metadata: boolean, b: Base): Uint8Array {
  return encodeModel({
    name: 'identity', inputs: inputs.map((name) => ({ name, dims: ['N', 1] })),
    outputs: ['prediction', 'pi_lo', 'pi_hi'].map((name) => ({ name, dims: ['N', 1] })), initializers: [],
    nodes: ['prediction', 'pi_lo', 'pi_hi'].map((o) => ({ op: 'Identity', inputs: [inputs[0]], outputs: [o] })),
    metadata: metadata ? { psma_dose_inputs: JSON.stringify(b.card.inputs.map((c) => c.name)), psma_dose_types: JSON.stringify(b.card.types) } : {},
  });
}
