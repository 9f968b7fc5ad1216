// Cohort files: patients.csv, structures.csv, pet_metrics.csv and the PatientSpec that images a patient.
import type { PatientSpec } from '../phantom/spec';
import { defaultPatientSpec } from '../phantom/generate';
import { COHORT_TRACER, type VirtualPatient } from './model';
import { formatCsv as csv } from '../csv';
import { BIOMARKERS } from '../dose/biomarkers';
import { MEASURED_AGGREGATES, measuredDoseCsv } from '../dose/measured';

/** How the cohort's measured doses were "measured" (the method column of measured_dose.csv). */
export const COHORT_MEASURED_METHOD = 'synthetic SPECT/CT (virtual cohort)';

/**
 * The patient's measured cycle-1 doses in the import format (structure, mean_dose_gy for `activityGBq`,
 * administered_activity_gbq, cycle 1, method), as a site's dosimetry table; then Kidneys and Parotids as one VOI
 * each (the mass-weighted mean of the pair), as OLINDA-style tables give them.
 */
export function measuredDoseImportCsv(p: VirtualPatient, activityGBq: number): string {
  const rows = p.structures.map((s) => ({ structure: s.name, meanDoseGy: s.measuredDoseGyPerGBq * activityGBq, administeredActivityGBq: activityGBq, cycle: 1, method: COHORT_MEASURED_METHOD }));
  for (const a of MEASURED_AGGREGATES.filter((x) => x.name === 'Kidneys' || x.name === 'Parotids')) {
    const members = p.structures.filter((s) => a.members.includes(s.name));
    if (members.length < a.members.length) continue;
    const mass = members.reduce((t, s) => t + s.massG, 0);
    const gyPerGBq = members.reduce((t, s) => t + s.measuredDoseGyPerGBq * s.massG, 0) / mass;
    rows.push({ structure: a.name, meanDoseGy: gyPerGBq * activityGBq, administeredActivityGBq: activityGBq, cycle: 1, method: COHORT_MEASURED_METHOD });
  }
  return measuredDoseCsv(rows);
}

export function patientsCsv(ps: VirtualPatient[]): string {
  return csv([
    ['patient_id', ...BIOMARKERS.map((b) => b.name), 'n_tumours', 'total_tumour_volume_ml'],
    ...ps.map((p) => [p.id, ...BIOMARKERS.map((b) => p.biomarkers[b.name]), p.structures.filter((s) => s.type === 'tumour').length, p.totalTumourVolumeMl]),
  ]);
}

export function structuresCsv(ps: VirtualPatient[]): string {
  return csv([
    ['patient_id', 'structure_id', 'type', 'name', 'side', 'site', 'mass_g', 'true_dose_gy_per_gbq', 'measured_dose_gy_per_gbq', 'measured_dose_rc_gy_per_gbq', 'effective_half_life_h'],
    ...ps.flatMap((p) => p.structures.map((s) => [p.id, `${p.id}-${s.name}`, s.type, s.name, s.side, s.site, s.massG, s.trueDoseGyPerGBq, s.measuredDoseGyPerGBq, s.measuredDoseRcGyPerGBq, s.teffH])),
  ]);
}

/** What a PET measurement of each structure shows (the no-images stand-in for `npm run extract`). */
export function petMetricsCsv(ps: VirtualPatient[]): string {
  return csv([
    ['patient_id', 'structure_id', 'suv_mean', 'volume_ml'],
    ...ps.flatMap((p) => p.structures.map((s) => [p.id, `${p.id}-${s.name}`, s.petSuvObserved, s.volumeMl])),
  ]);
}

/** SPECT/CT time points per structure, as a site's dosimetry export would list them. */
export function measuredCsv(p: VirtualPatient, times: number[]): string {
  return csv([
    ['structure_id', ...times.map((t) => `conc_${t}h_mbq_per_g_per_gbq`), 'measured_dose_gy_per_gbq'],
    ...p.structures.map((s) => [`${p.id}-${s.name}`, ...s.measured, s.measuredDoseGyPerGBq]),
  ]);
}

/** The phantom spec that images this patient (head to pelvis, coarse grids for cohort speed). */
export function imagingSpec(p: VirtualPatient): PatientSpec {
  const base = defaultPatientSpec(p.seed % 2147483647, { id: p.id, lesions: 0, tracer: COHORT_TRACER, imaging: { ctSpacing: [4, 4, 5], petSpacing: [4, 4, 4], petNoise: 0.1 } });
  const organSuv = { ...base.organSuv };
  for (const s of p.structures) if (s.type !== 'tumour') organSuv[s.name] = s.petSuvScan;
  const organScale: Record<string, number> = {};
  for (const s of p.structures) {
    if (s.type === 'kidney') organScale[s.name] = s.volumeMl / 147;
    if (s.type === 'parotid') organScale[s.name] = s.volumeMl / 36;
    if (s.type === 'submandibular') organScale[s.name] = s.volumeMl / 7.1;
    if (s.type === 'lacrimal') organScale[s.name] = s.volumeMl / 1.1;
  }
  return {
    ...base, ageYears: p.biomarkers.age_years, weightKg: p.biomarkers.weight_kg, heightCm: p.biomarkers.height_cm, organSuv, organScale,
    lesions: p.structures.filter((s) => s.type === 'tumour').map((s) => ({ name: s.name, site: s.site!, volumeMl: s.volumeMl, suvMean: s.petSuvScan, heterogeneity: s.heterogeneity })),
  };
}
