// Turns parsed DICOM series into what the viewer shows: a CT volume (HU) and a PET volume in SUVbw
// (or Bq/mL with the reason when SUV can't be computed). Pure: used by local files, demo and DICOMweb.
import { seriesToVolume, type DicomSeriesInfo, type DicomInstance } from './dicom/read';
import { computeSuv, type SuvOverrides, type SuvResult } from './suv';
import type { Volume } from './volume';

export interface PetImage {
  /** Physical values as stored (Bq/mL for BQML). */
  raw: Volume<Float32Array>;
  /** SUVbw when computable (same grid), else undefined. */
  suv?: Volume<Float32Array>;
  suvResult: SuvResult;
  /** Per-slice SUVbw factors (k order), when computable. */
  suvFactors?: number[];
  instances: DicomInstance[];
}

export interface LoadedStudy {
  studyUid: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  description: string;
  ct?: Volume;
  ctSeriesUid?: string;
  /** CT instances in slice order (k), for SEG/RTSTRUCT drawn on the CT grid. */
  ctInstances?: DicomInstance[];
  pet?: PetImage;
  petSeriesUid?: string;
  /** Notices to show (e.g. "PET only: fusion needs CT"). */
  notices: string[];
}

export class StudyError extends Error {}

function pickSeries(series: DicomSeriesInfo[], modality: string): DicomSeriesInfo | undefined {
  const c = series.filter((s) => s.modality === modality && s.instances.some((i) => i.pixels));
  if (modality === 'PT') {
    // Prefer attenuation-corrected series (OHIF's TMTV hanging protocol does the same).
    c.sort((a, b) => score(b) - score(a) || b.instances.length - a.instances.length);
  } else {
    c.sort((a, b) => b.instances.length - a.instances.length);
  }
  return c[0];
}

function score(s: DicomSeriesInfo): number {
  const ci = ([] as string[]).concat(s.instances[0].attrs.CorrectedImage ?? []).join('\\');
  return (ci.includes('ATTN') ? 2 : 0) + (/uncorr|nac/i.test(s.description) ? -1 : 0);
}

export function petToSuv(raw: Volume<Float32Array>, instances: DicomInstance[], over: SuvOverrides = {}): Omit<PetImage, 'raw' | 'instances'> {
  const suvResult = computeSuv(instances.map((i) => i.attrs), over);
  if (!suvResult.ok) return { suvResult };
  const [nx, ny, nz] = raw.dims;
  const per = nx * ny;
  const data = new Float32Array(raw.data.length);
  for (let k = 0; k < nz; k++) {
    const f = suvResult.suvbw[k];
    for (let n = k * per; n < (k + 1) * per; n++) data[n] = raw.data[n] * f;
  }
  return { suvResult, suvFactors: suvResult.suvbw, suv: { ...raw, data, unit: 'SUVbw' } };
}

/** Builds the study from all series of one study (or of a PET study and a CT study paired by the user). */
export function assembleStudy(series: DicomSeriesInfo[], over: SuvOverrides = {}): LoadedStudy {
  const imageSeries = series.filter((s) => s.instances.some((i) => i.pixels));
  if (!imageSeries.length) throw new StudyError('no image series found (the files hold no pixel data)');
  const ptS = pickSeries(series, 'PT');
  const ctS = pickSeries(series, 'CT');
  const notices: string[] = [];
  const head = (ptS ?? ctS ?? imageSeries[0]);
  const study: LoadedStudy = {
    studyUid: head.studyUid, patientName: head.patientName, patientId: head.patientId, studyDate: head.studyDate,
    description: String(head.instances[0].attrs.StudyDescription ?? ''), notices,
  };
  if (!ptS) {
    throw new StudyError(`this study has no PET series (found ${[...new Set(imageSeries.map((s) => s.modality))].join(', ')}); a PSMA PET is needed`);
  }
  const pt = seriesToVolume(ptS);
  const raw: Volume<Float32Array> = pt.volume.data instanceof Float32Array
    ? (pt.volume as Volume<Float32Array>)
    : { ...pt.volume, data: Float32Array.from(pt.volume.data) };
  study.pet = { raw, instances: pt.sorted, ...petToSuv(raw, pt.sorted, over) };
  study.petSeriesUid = ptS.seriesUid;
  if (pt.frames) notices.push(`Dynamic PET with ${pt.frames.count} time frames: showing frame ${pt.frames.shown + 1} (the latest); SUV uses that frame's own timing.`);
  if (ctS) {
    const ct = seriesToVolume(ctS);
    study.ct = ct.volume;
    study.ctSeriesUid = ctS.seriesUid;
    study.ctInstances = ct.sorted;
    if (ctS.frameOfReferenceUid && ptS.frameOfReferenceUid && ctS.frameOfReferenceUid !== ptS.frameOfReferenceUid) {
      notices.push('PET and CT have different frames of reference: fusion assumes the scanner aligned them (same patient position).');
    }
  } else {
    notices.push('PET only: this study has no CT, so fusion and HU are not available.');
  }
  if (study.pet.suvResult.ok) for (const w of study.pet.suvResult.warnings) notices.push(`SUV: ${w}.`);
  else notices.push(`SUV not available: ${study.pet.suvResult.reason}. Values are shown in ${raw.unit || 'stored units'}.`);
  return study;
}

/** Whether a PET study and a CT study stored separately plausibly belong together (same patient, date and body coverage). */
export function canPair(pet: DicomSeriesInfo, ct: DicomSeriesInfo): { ok: boolean; why: string } {
  if (pet.patientId !== ct.patientId) return { ok: false, why: 'different patient IDs' };
  if (pet.studyDate !== ct.studyDate) return { ok: false, why: 'different study dates' };
  const p = seriesToVolume(pet).volume, c = seriesToVolume(ct).volume;
  const zr = (v: Volume) => [v.origin[2], v.origin[2] + (v.dims[2] - 1) * v.spacing[2] * v.direction[8]].sort((a, b) => a - b);
  const [p0, p1] = zr(p), [c0, c1] = zr(c);
  const overlap = Math.min(p1, c1) - Math.max(p0, c0);
  if (overlap < 0.5 * (p1 - p0)) return { ok: false, why: 'the scans cover different parts of the body' };
  return { ok: true, why: 'same patient, date and axial coverage' };
}
