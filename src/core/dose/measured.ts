// A site's post-therapy dosimetry for one study (as exported from MIM, Hermes, OLINDA or MIRDcalc tables):
// columns structure, mean_dose_gy or mean_dose_mgy (the unit comes from the header), administered_activity_gbq,
// cycle, method. Each row becomes a measured dose per GBq of one vocabulary structure; a cycle other than 1 warns
// (the model predicts the first cycle).
import { CsvError, parseCsv } from '../csv';
import { structureByName } from '../vocabulary';

export interface MeasuredDose {
  /** Vocabulary name. */
  structure: string;
  meanDoseGy: number;
  administeredActivityGBq: number;
  gyPerGBq: number;
  cycle: number;
  method: string;
}

export class MeasuredDoseError extends Error {}

const REQUIRED = ['structure', 'administered_activity_gbq', 'cycle', 'method'];

/** The rows of a measured-dose CSV, with warnings; throws MeasuredDoseError naming the file, row and column. */
export function parseMeasuredDoses(text: string, file = 'measured-dose CSV'): { doses: MeasuredDose[]; warnings: string[] } {
  let rows: Record<string, string>[];
  try { rows = parseCsv(text, file); } catch (e) { throw new MeasuredDoseError((e as CsvError).message); }
  if (!rows.length) throw new MeasuredDoseError(`${file}: no data rows (expected the columns ${REQUIRED[0]}, mean_dose_gy or mean_dose_mgy, ${REQUIRED.slice(1).join(', ')})`);
  const cols = Object.keys(rows[0]);
  const gy = cols.includes('mean_dose_gy'), mgy = cols.includes('mean_dose_mgy');
  const missing = [REQUIRED[0], ...(gy || mgy ? [] : ['mean_dose_gy or mean_dose_mgy']), ...REQUIRED.slice(1)].filter((c) => !cols.includes(c));
  if (missing.length) throw new MeasuredDoseError(`${file}: column(s) ${missing.join(', ')} missing (found ${cols.join(', ')}); the header must name the dose unit: mean_dose_gy or mean_dose_mgy`);
  if (gy && mgy) throw new MeasuredDoseError(`${file}: both mean_dose_gy and mean_dose_mgy are given; keep one (the unit comes from the header)`);
  const doseCol = gy ? 'mean_dose_gy' : 'mean_dose_mgy';
  const warnings: string[] = [];
  const seen = new Set<string>();
  const doses = rows.map((r, n) => {
    const at = `${file}: row ${n + 2}`;
    const num = (col: string, ok: (v: number) => boolean, allowed: string) => {
      const v = Number(r[col]);
      if (r[col] === '' || !Number.isFinite(v) || !ok(v)) throw new MeasuredDoseError(`${at}: ${col} is "${r[col]}"; ${allowed}`);
      return v;
    };
    const def = structureByName(r.structure);
    if (!def) throw new MeasuredDoseError(`${at}: structure "${r.structure}" is not a structure name of the vocabulary (e.g. Kidney L, Parotid R, Submandibular L, Lacrimal R, T1); rename it in the file`);
    if (seen.has(def.name)) throw new MeasuredDoseError(`${at}: ${def.name} appears twice; keep one row per structure`);
    seen.add(def.name);
    const dose = num(doseCol, (v) => v >= 0, `expected a mean absorbed dose ≥ 0 in ${gy ? 'Gy' : 'mGy'}`);
    const meanDoseGy = gy ? dose : dose / 1000;
    const activity = num('administered_activity_gbq', (v) => v > 0 && v <= 30, 'expected the administered activity in GBq, above 0 and at most 30 (MBq? divide by 1000)');
    const cycle = num('cycle', (v) => Number.isInteger(v) && v >= 1 && v <= 20, 'expected the cycle as a whole number from 1 to 20');
    if (cycle !== 1) warnings.push(`${at}: ${def.name} was measured after cycle ${cycle}; the model predicts the first cycle, so the comparison assumes uptake stayed as in cycle 1`);
    if (gy && meanDoseGy / activity > 50) warnings.push(`${at}: ${def.name} ${meanDoseGy} Gy for ${activity} GBq is ${(meanDoseGy / activity).toFixed(0)} Gy/GBq; was the dose in mGy (then name the column mean_dose_mgy)?`);
    return { structure: def.name, meanDoseGy, administeredActivityGBq: activity, gyPerGBq: meanDoseGy / activity, cycle, method: r.method };
  });
  return { doses, warnings };
}
