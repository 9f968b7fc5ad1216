// Patient biomarkers the dose model may use: one table for the Dose panel form, the cohort's patients.csv
// columns and the units training writes into the model card. Weight and height take the physiological table's limits.
import { RANGES } from '../ranges';

const range = (r: { refuse: [number, number] }) => ({ min: r.refuse[0], max: r.refuse[1] });

export const BIOMARKERS = [
  { name: 'age_years', label: 'Age', unit: 'years', min: 18, max: 110 },
  { name: 'weight_kg', label: 'Weight', unit: 'kg', ...range(RANGES.weightKg) },
  { name: 'height_cm', label: 'Height', unit: 'cm', ...range(RANGES.heightCm) },
  { name: 'egfr_ml_min_1_73m2', label: 'eGFR', unit: 'mL/min/1.73 m²', min: 5, max: 150 },
  { name: 'creatinine_mg_dl', label: 'Creatinine', unit: 'mg/dL', min: 0.2, max: 15 },
  { name: 'psa_ng_ml', label: 'PSA', unit: 'ng/mL', min: 0, max: 100000 },
  { name: 'alp_u_l', label: 'ALP', unit: 'U/L', min: 10, max: 5000 },
  { name: 'ldh_u_l', label: 'LDH', unit: 'U/L', min: 50, max: 5000 },
  { name: 'hb_g_dl', label: 'Haemoglobin', unit: 'g/dL', min: 4, max: 20 },
  { name: 'prior_lines', label: 'Prior therapy lines', unit: 'count', min: 0, max: 12 },
  { name: 'ecog', label: 'ECOG', unit: 'score', min: 0, max: 4 },
] as const;

export type BiomarkerName = (typeof BIOMARKERS)[number]['name'];
export type Biomarker = (typeof BIOMARKERS)[number];

export function biomarker(name: string): Biomarker | undefined {
  return BIOMARKERS.find((b) => b.name === name);
}

/** The biomarkers a model reads (its card's input columns that are biomarkers), in table order. */
export function biomarkersOf(card: { inputs: { from: string }[] }): Biomarker[] {
  const used = new Set(card.inputs.map((c) => c.from));
  return BIOMARKERS.filter((b) => used.has(b.name));
}

/** A problem per biomarker that is missing or outside its plausible range (entered as text). */
export function biomarkerProblems(wanted: readonly Biomarker[], entered: Record<string, string | number | null | undefined>): string[] {
  return wanted.filter((b) => {
    const s = entered[b.name];
    const v = Number(s);
    return s === undefined || s === null || s === '' || !(v >= b.min && v <= b.max);
  }).map((b) => `${b.label} (${b.min}–${b.max} ${b.unit})`);
}

/** Biomarker values as numbers, keyed by name. */
export function biomarkerValues(wanted: readonly Biomarker[], entered: Record<string, string | number | null | undefined>): Record<string, number> {
  return Object.fromEntries(wanted.map((b) => [b.name, Number(entered[b.name])]));
}

/** Biomarkers the PET header gives (weight, height, age), as the form's text. */
export function biomarkersFromHeader(attrs: Record<string, any>): Partial<Record<BiomarkerName, string>> {
  const out: Partial<Record<BiomarkerName, string>> = {};
  if (attrs.PatientWeight) out.weight_kg = String(attrs.PatientWeight);
  if (attrs.PatientSize) out.height_cm = String(Math.round(Number(attrs.PatientSize) * 100));
  if (/^\d+Y$/.test(String(attrs.PatientAge ?? ''))) out.age_years = String(parseInt(attrs.PatientAge, 10));
  return out;
}
