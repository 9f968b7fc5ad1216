// Virtual mCRPC patients with 177Lu-PSMA ground-truth dosimetry. Every number is either sourced in
// models/COHORT.md (from ../shared/notes/dosimetry.md) or labelled there as an assumption.
import { Rng } from '../random';
import type { Side, StructureType, TumourSite } from '../vocabulary';
import type { BiomarkerName } from '../dose/biomarkers';
import { DEMO_TRACER } from '../phantom/generate';

export const COHORT_VERSION = '0.1.0';
/** The PET agent of the cohort's images and of a model trained on it (the demo's; see DEMO_TRACER). */
export const COHORT_TRACER = DEMO_TRACER;
export const LU177_HALF_LIFE_H = 6.647 * 24; // 159.5 h [V]
/** Local electron energy deposition: Gy·h⁻¹ per MBq·g⁻¹ [D from 147.9 keV/decay]. */
export const LOCAL_DEPOSITION = 0.0853;
const LN2 = Math.LN2;

/** Parameters per structure type (log-normal medians and log-SDs; see COHORT.md for sources). */
export const TYPE_PARAMS: Record<Exclude<StructureType, 'reference'>, {
  petSuv: number; petSuvSd: number; kappa: number; teffH: number; teffSd: number; tUptakeH: number; noiseSd: number; density: number;
}> = {
  kidney: { petSuv: 22, petSuvSd: 0.25, kappa: 0.44, teffH: 35, teffSd: 0.15, tUptakeH: 1.5, noiseSd: 0.12, density: 1.05 },
  parotid: { petSuv: 16, petSuvSd: 0.25, kappa: 0.5, teffH: 40, teffSd: 0.15, tUptakeH: 2, noiseSd: 0.15, density: 1.04 },
  submandibular: { petSuv: 17, petSuvSd: 0.25, kappa: 0.5, teffH: 38, teffSd: 0.15, tUptakeH: 2, noiseSd: 0.15, density: 1.04 },
  lacrimal: { petSuv: 9, petSuvSd: 0.3, kappa: 1.1, teffH: 45, teffSd: 0.2, tUptakeH: 2, noiseSd: 0.2, density: 1.04 },
  tumour: { petSuv: 13, petSuvSd: 0.5, kappa: 2.0, teffH: 70, teffSd: 0.25, tUptakeH: 3, noiseSd: 0.22, density: 1.1 },
};

/** Between-patient SD (log scale) of the PET→therapy uptake ratio: the random patient effect. */
export const PATIENT_EFFECT_SD = 0.15;
/** SD of the PET SUVmean measurement (log scale). */
export const PET_NOISE_SD = 0.04;
/** SPECT/CT dosimetry: relative noise per time point and resolution (FWHM, mm) for partial-volume loss. */
export const SPECT_NOISE = 0.08;
export const SPECT_FWHM_MM = 11;
export const PET_FWHM_MM = 6;
export const SPECT_TIMES_H = [4, 24, 48, 168];

/** Patient biomarkers, keyed by their patients.csv column (core/dose/biomarkers.ts). */
export type Biomarkers = Record<BiomarkerName, number>;

export interface StructureTruth {
  name: string; type: Exclude<StructureType, 'reference'>; side?: Side; site?: TumourSite;
  volumeMl: number; massG: number;
  /** True PSMA PET SUVmean (before partial volume and noise) and what a PET measurement shows. */
  petSuvTrue: number; petSuvObserved: number;
  /** Lesion heterogeneity 0–1 (what the phantom renders as texture) and the part PET reveals. */
  heterogeneity: number;
  /** 177Lu kinetics per GBq injected: initial concentration (MBq/g), uptake and effective half-lives (h). */
  c0MBqPerG: number; tUptakeH: number; teffH: number;
  trueDoseGyPerGBq: number; measuredDoseGyPerGBq: number;
  /** The best prediction from pre-therapy observables (conditional mean given the generator's noise). */
  oracleDoseGyPerGBq: number;
  /** The same for the measured dose (includes the SPECT partial-volume loss a site does not correct). */
  oracleMeasuredGyPerGBq: number;
  /** Simulated SPECT/CT concentrations (MBq/g per GBq) at SPECT_TIMES_H. */
  measured: number[];
}

export interface VirtualPatient {
  id: string; seed: number; biomarkers: Biomarkers; patientEffect: number;
  totalTumourVolumeMl: number; sinkFactor: number; structures: StructureTruth[];
}

/** CKD-EPI 2021 (race-free), male: eGFR from serum creatinine (mg/dL) and age. */
export function ckdEpi2021Male(scr: number, age: number): number {
  const k = 0.9, a = -0.302;
  return 142 * Math.pow(Math.min(scr / k, 1), a) * Math.pow(Math.max(scr / k, 1), -1.2) * Math.pow(0.9938, age);
}

/** Creatinine that gives the eGFR (bisection on the monotone CKD-EPI curve). */
export function creatinineFor(egfr: number, age: number): number {
  let lo = 0.2, hi = 15;
  for (let n = 0; n < 60; n++) {
    const mid = (lo + hi) / 2;
    if (ckdEpi2021Male(mid, age) > egfr) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Recovery coefficient of a sphere of volume V (mL) imaged at resolution FWHM (mm) [analytic approximation]. */
export function recovery(volumeMl: number, fwhmMm: number): number {
  const d = 2 * Math.cbrt((3 * volumeMl * 1000) / (4 * Math.PI));
  return 1 - Math.exp(-Math.pow(d / (1.1 * fwhmMm), 1.6));
}

/** Time-integrated activity concentration (MBq·h/g) of C(t) = c0 (e^{−λt} − e^{−λu t}). */
export function tiac(c0: number, teffH: number, tUptakeH: number): number {
  return c0 * (teffH / LN2 - tUptakeH / LN2);
}

export function concentrationAt(c0: number, teffH: number, tUptakeH: number, t: number): number {
  return c0 * (Math.exp((-LN2 * t) / teffH) - Math.exp((-LN2 * t) / tUptakeH));
}

/**
 * "Measured" TIA as a site computes it: trapezoids from injection to the second time point, then a
 * mono-exponential fitted (log-linear least squares) to the later points and integrated to infinity.
 */
export function measuredTiac(times: number[], conc: number[]): number {
  let area = 0.5 * times[0] * conc[0]; // linear rise from 0
  area += 0.5 * (times[1] - times[0]) * (conc[0] + conc[1]);
  const tail = times.slice(1), y = conc.slice(1).map((c) => Math.log(Math.max(c, 1e-9)));
  const m = tail.length;
  const mt = tail.reduce((s, v) => s + v, 0) / m, my = y.reduce((s, v) => s + v, 0) / m;
  let num = 0, den = 0;
  for (let n = 0; n < m; n++) { num += (tail[n] - mt) * (y[n] - my); den += (tail[n] - mt) ** 2; }
  const lambda = Math.max(LN2 / LU177_HALF_LIFE_H, -num / den); // never slower than physical decay
  const fitAtStart = Math.exp(my + (num / den) * (tail[0] - mt));
  return area + fitAtStart / lambda;
}

export interface CohortOptions { patients: number; seed: number; likeSeed?: boolean }

/** Tumour counts of the seed study: 9 patients, 57 tumours. */
const LIKE_SEED_COUNTS = [3, 4, 5, 6, 6, 7, 8, 9, 9];
const SITE_WEIGHTS: [TumourSite, number][] = [['bone', 0.55], ['lymph node', 0.35], ['visceral', 0.05], ['prostate', 0.05]];

export function generateCohort(opts: CohortOptions): VirtualPatient[] {
  if (!Number.isInteger(opts.patients) || opts.patients < 1 || opts.patients > 10000) throw new Error(`patients must be an integer from 1 to 10000 (got ${opts.patients})`);
  if (!Number.isInteger(opts.seed) || opts.seed < 0) throw new Error(`seed must be a non-negative integer (got ${opts.seed})`);
  if (opts.likeSeed && opts.patients !== LIKE_SEED_COUNTS.length) throw new Error(`--like-seed means exactly ${LIKE_SEED_COUNTS.length} patients (got ${opts.patients})`);
  const root = new Rng(opts.seed);
  return Array.from({ length: opts.patients }, (_, n) => patient(`P${String(n + 1).padStart(3, '0')}`, root.fork(n), opts.likeSeed ? LIKE_SEED_COUNTS[n] : undefined));
}

function patient(id: string, rng: Rng, nTumoursFixed?: number): VirtualPatient {
  const seed = rng.uint32();
  const z = rng.normal(); // latent disease burden
  const age = rng.truncNormal(71, 7.5, 48, 92);
  const weightKg = rng.truncNormal(83 - 3 * z, 13, 50, 140);
  const heightCm = rng.truncNormal(175, 7, 155, 198);
  const egfr = rng.truncNormal(78 - 0.6 * (age - 70) - 3 * z, 17, 20, 125);
  const biomarkers: Biomarkers = {
    age_years: Math.round(age), weight_kg: +weightKg.toFixed(1), height_cm: Math.round(heightCm),
    egfr_ml_min_1_73m2: +egfr.toFixed(1), creatinine_mg_dl: +creatinineFor(egfr, age).toFixed(2),
    psa_ng_ml: +rng.lognormal(45 * Math.exp(0.9 * z), 1.0).toFixed(1),
    alp_u_l: +rng.lognormal(110 * Math.exp(0.45 * z), 0.4).toFixed(0),
    ldh_u_l: +rng.lognormal(230 * Math.exp(0.25 * z), 0.25).toFixed(0),
    hb_g_dl: +rng.truncNormal(12.3 - 0.6 * z, 1.2, 7.5, 16.5).toFixed(1),
    prior_lines: Math.min(6, 1 + rng.poisson(Math.max(0.2, 1.3 + 0.4 * z))),
    ecog: rng.weighted([Math.max(0.05, 0.45 - 0.15 * z), 0.45, Math.max(0.03, 0.1 + 0.1 * z)]),
  };
  const nTumours = nTumoursFixed ?? Math.max(1, Math.min(40, Math.round(rng.lognormal(5 * Math.exp(0.4 * z), 0.6))));
  const tumours = Array.from({ length: nTumours }, (_, t) => {
    const site = SITE_WEIGHTS[rng.weighted(SITE_WEIGHTS.map((s) => s[1]))][0];
    return { name: `T${t + 1}`, site, volumeMl: Math.min(250, 0.4 + rng.heavyTail(2.5, 1.4)), heterogeneity: rng.beta(2, 3) };
  });
  const totalTumourVolumeMl = tumours.reduce((s, t) => s + t.volumeMl, 0);
  const patientEffect = rng.normal(0, PATIENT_EFFECT_SD);
  // Tumour sink: normal-organ uptake falls with tumour burden (assumption: 25 % at 500 mL).
  const sinkFactor = 1 / (1 + totalTumourVolumeMl / 1500);
  const structures: StructureTruth[] = [];
  const organ = (name: string, type: Exclude<StructureType, 'reference' | 'tumour'>, side: Side, volumeMl: number) =>
    structures.push(structure(rng, { name, type, side, volumeMl, heterogeneity: 0 }, biomarkers, patientEffect, sinkFactor));
  const kv = () => rng.lognormal(150, 0.18);
  organ('Kidney L', 'kidney', 'L', kv()); organ('Kidney R', 'kidney', 'R', kv());
  const pv = rng.lognormal(26, 0.2), sv = rng.lognormal(9, 0.2), lv = rng.lognormal(0.7, 0.25);
  organ('Parotid L', 'parotid', 'L', pv * rng.lognormal(1, 0.08)); organ('Parotid R', 'parotid', 'R', pv * rng.lognormal(1, 0.08));
  organ('Submandibular L', 'submandibular', 'L', sv * rng.lognormal(1, 0.08)); organ('Submandibular R', 'submandibular', 'R', sv * rng.lognormal(1, 0.08));
  organ('Lacrimal L', 'lacrimal', 'L', lv); organ('Lacrimal R', 'lacrimal', 'R', lv * rng.lognormal(1, 0.1));
  for (const t of tumours) structures.push(structure(rng, { name: t.name, type: 'tumour', site: t.site, volumeMl: t.volumeMl, heterogeneity: t.heterogeneity }, biomarkers, patientEffect, 1));
  return { id, seed, biomarkers, patientEffect, totalTumourVolumeMl, sinkFactor, structures };
}

function structure(
  rng: Rng,
  s: { name: string; type: Exclude<StructureType, 'reference'>; side?: Side; site?: TumourSite; volumeMl: number; heterogeneity: number },
  b: Biomarkers, patientEffect: number, sink: number,
): StructureTruth {
  const p = TYPE_PARAMS[s.type];
  const siteFactor = s.site === 'bone' ? 1.15 : s.site === 'lymph node' ? 0.9 : 1;
  const petSuvTrue = rng.lognormal(p.petSuv * siteFactor * (s.type === 'tumour' ? 1 : sink), p.petSuvSd);
  // PET shows partial-volume loss and noise; heterogeneity lowers the mean slightly (cold core).
  const petSuvObserved = petSuvTrue * recovery(s.volumeMl, PET_FWHM_MM) * Math.exp(rng.normal(0, PET_NOISE_SD));
  // Heterogeneous lesions bind less therapy agent per PET signal; PET texture reveals about half of it.
  const hetEffect = Math.exp(-0.35 * s.heterogeneity);
  const egfrEffect = s.type === 'kidney' ? Math.pow(b.egfr_ml_min_1_73m2 / 75, -0.15) : 1;
  const eps = rng.normal(0, p.noiseSd);
  const c0 = (p.kappa * petSuvTrue / b.weight_kg) * Math.exp(patientEffect + eps) * hetEffect * egfrEffect * (s.type === 'tumour' ? 1 : 1);
  const teffH = Math.min(LU177_HALF_LIFE_H, p.teffH * Math.exp(rng.normal(0, p.teffSd)) * (s.type === 'kidney' ? Math.pow(b.egfr_ml_min_1_73m2 / 75, -0.25) : 1));
  const trueDose = LOCAL_DEPOSITION * tiac(c0, teffH, p.tUptakeH);
  // SPECT/CT sampling with noise and partial-volume loss (not corrected, as at most sites).
  const rc = recovery(s.volumeMl, SPECT_FWHM_MM);
  const measured = SPECT_TIMES_H.map((t) => concentrationAt(c0, teffH, p.tUptakeH, t) * rc * Math.exp(rng.normal(0, SPECT_NOISE)));
  const measuredDose = LOCAL_DEPOSITION * measuredTiac(SPECT_TIMES_H, measured);
  // Oracle: E[dose | PET-observable quantities] — hidden terms integrated out (log-normal means).
  const hiddenVar = PATIENT_EFFECT_SD ** 2 + p.noiseSd ** 2 + PET_NOISE_SD ** 2 + p.teffSd ** 2 * 0.5;
  const petTrueFromObserved = petSuvObserved / recovery(s.volumeMl, PET_FWHM_MM);
  const oracleC0 = (p.kappa * petTrueFromObserved / b.weight_kg) * hetEffect * egfrEffect;
  const oracleTeff = Math.min(LU177_HALF_LIFE_H, p.teffH * (s.type === 'kidney' ? Math.pow(b.egfr_ml_min_1_73m2 / 75, -0.25) : 1));
  const oracle = LOCAL_DEPOSITION * tiac(oracleC0, oracleTeff, p.tUptakeH) * Math.exp(hiddenVar / 2);
  return {
    name: s.name, type: s.type, side: s.side, site: s.site, volumeMl: s.volumeMl, massG: s.volumeMl * p.density,
    petSuvTrue, petSuvObserved, heterogeneity: s.heterogeneity, c0MBqPerG: c0, tUptakeH: p.tUptakeH, teffH,
    trueDoseGyPerGBq: trueDose, measuredDoseGyPerGBq: measuredDose, oracleDoseGyPerGBq: oracle, oracleMeasuredGyPerGBq: oracle * rc, measured,
  };
}

export interface Metrics { n: number; mape: number; mae: number; r2: number; median: number }

export function metrics(pred: number[], obs: number[]): Metrics {
  const n = obs.length;
  const mean = obs.reduce((s, v) => s + v, 0) / n;
  let ape = 0, ae = 0, ss = 0, st = 0;
  for (let i = 0; i < n; i++) { ape += Math.abs(pred[i] - obs[i]) / Math.abs(obs[i]); ae += Math.abs(pred[i] - obs[i]); ss += (pred[i] - obs[i]) ** 2; st += (obs[i] - mean) ** 2; }
  const sorted = [...obs].sort((a, b) => a - b);
  return { n, mape: (100 * ape) / n, mae: ae / n, r2: 1 - ss / st, median: sorted[Math.floor(n / 2)] };
}

/** Oracle limit per structure type, for the true and for the measured dose. */
export function oracleLimits(patients: VirtualPatient[]): Record<string, { true: Metrics; measured: Metrics }> {
  const out: Record<string, { true: Metrics; measured: Metrics }> = {};
  for (const type of Object.keys(TYPE_PARAMS)) {
    const ss = patients.flatMap((p) => p.structures.filter((s) => s.type === type));
    if (!ss.length) continue;
    out[type] = {
      true: metrics(ss.map((s) => s.oracleDoseGyPerGBq), ss.map((s) => s.trueDoseGyPerGBq)),
      measured: metrics(ss.map((s) => s.oracleMeasuredGyPerGBq), ss.map((s) => s.measuredDoseGyPerGBq)),
    };
  }
  return out;
}
