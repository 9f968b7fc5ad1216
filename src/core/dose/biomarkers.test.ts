import { describe, expect, it } from 'vitest';
import { BIOMARKERS, biomarkerProblems, biomarkersFromHeader, biomarkersOf, biomarkerValues } from './biomarkers';
import { patientsCsv } from '../cohort/tables';
import { generateCohort } from '../cohort/model';
import { parseCsv } from '../csv';

describe('biomarkers', () => {
  const card = { inputs: [{ from: 'suv_max' }, { from: 'egfr_ml_min_1_73m2' }, { from: 'weight_kg' }, { from: 'weight_kg' }] };
  it('a model asks for the biomarkers among its input columns, once each, in table order', () => {
    expect(biomarkersOf(card).map((b) => b.name)).toEqual(['weight_kg', 'egfr_ml_min_1_73m2']);
  });
  it('missing, empty and implausible values are named with their range', () => {
    const wanted = biomarkersOf(card);
    expect(biomarkerProblems(wanted, { weight_kg: '82', egfr_ml_min_1_73m2: '72' })).toEqual([]);
    expect(biomarkerProblems(wanted, { weight_kg: '', egfr_ml_min_1_73m2: 400 })).toEqual(['Weight (20–350 kg)', 'eGFR (5–150 mL/min/1.73 m²)']);
    expect(biomarkerProblems(wanted, { weight_kg: null })).toHaveLength(2);
    expect(biomarkerValues(wanted, { weight_kg: '82', egfr_ml_min_1_73m2: 72 })).toEqual({ weight_kg: 82, egfr_ml_min_1_73m2: 72 });
  });
  it('weight, height and age from the PET header', () => {
    expect(biomarkersFromHeader({ PatientWeight: 81.5, PatientSize: 1.76, PatientAge: '071Y' })).toEqual({ weight_kg: '81.5', height_cm: '176', age_years: '71' });
    expect(biomarkersFromHeader({ PatientAge: '6M' })).toEqual({});
  });
  it('the cohort patients.csv has a column per biomarker, inside its plausible range', () => {
    const rows = parseCsv(patientsCsv(generateCohort({ patients: 20, seed: 2 })));
    for (const b of BIOMARKERS) for (const r of rows) {
      expect(Number(r[b.name])).toBeGreaterThanOrEqual(b.min);
      expect(Number(r[b.name])).toBeLessThanOrEqual(b.max);
    }
  });
});
