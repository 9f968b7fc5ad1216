// A site's post-therapy dosimetry for one study (as exported from MIM, Hermes, OLINDA or MIRDcalc tables):
// columns structure, mean_dose_gy or mean_dose_mgy (the unit comes from the header), administered_activity_gbq,
// cycle, method. Each row becomes a measured dose per GBq of one vocabulary structure or of an aggregate of them
// ("Kidneys": both kidneys as one VOI, compared with the members' mass-weighted prediction); a cycle other than 1
// warns (the model predicts the first cycle). Names are read in two steps so the viewer can ask how to map the
// ones that are not vocabulary names: readMeasuredCsv (numbers checked, a proposal per name), then measuredFromRows.
import { CsvError, formatCsv, parseCsv } from '../csv';
import { ORGANS, structureByName, suggestStructure, type StructureType } from '../vocabulary';
import { TISSUE_DENSITY_G_PER_ML, type StructurePrediction } from './plan';

export interface MeasuredDose {
  /** Vocabulary name of the structure, or an aggregate's name ("Kidneys", "Parotids" …; see `members`). */
  structure: string;
  /** An aggregate row (e.g. both kidneys as one VOI): the vocabulary structures it covers; it is compared with their
   * mass-weighted predicted mean. Absent for a single structure. */
  members?: string[];
  /** Mean absorbed dose (Gy) for `administeredActivityGBq`. */
  meanDoseGy: number;
  administeredActivityGBq: number;
  gyPerGBq: number;
  cycle: number;
  method: string;
}

/** A row of the file that is not used, with the reason (never dropped silently). */
export interface UnusedRow { row: number; name: string; reason: string }

/** The measured doses imported for one study, as the viewer keeps them. */
export interface MeasuredImport {
  kind: 'csv' | 'rtdose';
  /** File name (in memory only: the browser's saved copy does not keep it, names often carry a patient's name). */
  file: string;
  doses: MeasuredDose[];
  warnings: string[];
  unused: UnusedRow[];
  /** Epoch ms. */
  importedAt: number;
}

export class MeasuredDoseError extends Error {}

/** Aggregates a dosimetry table may give as one row, with the names tools use for them. */
export const MEASURED_AGGREGATES: readonly { name: string; types: readonly StructureType[]; members: readonly string[] }[] = [
  { name: 'Kidneys', types: ['kidney'], members: ['Kidney L', 'Kidney R'] },
  { name: 'Parotids', types: ['parotid'], members: ['Parotid L', 'Parotid R'] },
  { name: 'Submandibulars', types: ['submandibular'], members: ['Submandibular L', 'Submandibular R'] },
  { name: 'Lacrimals', types: ['lacrimal'], members: ['Lacrimal L', 'Lacrimal R'] },
  { name: 'Salivary glands', types: ['parotid', 'submandibular'], members: ['Parotid L', 'Parotid R', 'Submandibular L', 'Submandibular R'] },
];

/** What a measured row can be mapped to: the dose-predicted organs, the aggregates, tumours T1, T2 … */
export const MEASURED_ORGAN_TARGETS: readonly string[] = [...ORGANS.filter((o) => o.dosimetric).map((o) => o.name), ...MEASURED_AGGREGATES.map((a) => a.name)];

/** A mapping target by name (vocabulary structure or aggregate); undefined when it is neither. */
export function measuredTarget(name: string): { structure: string; members?: string[] } | undefined {
  const agg = MEASURED_AGGREGATES.find((a) => a.name.toLowerCase() === name.trim().toLowerCase());
  if (agg) return { structure: agg.name, members: [...agg.members] };
  const def = structureByName(name);
  return def && def.dosimetric ? { structure: def.name } : undefined;
}

/**
 * The target a file's name proposes: `exact` for a vocabulary or aggregate name, `alias` for a name the vocabulary's
 * alias rule reads ("Kidney_L", "Left Kidney", "Kidneys total", "Salivary Glands"); undefined when unknown.
 */
export function proposeMeasuredTarget(name: string): { target: string; how: 'exact' | 'alias' } | undefined {
  const exact = measuredTarget(name);
  if (exact) return { target: exact.structure, how: 'exact' };
  const one = suggestStructure(name);
  if (one?.dosimetric) return { target: one.name, how: 'alias' };
  const s = name.toLowerCase().replace(/[_\-.]+/g, ' ');
  if (/salivary/.test(s)) return { target: 'Salivary glands', how: 'alias' };
  const type: StructureType | undefined = /kidney|renal|niere/.test(s) ? 'kidney' : /parotid/.test(s) ? 'parotid' : /submandib|smg/.test(s) ? 'submandibular' : /lacrimal|lacrim/.test(s) ? 'lacrimal' : undefined;
  const agg = type && MEASURED_AGGREGATES.find((a) => a.types.length === 1 && a.types[0] === type);
  return agg ? { target: agg.name, how: 'alias' } : undefined;
}

/** One data row of a measured-dose CSV, numbers checked, the name not yet mapped. */
export interface MeasuredCsvRow {
  /** Row number as a spreadsheet shows it (the header is row 1). */
  row: number;
  name: string;
  proposal?: { target: string; how: 'exact' | 'alias' };
  meanDoseGy: number;
  administeredActivityGBq: number;
  cycle: number;
  method: string;
}

const REQUIRED = ['structure', 'administered_activity_gbq', 'cycle', 'method'];

/** Checks the numbers of every row (throws MeasuredDoseError naming the file, row, column and value); names are proposed, not mapped. */
export function readMeasuredCsv(text: string, file = 'measured-dose CSV'): { rows: MeasuredCsvRow[]; warnings: string[]; unit: 'Gy' | 'mGy' } {
  let raw: Record<string, string>[];
  try { raw = parseCsv(text, file); } catch (e) { throw new MeasuredDoseError((e as CsvError).message); }
  if (!raw.length) throw new MeasuredDoseError(`${file}: no data rows (expected the columns ${REQUIRED[0]}, mean_dose_gy or mean_dose_mgy, ${REQUIRED.slice(1).join(', ')})`);
  // Header names compare case-insensitively (exports write "Mean_Dose_Gy" as often as "mean_dose_gy").
  const rows = raw.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v.trim()])));
  const cols = Object.keys(rows[0]);
  const gy = cols.includes('mean_dose_gy'), mgy = cols.includes('mean_dose_mgy');
  const missing = [REQUIRED[0], ...(gy || mgy ? [] : ['mean_dose_gy or mean_dose_mgy']), ...REQUIRED.slice(1)].filter((c) => !cols.includes(c));
  if (missing.length) throw new MeasuredDoseError(`${file}: column(s) ${missing.join(', ')} missing (found ${Object.keys(raw[0]).join(', ')}); the header must name the dose unit: mean_dose_gy or mean_dose_mgy`);
  if (gy && mgy) throw new MeasuredDoseError(`${file}: both mean_dose_gy and mean_dose_mgy are given; keep one (the unit comes from the header)`);
  const doseCol = gy ? 'mean_dose_gy' : 'mean_dose_mgy';
  const warnings: string[] = [];
  const out = rows.map((r, n): MeasuredCsvRow => {
    const at = `${file}: row ${n + 2}`;
    const num = (col: string, ok: (v: number) => boolean, allowed: string) => {
      const v = Number(r[col]);
      if (r[col] === '' || !Number.isFinite(v) || !ok(v)) throw new MeasuredDoseError(`${at}: ${col} is "${r[col]}"; ${allowed}`);
      return v;
    };
    if (!r.structure) throw new MeasuredDoseError(`${at}: structure is empty; name the structure (e.g. Kidney L, Kidneys, T1)`);
    const dose = num(doseCol, (v) => v >= 0, `expected a mean absorbed dose ≥ 0 in ${gy ? 'Gy' : 'mGy'}`);
    const meanDoseGy = gy ? dose : dose / 1000;
    const activity = num('administered_activity_gbq', (v) => v > 0 && v <= 30, 'expected the administered activity in GBq, above 0 and at most 30 (MBq? divide by 1000)');
    const cycle = num('cycle', (v) => Number.isInteger(v) && v >= 1 && v <= 20, 'expected the cycle as a whole number from 1 to 20');
    const perGBq = meanDoseGy / activity;
    if (gy && perGBq > 50) warnings.push(`${at}: ${r.structure} ${meanDoseGy} Gy for ${activity} GBq is ${perGBq.toFixed(0)} Gy/GBq; was the dose in mGy (then name the column mean_dose_mgy)?`);
    if (!gy && dose > 0 && perGBq < 0.01) warnings.push(`${at}: ${r.structure} ${dose} mGy for ${activity} GBq is ${perGBq.toPrecision(2)} Gy/GBq; was the dose in Gy (then name the column mean_dose_gy)?`);
    return { row: n + 2, name: r.structure, proposal: proposeMeasuredTarget(r.structure), meanDoseGy, administeredActivityGBq: activity, cycle, method: r.method };
  });
  return { rows: out, warnings, unit: gy ? 'Gy' : 'mGy' };
}

/** Where each row goes: a target name (vocabulary structure or aggregate) or 'skip'. */
export type MeasuredMapping = Map<number, string | 'skip'>;

/** The proposed mapping: every proposal taken, unknown names skipped. */
export const proposedMapping = (rows: MeasuredCsvRow[]): MeasuredMapping => new Map(rows.map((r) => [r.row, r.proposal?.target ?? 'skip']));

/**
 * Mapped rows as measured doses (cycle ≠ 1 warns); skipped rows listed with the reason. Throws MeasuredDoseError
 * when two rows map to one structure or a target is not a vocabulary or aggregate name.
 */
export function measuredFromRows(rows: MeasuredCsvRow[], mapping: MeasuredMapping, file = 'measured-dose CSV'): { doses: MeasuredDose[]; warnings: string[]; unused: UnusedRow[] } {
  const doses: MeasuredDose[] = [], warnings: string[] = [], unused: UnusedRow[] = [];
  const from = new Map<string, number>();
  for (const r of rows) {
    const at = `${file}: row ${r.row}`;
    const t = mapping.get(r.row) ?? 'skip';
    if (t === 'skip') {
      unused.push({ row: r.row, name: r.name, reason: r.proposal ? `mapped to nothing (proposed: ${r.proposal.target})` : `"${r.name}" is not a structure name of the vocabulary and was not mapped` });
      continue;
    }
    const target = measuredTarget(t);
    if (!target) throw new MeasuredDoseError(`${at}: "${t}" is not a structure of the vocabulary (${MEASURED_ORGAN_TARGETS.join(', ')}, T1, T2 …)`);
    const before = from.get(target.structure);
    if (before !== undefined) throw new MeasuredDoseError(`${at}: ${target.structure} is given twice (rows ${before} and ${r.row}); keep one row per structure`);
    from.set(target.structure, r.row);
    if (r.cycle !== 1) warnings.push(`${at}: ${target.structure} was measured after cycle ${r.cycle}; the model predicts the first cycle, so the comparison assumes uptake stayed as in cycle 1`);
    doses.push({
      structure: target.structure, ...(target.members ? { members: target.members } : {}),
      meanDoseGy: r.meanDoseGy, administeredActivityGBq: r.administeredActivityGBq, gyPerGBq: r.meanDoseGy / r.administeredActivityGBq, cycle: r.cycle, method: r.method,
    });
  }
  return { doses, warnings, unused };
}

/**
 * The rows of a measured-dose CSV with warnings, names mapped without asking (the report CLI): vocabulary and
 * aggregate names, and aliases with a warning naming what they were read as; throws MeasuredDoseError naming the
 * file, row and column, and every name it cannot map.
 */
export function parseMeasuredDoses(text: string, file = 'measured-dose CSV'): { doses: MeasuredDose[]; warnings: string[] } {
  const read = readMeasuredCsv(text, file);
  const unknown = read.rows.filter((r) => !r.proposal);
  if (unknown.length) {
    throw new MeasuredDoseError(`${file}: ${unknown.map((r) => `row ${r.row}: structure "${r.name}"`).join(', ')} ${unknown.length === 1 ? 'is not a structure name' : 'are not structure names'} of the vocabulary (${MEASURED_ORGAN_TARGETS.join(', ')}, T1, T2 …); rename ${unknown.length === 1 ? 'it' : 'them'} in the file`);
  }
  const aliases = read.rows.filter((r) => r.proposal!.how === 'alias').map((r) => `${file}: row ${r.row}: "${r.name}" read as ${r.proposal!.target}`);
  const m = measuredFromRows(read.rows, proposedMapping(read.rows), file);
  return { doses: m.doses, warnings: [...read.warnings, ...aliases, ...m.warnings] };
}

/** One measured dose beside its prediction (an aggregate: the members' mass-weighted prediction). */
export interface MeasuredComparisonRow {
  structure: string;
  /** Aggregate: the members compared (those predicted), mass-weighted. */
  members?: string[];
  /** Aggregate members without a prediction (the comparison uses the others). */
  membersMissing?: string[];
  predicted: { gyPerGBq: number; lo: number; hi: number; massG: number };
  measured: MeasuredDose;
  /** (predicted − measured) / measured × 100. */
  errorPct: number;
  insideInterval: boolean;
}

/** Mass-weighted mean of predictions (mass = volume × density), of the point value and of each interval bound. */
export function massWeightedPrediction(list: StructurePrediction[]): { gyPerGBq: number; lo: number; hi: number; massG: number } {
  const mass = list.reduce((s, p) => s + p.volumeMl * TISSUE_DENSITY_G_PER_ML, 0);
  const mean = (f: (p: StructurePrediction) => number) => list.reduce((s, p) => s + f(p) * p.volumeMl * TISSUE_DENSITY_G_PER_ML, 0) / mass;
  return { gyPerGBq: mean((p) => p.gyPerGBq), lo: mean((p) => p.lo), hi: mean((p) => p.hi), massG: mass };
}

/**
 * Measured doses against the predictions: per structure, and per aggregate against the mass-weighted prediction
 * of its predicted members (the interval: the members' bounds mass-weighted). Doses with nothing to compare with
 * are returned with the reason.
 */
export function compareMeasured(predictions: StructurePrediction[], measured: MeasuredDose[]): { rows: MeasuredComparisonRow[]; notCompared: { structure: string; reason: string }[] } {
  const usable = predictions.filter((p) => Number.isFinite(p.gyPerGBq) && Number.isFinite(p.lo) && Number.isFinite(p.hi) && p.volumeMl > 0);
  const rows: MeasuredComparisonRow[] = [], notCompared: { structure: string; reason: string }[] = [];
  for (const m of measured) {
    const members = m.members ? usable.filter((p) => m.members!.includes(p.name)) : usable.filter((p) => p.name === m.structure);
    if (!members.length) {
      notCompared.push({ structure: m.structure, reason: m.members ? `none of ${m.members.join(', ')} has a prediction` : `${m.structure} has no prediction (not drawn or not predicted)` });
      continue;
    }
    if (!(m.gyPerGBq > 0)) {
      notCompared.push({ structure: m.structure, reason: `the measured dose is ${m.meanDoseGy} Gy: an error in % needs a dose above 0` });
      continue;
    }
    const predicted = massWeightedPrediction(members);
    const missing = m.members?.filter((n) => !members.some((p) => p.name === n));
    rows.push({
      structure: m.structure, ...(m.members ? { members: m.members.filter((n) => members.some((p) => p.name === n)) } : {}), ...(missing?.length ? { membersMissing: missing } : {}),
      predicted, measured: m, errorPct: ((predicted.gyPerGBq - m.gyPerGBq) / m.gyPerGBq) * 100,
      insideInterval: m.gyPerGBq >= predicted.lo && m.gyPerGBq <= predicted.hi,
    });
  }
  return { rows, notCompared };
}

/** The measured-dose CSV of known doses (the virtual cohort's `measured_dose.csv`). */
export function measuredDoseCsv(doses: Pick<MeasuredDose, 'structure' | 'meanDoseGy' | 'administeredActivityGBq' | 'cycle' | 'method'>[]): string {
  return formatCsv([
    ['structure', 'mean_dose_gy', 'administered_activity_gbq', 'cycle', 'method'],
    ...doses.map((d) => [d.structure, +d.meanDoseGy.toPrecision(8), d.administeredActivityGBq, d.cycle, d.method]),
  ]);
}
