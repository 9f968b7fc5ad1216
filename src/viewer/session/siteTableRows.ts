// The site table's rows (no DOM, no storage): one row per structure of a study in the CSV `npm run train` reads
// (`--group patient_id --type-col type --target measured_dose_gy_per_gbq`), keyed by a random site key per
// patient, never by anything of the DICOM header. Rows of a study, the CSV text, and the check of an imported CSV.
import { csvCell, parseSiteTable, recordsToCsv } from '../../core/csv';
import { BIOMARKERS } from '../../core/dose/biomarkers';
import { CLINICAL_PET } from '../../core/radiomics/settings';
import type { FeatureRow, SkippedStructure } from '../../core/dose/rows';

export const TARGET = 'measured_dose_gy_per_gbq';
export const GROUP = 'patient_id';
export const TYPE = 'type';
/** Identifier and label columns, first in every row (training excludes them as inputs). */
export const ID_COLUMNS = ['patient_id', 'structure_id', 'type', 'name', 'site', 'tracer'] as const;
/** Uptake metrics every feature row has (core/dose/rows.ts). */
export const UPTAKE_COLUMNS = ['suv_max', 'suv_mean', 'suv_peak', 'volume_ml', 'tlu', 'ratio_liver', 'ratio_kidney', 'total_tumour_volume_ml', 'total_tumour_uptake'] as const;
export const BIOMARKER_COLUMNS: string[] = BIOMARKERS.map((b) => b.name);
/** Names the feature settings the rows were computed with (a text column: training excludes it). */
export const PROFILE_COLUMN = 'feature_profile';

/** The feature settings of the Dose panel (clinical PET profile) as one short text: name and a hash of the settings. */
export const FEATURE_PROFILE = `${CLINICAL_PET.name.replace(/\s+/g, '-')}-${hash(JSON.stringify(CLINICAL_PET))}`;

function hash(text: string): string {
  let h = 0x811c9dc5; // FNV-1a, 32 bits: a label for the settings, not a security measure
  for (let n = 0; n < text.length; n++) { h ^= text.charCodeAt(n); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Why a study may not be added to a table whose rows came from other feature settings (their features would not
 * be comparable, and the table's columns may name features this viewer no longer computes); undefined if it may.
 */
export function profileProblem(rows: SiteRow[]): string | undefined {
  const other = [...new Set(rows.map((r) => r[PROFILE_COLUMN]).filter((p) => p !== FEATURE_PROFILE))];
  if (!other.length) return undefined;
  return `The site table's rows were computed with feature profile ${other.map((p) => `"${p}"`).join(', ')}; this viewer computes "${FEATURE_PROFILE}" (other feature settings, e.g. without Moran's I / Geary's C). Save the table as CSV to keep it, then remove its patients to start a table with the current profile.`;
}

/** A row as stored and written: every cell already the CSV text (numbers at 8 significant digits, as extract writes). */
export type SiteRow = Record<string, string>;

/** A structure of a study that is not in the table, and why. */
export interface LeftOut { name: string; type: string; reason: string }

/**
 * The columns of a table whose first study gave these feature rows: identifiers, uptake metrics, the IBSI
 * features every row of the study has, the biomarkers, the profile and the target.
 */
export function tableColumns(rows: FeatureRow[]): string[] {
  const fixed = new Set<string>([...ID_COLUMNS, ...UPTAKE_COLUMNS, ...BIOMARKER_COLUMNS, PROFILE_COLUMN, TARGET]);
  const finite = (r: FeatureRow, c: string) => typeof r[c] === 'number' && Number.isFinite(r[c] as number);
  const features = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !fixed.has(c) && rows.every((r) => finite(r, c)));
  return [...ID_COLUMNS, ...UPTAKE_COLUMNS, ...features, ...BIOMARKER_COLUMNS, PROFILE_COLUMN, TARGET];
}

export interface StudyRowsInput {
  patientId: string;
  tracer: string;
  /** Feature rows of the study's structures (core/dose/pipeline extractRows) and those without one. */
  rows: FeatureRow[];
  skipped: SkippedStructure[];
  /** Biomarkers as entered (form text), by name; empty or missing = unknown. */
  biomarkers: Record<string, string | number | undefined>;
  /** Measured cycle-1 dose (Gy/GBq) by vocabulary structure name. */
  measured: ReadonlyMap<string, number>;
  /** The table's columns (undefined for the first study: taken from its rows). */
  columns?: string[];
}

/** The rows a study adds and the structures left out, each with its reason. */
export function studyRows(s: StudyRowsInput): { columns: string[]; rows: SiteRow[]; leftOut: LeftOut[] } {
  const leftOut: LeftOut[] = s.skipped.map((x) => ({ name: x.name, type: x.type, reason: `no features: ${x.reason}` }));
  const withDose = s.rows.filter((r) => {
    const d = s.measured.get(String(r.name));
    if (d === undefined) { leftOut.push({ name: String(r.name), type: String(r.type), reason: 'no measured dose' }); return false; }
    if (!(d > 0 && Number.isFinite(d))) { leftOut.push({ name: String(r.name), type: String(r.type), reason: `measured dose ${d} Gy/GBq is not above 0` }); return false; }
    return true;
  });
  const columns = s.columns ?? tableColumns(withDose);
  const features = columns.filter((c) => !(ID_COLUMNS as readonly string[]).includes(c) && !BIOMARKER_COLUMNS.includes(c) && c !== PROFILE_COLUMN && c !== TARGET);
  const rows: SiteRow[] = [];
  for (const r of withDose) {
    const missing = features.filter((c) => !(typeof r[c] === 'number' && Number.isFinite(r[c] as number)));
    if (missing.length) { leftOut.push({ name: String(r.name), type: String(r.type), reason: `feature(s) ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ' …' : ''} not computed (too few voxels?)` }); continue; }
    const row: SiteRow = {};
    for (const c of columns) {
      const v = c === 'patient_id' ? s.patientId : c === 'structure_id' ? `${s.patientId}-${r.name}` : c === 'tracer' ? s.tracer
        : c === PROFILE_COLUMN ? FEATURE_PROFILE : c === TARGET ? s.measured.get(String(r.name))
          : BIOMARKER_COLUMNS.includes(c) ? biomarkerCell(s.biomarkers[c]) : r[c];
      row[c] = cellText(v);
    }
    rows.push(row);
  }
  return { columns, rows, leftOut };
}

const biomarkerCell = (v: string | number | undefined) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

/** The cell as `recordsToCsv` writes it and `parseCsv` reads it back (unquoted, formula escape undone). */
function cellText(v: string | number | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'number' ? csvCell(v) : v;
}

/** The table as CSV, exactly the text `npm run train` reads. */
export function tableCsv(columns: string[], rows: SiteRow[]): string {
  return recordsToCsv(columns, rows);
}

const keyOf = (r: SiteRow) => `${r.patient_id}\u0000${r.structure_id}`;

export type ImportCheck =
  | { ok: true; added: SiteRow[]; duplicates: number; columns: string[]; notes: string[] }
  | { ok: false; problem: string };

/**
 * Checks an imported CSV against the table: the same columns (missing and extra ones named), the same feature
 * profile, a positive target and a known key in every row. Rows whose key is already there with the same cells are
 * merged (counted); the same key with other cells refuses the import, naming the keys. Changes nothing itself.
 */
export function checkImport(text: string, file: string, table: { columns?: string[]; rows: SiteRow[] }): ImportCheck {
  let parsed: ReturnType<typeof parseSiteTable>;
  try { parsed = parseSiteTable(text, file); } catch (e) { return { ok: false, problem: (e as Error).message }; }
  const rows = parsed.rows;
  if (!rows.length) return { ok: false, problem: `${file}: no rows (the file is empty or has only a header)` };
  const cols = Object.keys(rows[0]);
  const required = table.columns ?? [...ID_COLUMNS, ...UPTAKE_COLUMNS, ...BIOMARKER_COLUMNS, PROFILE_COLUMN, TARGET];
  const missing = required.filter((c) => !cols.includes(c));
  const extra = table.columns ? cols.filter((c) => !table.columns!.includes(c)) : [];
  if (missing.length || extra.length) {
    const what = [missing.length ? `missing column(s) ${missing.join(', ')}` : '', extra.length ? `column(s) ${extra.join(', ')} that the site table does not have` : ''].filter(Boolean).join('; ');
    return { ok: false, problem: `${file} is not a site table of this viewer's features: ${what}. It was probably written for another model's inputs or with other feature settings; nothing was imported. Import a CSV exported by "Export CSV" of a site table (or add the studies again).` };
  }
  const bad: string[] = [];
  rows.forEach((r, n) => {
    const line = `row ${n + 2}`;
    if (r[PROFILE_COLUMN] !== FEATURE_PROFILE) bad.push(`${line}: ${PROFILE_COLUMN} is "${r[PROFILE_COLUMN]}", this viewer computes "${FEATURE_PROFILE}" (other feature settings)`);
    const y = Number(r[TARGET]);
    if (r[TARGET] === '' || !(y > 0 && Number.isFinite(y))) bad.push(`${line}: ${TARGET} is "${r[TARGET]}" (a measured dose above 0 Gy/GBq)`);
    if (!r.patient_id || !r.structure_id) bad.push(`${line}: empty patient_id or structure_id`);
  });
  if (bad.length) return { ok: false, problem: `${file}: ${bad.length} bad row(s), nothing was imported: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ' …' : ''}` };
  const order = table.columns ?? cols;
  const normal = (r: Record<string, string>): SiteRow => Object.fromEntries(order.map((c) => [c, r[c]]));
  const have = new Map(table.rows.map((r) => [keyOf(r), r]));
  const seen = new Set<string>();
  const added: SiteRow[] = [], conflicts: string[] = [], repeated: string[] = [];
  let duplicates = 0;
  for (const raw of rows) {
    const r = normal(raw), k = keyOf(r);
    if (seen.has(k)) { repeated.push(`${r.patient_id} / ${r.structure_id}`); continue; }
    seen.add(k);
    const old = have.get(k);
    if (!old) { added.push(r); continue; }
    if (order.every((c) => old[c] === r[c])) duplicates++;
    else conflicts.push(`${r.patient_id} / ${r.structure_id} (${order.filter((c) => old[c] !== r[c]).slice(0, 3).join(', ')} differ)`);
  }
  if (repeated.length) return { ok: false, problem: `${file}: the key(s) ${repeated.slice(0, 5).join('; ')} appear more than once; nothing was imported` };
  if (conflicts.length) return { ok: false, problem: `${file}: ${conflicts.length} row(s) have the key of a row already in the site table but other values: ${conflicts.slice(0, 5).join('; ')}${conflicts.length > 5 ? ' …' : ''}. Nothing was imported; remove those patients from the site table first to replace them.` };
  return { ok: true, added, duplicates, columns: order, notes: parsed.notes };
}

/** Patients of the table with their row count and structure types, in order of first row. */
export function patientsOf(rows: SiteRow[]): { id: string; rows: number; types: string[] }[] {
  const m = new Map<string, { id: string; rows: number; types: Set<string> }>();
  for (const r of rows) {
    const p = m.get(r.patient_id) ?? { id: r.patient_id, rows: 0, types: new Set<string>() };
    p.rows++; p.types.add(r.type);
    m.set(r.patient_id, p);
  }
  return [...m.values()].map((p) => ({ id: p.id, rows: p.rows, types: [...p.types].sort() }));
}
