// The one tumour-board report model: header (patient and study as in the DICOM, tracer check, model and its
// research-use statement), per-structure rows, plan summary, caveats and sources. The PDF, the print view, the
// CSV and the DICOM SR are all made from it, in the browser and by `npm run report`. Every limit, reference, flag
// and mass-weighted value comes from core/dose/plan.ts; nothing is recomputed here.
import type { ModelCard } from '../model/card';
import type { TracerGate } from '../tracer';
import type { Volume } from '../volume';
import { uptakeMetrics } from '../radiomics/engine';
import { structureTasks } from '../dose/tasks';
import type { StructureRef } from '../dose/rows';
import { compareMeasured, type MeasuredComparisonRow, type MeasuredDose } from '../dose/measured';
import { structureByName } from '../vocabulary';
import {
  groupOfType, thresholdText, TISSUE_DENSITY_G_PER_ML, TUMOUR_CUMULATIVE_NOTE,
  type CheckResult, type CriterionCheck, type NotPredicted, type Plan, type PlanRow,
} from '../dose/plan';

export const REPORT_TITLE = '177Lu-PSMA dose preview — tumour-board report';
export const POPULATION_VALUE = 'population value, not personalised';

/** Patient and study as the PET header gives them (DICOM attribute keywords, naturalised as dcmjs reads them). */
export interface ReportPatient {
  name: string; id: string; birthDate: string; sex: string;
  studyDate: string; studyTime: string; studyDescription: string; accessionNumber: string; institution: string;
  studyUid: string; petSeriesUid: string; frameOfReferenceUid: string;
}

const text = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object' && 'Alphabetic' in (v as object)) return String((v as { Alphabetic: string }).Alphabetic);
  return String(v);
};

export function reportPatient(attrs: Record<string, unknown>): ReportPatient {
  return {
    name: text(attrs.PatientName), id: text(attrs.PatientID), birthDate: text(attrs.PatientBirthDate), sex: text(attrs.PatientSex),
    studyDate: text(attrs.StudyDate), studyTime: text(attrs.StudyTime), studyDescription: text(attrs.StudyDescription),
    accessionNumber: text(attrs.AccessionNumber), institution: text(attrs.InstitutionName),
    studyUid: text(attrs.StudyInstanceUID), petSeriesUid: text(attrs.SeriesInstanceUID), frameOfReferenceUid: text(attrs.FrameOfReferenceUID),
  };
}

/** A DICOM date (YYYYMMDD) as YYYY-MM-DD; other text as it is. */
export const dicomDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d);

/** What the report needs of each structure beyond its prediction: label, SEG segment number, site and uptake. */
export interface StructureInfo {
  name: string;
  type: string;
  site: string;
  /** Vocabulary label number in the label map. */
  label: number;
  /** Segment number in the SEG written from this label map (present labels in ascending order, as io/seg.ts writes them). */
  segmentNumber: number;
  suvMax: number;
  suvMean: number;
  suvPeak: number;
}

/**
 * Uptake of each structure (SUVmax/mean/peak), computed as the feature rows compute it (the structure's ROI
 * cropped from the SUV volume, the engine's uptake metrics), with its label and segment number.
 */
export function structureInfo(suv: Volume<Float32Array>, labels: Volume, structures: StructureRef[]): StructureInfo[] {
  const present = new Set<number>();
  for (const l of labels.data) if (l) present.add(l);
  const order = [...present].sort((a, b) => a - b);
  const { refs, tasks } = structureTasks(suv, labels, structures);
  return refs.map((s, n) => {
    const u = uptakeMetrics(tasks[n].image, tasks[n].mask, {}, []);
    const label = structureByName(s.name)!.label;
    return { name: s.name, type: s.type, site: s.site ?? '', label, segmentNumber: order.indexOf(label) + 1, suvMax: u.suvmax ?? NaN, suvMean: u.suvmean ?? NaN, suvPeak: u.suvpeak ?? NaN };
  });
}

/** A row's comparison with one limit or reference of its organ group. */
export interface RowCheck {
  limitId: string;
  label: string;
  kind: 'limit' | 'reference' | 'information';
  /** The rule, e.g. "23 Gy", "26.5 Gy per gland". */
  rule: string;
  /** What is compared ("mean of both", the gland itself) and its cumulative dose, point and upper 90 %. */
  what: string;
  pointGy?: number;
  upperGy?: number;
  status: 'within' | 'over (upper 90 %)' | 'over (point and upper 90 %)' | 'information' | 'not checked';
  source: string;
  /** Number of the source in the report's numbered sources list. */
  sourceRef: number;
}

export interface MeasuredComparison {
  gyPerGBq: number;
  meanDoseGy: number;
  activityGBq: number;
  cycle: number;
  method: string;
  /** (predicted − measured) / measured × 100. */
  errorPct: number;
  insideInterval: boolean;
}

/** A measured aggregate (e.g. both kidneys as one VOI) against the mass-weighted prediction of its members. */
export interface ReportAggregateRow {
  name: string;
  /** The members predicted and averaged (mass-weighted). */
  members: string[];
  /** Members of the aggregate without a prediction. */
  membersMissing: string[];
  massG: number;
  gyPerGBq: number;
  lo: number;
  hi: number;
  measured: MeasuredComparison;
}

export interface ReportRow {
  segmentNumber: number;
  label: number;
  name: string;
  type: string;
  site: string;
  volumeMl: number;
  massG: number;
  suvMax: number;
  suvMean: number;
  suvPeak: number;
  gyPerGBq: number;
  lo: number;
  hi: number;
  /** False where the model is a constant for this type (a population value). */
  personalised: boolean;
  gyPerCycle: number;
  gyCumulative: number;
  gyCumulativeHi: number;
  measured?: MeasuredComparison;
  checks: RowCheck[];
}

export interface SummaryLine { label: string; value: string }

export interface Report {
  title: string;
  /** The card's research-use statement (NOT FOR CLINICAL USE …). */
  statement: string;
  reportDate: string;
  patient: ReportPatient;
  header: SummaryLine[];
  tracer: { status: TracerGate['status']; label: string; message: string; caveat?: string; confirmedAt?: string };
  model: { id: string; version: string; type: string; trainingData: string; synthetic: boolean; notForClinicalUse: boolean; intendedUse: string };
  plan: { activityGBq: number; cycles: number };
  rows: ReportRow[];
  notPredicted: NotPredicted[];
  summary: SummaryLine[];
  flags: { severity: 'warning' | 'caution'; text: string }[];
  missing: string[];
  caveats: string[];
  sources: string[];
  /** Measured aggregates compared with their members' mass-weighted prediction. */
  measuredAggregates: ReportAggregateRow[];
  /** One line on all comparisons (how many, how many inside the interval, median |error|), when there are any. */
  measuredSummary?: string;
  measuredSource?: string;
  measuredWarnings: string[];
}

export type ReportCard = Pick<ModelCard, 'id' | 'version' | 'modelType' | 'notForClinicalUse' | 'intendedUse' | 'limitations' | 'trainingData' | 'perType' | 'tracer'>;

export interface ReportInput {
  patient: ReportPatient;
  /** ISO date-time of the report. */
  reportDate: string;
  gate: TracerGate;
  /** When the user (or --tracer) confirmed a tracer the gate asked about. */
  tracerConfirmedAt?: string;
  card: ReportCard;
  plan: Plan;
  structures: StructureInfo[];
  notPredicted?: NotPredicted[];
  measured?: MeasuredDose[];
  /** Where the measured doses come from (file and kind). */
  measuredSource?: string;
  measuredWarnings?: string[];
}

const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

export function statementOf(card: Pick<ModelCard, 'notForClinicalUse' | 'intendedUse' | 'trainingData'>): string {
  const use = card.intendedUse?.trim() || 'Research use only.';
  return card.notForClinicalUse && !/not for clinical use/i.test(use) ? `NOT FOR CLINICAL USE. ${use}` : use;
}

/** The row's status against one criterion of its group (the plan's check, read for this structure). */
function rowCheck(c: CriterionCheck, name: string, sourceRef: number): RowCheck {
  const l = c.limit;
  const base = { limitId: l.id, label: l.label, kind: l.kind, rule: l.kind === 'information' ? 'no limit' : thresholdText(l), source: l.source, sourceRef };
  if (l.kind === 'information') return { ...base, what: name, status: 'information' };
  if (!c.point || !c.upper) return { ...base, what: '', status: 'not checked' };
  const each = l.appliesTo === 'each';
  const gyOf = (r: CheckResult) => (each ? r.memberGy.find((m) => m.name === name)?.gy : r.valueGy);
  const over = (r: CheckResult) => r.over && r.structures.includes(name);
  const status = over(c.point) ? 'over (point and upper 90 %)' : over(c.upper) ? 'over (upper 90 %)' : 'within';
  return { ...base, what: each ? name : c.point.what, pointGy: gyOf(c.point), upperGy: gyOf(c.upper), status };
}

const comparisonOf = (c: MeasuredComparisonRow): MeasuredComparison => ({
  gyPerGBq: c.measured.gyPerGBq, meanDoseGy: c.measured.meanDoseGy, activityGBq: c.measured.administeredActivityGBq, cycle: c.measured.cycle, method: c.measured.method,
  errorPct: c.errorPct, insideInterval: c.insideInterval,
});

function reportRow(r: PlanRow, p: Plan, info: StructureInfo | undefined, card: ReportCard, measured: MeasuredComparisonRow | undefined, sourceRef: (limitId: string) => number): ReportRow {
  const group = groupOfType(r.type);
  const organ = p.organs.find((o) => o.group === group);
  const coefficients = card.perType.find((t) => t.type === r.type);
  const row: ReportRow = {
    segmentNumber: info?.segmentNumber ?? 0, label: info?.label ?? structureByName(r.name)?.label ?? 0,
    name: r.name, type: r.type, site: info?.site ?? '', volumeMl: r.volumeMl, massG: r.massG,
    suvMax: info?.suvMax ?? NaN, suvMean: info?.suvMean ?? NaN, suvPeak: info?.suvPeak ?? NaN,
    gyPerGBq: r.gyPerGBq, lo: r.lo, hi: r.hi, personalised: !coefficients || coefficients.features.length > 0,
    gyPerCycle: r.gyPerCycle, gyCumulative: r.gyCumulative, gyCumulativeHi: r.gyCumulativeHi,
    checks: organ ? organ.checks.map((c) => rowCheck(c, r.name, sourceRef(c.limit.id))) : [],
  };
  if (measured) row.measured = comparisonOf(measured);
  return row;
}

export function buildReport(input: ReportInput): Report {
  const { plan: p, card, patient, gate } = input;
  const infoOf = (name: string) => input.structures.find((s) => s.name === name);
  // Measured doses: one structure against its row, an aggregate against its members' mass-weighted prediction.
  const compared = compareMeasured(p.rows, input.measured ?? []);
  const measuredOf = (name: string) => compared.rows.find((c) => !c.members && c.structure === name);
  // Sources are numbered: first each limit and reference the plan checked, in the plan's order.
  const limits = p.organs.flatMap((o) => o.checks.map((c) => c.limit));
  const sourceRef = (id: string) => limits.findIndex((l) => l.id === id) + 1;
  const rows = p.rows.map((r) => reportRow(r, p, infoOf(r.name), card, measuredOf(r.name), sourceRef));
  const measuredAggregates: ReportAggregateRow[] = compared.rows.filter((c) => c.members).map((c) => ({
    name: c.structure, members: c.members!, membersMissing: c.membersMissing ?? [], massG: c.predicted.massG,
    gyPerGBq: c.predicted.gyPerGBq, lo: c.predicted.lo, hi: c.predicted.hi, measured: comparisonOf(c),
  }));
  const measuredWarnings = [
    ...(input.measuredWarnings ?? []),
    ...compared.notCompared.map((n) => `measured dose of ${n.structure} not compared: ${n.reason}`),
    ...measuredAggregates.filter((a) => a.membersMissing.length).map((a) => `${a.name}: compared with ${a.members.join(', ')} only (${a.membersMissing.join(', ')} not predicted)`),
  ];
  const measuredSummary = compared.rows.length ? comparisonSummary(compared.rows) : undefined;
  const statement = statementOf(card);

  const header: SummaryLine[] = [
    { label: 'Patient', value: `${patient.name || '—'} (ID ${patient.id || '—'})` },
    { label: 'Born / sex', value: `${dicomDate(patient.birthDate) || '—'} / ${patient.sex || '—'}` },
    { label: 'Study', value: `${dicomDate(patient.studyDate) || '—'}${patient.studyDescription ? `, ${patient.studyDescription}` : ''}${patient.accessionNumber ? `, accession ${patient.accessionNumber}` : ''}` },
    ...(patient.institution ? [{ label: 'Institution', value: patient.institution }] : []),
    { label: 'Report date', value: `${input.reportDate.slice(0, 16).replace('T', ' ')} UTC` },
    { label: 'PET tracer', value: `${gate.tracer.label} (${gate.tracer.evidence})` },
    { label: 'Tracer check', value: `${gate.status === 'ok' ? 'passed' : gate.status === 'confirm' ? `confirmed by the user${input.tracerConfirmedAt ? ` ${input.tracerConfirmedAt.slice(0, 16).replace('T', ' ')} UTC` : ''}` : 'refused'}: ${gate.message}` },
    { label: 'Model', value: `${card.id} ${card.version} (${card.modelType === 'trees' ? 'boosted trees' : 'linear mixed model'}, trained for ${card.tracer || 'an unnamed tracer'})` },
    { label: 'Training data', value: `${card.trainingData.name}: ${card.trainingData.patients} patients, ${card.trainingData.rows} structures${card.trainingData.synthetic ? ', synthetic (virtual) patients' : ''}` },
  ];

  const lim = p.limiting;
  const missing = (key: Plan['missing'][number]['key']) => p.missing.find((m) => m.key === key)?.reason;
  const summary: SummaryLine[] = [
    { label: 'Plan', value: `${p.activityGBq} GBq × ${p.cycles} cycles (${f(p.activityGBq * p.cycles, 1)} GBq in total)` },
    { label: 'Largest activity per cycle (point estimate)', value: lim.point ? `${f(lim.point.maxActivityGBq, 1)} GBq, set by ${lim.point.label}` : missing('max-activity') ?? '—' },
    { label: 'Largest activity per cycle (conservative, upper 90 %)', value: lim.conservative ? `${f(lim.conservative.maxActivityGBq, 1)} GBq, set by ${lim.conservative.label}` : missing('max-activity') ?? '—' },
    { label: 'Limiting organ', value: lim.conservative?.label ?? lim.point?.label ?? missing('max-activity') ?? '—' },
    {
      label: 'Whole-body tumour dose (mass-weighted)',
      value: p.tumours ? `${f(p.tumours.gyPerGBq)} Gy/GBq (upper 90 % ${f(p.tumours.hiGyPerGBq)}) over ${p.tumours.count} tumour(s), ${f(p.tumours.massG, 1)} g; ${f(p.tumours.cumulativeGy, 1)} Gy cumulative [upper 90 % ${f(p.tumours.cumulativeHiGy, 1)}] ${p.cumulativeTumourNote}` : missing('tumour-dose') ?? '—',
    },
    { label: 'Tumour-to-kidney ratio (mass-weighted, per GBq)', value: p.tumourToKidneyRatio !== undefined ? f(p.tumourToKidneyRatio) : missing('tumour-to-kidney-ratio') ?? '—' },
    ...p.organs.filter((o) => o.combined).map((o) => ({
      label: `${o.label} (${o.combined!.name}, mass-weighted)`,
      value: `${f(o.combined!.gyPerGBq)} Gy/GBq; ${f(o.combined!.gyPerCycle, 1)} Gy per cycle; ${f(o.combined!.cumulativeGy, 1)} Gy cumulative [upper 90 % ${f(o.combined!.cumulativeHiGy, 1)}]`,
    })),
  ];

  const uniq = (xs: string[]) => [...new Set(xs.filter(Boolean))];
  const caveats = uniq([
    statement,
    ...card.limitations,
    ...(gate.status === 'confirm' ? [`Tracer: ${gate.caveat}`] : []),
    `Cumulative tumour doses hold ${TUMOUR_CUMULATIVE_NOTE}; organ doses assume the same dose per GBq in every cycle.`,
    `Masses are ROI volume × ${TISSUE_DENSITY_G_PER_ML} g/mL (unit density): pair and whole-body tumour values are volume-weighted means, never sums.`,
    'Doses are predicted from the pre-therapy PET; they are no substitute for post-therapy dosimetry.',
    ...(rows.some((r) => !r.personalised) ? [`Rows marked "${POPULATION_VALUE}" come from a model without patient features for that structure type.`] : []),
    ...limits.map((l) => `${l.label}: ${l.caveat}`),
  ]);
  const sources = uniq([
    ...limits.map((l, n) => `[${n + 1}] ${l.label}: ${l.source}`),
    ...(p.flags.some((x) => x.kind === 'single-kidney') ? ['Single functioning kidney: JNM 2019;60:1579'] : []),
    `Dose model: ${card.id} ${card.version}, model card (training data ${card.trainingData.name}).`,
  ]);

  return {
    title: REPORT_TITLE, statement, reportDate: input.reportDate, patient, header,
    tracer: { status: gate.status, label: gate.tracer.label, message: gate.message, ...(gate.status === 'confirm' ? { caveat: gate.caveat } : {}), ...(input.tracerConfirmedAt ? { confirmedAt: input.tracerConfirmedAt } : {}) },
    model: { id: card.id, version: card.version, type: card.modelType, trainingData: card.trainingData.name, synthetic: !!card.trainingData.synthetic, notForClinicalUse: !!card.notForClinicalUse, intendedUse: card.intendedUse },
    plan: { activityGBq: p.activityGBq, cycles: p.cycles },
    rows, notPredicted: input.notPredicted ?? [], summary,
    flags: p.flags.map((x) => ({ severity: x.severity, text: x.text })),
    missing: p.missing.map((m) => m.reason), caveats, sources, measuredAggregates, ...(measuredSummary ? { measuredSummary } : {}), ...(input.measuredSource ? { measuredSource: input.measuredSource } : {}), measuredWarnings,
  };
}

/** "11 measured doses compared (2 aggregates): 9 inside the 90 % interval; median |error| 12 %". */
function comparisonSummary(rows: MeasuredComparisonRow[]): string {
  const errs = rows.map((r) => Math.abs(r.errorPct)).sort((a, b) => a - b);
  const mid = errs.length / 2, median = errs.length % 2 ? errs[Math.floor(mid)] : (errs[mid - 1] + errs[mid]) / 2;
  const aggs = rows.filter((r) => r.members).length;
  return `${rows.length} measured dose${rows.length === 1 ? '' : 's'} compared${aggs ? ` (${aggs} aggregate${aggs === 1 ? '' : 's'})` : ''}: ${rows.filter((r) => r.insideInterval).length} inside the 90 % interval; median |error| ${f(median, 0)} %`;
}

/** An aggregate's predicted value as printed: "0.41 [0.30–0.56] (mass-weighted mean of Kidney L, Kidney R)". */
export const aggregatePredictedText = (a: ReportAggregateRow) => `${f(a.gyPerGBq)} [${f(a.lo)}–${f(a.hi)}] (mass-weighted mean of ${a.members.join(', ')})`;

/** A measured comparison as printed: "0.32 (+25 %, inside)". */
export const measuredText = (m: MeasuredComparison | undefined) => (m ? `${f(m.gyPerGBq)} (${m.errorPct >= 0 ? '+' : ''}${f(m.errorPct, 0)} %, ${m.insideInterval ? 'inside' : 'outside'})` : '—');

/** A row's checks as one text: "Kidneys (mean of both) 23 Gy: within" … */
export function checksText(r: ReportRow): string {
  return r.checks.map((c) => {
    if (c.status === 'information') return `${c.label}: for information (no limit) [${c.sourceRef}]`;
    if (c.status === 'not checked') return `${c.label}: not checked [${c.sourceRef}]`;
    return `${c.label} ${c.rule}: ${c.status} (${c.what} ${f(c.pointGy, 1)} Gy, upper 90 % ${f(c.upperGy, 1)} Gy) [${c.sourceRef}]`;
  }).join('; ');
}

/** The predicted value as the table prints it. */
export const predictedText = (r: ReportRow) => `${f(r.gyPerGBq)} [${f(r.lo)}–${f(r.hi)}]${r.personalised ? '' : ` (${POPULATION_VALUE})`}`;

export const REPORT_CSV_COLUMNS = [
  'segment_number', 'type', 'name', 'site', 'volume_ml', 'suv_max', 'suv_mean', 'suv_peak',
  'gy_per_gbq', 'pi90_lo_gy_per_gbq', 'pi90_hi_gy_per_gbq', 'prediction', 'gy_per_cycle', 'gy_cumulative', 'gy_cumulative_upper90',
  'measured_gy_per_gbq', 'measured_error_pct', 'measured_inside_pi90', 'limits_references',
] as const;

/** The table as CSV records (numbers stay numbers; the CSV writer escapes text cells). */
export function reportRecords(r: Report): Record<(typeof REPORT_CSV_COLUMNS)[number], string | number | undefined>[] {
  const num = (v: number) => (Number.isFinite(v) ? v : undefined);
  type Rec = Record<(typeof REPORT_CSV_COLUMNS)[number], string | number | undefined>;
  return r.rows.map((x): Rec => ({
    segment_number: x.segmentNumber, type: x.type, name: x.name, site: x.site, volume_ml: num(x.volumeMl),
    suv_max: num(x.suvMax), suv_mean: num(x.suvMean), suv_peak: num(x.suvPeak),
    gy_per_gbq: num(x.gyPerGBq), pi90_lo_gy_per_gbq: num(x.lo), pi90_hi_gy_per_gbq: num(x.hi), prediction: x.personalised ? 'personalised' : POPULATION_VALUE,
    gy_per_cycle: num(x.gyPerCycle), gy_cumulative: num(x.gyCumulative), gy_cumulative_upper90: num(x.gyCumulativeHi),
    measured_gy_per_gbq: x.measured ? x.measured.gyPerGBq : undefined, measured_error_pct: x.measured ? x.measured.errorPct : undefined,
    measured_inside_pi90: x.measured ? (x.measured.insideInterval ? 'yes' : 'no') : undefined, limits_references: checksText(x),
  })).concat(r.measuredAggregates.map((a): Rec => ({
    segment_number: undefined, type: 'aggregate', name: a.name, site: a.members.join(' + '), volume_ml: num(a.massG / TISSUE_DENSITY_G_PER_ML),
    suv_max: undefined, suv_mean: undefined, suv_peak: undefined,
    gy_per_gbq: num(a.gyPerGBq), pi90_lo_gy_per_gbq: num(a.lo), pi90_hi_gy_per_gbq: num(a.hi), prediction: `mass-weighted mean of ${a.members.join(', ')}`,
    gy_per_cycle: undefined, gy_cumulative: undefined, gy_cumulative_upper90: undefined,
    measured_gy_per_gbq: a.measured.gyPerGBq, measured_error_pct: a.measured.errorPct, measured_inside_pi90: a.measured.insideInterval ? 'yes' : 'no', limits_references: undefined,
  })));
}

/** The printed table (PDF and print view): column titles and cell texts. */
export const TABLE_COLUMNS: { title: string; cell: (r: ReportRow) => string }[] = [
  { title: 'Seg.', cell: (r) => String(r.segmentNumber || '') },
  { title: 'Type', cell: (r) => r.type },
  { title: 'Structure', cell: (r) => r.name },
  { title: 'Site', cell: (r) => r.site },
  { title: 'Volume mL', cell: (r) => f(r.volumeMl, 1) },
  { title: 'SUVmax / mean / peak', cell: (r) => `${f(r.suvMax, 1)} / ${f(r.suvMean, 1)} / ${f(r.suvPeak, 1)}` },
  { title: 'Predicted Gy/GBq [90 % interval]', cell: predictedText },
  { title: 'Gy per cycle', cell: (r) => f(r.gyPerCycle, 1) },
  { title: 'Cumulative Gy [upper 90 %]', cell: (r) => `${f(r.gyCumulative, 1)} [${f(r.gyCumulativeHi, 1)}]` },
  { title: 'Measured Gy/GBq (error, in interval)', cell: (r) => measuredText(r.measured) },
  { title: 'Against limit / reference', cell: (r) => (r.type === 'tumour' ? `cumulative ${TUMOUR_CUMULATIVE_NOTE}` : checksText(r) || '—') },
];
