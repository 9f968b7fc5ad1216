// SUV for a whole PT series: SUVbw (via @cornerstonejs/calculate-suv, over all instances at once) and
// SUL with the Janmahasatian lean body mass. DecayCorrection ADMIN is handled here (calculate-suv ignores it).
import { calculateSUVScalingFactors, type InstanceMetadata } from '@cornerstonejs/calculate-suv';
import { RANGES, INJECTED_MBQ, checkRange, nuclideOfHalfLife, type RangeCheck } from './ranges';

export interface SuvOverrides {
  weightKg?: number;
  heightCm?: number;
  sex?: 'M' | 'F';
  injectedMBq?: number;
  /** Injection time HHMMSS (same day as the series). */
  injectionTime?: string;
}

export type SuvMissing = 'weight' | 'injected dose' | 'injection time' | 'half-life' | 'height' | 'sex';

export type SuvResult =
  | {
      ok: true;
      /** Per instance (same order as given): SUVbw = physical value (after rescale) × factor. */
      suvbw: number[];
      /** SUL (Janmahasatian LBM) factors, or undefined with the reason. */
      sul?: number[];
      sulReason?: string;
      units: string;
      decayCorrection: string;
      /** Header values that were interpreted (e.g. a dose stored in MBq); to show the user. */
      warnings: string[];
    }
  | { ok: false; reason: string; missing: SuvMissing[] };

/** Janmahasatian lean body mass (kg) from weight (kg), height (cm) and sex. */
export function leanBodyMassJanmahasatian(weightKg: number, heightCm: number, sex: 'M' | 'F'): number {
  const bmi = weightKg / (heightCm / 100) ** 2;
  return sex === 'M' ? (9270 * weightKg) / (6680 + 216 * bmi) : (9270 * weightKg) / (8780 + 244 * bmi);
}

/** RadionuclideTotalDose values (in the header's Bq) that can only be MBq: 0.1 kBq … 100 kBq. */
const MBQ_AS_BQ = { min: 1, max: 1e5 };

/** SUVType (0054,1006) values other than BW, by name. */
const SUV_TYPE_NAMES: Record<string, string> = {
  LBM: 'SUVlbm', LBMJAMES128: 'SUVlbm (James)', LBMJANMA: 'SUVlbm (Janmahasatian)', IBW: 'SUVibw (ideal body weight)', BSA: 'SUVbsa (body surface area)',
};

/** Seconds since midnight of a DICOM TM (HHMMSS.FFFFFF, colons tolerated). */
function tmSeconds(tm: string): number {
  const s = tm.replace(/:/g, '');
  return Number(s.slice(0, 2)) * 3600 + Number(s.slice(2, 4) || 0) * 60 + Number(s.slice(4) || 0);
}

const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * SUV factors from naturalized PT instance attributes (dcmjs / DICOMweb JSON naturalized).
 * Never throws for clinical reasons: returns { ok: false, reason } saying exactly what is missing.
 */
export function computeSuv(instances: Record<string, any>[], over: SuvOverrides = {}): SuvResult {
  if (!instances.length) return { ok: false, reason: 'no PET instances', missing: [] };
  const a = instances[0];
  const units = String(a.Units ?? '').toUpperCase();
  const corrected = ([] as string[]).concat(a.CorrectedImage ?? []).join('\\').split('\\').map((s) => s.trim().toUpperCase());
  const rp = first(a.RadiopharmaceuticalInformationSequence) ?? {};
  const weight = over.weightKg ?? (Number(a.PatientWeight) || undefined);
  const heightCm = over.heightCm ?? (Number(a.PatientSize) ? Number(a.PatientSize) * 100 : undefined);
  const sex = over.sex ?? (a.PatientSex === 'M' || a.PatientSex === 'F' ? a.PatientSex : undefined);
  const warnings: string[] = [];
  let doseBq = over.injectedMBq !== undefined ? over.injectedMBq * 1e6 : Number(rp.RadionuclideTotalDose) || undefined;
  if (over.injectedMBq === undefined && doseBq !== undefined && doseBq >= MBQ_AS_BQ.min && doseBq <= MBQ_AS_BQ.max) {
    // Some systems store the dose in MBq although the standard says Bq: no PET is given under 0.1 MBq.
    warnings.push(`RadionuclideTotalDose ${doseBq} is read as MBq (a value in Bq would be under 0.1 MBq)`);
    doseBq *= 1e6;
  }
  const halfLife = Number(rp.RadionuclideHalfLife) || undefined;
  const injTime: string | undefined = over.injectionTime ?? rp.RadiopharmaceuticalStartTime ?? (rp.RadiopharmaceuticalStartDateTime ? String(rp.RadiopharmaceuticalStartDateTime).slice(8) : undefined);
  const decay = String(a.DecayCorrection ?? '').toUpperCase();
  const suvType = String(a.SUVType ?? '').toUpperCase();

  if (units === 'CM2ML') return { ok: false, reason: 'the stored values are SUVbsa (Units CM2ML); this viewer computes SUVbw and SUL only', missing: [] };
  if (units === 'GML') {
    if (suvType && suvType !== 'BW') return { ok: false, reason: `the stored values are ${SUV_TYPE_NAMES[suvType] ?? `SUV type ${suvType}`} (Units GML, SUVType ${suvType}), not SUVbw; this viewer computes SUVbw and SUL only`, missing: [] };
    return finish(instances.map(() => 1), units, decay, warnings, weight, heightCm, sex);
  }
  if (decay === 'NONE') return { ok: false, reason: 'the images are not decay-corrected (DecayCorrection NONE); SUV would need per-slice decay correction, which is not supported', missing: [] };
  const missing: SuvMissing[] = [];
  if (!weight) missing.push('weight');
  if (!doseBq) missing.push('injected dose');
  if (units === 'BQML' && decay !== 'ADMIN' && !injTime) missing.push('injection time');
  if (units === 'BQML' && decay !== 'ADMIN' && !halfLife) missing.push('half-life');
  if (!['BQML', 'CNTS'].includes(units)) {
    return { ok: false, reason: `PET Units "${a.Units ?? ''}" cannot be converted to SUV (BQML, CNTS with Philips factors or GML are supported)`, missing };
  }
  if (!corrected.includes('ATTN') || !corrected.includes('DECY')) {
    return { ok: false, reason: `the series is not attenuation- and decay-corrected (CorrectedImage = ${corrected.join('\\') || 'absent'}); SUV would be meaningless`, missing };
  }
  if (missing.length) return { ok: false, reason: `SUV needs the patient's ${missing.join(', ')}, which the DICOM header does not give`, missing };
  const implausible = checkInputs(weight!, doseBq!, halfLife, warnings);
  if (implausible) return implausible;

  if (decay === 'ADMIN' && units === 'BQML') {
    // Images already decay-corrected to the administration time: no further decay.
    return finish(instances.map(() => (weight! * 1000) / doseBq!), units, decay, warnings, weight, heightCm, sex);
  }
  if (decay && decay !== 'START' && decay !== 'ADMIN') {
    return { ok: false, reason: `DecayCorrection "${decay}" is not supported (START or ADMIN)`, missing: [] };
  }
  // An injection time later than the scan on the same date (no start date given) was the day before (QIBA).
  const scanTime = String(a.SeriesTime ?? a.AcquisitionTime ?? '');
  const injectedDayBefore = !!injTime && (over.injectionTime !== undefined || !rp.RadiopharmaceuticalStartDateTime) && tmSeconds(injTime) > tmSeconds(scanTime);
  if (injectedDayBefore) warnings.push(`the injection time ${injTime} is later than the scan time ${scanTime}: the injection is taken to be on the day before`);
  const uptake = injTime && !(rp.RadiopharmaceuticalStartDateTime && !over.injectionTime)
    ? (tmSeconds(scanTime) - tmSeconds(injTime)) / 60 + (injectedDayBefore ? 1440 : 0)
    : minutesBetween(String(rp.RadiopharmaceuticalStartDateTime ?? ''), `${a.SeriesDate ?? ''}${scanTime}`);
  const uptakeCheck = uptake === undefined ? { level: 'ok' as const } : checkRange(RANGES.uptakeMin, uptake);
  if (uptakeCheck.level === 'refuse') return { ok: false, reason: `${uptakeCheck.message}: check the injection time`, missing: ['injection time'] };
  if (uptakeCheck.level === 'warn') warnings.push(uptakeCheck.message);
  const meta: InstanceMetadata[] = instances.map((x) => {
    const philips = x['70531000'] ?? x.SUVScaleFactor;
    const m: InstanceMetadata = {
      CorrectedImage: corrected,
      Units: units,
      RadionuclideHalfLife: halfLife ?? 0,
      RadionuclideTotalDose: doseBq!,
      DecayCorrection: 'START',
      PatientWeight: weight!,
      PatientSize: heightCm ? heightCm / 100 : undefined,
      PatientSex: sex,
      SeriesDate: x.SeriesDate ?? a.SeriesDate,
      SeriesTime: x.SeriesTime ?? a.SeriesTime,
      AcquisitionDate: x.AcquisitionDate ?? x.SeriesDate ?? a.SeriesDate,
      AcquisitionTime: x.AcquisitionTime ?? x.SeriesTime ?? a.SeriesTime,
      RadiopharmaceuticalStartTime: injTime,
      FrameReferenceTime: x.FrameReferenceTime !== undefined ? Number(x.FrameReferenceTime) : undefined,
      ActualFrameDuration: x.ActualFrameDuration !== undefined ? Number(x.ActualFrameDuration) : undefined,
    };
    if (!over.injectionTime && rp.RadiopharmaceuticalStartDateTime) m.RadiopharmaceuticalStartDateTime = String(rp.RadiopharmaceuticalStartDateTime);
    else if (injectedDayBefore) m.RadiopharmaceuticalStartDateTime = `${previousDay(String(m.SeriesDate))}${injTime}`;
    if (units === 'CNTS') {
      m.PhilipsPETPrivateGroup = {
        SUVScaleFactor: Number(first(philips)) || undefined,
        ActivityConcentrationScaleFactor: Number(first(x['70531009'] ?? x.ActivityConcentrationScaleFactor)) || undefined,
      };
    }
    return m;
  });
  try {
    const f = calculateSUVScalingFactors(meta);
    return finish(f.map((r) => r.suvbw), units, decay || 'START', warnings, weight, heightCm, sex);
  } catch (e) {
    return { ok: false, reason: `SUV could not be computed: ${(e as Error).message}`, missing: [] };
  }
}

/** Weight and injected activity checked against the physiological table: a refusal names the value, else undefined. */
function checkInputs(weight: number, doseBq: number, halfLife: number | undefined, warnings: string[]): SuvResult | undefined {
  const nuclide = nuclideOfHalfLife(halfLife);
  const checks: [RangeCheck, SuvMissing, string][] = [[checkRange(RANGES.weightKg, weight), 'weight', 'enter the correct weight']];
  if (nuclide) checks.push([checkRange(INJECTED_MBQ[nuclide], doseBq / 1e6), 'injected dose', 'enter the injected activity']);
  for (const [c, missing, action] of checks) {
    if (c.level === 'refuse') return { ok: false, reason: `${c.message}: ${action}`, missing: [missing] };
    if (c.level === 'warn') warnings.push(c.message);
  }
  return undefined;
}

/** Minutes from one DICOM DT (YYYYMMDDHHMMSS) to another, or undefined when either is incomplete. */
function minutesBetween(from: string, to: string): number | undefined {
  const t = (dt: string) => (/^\d{14}/.test(dt) ? Date.UTC(+dt.slice(0, 4), +dt.slice(4, 6) - 1, +dt.slice(6, 8), +dt.slice(8, 10), +dt.slice(10, 12), +dt.slice(12, 14)) : NaN);
  const m = (t(to) - t(from)) / 60000;
  return Number.isFinite(m) ? m : undefined;
}

function finish(suvbw: number[], units: string, decay: string, warnings: string[], weight?: number, heightCm?: number, sex?: 'M' | 'F'): SuvResult {
  if (!weight || !heightCm || !sex) {
    const lack = [!weight && 'weight', !heightCm && 'height', !sex && 'sex'].filter(Boolean).join(', ');
    return { ok: true, suvbw, units, decayCorrection: decay, warnings, sulReason: `SUL needs the patient's ${lack}` };
  }
  const h = checkRange(RANGES.heightCm, heightCm);
  if (h.level === 'refuse') return { ok: true, suvbw, units, decayCorrection: decay, warnings, sulReason: `SUL not computed: ${h.message}` };
  if (h.level === 'warn') warnings.push(h.message);
  const ratio = leanBodyMassJanmahasatian(weight, heightCm, sex) / weight;
  return { ok: true, suvbw, sul: suvbw.map((f) => f * ratio), units, decayCorrection: decay, warnings };
}

/** YYYYMMDD of the day before. */
function previousDay(da: string): string {
  const d = new Date(Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8)) - 1));
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}
