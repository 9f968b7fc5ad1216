// Virtual mCRPC patients with 177Lu-PSMA ground-truth dosimetry. Every number is either sourced in
// models/COHORT.md (from ../shared/notes/dosimetry.md) or labelled there as an assumption.
import { Rng } from '../random';
import type { Side, StructureType, TumourSite } from '../vocabulary';
import type { BiomarkerName } from '../dose/biomarkers';
import { DEMO_TRACER } from '../phantom/generate';

export const COHORT_VERSION = '0.2.0';
/** The PET agent of the cohort's images and of a model trained on it (the demo's; see DEMO_TRACER). */
export const COHORT_TRACER = DEMO_TRACER;
export const LU177_HALF_LIFE_H = 6.647 * 24; // 159.5 h [V]
/** Local electron energy deposition: Gy·h⁻¹ per MBq·g⁻¹ [D from 147.9 keV/decay]. */
export const LOCAL_DEPOSITION = 0.0853;
const LN2 = Math.LN2;

type DoseType = Exclude<StructureType, 'reference'>;

/**
 * Parameters per structure type: PET SUVmean median and its spreads (log-SD) between patients (`organSd`, shared by
 * a left/right pair) and between the two sides (`sideSd`); the structure-level PET→therapy noise (`luSd`); the
 * effective half-life median and its spreads (patient-level, shared by a pair or by a patient's tumours, and per
 * structure); uptake half-time; density; and the sourced median cycle-1 dose `doseGyPerGBq` the kinetics are
 * scaled to. Sources and labels in models/COHORT.md.
 */
export const TYPE_PARAMS: Record<DoseType, {
  petSuv: number; organSd: number; sideSd: number; luSd: number; teffH: number; teffPatientSd: number; teffSd: number; tUptakeH: number; density: number; doseGyPerGBq: number;
}> = {
  kidney: { petSuv: 22, organSd: 0.12, sideSd: 0.07, luSd: 0.14, teffH: 35.5, teffPatientSd: 0.15, teffSd: 0.05, tUptakeH: 1.5, density: 1.05, doseGyPerGBq: 0.43 },
  parotid: { petSuv: 16, organSd: 0.18, sideSd: 0.07, luSd: 0.15, teffH: 42.2, teffPatientSd: 0.18, teffSd: 0.08, tUptakeH: 2, density: 1.04, doseGyPerGBq: 0.6 },
  submandibular: { petSuv: 17, organSd: 0.16, sideSd: 0.07, luSd: 0.15, teffH: 42.2, teffPatientSd: 0.18, teffSd: 0.08, tUptakeH: 2, density: 1.04, doseGyPerGBq: 0.6 },
  lacrimal: { petSuv: 9, organSd: 0.18, sideSd: 0.1, luSd: 0.17, teffH: 45, teffPatientSd: 0.18, teffSd: 0.1, tUptakeH: 2, density: 1.04, doseGyPerGBq: 2.82 },
  tumour: { petSuv: 13, organSd: 0.35, sideSd: 0.3, luSd: 0.15, teffH: 70, teffPatientSd: 0.1, teffSd: 0.3, tUptakeH: 3, density: 1.1, doseGyPerGBq: 2.6 },
};

/** Tumour sites: PET SUV relative to a node (bone lower at 60–90 min) and the sourced median dose per site. */
export const SITE_PARAMS: Record<TumourSite, { petFactor: number; doseGyPerGBq: number }> = {
  bone: { petFactor: 0.85, doseGyPerGBq: 3.4 },
  'lymph node': { petFactor: 1, doseGyPerGBq: 2.6 },
  visceral: { petFactor: 1, doseGyPerGBq: 2.4 },
  prostate: { petFactor: 1, doseGyPerGBq: 2.6 },
  other: { petFactor: 1, doseGyPerGBq: 2.6 },
};

/** Between-patient SD (log scale) of the PET→therapy uptake ratio: the random patient effect. */
export const PATIENT_EFFECT_SD = 0.15;
/** Day-to-day variation of the PET SUV (log-SD): the scan shows it, the therapy days later does not. */
export const PET_NOISE_SD = 0.1;
/** Tumour sink: uptake × 1 / (1 + TTV / k), organs and tumours (mL). */
export const SINK_ML = { organ: 150, tumour: 300 };
/** Heterogeneous lesions bind less therapy agent per PET signal: × e^(−HET_EFFECT · h). */
export const HET_EFFECT = 0.35;
/** SPECT/CT dosimetry: relative noise per time point and resolution (FWHM, mm) for partial-volume loss. */
export const SPECT_NOISE = 0.08;
export const SPECT_FWHM_MM = 11;
export const PET_FWHM_MM = 6;
export const SPECT_TIMES_H = [4, 24, 48, 168];
/** The body weight and total tumour volume the kinetics are scaled at (the cohort's medians [D]). */
const REFERENCE_WEIGHT_KG = 83;
const REFERENCE_TTV_ML = 28;

/**
 * Scenarios: the sourced one, and two around it for the bench that scale every hidden spread (patient effect,
 * PET→therapy noise, effective half-lives, day-to-day PET variation) by 0.5 ("easy") or 1.5 ("hard"). Easy and
 * hard are stated as such, not sourced.
 */
export type Scenario = 'sourced' | 'easy' | 'hard';
export const SCENARIO_HIDDEN_SCALE: Record<Scenario, number> = { sourced: 1, easy: 0.5, hard: 1.5 };

/** Patient biomarkers, keyed by their patients.csv column (core/dose/biomarkers.ts). */
export type Biomarkers = Record<BiomarkerName, number>;

export interface StructureTruth {
  name: string; type: DoseType; side?: Side; site?: TumourSite;
  volumeMl: number; massG: number;
  /** PSMA PET SUVmean: the structure's true level, on the scan day (what the images render), and what a PET
   *  measurement shows (with partial-volume loss). */
  petSuvTrue: number; petSuvScan: number; petSuvObserved: number;
  /** Lesion heterogeneity 0–1 (what the phantom renders as texture). */
  heterogeneity: number;
  /** 177Lu kinetics per GBq injected: initial concentration (MBq/g), uptake and effective half-lives (h). */
  c0MBqPerG: number; tUptakeH: number; teffH: number;
  trueDoseGyPerGBq: number; measuredDoseGyPerGBq: number;
  /** Simulated SPECT/CT concentrations (MBq/g per GBq) at SPECT_TIMES_H. */
  measured: number[];
}

export interface VirtualPatient {
  id: string; seed: number; scenario: Scenario; biomarkers: Biomarkers; patientEffect: number;
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

export interface CohortOptions { patients: number; seed: number; likeSeed?: boolean; scenario?: Scenario }

/** Tumour counts of the seed study: 9 patients, 57 tumours. */
const LIKE_SEED_COUNTS = [3, 4, 5, 6, 6, 7, 8, 9, 9];
const SITE_WEIGHTS: [TumourSite, number][] = [['bone', 0.55], ['lymph node', 0.35], ['visceral', 0.05], ['prostate', 0.05]];

export function generateCohort(opts: CohortOptions): VirtualPatient[] {
  if (!Number.isInteger(opts.patients) || opts.patients < 1 || opts.patients > 10000) throw new Error(`patients must be an integer from 1 to 10000 (got ${opts.patients})`);
  if (!Number.isInteger(opts.seed) || opts.seed < 0) throw new Error(`seed must be a non-negative integer (got ${opts.seed})`);
  if (opts.likeSeed && opts.patients !== LIKE_SEED_COUNTS.length) throw new Error(`--like-seed means exactly ${LIKE_SEED_COUNTS.length} patients (got ${opts.patients})`);
  const scenario = opts.scenario ?? 'sourced';
  if (!(scenario in SCENARIO_HIDDEN_SCALE)) throw new Error(`scenario must be one of ${Object.keys(SCENARIO_HIDDEN_SCALE).join(', ')} (got ${scenario})`);
  const root = new Rng(opts.seed);
  return Array.from({ length: opts.patients }, (_, n) => patient(`P${String(n + 1).padStart(3, '0')}`, root.fork(n), scenario, opts.likeSeed ? LIKE_SEED_COUNTS[n] : undefined));
}

/** What is known before therapy about a structure: its place, size, PET value and the patient's weight and burden. */
export interface Observables {
  type: DoseType; site?: TumourSite; volumeMl: number; weightKg: number; totalTumourVolumeMl: number;
  /** log of the PET-measured SUVmean corrected for PET partial volume (the scan-day value). */
  logScanSuv: number;
  /** The same for the structures sharing its patient-level uptake: the pair partner, or the patient's other tumours. */
  others?: { logScanSuv: number; site?: TumourSite }[];
}

/** Everything not visible before therapy, as standard-normal draws and the lesion heterogeneity. */
interface Hidden { logTrueSuv: number; patient: number; lu: number; teffPatient: number; teff: number; heterogeneity: number; spect: number[] }

/** Median log SUV of the structure's type, site and the patient's tumour burden. */
function priorLogSuv(o: Pick<Observables, 'type' | 'site' | 'totalTumourVolumeMl'>): number {
  const p = TYPE_PARAMS[o.type];
  const sink = 1 / (1 + o.totalTumourVolumeMl / (o.type === 'tumour' ? SINK_ML.tumour : SINK_ML.organ));
  return Math.log(p.petSuv * (o.site ? SITE_PARAMS[o.site].petFactor : 1) * sink);
}

/** κ: therapy uptake per PET SUV, so that a typical structure (median SUV, weight and tumour volume, h = 0.4) gets the sourced median dose [D]. */
function kappa(type: DoseType, site?: TumourSite): number {
  const p = TYPE_PARAMS[type];
  const target = site ? SITE_PARAMS[site].doseGyPerGBq : p.doseGyPerGBq;
  const suv = Math.exp(priorLogSuv({ type, site, totalTumourVolumeMl: REFERENCE_TTV_ML }));
  const het = type === 'tumour' ? Math.exp(-HET_EFFECT * 0.4) : 1;
  return target / (LOCAL_DEPOSITION * (suv / REFERENCE_WEIGHT_KG) * het * tiac(1, Math.min(LU177_HALF_LIFE_H, p.teffH), p.tUptakeH));
}

/** True and measured dose of a structure from its observables and hidden terms (the generator and the oracle share it). */
function kinetics(o: Observables, h: Hidden, scale: number) {
  const p = TYPE_PARAMS[o.type];
  const trueSuv = Math.exp(h.logTrueSuv);
  const het = o.type === 'tumour' ? Math.exp(-HET_EFFECT * h.heterogeneity) : 1;
  const c0 = kappa(o.type, o.site) * (trueSuv / o.weightKg) * het * Math.exp(scale * (PATIENT_EFFECT_SD * h.patient + p.luSd * h.lu));
  const teffH = Math.min(LU177_HALF_LIFE_H, p.teffH * Math.exp(scale * (p.teffPatientSd * h.teffPatient + p.teffSd * h.teff)));
  const trueDose = LOCAL_DEPOSITION * tiac(c0, teffH, p.tUptakeH);
  // SPECT/CT sampling with noise and partial-volume loss (not corrected, as at most sites).
  const rc = recovery(o.volumeMl, SPECT_FWHM_MM);
  const measured = SPECT_TIMES_H.map((t, n) => concentrationAt(c0, teffH, p.tUptakeH, t) * rc * Math.exp(SPECT_NOISE * h.spect[n]));
  return { trueSuv, c0, teffH, trueDose, measured, measuredDose: LOCAL_DEPOSITION * measuredTiac(SPECT_TIMES_H, measured) };
}

function patient(id: string, rng: Rng, scenario: Scenario, nTumoursFixed?: number): VirtualPatient {
  const scale = SCENARIO_HIDDEN_SCALE[scenario];
  const seed = rng.uint32();
  const z = rng.normal(); // latent disease burden
  const age = rng.truncNormal(71, 7.5, 48, 92);
  const weightKg = rng.truncNormal(83 - 3 * z, 13, 50, 140);
  const heightCm = rng.truncNormal(175, 7, 155, 198);
  const egfr = rng.truncNormal(78 - 0.6 * (age - 70) - 3 * z, 17, 20, 125);
  const biomarkers: Biomarkers = {
    age_years: Math.round(age), weight_kg: +weightKg.toFixed(1), height_cm: Math.round(heightCm),
    egfr_ml_min_1_73m2: +egfr.toFixed(1), creatinine_mg_dl: +creatinineFor(egfr, age).toFixed(2),
    psa_ng_ml: NaN, // from the tumour volume below
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
  // PSA rises with the tumour volume and the latent burden (assumption: exponent 0.7, spread 0.8).
  biomarkers.psa_ng_ml = +rng.lognormal(45 * Math.pow(totalTumourVolumeMl / REFERENCE_TTV_ML, 0.7) * Math.exp(0.4 * z), 0.8).toFixed(1);
  // Patient-level hidden terms: the PET→therapy ratio of every structure, and the effective half-life of each organ
  // pair and of the patient's tumours (shared, as the two sides of an organ share blood flow and function).
  const patientEffect = rng.normal();
  const teffShared = new Map<DoseType, number>();
  const organShared = new Map<DoseType, number>();
  const shared = (m: Map<DoseType, number>, t: DoseType) => { if (!m.has(t)) m.set(t, rng.normal()); return m.get(t)!; };
  const structures: StructureTruth[] = [];
  const add = (s: { name: string; type: DoseType; side?: Side; site?: TumourSite; volumeMl: number; heterogeneity: number }) => {
    const p = TYPE_PARAMS[s.type];
    const logTrueSuv = priorLogSuv({ type: s.type, site: s.site, totalTumourVolumeMl }) + p.organSd * shared(organShared, s.type) + p.sideSd * rng.normal();
    const petSuvScan = Math.exp(logTrueSuv + scale * PET_NOISE_SD * rng.normal());
    const o: Observables = { type: s.type, site: s.site, volumeMl: s.volumeMl, weightKg: biomarkers.weight_kg, totalTumourVolumeMl, logScanSuv: Math.log(petSuvScan) };
    const h: Hidden = {
      logTrueSuv, patient: patientEffect, lu: rng.normal(), teffPatient: shared(teffShared, s.type), teff: rng.normal(),
      heterogeneity: s.heterogeneity, spect: SPECT_TIMES_H.map(() => rng.normal()),
    };
    const k = kinetics(o, h, scale);
    structures.push({
      name: s.name, type: s.type, side: s.side, site: s.site, volumeMl: s.volumeMl, massG: s.volumeMl * p.density,
      petSuvTrue: k.trueSuv, petSuvScan, petSuvObserved: petSuvScan * recovery(s.volumeMl, PET_FWHM_MM), heterogeneity: s.heterogeneity,
      c0MBqPerG: k.c0, tUptakeH: p.tUptakeH, teffH: k.teffH, trueDoseGyPerGBq: k.trueDose, measuredDoseGyPerGBq: k.measuredDose, measured: k.measured,
    });
  };
  const kv = () => rng.lognormal(150, 0.18);
  add({ name: 'Kidney L', type: 'kidney', side: 'L', volumeMl: kv(), heterogeneity: 0 }); add({ name: 'Kidney R', type: 'kidney', side: 'R', volumeMl: kv(), heterogeneity: 0 });
  const pv = rng.lognormal(26, 0.2), sv = rng.lognormal(9, 0.2), lv = rng.lognormal(0.7, 0.25);
  add({ name: 'Parotid L', type: 'parotid', side: 'L', volumeMl: pv * rng.lognormal(1, 0.08), heterogeneity: 0 });
  add({ name: 'Parotid R', type: 'parotid', side: 'R', volumeMl: pv * rng.lognormal(1, 0.08), heterogeneity: 0 });
  add({ name: 'Submandibular L', type: 'submandibular', side: 'L', volumeMl: sv * rng.lognormal(1, 0.08), heterogeneity: 0 });
  add({ name: 'Submandibular R', type: 'submandibular', side: 'R', volumeMl: sv * rng.lognormal(1, 0.08), heterogeneity: 0 });
  add({ name: 'Lacrimal L', type: 'lacrimal', side: 'L', volumeMl: lv, heterogeneity: 0 });
  add({ name: 'Lacrimal R', type: 'lacrimal', side: 'R', volumeMl: lv * rng.lognormal(1, 0.1), heterogeneity: 0 });
  for (const t of tumours) add({ name: t.name, type: 'tumour', site: t.site, volumeMl: t.volumeMl, heterogeneity: t.heterogeneity });
  return { id, seed, scenario, biomarkers, patientEffect: PATIENT_EFFECT_SD * scale * patientEffect, totalTumourVolumeMl, sinkFactor: 1 / (1 + totalTumourVolumeMl / SINK_ML.organ), structures };
}

export interface Metrics {
  n: number;
  /** Mean absolute log error, mean |log(pred/obs)| (the primary metric). */
  male: number;
  mape: number; mae: number; r2: number; median: number;
}

export function metrics(pred: number[], obs: number[]): Metrics {
  const n = obs.length;
  const mean = obs.reduce((s, v) => s + v, 0) / n;
  let ale = 0, ape = 0, ae = 0, ss = 0, st = 0;
  for (let i = 0; i < n; i++) {
    ale += Math.abs(Math.log(pred[i] / obs[i])); ape += Math.abs(pred[i] - obs[i]) / Math.abs(obs[i]); ae += Math.abs(pred[i] - obs[i]);
    ss += (pred[i] - obs[i]) ** 2; st += (obs[i] - mean) ** 2;
  }
  const sorted = [...obs].sort((a, b) => a - b);
  return { n, male: ale / n, mape: (100 * ape) / n, mae: ae / n, r2: 1 - ss / st, median: sorted[Math.floor(n / 2)] };
}

/** The observables of each structure of a patient (the pair partner's PET value included). */
export function observablesOf(p: VirtualPatient): Observables[] {
  const logScan = (s: StructureTruth) => Math.log(s.petSuvObserved / recovery(s.volumeMl, PET_FWHM_MM));
  return p.structures.map((s) => {
    const others = p.structures.filter((x) => x !== s && x.type === s.type);
    return {
      type: s.type, site: s.site, volumeMl: s.volumeMl, weightKg: p.biomarkers.weight_kg, totalTumourVolumeMl: p.totalTumourVolumeMl,
      logScanSuv: logScan(s), others: others.map((x) => ({ logScanSuv: logScan(x), site: x.site })),
    };
  });
}

/**
 * Mean and SD of the true log SUV given the PET values of the structure and of those sharing its patient-level
 * uptake: Gaussian conditioning with prior covariance a·J + c·I (shared and own spreads) and day-to-day PET
 * variation r·I, in closed form (Sherman–Morrison).
 */
function trueSuvPosterior(o: Observables, scale: number): { mean: number; sd: number } {
  const p = TYPE_PARAMS[o.type];
  const residuals = [o.logScanSuv - priorLogSuv(o), ...(o.others ?? []).map((x) => x.logScanSuv - priorLogSuv({ ...o, site: x.site }))];
  const n = residuals.length;
  const a = p.organSd ** 2, c = p.sideSd ** 2, r = (scale * PET_NOISE_SD) ** 2;
  const d = c + r, beta = a / (d + n * a), gamma = a - a * beta * n - c * beta;
  const mean = priorLogSuv(o) + (c * residuals[0] + gamma * residuals.reduce((t, x) => t + x, 0)) / d;
  const variance = a + c - (c * a + c * c + gamma * a * n + gamma * c) / d;
  return { mean, sd: Math.sqrt(Math.max(0, variance)) };
}

/** Best predictions from the observables, by Monte Carlo over the hidden terms, for the true and the measured dose. */
export interface Oracle {
  /** exp(E[log D | observables]): the best prediction for the mean absolute log error. */
  male: { true: number; measured: number };
  /** The 1/D-weighted median of D given the observables: the best prediction for the MAPE. */
  mape: { true: number; measured: number };
}

export function oracleFor(o: Observables, rng: Rng, scale = 1, draws = 400): Oracle {
  const post = trueSuvPosterior(o, scale);
  const dt: number[] = [], dm: number[] = [];
  for (let n = 0; n < draws; n++) {
    const h: Hidden = {
      logTrueSuv: post.mean + post.sd * rng.normal(), patient: rng.normal(), lu: rng.normal(), teffPatient: rng.normal(), teff: rng.normal(),
      heterogeneity: o.type === 'tumour' ? rng.beta(2, 3) : 0, spect: SPECT_TIMES_H.map(() => rng.normal()),
    };
    const k = kinetics(o, h, scale);
    dt.push(k.trueDose); dm.push(k.measuredDose);
  }
  const geo = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  return { male: { true: geo(dt), measured: geo(dm) }, mape: { true: weightedMedianInverse(dt), measured: weightedMedianInverse(dm) } };
}

/** The value m minimising E|m − D| / D over the sample: the median of D weighted by 1/D. */
function weightedMedianInverse(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const total = s.reduce((t, x) => t + 1 / x, 0);
  let acc = 0;
  for (const x of s) { acc += 1 / x; if (acc >= total / 2) return x; }
  return s[s.length - 1];
}

/** Oracle limits per structure type for the true and the measured dose: MALE of the MALE oracle, MAPE of the MAPE oracle. */
export function oracleLimits(patients: VirtualPatient[], draws = 400): Record<string, { true: Metrics; measured: Metrics }> {
  const rows: { type: string; oracle: Oracle; s: StructureTruth }[] = [];
  for (const p of patients) {
    const rng = new Rng(p.seed ^ 0x5eed);
    const scale = SCENARIO_HIDDEN_SCALE[p.scenario];
    observablesOf(p).forEach((o, i) => rows.push({ type: o.type, oracle: oracleFor(o, rng, scale, draws), s: p.structures[i] }));
  }
  const out: Record<string, { true: Metrics; measured: Metrics }> = {};
  for (const type of Object.keys(TYPE_PARAMS)) {
    const rs = rows.filter((r) => r.type === type);
    if (!rs.length) continue;
    const score = (target: 'true' | 'measured') => {
      const obs = rs.map((r) => (target === 'true' ? r.s.trueDoseGyPerGBq : r.s.measuredDoseGyPerGBq));
      const byLog = metrics(rs.map((r) => r.oracle.male[target]), obs);
      return { ...byLog, mape: metrics(rs.map((r) => r.oracle.mape[target]), obs).mape };
    };
    out[type] = { true: score('true'), measured: score('measured') };
  }
  return out;
}
