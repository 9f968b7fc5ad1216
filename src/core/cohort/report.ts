// What a generated cohort looks like, beside the published figures it should resemble (`npm run cohort -- --report`):
// dose level and spread, uptake–dose correlation (overall, between and within patients), left/right agreement,
// tumour-sink and PSA relations, and the partial-volume loss of the measured dose.
import type { StructureTruth, VirtualPatient } from './model';

/** A published figure the cohort is compared with. */
export interface SourcedFigure { value: number; source: string }

type Published = { median?: SourcedFigure; cv?: SourcedFigure; rUptakeDose?: SourcedFigure };

/** Salivary glands (parotid; submandibular by assumption). */
const SALIVARY: Published = {
  median: { value: 0.6, source: 'salivary 0.39–1.0 Gy/GBq (Peters 2022, DKFZ 2016, Fendler 2016): assumption within the range' },
  cv: { value: 0.17 / 0.39, source: 'salivary 0.39 ± 0.17 (Peters, EJNMMI 2022)' },
  rUptakeDose: { value: 0.61, source: 'organ SUV vs dose r = 0.610 (Wang, 2019), assumed to hold for salivary glands' },
};

/** Targets per structure type (dosimetry.md); absent where nothing was found. */
export const PUBLISHED: Record<string, Published> = {
  kidney: {
    median: { value: 0.43, source: 'VISION dosimetry substudy, 0.43 ± 0.16 Gy/GBq (Herrmann, JNM 2024)' },
    cv: { value: 0.16 / 0.43, source: 'same (SD / mean)' },
    rUptakeDose: { value: 0.61, source: 'organ SUV vs dose, r = 0.610, 177Lu-PSMA-617 (Wang, 2019)' },
  },
  parotid: SALIVARY,
  // No submandibular value was found: the salivary figures, said as such.
  submandibular: { ...SALIVARY, median: { ...SALIVARY.median!, source: 'no submandibular value found: as parotid (assumption)' } },
  lacrimal: {
    median: { value: 2.82, source: 'lacrimal 2.82 Gy/GBq (DKFZ-PSMA-617, Mol Imaging Biol 2016; single study)' },
  },
  tumour: {
    median: { value: 3.0, source: 'bone 3.4 ± 1.9, node 2.6 ± 0.4 Gy/GBq (Scarpa, EJNMMI 2017), bone 55 % of lesions' },
    cv: { value: 1.9 / 3.4, source: 'bone lesions 3.4 ± 1.9 (Scarpa 2017); 295 lesions 11.0 ± 12.0 Gy per cycle, CV 1.09 (MC voxel dosimetry, 13 patients)' },
    rUptakeDose: { value: 0.7, source: 'no verified PSMA tumour uptake–dose r; DOTATATE between-patient r 0.7 (EJNMMI Res 2022); the PSMA uptake-only link is r = 0.915 (Wang 2019)' },
  },
};
export const PUBLISHED_RELATIONS = {
  kidneyDoseVsTumourVolume: { value: -0.58, source: 'kidney dose vs PSMA-positive tumour volume r = −0.58 (MC voxel dosimetry, 13 patients / 18 cycles)' },
  tumourDoseVsPsa: { value: -0.57, source: 'tumour dose vs pre-therapy PSA r = −0.57 (same study)' },
  tumourWithinVsBetween: { value: 0.45 / 0.7, source: 'DOTATATE: tumour uptake–dose r within patients 0.45, between 0.7 (EJNMMI Res 2022); no PSMA figure found' },
};

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
function pearson(x: number[], y: number[]): number {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; }
  return sxy / Math.sqrt(sxx * syy);
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export interface TypeStatistics {
  n: number; medianDose: number; cvDose: number;
  /** r(log PET SUV observed, log true dose): all structures, patient means (between), deviations from them (within). */
  rUptakeDose: number; rBetween: number; rWithin: number;
  /** r(log dose left, log dose right) over patients (paired organs). */
  rLeftRight?: number;
  /** Measured / true dose, median (partial-volume loss and TIA method). */
  measuredOverTrue: number;
}

export interface CohortStatistics {
  patients: number;
  perType: Record<string, TypeStatistics>;
  /** r(log mean kidney dose, log total tumour volume) and r(log mean tumour dose, log PSA), over patients. */
  kidneyDoseVsTumourVolume: number;
  tumourDoseVsPsa: number;
}

export function cohortStatistics(patients: VirtualPatient[]): CohortStatistics {
  const perType: Record<string, TypeStatistics> = {};
  const types = [...new Set(patients.flatMap((p) => p.structures.map((s) => s.type)))];
  for (const type of types) {
    const byPatient = patients.map((p) => p.structures.filter((s) => s.type === type)).filter((ss) => ss.length);
    const all = byPatient.flat();
    const doses = all.map((s) => s.trueDoseGyPerGBq);
    const sd = Math.sqrt(mean(doses.map((d) => (d - mean(doses)) ** 2)));
    const lx = (s: StructureTruth) => Math.log(s.petSuvObserved), ly = (s: StructureTruth) => Math.log(s.trueDoseGyPerGBq);
    const between = byPatient.map((ss) => [mean(ss.map(lx)), mean(ss.map(ly))]);
    const within = byPatient.filter((ss) => ss.length > 1).flatMap((ss) => { const mx = mean(ss.map(lx)), my = mean(ss.map(ly)); return ss.map((s) => [lx(s) - mx, ly(s) - my]); });
    const pairs = byPatient.map((ss) => [ss.find((s) => s.side === 'L'), ss.find((s) => s.side === 'R')]).filter((x): x is [StructureTruth, StructureTruth] => !!x[0] && !!x[1]);
    perType[type] = {
      n: all.length, medianDose: median(doses), cvDose: sd / mean(doses),
      rUptakeDose: pearson(all.map(lx), all.map(ly)),
      rBetween: pearson(between.map((b) => b[0]), between.map((b) => b[1])),
      rWithin: within.length > 2 ? pearson(within.map((w) => w[0]), within.map((w) => w[1])) : NaN,
      ...(pairs.length > 2 ? { rLeftRight: pearson(pairs.map((x) => ly(x[0])), pairs.map((x) => ly(x[1]))) } : {}),
      measuredOverTrue: median(all.map((s) => s.measuredDoseGyPerGBq / s.trueDoseGyPerGBq)),
    };
  }
  const kidney = patients.map((p) => mean(p.structures.filter((s) => s.type === 'kidney').map((s) => s.trueDoseGyPerGBq)));
  const tumour = patients.map((p) => mean(p.structures.filter((s) => s.type === 'tumour').map((s) => s.trueDoseGyPerGBq)));
  return {
    patients: patients.length, perType,
    kidneyDoseVsTumourVolume: pearson(kidney.map(Math.log), patients.map((p) => Math.log(p.totalTumourVolumeMl))),
    tumourDoseVsPsa: pearson(tumour.map(Math.log), patients.map((p) => Math.log(p.biomarkers.psa_ng_ml))),
  };
}

/** The statistics as text lines, each beside its published figure and source. */
export function formatCohortReport(st: CohortStatistics): string {
  const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
  const lines = [`Cohort statistics (${st.patients} patients; true cycle-1 dose). Published figure in [brackets].`];
  for (const [type, t] of Object.entries(st.perType)) {
    const pub = PUBLISHED[type] ?? {};
    lines.push(`${type} (n ${t.n}): median ${f(t.medianDose)} Gy/GBq [${f(pub.median?.value)}], CV ${f(t.cvDose)} [${f(pub.cv?.value)}], ` +
      `r(log SUV, log dose) ${f(t.rUptakeDose)} [${f(pub.rUptakeDose?.value)}], between patients ${f(t.rBetween)}, within ${f(t.rWithin)}` +
      `${t.rLeftRight === undefined ? '' : `, left–right r ${f(t.rLeftRight)}`}, measured/true ${f(t.measuredOverTrue)}`);
    for (const [k, v] of Object.entries(pub)) lines.push(`    ${k}: ${v.source}`);
  }
  lines.push(`kidney dose vs total tumour volume r ${f(st.kidneyDoseVsTumourVolume)} [${f(PUBLISHED_RELATIONS.kidneyDoseVsTumourVolume.value)}]: ${PUBLISHED_RELATIONS.kidneyDoseVsTumourVolume.source}`);
  lines.push(`tumour dose vs PSA r ${f(st.tumourDoseVsPsa)} [${f(PUBLISHED_RELATIONS.tumourDoseVsPsa.value)}]: ${PUBLISHED_RELATIONS.tumourDoseVsPsa.source}`);
  const tw = st.perType.tumour;
  if (tw) lines.push(`tumour within/between r ratio ${f(tw.rWithin / tw.rBetween)} [${f(PUBLISHED_RELATIONS.tumourWithinVsBetween.value)}]: ${PUBLISHED_RELATIONS.tumourWithinVsBetween.source}`);
  return lines.join('\n');
}
