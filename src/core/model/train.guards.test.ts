// A site's own table: what training does with every column (recorded, never silent), target leakage, too few
// patients, intercept-only tables, and the population value where no model beats it.
import { describe, expect, it } from 'vitest';
import { cohortTable } from '../cohort/evaluate';
import { train, TableError } from './train';

const opts = { target: 'measured_dose_gy_per_gbq', group: 'patient_id', typeCol: 'type', maxFeatures: 2 } as const;
const base = () => cohortTable(13, 41).rows; // above the nested-choice size: fast
const decision = (r: ReturnType<typeof train>, c: string) => r.columns.find((x) => x.column === c);

describe('training guards for a site table', () => {
  it('a few bad cells are imputed with the median and recorded; a column with many is dropped naming the rows, never silently', () => {
    const rows = base();
    rows[3].weight_kg = ''; // one cell of ~200: imputed
    rows.forEach((r, i) => { if (i % 3 === 0) r.hb_g_dl = 'n/a'; }); // a third: dropped
    const r = train(rows, opts);
    expect(decision(r, 'weight_kg')).toMatchObject({ decision: 'imputed' });
    expect(decision(r, 'weight_kg')!.reason).toMatch(/1 cell\(s\) empty or not numbers \(rows 5\) set to the median \d/);
    expect(r.imputed.weight_kg).toBeGreaterThan(40);
    expect(decision(r, 'hb_g_dl')).toMatchObject({ decision: 'dropped' });
    expect(decision(r, 'hb_g_dl')!.reason).toMatch(/of \d+ cells empty or not numbers \(rows 2 "n\/a"/);
    expect(Object.values(r.selected).flat()).not.toContain('log_hb_g_dl');
  });
  it('post-therapy and unobservable columns are never inputs unless allowed by name', () => {
    const rows = base().map((r) => ({ ...r, spect_conc_24h: String(Number(r.measured_dose_gy_per_gbq) * 3.1) }));
    const r = train(rows, opts);
    expect(decision(r, 'spect_conc_24h')).toMatchObject({ decision: 'excluded' });
    expect(decision(r, 'spect_conc_24h')!.reason).toMatch(/post-therapy or dose-derived \(target leakage\)/);
    expect(decision(r, 'mass_g')!.reason).toMatch(/not observable before therapy/);
    expect(decision(r, 'effective_half_life_h')).toMatchObject({ decision: 'excluded' });
    expect(Object.values(r.selected).flat().some((f) => /spect|mass|half/.test(f))).toBe(false);
    const allowed = train(rows, { ...opts, allowColumns: ['spect_conc_24h'] });
    expect(decision(allowed, 'spect_conc_24h')).toMatchObject({ decision: 'candidate' });
    expect(() => train(rows, { ...opts, features: ['spect_conc_24h'], typeCol: undefined })).toThrow(/spect_conc_24h look post-therapy.*--allow-column/);
  });
  it('refuses fewer than 5 patients per type, and a table without inputs', () => {
    const three = cohortTable(3, 5).rows;
    expect(() => train(three, opts)).toThrow(TableError);
    expect(() => train(three, opts)).toThrow(/too few patients to train: kidney has 3, .*at least 5 per structure type; --min-patients/);
    expect(() => train(three, { ...opts, minPatients: 3 })).not.toThrow(/too few/);
    const bare = base().map((r) => ({ patient_id: r.patient_id, type: r.type, measured_dose_gy_per_gbq: r.measured_dose_gy_per_gbq }));
    expect(() => train(bare, opts)).toThrow(/no input columns: the table has only the target, group and type columns; a model would give every structure the population value/);
    const textOnly = bare.map((r) => ({ ...r, note: 'x' }));
    expect(() => train(textOnly, opts)).toThrow(/no input columns: note \(no numbers \(text column\)\)/);
  });
  it('a type whose inputs carry nothing gets the population value, said as such', () => {
    // Replace every input by noise: no model can beat the constant in cross-validation.
    let seed = 7;
    const noise = () => { seed = (seed * 16807) % 2147483647; return String(1 + seed / 2147483647); };
    const rows = base().map((r) => ({ patient_id: r.patient_id, type: r.type, measured_dose_gy_per_gbq: r.measured_dose_gy_per_gbq, a: noise(), b: noise() }));
    const r = train(rows, opts);
    expect(r.populationValueTypes.length).toBeGreaterThan(0);
    for (const t of r.populationValueTypes) {
      expect(r.selected[t]).toEqual([]);
      expect(r.inputSpecs[t]).toBe('constant');
    }
  });
  it('the 90 % interval is conformal (from leave-one-patient-out residuals) and the reported coverage is near 90 %', () => {
    const r = train(cohortTable(20, 43).rows, opts);
    for (const tm of r.model.perType) expect(tm.intervalQ90).toBeGreaterThan(0);
    for (const [type, m] of Object.entries(r.cv)) expect(m.model.coverage90!, type).toBeGreaterThan(0.75);
  });
});
