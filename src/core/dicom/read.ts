// Reads DICOM Part-10 files (dcmjs), groups them into series and builds volumes sorted by geometry
// (position along the slice normal, never file name or InstanceNumber).
import dcmjs from 'dcmjs';
import type { Mat3, Vec3, Volume } from '../volume';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
// dcmjs warns on every implicit-VR pixel element; real problems surface as errors below.
(dcmjs as unknown as { log?: { setLevel?: (l: string) => void } }).log?.setLevel?.('error');

import { framesOf } from './multiframe';
import { DicomError, checkPixelLength, checkPixelModule, checkStacking, checkVolumeSize, orientationOf, pixelSpacingOf, rescaleOf } from './validate';

export { DicomError };

/** A parsed instance: naturalized attributes (pixel data kept separately). */
export interface DicomInstance {
  name: string;
  attrs: Record<string, any>;
  pixels?: ArrayBuffer;
  /** Encapsulated multi-frame pixel data: one buffer per frame (until split by framesOf). */
  frames?: ArrayBuffer[];
  transferSyntax: string;
  /** The frame (1-based) of a multi-frame instance this pseudo-instance is. */
  frameNumber?: number;
}

export interface DicomSeriesInfo {
  seriesUid: string;
  studyUid: string;
  modality: string;
  description: string;
  frameOfReferenceUid: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  instances: DicomInstance[];
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

export function parseDicom(data: ArrayBuffer, name = 'file'): DicomInstance {
  const head = new Uint8Array(data, 0, Math.min(132, data.byteLength));
  const isPart10 = head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
  if (!isPart10) throw new DicomError(`${name}: not a DICOM file (no "DICM" marker at byte 128)`);
  let dict: any;
  try {
    dict = DicomMessage.readFile(data, { ignoreErrors: true });
  } catch (e) {
    throw new DicomError(`${name}: DICOM file could not be parsed (${(e as Error).message})`);
  }
  const attrs = DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, any>;
  const meta = DicomMetaDictionary.naturalizeDataset(dict.meta) as Record<string, any>;
  const pd = attrs.PixelData;
  delete attrs.PixelData;
  const pixels = Array.isArray(pd) ? (pd[0] as ArrayBuffer) : pd instanceof ArrayBuffer ? pd : undefined;
  const frames = Array.isArray(pd) && pd.length > 1 ? (pd as ArrayBuffer[]) : undefined;
  return { name, attrs, pixels, frames, transferSyntax: meta.TransferSyntaxUID ?? '1.2.840.10008.1.2' };
}

/** A DICOM object that must be of one modality (SEG, RTSTRUCT…), naturalized; `fail` makes the error naming the file. */
export function readDicomObject(buf: ArrayBuffer, name: string, modality: string, fail: (message: string) => Error): Record<string, any> {
  let ds: Record<string, any>;
  try {
    ds = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(buf, { ignoreErrors: true }).dict);
  } catch (e) {
    throw fail(`${name}: not a readable DICOM file (${(e as Error).message})`);
  }
  // The tolerant parse above reads what it can of a file that ends early; a structure set missing its end
  // would silently lose contours or frames, so a file that runs out of bytes is refused.
  try {
    DicomMessage.readFile(buf);
  } catch (e) {
    if (/outside the bounds/i.test((e as Error).message)) throw fail(`${name}: the file ends before its data do (${buf.byteLength} bytes; truncated or damaged in transfer): export or copy it again`);
  }
  if (ds.Modality !== modality) throw fail(`${name}: Modality is ${ds.Modality ?? 'absent'}, not ${modality}`);
  return ds;
}

/** A naturalized attribute as a list (dcmjs gives single items of a sequence or multi-value as they are). */
export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function groupSeries(instances: DicomInstance[]): DicomSeriesInfo[] {
  const by = new Map<string, DicomSeriesInfo>();
  for (const inst of instances) {
    const a = inst.attrs;
    const uid = a.SeriesInstanceUID ?? '(no series UID)';
    let s = by.get(uid);
    if (!s) {
      s = {
        seriesUid: uid, studyUid: a.StudyInstanceUID ?? '', modality: a.Modality ?? '', description: a.SeriesDescription ?? '',
        frameOfReferenceUid: a.FrameOfReferenceUID ?? '', patientName: personName(a.PatientName), patientId: a.PatientID ?? '',
        studyDate: a.StudyDate ?? '', instances: [],
      };
      by.set(uid, s);
    }
    s.instances.push(inst);
  }
  return [...by.values()];
}

function personName(v: unknown): string {
  if (!v) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return personName(v[0]);
  if (typeof v === 'object' && v && 'Alphabetic' in v) return String((v as { Alphabetic: string }).Alphabetic);
  return String(v);
}

const num = (v: unknown) => (Array.isArray(v) ? v.map(Number) : [Number(v)]);

export interface SeriesVolume {
  volume: Volume;
  series: DicomSeriesInfo;
  /** Instances in slice order (k = 0 first). */
  sorted: DicomInstance[];
  /** Dynamic series: number of time frames and the one shown (0-based). */
  frames?: { count: number; shown: number };
}

/** Time-frame key of an instance of a dynamic series (TemporalPositionIndex, else frame/acquisition time). */
function frameKey(i: DicomInstance): string {
  const a = i.attrs;
  return String(a.TemporalPositionIndex ?? a.FrameReferenceTime ?? a.AcquisitionTime ?? '');
}

/**
 * Splits a dynamic series (several time frames at the same positions) into frames, earliest first.
 * Returns undefined for a static series, including a multi-bed whole-body series whose bed positions carry
 * different acquisition times: frames are split only when slice positions repeat.
 */
function splitFrames(instances: DicomInstance[]): DicomInstance[][] | undefined {
  const positions = new Set(instances.map((i) => String(i.attrs.ImagePositionPatient ?? '')));
  if (positions.size === instances.length) return undefined;
  const keys = new Map<string, DicomInstance[]>();
  for (const i of instances) { const k = frameKey(i); const a = keys.get(k); if (a) a.push(i); else keys.set(k, [i]); }
  if (keys.size < 2) return undefined;
  const sizes = new Set([...keys.values()].map((v) => v.length));
  if (sizes.size !== 1) return undefined;
  const order = (k: string) => { const n = Number(k); return Number.isFinite(n) ? n : k; };
  return [...keys.entries()].sort((x, y) => (order(x[0]) < order(y[0]) ? -1 : 1)).map((e) => e[1]);
}

/**
 * Builds the volume of one image series. CT stays Int16 with rescale slope/intercept when they are
 * uniform; anything with per-slice rescale (PET) becomes Float32 physical values.
 */
export function seriesToVolume(series: DicomSeriesInfo, opts: { frame?: number } = {}): SeriesVolume {
  const withPx = series.instances.filter((i) => i.pixels);
  const frames = splitFrames(withPx);
  if (frames) {
    // Dynamic series: one time frame at a time (default: the last, closest to a static acquisition).
    const shown = Math.min(frames.length - 1, Math.max(0, opts.frame ?? frames.length - 1));
    const r = seriesToVolume({ ...series, instances: frames[shown] });
    return { ...r, series, frames: { count: frames.length, shown } };
  }
  const what = `${series.modality || 'series'} ${series.description ? `"${series.description}" ` : ''}(${series.instances.length} files)`;
  const withPixels = series.instances.filter((i) => i.pixels);
  if (!withPixels.length) throw new DicomError(`${what}: no pixel data (not an image series)`);
  const first = withPixels[0].attrs;
  if ((first.NumberOfFrames ?? 1) > 1) throw new DicomError(`${what}: multi-frame images of SOP class ${first.SOPClassUID ?? '(absent)'} are not read (Enhanced PET and CT are; other multi-frame objects are not volumes of this kind)`);
  for (const i of withPixels) {
    if (!UNCOMPRESSED.has(i.transferSyntax)) throw new DicomError(`${i.name}: compressed transfer syntax ${i.transferSyntax} (the viewer decodes it; the Node reader needs uncompressed DICOM)`);
  }
  // Every header is checked before anything is allocated from it.
  const { rows, cols, bits } = checkPixelModule(withPixels[0]);
  checkVolumeSize(what, cols, rows, withPixels.length);
  const { row, col, normal } = orientationOf(withPixels[0]);
  const iop = [...row, ...col];
  const ps = pixelSpacingOf(withPixels[0]);
  for (const i of withPixels) {
    const m = checkPixelModule(i);
    if (m.rows !== rows || m.cols !== cols) throw new DicomError(`${what}: inconsistent geometry: ${i.name} is ${m.cols}×${m.rows}, others ${cols}×${rows}`);
    if (m.bits !== bits) throw new DicomError(`${what}: ${i.name} has BitsAllocated ${m.bits}, others ${bits}`);
    checkPixelLength(i, rows, cols, bits);
    const s = pixelSpacingOf(i);
    if (Math.abs(s[0] - ps[0]) > 1e-3 || Math.abs(s[1] - ps[1]) > 1e-3) throw new DicomError(`${what}: inconsistent geometry: ${i.name} has PixelSpacing ${s.join('\\')}, others ${ps.join('\\')}`);
  }
  const proj = (i: DicomInstance) => {
    const p = num(i.attrs.ImagePositionPatient);
    if (p.length !== 3 || p.some((v) => !Number.isFinite(v))) throw new DicomError(`${i.name}: missing ImagePositionPatient`);
    return p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
  };
  const sorted = [...withPixels].map((i) => ({ i, d: proj(i) })).sort((a, b) => a.d - b.d);
  for (const { i } of sorted) {
    const o = num(i.attrs.ImageOrientationPatient);
    if (o.length !== 6 || o.some((v, n) => !(Math.abs(v - iop[n]) <= 1e-3))) throw new DicomError(`${what}: inconsistent geometry: ${i.name} has another orientation`);
  }
  for (let n = 1; n < sorted.length; n++) {
    if (Math.abs(sorted[n].d - sorted[n - 1].d) < 1e-4) throw new DicomError(`${what}: inconsistent geometry: two slices at the same position (${sorted[n].d.toFixed(2)} mm); mixed series?`);
  }
  let dz = Number(first.SliceThickness) || 1;
  if (sorted.length > 1) {
    dz = (sorted[sorted.length - 1].d - sorted[0].d) / (sorted.length - 1);
    for (let n = 1; n < sorted.length; n++) {
      const step = sorted[n].d - sorted[n - 1].d;
      if (Math.abs(step - dz) > Math.max(0.01, 0.02 * dz)) {
        throw new DicomError(`${what}: inconsistent geometry: slice spacing varies (${step.toFixed(2)} mm vs ${dz.toFixed(2)} mm; a gap or missing slice?)`);
      }
    }
  }
  const origin = num(sorted[0].i.attrs.ImagePositionPatient) as Vec3;
  const direction = [...row, ...col, ...normal] as Mat3;
  const per = rows * cols;
  const nz = sorted.length;
  checkStacking(what, sorted.map(({ i }) => num(i.attrs.ImagePositionPatient) as Vec3), normal);
  const rescale = sorted.map(({ i }) => rescaleOf(i));
  const slopes = rescale.map((r) => r.slope), icpts = rescale.map((r) => r.intercept);
  const signed = Number(first.PixelRepresentation) === 1;
  const uniform = slopes.every((s) => s === slopes[0]) && icpts.every((c) => c === icpts[0]);
  // Lengths were checked above (checkPixelLength). Views, not copies: a whole-body CT would otherwise pass through
  // a second full copy of its frames while the volume is built.
  const read = (buf: ArrayBuffer) => {
    if (bits === 16) return signed ? new Int16Array(buf, 0, per) : new Uint16Array(buf, 0, per);
    if (bits === 8) return signed ? new Int8Array(buf, 0, per) : new Uint8Array(buf, 0, per);
    return signed ? new Int32Array(buf, 0, per) : new Uint32Array(buf, 0, per);
  };
  const spacing: Vec3 = [ps[1], ps[0], Math.abs(dz)];
  const geom = { dims: [cols, rows, nz] as Vec3, spacing, origin, direction };
  const unit = series.modality === 'CT' ? 'HU' : series.modality === 'PT' ? String(first.Units ?? '') : '';
  // Int16 when the physical values fit: uniform integer rescale.
  const intOk = uniform && Number.isInteger(slopes[0]) && Number.isInteger(icpts[0]) && bits === 16;
  if (intOk) {
    const data = new Int16Array(per * nz);
    let fits = true;
    sorted.forEach(({ i }, k) => {
      const px = read(i.pixels!);
      for (let n = 0; n < per; n++) {
        const v = px[n] * slopes[0] + icpts[0];
        if (v < -32768 || v > 32767) fits = false;
        data[k * per + n] = v;
      }
    });
    if (fits) return { volume: { ...geom, data, unit }, series, sorted: sorted.map((s) => s.i) };
  }
  const data = new Float32Array(per * nz);
  sorted.forEach(({ i }, k) => {
    const px = read(i.pixels!);
    for (let n = 0; n < per; n++) data[k * per + n] = px[n] * slopes[k] + icpts[k];
  });
  return { volume: { ...geom, data, unit }, series, sorted: sorted.map((s) => s.i) };
}

/**
 * Parses files, groups them into series and returns the non-image and image series; Enhanced PET/CT instances
 * become one instance per frame. Bad files are reported, not fatal.
 */
export function readDicomFiles(files: { name: string; data: ArrayBuffer }[]): { series: DicomSeriesInfo[]; errors: string[] } {
  const errors: string[] = [];
  const instances: DicomInstance[] = [];
  for (const f of files) {
    try {
      instances.push(...framesOf(parseDicom(f.data, f.name)));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { series: groupSeries(instances), errors };
}

/** One image series from a set of files (all must belong to it). */
export function readDicomSeries(files: { name: string; data: ArrayBuffer }[]): SeriesVolume {
  const { series, errors } = readDicomFiles(files);
  if (!series.length) throw new DicomError(errors[0] ?? 'no DICOM files given');
  const images = series.filter((s) => s.instances.some((i) => i.pixels));
  if (images.length > 1) throw new DicomError(`${images.length} image series found (${images.map((s) => s.modality).join(', ')}); give one series`);
  if (!images.length) throw new DicomError(`${series[0].modality || 'DICOM'} files without pixel data: not an image series`);
  // A file of the image series without pixel data, or a file that is not readable DICOM, is a damaged or
  // truncated slice: reading on without it would silently lose a slice (or blame a "gap").
  const broken = [
    ...images[0].instances.filter((i) => !i.pixels).map((i) => `${i.name}: no pixel data, although the other files of its series have (a truncated or damaged file?)`),
    ...series.filter((s) => s !== images[0]).flatMap((s) => s.instances).filter((i) => !i.attrs.SeriesInstanceUID || !i.attrs.Modality)
      .map((i) => `${i.name}: no ${i.attrs.SeriesInstanceUID ? 'Modality' : 'SeriesInstanceUID'} and no pixel data (a truncated or damaged file?)`),
  ];
  // Files without the DICM marker (notes, exports of other tools) are skipped, as other DICOM readers do.
  const notDicom = errors.filter((e) => NOT_DICOM.test(e));
  const problems = [...broken, ...errors.filter((e) => !NOT_DICOM.test(e))];
  const list = (xs: string[]) => `${xs.slice(0, 5).join('; ')}${xs.length > 5 ? ' …' : ''}`;
  if (problems.length) throw new DicomError(`${problems.length} file(s) of the series cannot be read, so it is not read (remove them or export the series again): ${list(problems)}`);
  try {
    return seriesToVolume(images[0]);
  } catch (e) {
    if (!(e instanceof DicomError) || !notDicom.length) throw e;
    throw new DicomError(`${e.message} (${notDicom.length} file(s) in the folder were skipped: ${list(notDicom)})`);
  }
}

const NOT_DICOM = /: not a DICOM file \(no "DICM" marker/;
