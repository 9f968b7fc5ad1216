import { describe, expect, it } from 'vitest';
import { generateCohort, oracleLimits, tiac, LOCAL_DEPOSITION, creatinineFor, ckdEpi2021Male, measuredTiac, concentrationAt } from './model';
import { structuresCsv } from './tables';

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
