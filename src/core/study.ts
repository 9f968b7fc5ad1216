// Turns parsed DICOM series into what the viewer shows: a CT volume (HU) and a PET volume in SUVbw
// (or Bq/mL with the reason when SUV can't be computed). The one place PET becomes SUV: the viewer, the
// features CLI and extract all go through here. Pure: used by local files, demo and DICOMweb.
import { seriesToVolume, type DicomSeriesInfo, type DicomInstance } from './dicom/read';
import { computeSuv, type SuvOverrides, type SuvResult } from './suv';
import { sampleAt, toFloat32, valueAt, type Vec3, type Volume } from './volume';

export interface PetImage {
  /** Physical values as stored (Bq/mL for BQML). */
  raw: Volume<Float32Array>;
  /** SUVbw when computable (same grid), else undefined. */
  suv?: Volume<Float32Array>;
  suvResult: SuvResult;
  /** The values entered by the user in place of missing or wrong header values. */
  overrides?: SuvOverrides;
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

/** Physical values × a per-slice factor (k order). */
function scaleSlices(v: Volume, factors: number[], unit: string): Volume<Float32Array> {
  const per = v.dims[0] * v.dims[1];
  const data = new Float32Array(v.data.length);
  for (let k = 0; k < v.dims[2]; k++) {
    const f = factors[k];
    for (let n = k * per; n < (k + 1) * per; n++) data[n] = valueAt(v, n) * f;
  }
  return { dims: [...v.dims], spacing: [...v.spacing], origin: [...v.origin], direction: [...v.direction], data, unit };
}

/** SUVbw (and the SUL factors) of a PET volume from its instances in slice order. */
function petToSuv(raw: Volume<Float32Array>, instances: DicomInstance[], over: SuvOverrides = {}): Omit<PetImage, 'raw' | 'instances'> {
  const suvResult = computeSuv(instances.map((i) => i.attrs), over);
  if (!suvResult.ok) return { suvResult };
  return { suvResult, suv: scaleSlices(raw, suvResult.suvbw, 'SUVbw') };
}

export type SuvKind = 'bw' | 'lbm' | 'none';

/**
 * A PET series (its volume and instances in slice order, as `readDicomSeries` gives them) in SUVbw, SUL
 * (Janmahasatian lean body mass) or physical values ('none'); the reason when the header does not allow it.
 */
export function petSeriesSuv(volume: Volume, sorted: DicomInstance[], kind: SuvKind, over: SuvOverrides = {}): { ok: true; volume: Volume<Float32Array>; label: string; warnings: string[] } | { ok: false; reason: string } {
  if (kind === 'none') return { ok: true, volume: toFloat32(volume), label: 'none', warnings: [] };
  const r = computeSuv(sorted.map((i) => i.attrs), over);
  if (!r.ok) return { ok: false, reason: `PET image cannot be converted to SUV: ${r.reason}` };
  if (kind === 'bw') return { ok: true, volume: scaleSlices(volume, r.suvbw, 'SUVbw'), label: 'SUVbw', warnings: r.warnings };
  if (!r.sul) return { ok: false, reason: `SUL is not available: ${r.sulReason}` };
  return { ok: true, volume: scaleSlices(volume, r.sul, 'SUL'), label: 'SUL (Janmahasatian)', warnings: r.warnings };
}

const SUV_NOTICE = 'SUV not available:';
const SUV_WARNING = 'SUV:';
const suvWarnings = (r: SuvResult) => (r.ok ? r.warnings.map((w) => `${SUV_WARNING} ${w}.`) : []);

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
  const raw: Volume<Float32Array> = pt.volume.data instanceof Float32Array && pt.volume.slope === undefined && pt.volume.intercept === undefined
    ? (pt.volume as Volume<Float32Array>)
    : toFloat32(pt.volume);
  study.pet = { raw, instances: pt.sorted, ...petToSuv(raw, pt.sorted, over), ...(Object.keys(over).length ? { overrides: over } : {}) };
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
  if (study.pet.suvResult.ok) notices.push(...suvWarnings(study.pet.suvResult));
  else notices.push(`${SUV_NOTICE} ${study.pet.suvResult.reason}. Values are shown in ${raw.unit || 'stored units'}.`);
  return study;
}

/**
 * The study with SUV recomputed from the kept raw PET and the user's values for missing or wrong header
 * fields (the CT and the raw PET are the same objects). Refuses, with the reason, when SUV is still not computable.
 */
export function withSuvOverrides(study: LoadedStudy, over: SuvOverrides): { ok: true; study: LoadedStudy } | { ok: false; reason: string } {
  if (!study.pet) return { ok: false, reason: 'this study has no PET' };
  const next = petToSuv(study.pet.raw, study.pet.instances, over);
  if (!next.suvResult.ok) return { ok: false, reason: next.suvResult.reason };
  return {
    ok: true,
    study: {
      ...study, pet: { raw: study.pet.raw, instances: study.pet.instances, ...next, overrides: over },
      notices: [...study.notices.filter((n) => !n.startsWith(SUV_NOTICE) && !n.startsWith(SUV_WARNING)), ...suvWarnings(next.suvResult)],
    },
  };
}

export interface Readout {
  hu?: number;
  suv?: number;
  sul?: number;
  /** Stored physical PET value (Bq/mL for BQML) and its unit. */
  raw?: number;
  rawUnit: string;
  lps: Vec3;
}

/** CT and PET values at an LPS point (nearest voxel); undefined where a value does not exist. */
export function readoutAt(study: LoadedStudy, lps: Vec3): Readout {
  const ct = study.ct ? sampleAt(study.ct, lps) : undefined;
  const raw = study.pet ? sampleAt(study.pet.raw, lps) : undefined;
  const suv = study.pet?.suv ? sampleAt(study.pet.suv, lps) : undefined;
  const res = study.pet?.suvResult;
  const sul = raw && res?.ok && res.sul ? raw.value * res.sul[raw.ijk[2]] : undefined;
  return { hu: ct?.value, suv: suv?.value, sul, raw: raw?.value, rawUnit: study.pet?.raw.unit ?? '', lps: [...lps] };
}

/** Axial extent (LPS z, mm) of a series from its ImagePositionPatient headers; undefined when a slice lacks one. */
function zExtent(series: DicomSeriesInfo): [number, number] | undefined {
  const zs = series.instances.filter((i) => i.pixels).map((i) => {
    const p = i.attrs.ImagePositionPatient;
    return Array.isArray(p) && p.length === 3 ? Number(p[2]) : NaN;
  });
  if (!zs.length || zs.some((z) => !Number.isFinite(z))) return undefined;
  return [Math.min(...zs), Math.max(...zs)];
}

/** Whether a PET study and a CT study stored separately plausibly belong together (same patient, date and body coverage), from the headers. */
export function canPair(pet: DicomSeriesInfo, ct: DicomSeriesInfo): { ok: boolean; why: string } {
  if (pet.patientId !== ct.patientId) return { ok: false, why: 'different patient IDs' };
  if (pet.studyDate !== ct.studyDate) return { ok: false, why: 'different study dates' };
  const p = zExtent(pet), c = zExtent(ct);
  if (!p || !c) return { ok: false, why: `the ${p ? 'CT' : 'PET'} slices lack ImagePositionPatient` };
  const overlap = Math.min(p[1], c[1]) - Math.max(p[0], c[0]);
  if (overlap < 0.5 * (p[1] - p[0])) return { ok: false, why: 'the scans cover different parts of the body' };
  return { ok: true, why: 'same patient, date and axial coverage' };
}
