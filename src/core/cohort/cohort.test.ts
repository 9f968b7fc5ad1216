import { describe, expect, it } from 'vitest';
import { generateCohort, oracleLimits, tiac, LOCAL_DEPOSITION, creatinineFor, ckdEpi2021Male, measuredTiac, concentrationAt, metrics } from './model';
import { cohortStatistics, PUBLISHED, PUBLISHED_RELATIONS } from './report';
import { patientsCsv, petMetricsCsv, structuresCsv } from './tables';
import { parseCsv } from '../csv';
import { train } from '../model/train';
import { predictRow } from '../model/doseModel';
import { applyInputs } from '../dose/inputs';

const cohort = generateCohort({ patients: 100, seed: 3 });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const doses = (type: string) => cohort.flatMap((p) => p.structures.filter((s) => s.type === type).map((s) => s.trueDoseGyPerGBq));

describe('virtual mCRPC cohort', () => {
  it('is deterministic for a seed', () => {
    expect(generateCohort({ patients: 5, seed: 11 })).toEqual(generateCohort({ patients: 5, seed: 11 }));
    expect(generateCohort({ patients: 5, seed: 11 })).not.toEqual(generateCohort({ patients: 5, seed: 12 }));
  });
  it('doses per GBq fall in the literature ranges (dosimetry.md §3a)', () => {
    expect(med(doses('kidney'))).toBeGreaterThan(0.4); // VISION 0.43 ± 0.16; 0.4–0.9 across studies
    expect(med(doses('kidney'))).toBeLessThan(0.9);
    const sal = [...doses('parotid'), ...doses('submandibular')];
    expect(med(sal)).toBeGreaterThan(0.35); // 0.39–1.0
    expect(med(sal)).toBeLessThan(1.0);
    expect(med(doses('tumour'))).toBeGreaterThan(1.5); // bone 3.4 ± 1.9, node 2.6 ± 0.4
    expect(med(doses('tumour'))).toBeLessThan(5);
  });
  it('--like-seed has the seed study shape: 9 patients, 57 tumours, 36 salivary glands, 18 kidneys', () => {
    const c = generateCohort({ patients: 9, seed: 1, likeSeed: true });
    const n = (t: string[]) => c.reduce((s, p) => s + p.structures.filter((x) => t.includes(x.type)).length, 0);
    expect([c.length, n(['tumour']), n(['parotid', 'submandibular']), n(['kidney'])]).toEqual([9, 57, 36, 18]);
  });
  it('a uniform sphere of known activity has the analytic local-deposition dose', () => {
    // 1 MBq/g, physical decay only (no uptake phase): D = 0.0853 × T½/ln2 Gy.
    const T = 159.5;
    expect(LOCAL_DEPOSITION * tiac(1, T, 1e-9)).toBeCloseTo(0.0853 * (T / Math.LN2), 6);
    // 10 g sphere holding 5 MBq → 0.5 MBq/g → 0.0853 × 0.5 Gy/h initial dose rate.
    expect(LOCAL_DEPOSITION * (5 / 10)).toBeCloseTo(0.04265, 6);
  });
  it('measured TIA of noise-free samples is close to the true TIA', () => {
    const times = [4, 24, 48, 168];
    const c = times.map((t) => concentrationAt(1, 40, 2, t));
    expect(measuredTiac(times, c) / tiac(1, 40, 2)).toBeGreaterThan(0.93);
    expect(measuredTiac(times, c) / tiac(1, 40, 2)).toBeLessThan(1.07);
  });
  it('creatinine and eGFR are consistent (CKD-EPI 2021)', () => {
    for (const p of cohort.slice(0, 10)) expect(Math.abs(ckdEpi2021Male(p.biomarkers.creatinine_mg_dl, p.biomarkers.age_years) / p.biomarkers.egfr_ml_min_1_73m2 - 1)).toBeLessThan(0.02); // creatinine is rounded to 0.01 mg/dL
    expect(creatinineFor(60, 70)).toBeGreaterThan(creatinineFor(90, 70));
  });
  it('the oracle beats a population mean and leaves irreducible error', () => {
    const o = oracleLimits(cohort);
    expect(o.kidney.true.r2).toBeGreaterThan(0.2);
    expect(o.kidney.true.mape).toBeGreaterThan(5);
    expect(o.kidney.true.male).toBeGreaterThan(0.05);
  });
  it('structures.csv has exactly the agreed columns', () => {
    expect(structuresCsv(cohort.slice(0, 1)).split('\n')[0]).toBe('patient_id,structure_id,type,name,side,site,mass_g,true_dose_gy_per_gbq,measured_dose_gy_per_gbq,effective_half_life_h');
  });
  it('rejects invalid counts and seeds', () => {
    expect(() => generateCohort({ patients: 0, seed: 1 })).toThrow(/patients/);
    expect(() => generateCohort({ patients: 3, seed: -1 })).toThrow(/seed/);
    expect(() => generateCohort({ patients: 3, seed: 1, likeSeed: true })).toThrow(/9 patients/);
  });
});

describe('the sourced generator follows the literature (models/COHORT.md)', () => {
  const big = cohortStatistics(generateCohort({ patients: 1500, seed: 21 }));
  for (const [type, pub] of Object.entries(PUBLISHED)) {
    it(`${type}: median dose, spread and uptake–dose correlation near the published figures`, () => {
      const t = big.perType[type];
      if (pub.median) expect(Math.abs(Math.log(t.medianDose / pub.median.value))).toBeLessThan(0.15);
      if (pub.cv) expect(Math.abs(t.cvDose - pub.cv.value)).toBeLessThan(type === 'tumour' ? 0.25 : 0.06);
      if (pub.rUptakeDose) expect(Math.abs(t.rUptakeDose - pub.rUptakeDose.value)).toBeLessThan(0.08);
    });
  }
  it('organ pairs share patient-level uptake and kinetics: left and right agree more than patients do', () => {
    for (const type of ['kidney', 'parotid', 'submandibular']) {
      expect(big.perType[type].rLeftRight!).toBeGreaterThan(0.75);
      expect(big.perType[type].rWithin).toBeLessThan(big.perType[type].rBetween);
    }
  });
  it('tumour sink: kidney dose falls with the tumour volume as published; tumour uptake–dose r is lower within patients than between', () => {
    expect(Math.abs(big.kidneyDoseVsTumourVolume - PUBLISHED_RELATIONS.kidneyDoseVsTumourVolume.value)).toBeLessThan(0.1);
    const t = big.perType.tumour;
    expect(Math.abs(t.rWithin / t.rBetween - PUBLISHED_RELATIONS.tumourWithinVsBetween.value)).toBeLessThan(0.15);
  });
  it('kidney effective half-life does not depend on eGFR (no correlation with creatinine clearance, AAPM 2026)', () => {
    const c = generateCohort({ patients: 800, seed: 5 });
    const k = c.map((p) => [p.biomarkers.egfr_ml_min_1_73m2, p.structures.find((s) => s.name === 'Kidney L')!.teffH]);
    const r = pearsonLocal(k.map((x) => x[0]), k.map((x) => Math.log(x[1])));
    expect(Math.abs(r)).toBeLessThan(0.08);
  });
  it('easy and hard scenarios scale the hidden spread around the sourced one', () => {
    const [easy, sourced, hard] = (['easy', 'sourced', 'hard'] as const).map((scenario) => oracleLimits(generateCohort({ patients: 150, seed: 8, scenario }), 200).kidney.true.male);
    expect(easy).toBeLessThan(sourced);
    expect(sourced).toBeLessThan(hard);
  });
});

function pearsonLocal(x: number[], y: number[]): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length, my = y.reduce((s, v) => s + v, 0) / y.length;
  let a = 0, b = 0, c = 0;
  for (let i = 0; i < x.length; i++) { a += (x[i] - mx) * (y[i] - my); b += (x[i] - mx) ** 2; c += (y[i] - my) ** 2; }
  return a / Math.sqrt(b * c);
}

describe('the Monte Carlo oracle is a limit', () => {
  /** The cohort tables joined as `npm run train` reads them (PET metrics from the generator's stand-in). */
  const table = (patients: number, seed: number) => {
    const c = generateCohort({ patients, seed });
    const s = parseCsv(structuresCsv(c)), m = parseCsv(petMetricsCsv(c)), p = new Map(parseCsv(patientsCsv(c)).map((r) => [r.patient_id, r]));
    return { cohort: c, rows: s.map((r, i) => ({ ...r, suv_mean: m[i].suv_mean, volume_ml: m[i].volume_ml, ...p.get(r.patient_id)! })) };
  };
  it('a model trained on 40 patients does not beat it on 100 fresh patients beyond chance (MALE on the measured dose, per type)', () => {
    const trained = train(table(40, 31).rows, { target: 'measured_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type', maxFeatures: 3 });
    const fresh = table(100, 32);
    const oracle = oracleLimits(fresh.cohort, 300);
    for (const type of ['kidney', 'parotid', 'submandibular', 'lacrimal', 'tumour']) {
      const rows = fresh.rows.filter((r) => r.type === type);
      const pred = rows.map((r) => {
        const values = Object.fromEntries(trained.inputColumns.map((c) => [c.from, Number((r as Record<string, string>)[c.from])]));
        return predictRow(trained.model, { values: applyInputs(values, trained.inputColumns), type }).prediction;
      });
      const obs = rows.map((r) => Number(r.measured_dose_gy_per_gbq));
      const errs = pred.map((p, i) => Math.abs(Math.log(p / obs[i])));
      const se = Math.sqrt(errs.reduce((s, e) => s + (e - metrics(pred, obs).male) ** 2, 0) / (errs.length - 1) / errs.length);
      expect(metrics(pred, obs).male, type).toBeGreaterThan(oracle[type].measured.male - 2 * se);
    }
  });
});
