// Therapy planning from per-structure predictions: Gy per cycle and cumulative, organ limits and references with
// their source and caveat, flags (data) for every dose past them and for a planned activity above the maximum,
// the organ that limits the activity, mass-weighted organ-pair and tumour doses, and why a value is missing.

/**
 * Tissue density (g/mL) that turns ROI volumes into masses. The dosimetry notes give no organ densities, so every
 * structure has unit density (as the local-deposition factor assumes): mass-weighted means are volume-weighted.
 */
export const TISSUE_DENSITY_G_PER_ML = 1.0;

/** What cumulative tumour doses assume (printed next to them by the panel and the report). */
export const TUMOUR_CUMULATIVE_NOTE = 'if uptake stayed as in cycle 1';

export interface StructurePrediction {
  name: string;
  type: string;
  gyPerGBq: number;
  lo: number;
  hi: number;
  /** ROI volume (mL): voxel count × voxel volume on the PET grid (the feature row's volume_ml). */
  volumeMl: number;
  /** The model gives this type its population value (no model beat it in cross-validation): not personalised. */
  populationValue?: boolean;
  /** Inputs outside the model's training range, as text (the prediction is an extrapolation). */
  outsideTrainingRange?: string[];
}

/** A structure that was drawn but got no prediction, with the reason. */
export interface NotPredicted { name: string; type: string; reason: string }

export type OrganGroupId = 'kidneys' | 'parotid' | 'submandibular' | 'lacrimal';

export interface OrganLimit {
  id: string;
  group: OrganGroupId;
  label: string;
  /** A limit caps the activity; a reference is compared and flagged but caps nothing; information is shown only. */
  kind: 'limit' | 'reference' | 'information';
  /** Cumulative absorbed dose (Gy) over all cycles, for a limit; null otherwise. */
  limitGy: number | null;
  /** Cumulative absorbed dose (Gy) of a reference. */
  referenceGy?: number;
  /**
   * What is compared: the mass-weighted mean of the pair ('mean'), every gland on its own ('each'), or QUANTEC's
   * parotid rule ('one-or-mean': met while one gland stays under `spareGy` or the mean of both under the value).
   */
  appliesTo: 'mean' | 'each' | 'one-or-mean';
  spareGy?: number;
  source: string;
  caveat: string;
}

const SALIVARY_RPT = 'No established 177Lu-PSMA salivary limit (Wahl et al., JNM 2021;62 Suppl 3).';

export const DEFAULT_LIMITS: OrganLimit[] = [
  {
    id: 'kidneys', group: 'kidneys', label: 'Kidneys (mean of both)', kind: 'limit', limitGy: 23, appliesTo: 'mean',
    source: 'Emami et al., IJROBP 1991;21:109 (TD5/5, whole kidney); used as reference ceiling for PSMA-617 by Fendler et al., Oncotarget 2016',
    caveat: 'Derived from fractionated external-beam radiotherapy, not 177Lu; applies to the mean dose of both kidneys. BED 28 Gy (with risk factors) / 40 Gy (Bodei et al. 2008, mostly 90Y) is an alternative.',
  },
  {
    id: 'parotid-nki', group: 'parotid', label: 'Parotid TD50 (NKI)', kind: 'reference', limitGy: null, referenceGy: 26.5, appliesTo: 'each',
    source: `${SALIVARY_RPT} Reference: PSMA-PET-based EBRT TD50 for parotid xerostomia 26.5 Gy at 1 month (31.3 Gy at 6 months) (NKI, Radiother Oncol 2022;177:164)`,
    caveat: 'A reference, not a limit: EBRT dose–response does not transfer directly to 177Lu. Compared with each gland (the cautious reading; the paper\'s dose basis was not checked).',
  },
  {
    id: 'parotid-quantec', group: 'parotid', label: 'Parotid glands (QUANTEC)', kind: 'reference', limitGy: null, referenceGy: 25, spareGy: 20, appliesTo: 'one-or-mean',
    source: `${SALIVARY_RPT} Reference: QUANTEC parotid, severe xerostomia usually avoided if one gland < 20 Gy mean or the mean of both < 25 Gy (Deasy et al., IJROBP 2010;76(3 Suppl):S58)`,
    caveat: 'A reference, not a limit: fractionated external-beam radiotherapy, not 177Lu. "Mean of both" is the mass-weighted mean of the pair.',
  },
  {
    id: 'submandibular-nki', group: 'submandibular', label: 'Submandibular TD50 (NKI)', kind: 'reference', limitGy: null, referenceGy: 22.9, appliesTo: 'each',
    source: `${SALIVARY_RPT} Reference: PSMA-PET-based EBRT TD50 for submandibular xerostomia 22.9 Gy at 1 month (27.8 Gy at 6 months) (NKI, Radiother Oncol 2022;177:164)`,
    caveat: 'A reference, not a limit: EBRT dose–response does not transfer directly to 177Lu. Compared with each gland (the cautious reading; the paper\'s dose basis was not checked).',
  },
  {
    id: 'lacrimal', group: 'lacrimal', label: 'Lacrimal glands', kind: 'information', limitGy: null, appliesTo: 'each',
    source: 'No established limit; flagged as potentially dose-limiting (Mol Imaging Biol 2016;18:437)',
    caveat: 'Shown for information only.',
  },
];

const GROUP_OF: Record<string, OrganGroupId | undefined> = { kidney: 'kidneys', parotid: 'parotid', submandibular: 'submandibular', lacrimal: 'lacrimal' };
const GROUPS: { id: OrganGroupId; label: string }[] = [
  { id: 'kidneys', label: 'Kidneys' }, { id: 'parotid', label: 'Parotid glands' },
  { id: 'submandibular', label: 'Submandibular glands' }, { id: 'lacrimal', label: 'Lacrimal glands' },
];
/** The organ group of a structure type (undefined for tumours and others). */
export const groupOfType = (type: string): OrganGroupId | undefined => GROUP_OF[type];

/** Display order of structure types (tables, charts); other types follow. */
export const TYPE_ORDER = ['tumour', 'kidney', 'parotid', 'submandibular', 'lacrimal'];

/** The threshold (Gy) a limit or reference compares with; undefined for information. */
export function thresholdGy(l: OrganLimit): number | undefined {
  return l.kind === 'limit' ? l.limitGy ?? NaN : l.kind === 'reference' ? l.referenceGy ?? NaN : undefined;
}

/** A limit's or reference's rule as text, e.g. "23 Gy", "26.5 Gy per gland", "one gland 20 Gy / mean of both 25 Gy". */
export function thresholdText(l: OrganLimit): string {
  const t = thresholdGy(l);
  return l.appliesTo === 'one-or-mean' ? `one gland ${l.spareGy} Gy / mean of both ${t} Gy` : `${t} Gy${l.appliesTo === 'each' ? ' per gland' : ''}`;
}

/** Point estimate or upper 90 % bound. */
export type Bound = 'point' | 'upper90';

export interface PlanFlag {
  kind: 'over-limit' | 'over-reference' | 'activity-above-max' | 'single-kidney';
  severity: 'warning' | 'caution';
  /** over-*: which estimate passes; activity-above-max: which maximum (upper90 = the conservative one). */
  bound?: Bound;
  limitId?: string;
  /** The limit's or reference's label (activity flags: of the limiting organ). */
  limitLabel?: string;
  group?: OrganGroupId;
  /** Structures the flag is about (the table marks their rows). */
  structures: string[];
  value?: number;
  threshold?: number;
  /** The threshold as a rule, e.g. "23 Gy", "26.5 Gy per gland", "one gland 20 Gy / mean of both 25 Gy". */
  thresholdText?: string;
  unit?: 'Gy' | 'GBq';
  text: string;
}

export interface MissingValue {
  /** What is missing: the maximum activity, the tumour dose, the tumour-to-kidney ratio, a structure, a group value or a check. */
  key: 'max-activity' | 'tumour-dose' | 'tumour-to-kidney-ratio' | 'structure' | 'group' | 'check';
  group?: OrganGroupId;
  limitId?: string;
  structure?: string;
  reason: string;
}

export interface PlanRow extends StructurePrediction {
  massG: number;
  gyPerCycle: number;
  gyCumulative: number;
  gyCumulativeHi: number;
  /** Over-limit/over-reference flags that concern this structure. */
  flags: PlanFlag[];
}

/** A dose per GBq, per cycle and cumulative (point and upper 90 %), of one structure or a mass-weighted mean. */
export interface DoseValue {
  name: string;
  massG: number;
  gyPerGBq: number;
  hiGyPerGBq: number;
  gyPerCycle: number;
  cumulativeGy: number;
  cumulativeHiGy: number;
}

export interface CheckResult {
  over: boolean;
  /** The compared cumulative dose (Gy): the group mean, or the hottest gland for 'each'. */
  valueGy: number;
  /** What `valueGy` is, e.g. "mean of both", "Parotid L", "Kidney L only". */
  what: string;
  /** Structures past the threshold (all members for a group criterion). */
  structures: string[];
  /** Each member's compared cumulative dose (Gy). */
  memberGy: { name: string; gy: number }[];
}

export interface CriterionCheck {
  limit: OrganLimit;
  point?: CheckResult;
  upper?: CheckResult;
  /** Largest activity per cycle (GBq) that keeps the criterion met, from the point and upper-90 % doses. */
  maxActivityGBq?: number;
  maxActivityConservativeGBq?: number;
}

export interface OrganSummary {
  group: OrganGroupId;
  label: string;
  /** Each predicted structure of the group. */
  members: DoseValue[];
  /** Mass-weighted mean of the members ("combined": never a sum). */
  combined?: DoseValue;
  /** Both of the pair predicted (kidneys: or one kidney marked as the single functioning one). */
  complete: boolean;
  checks: CriterionCheck[];
}

export interface LimitingOrgan { limitId: string; group: OrganGroupId; label: string; bound: Bound; maxActivityGBq: number }

export interface TumourDose extends DoseValue {
  count: number;
  /** TUMOUR_CUMULATIVE_NOTE: cumulative values assume unchanged uptake. */
  cumulativeNote: string;
}

export interface Plan {
  activityGBq: number;
  cycles: number;
  /** Sorted by type (tumours, kidneys, parotid, submandibular, lacrimal, others), then dose descending. */
  rows: PlanRow[];
  organs: OrganSummary[];
  flags: PlanFlag[];
  missing: MissingValue[];
  /** Largest activity per cycle keeping every limit: from the point and the upper-90 % (conservative) doses. */
  maxActivityGBq?: number;
  maxActivityConservativeGBq?: number;
  /** The organ that sets each maximum. */
  limiting: { point?: LimitingOrgan; conservative?: LimitingOrgan };
  /** Mass-weighted whole-body tumour dose. */
  tumours?: TumourDose;
  /** Tumour over kidney dose per GBq, both mass-weighted. */
  tumourToKidneyRatio?: number;
  cumulativeTumourNote: string;
}

export interface PlanOptions {
  activityGBq?: number;
  cycles?: number;
  limits?: OrganLimit[];
  /** The user marked a single functioning kidney. */
  singleKidney?: boolean;
  /** Structures drawn but not predicted (the pipeline's skipped list). */
  skipped?: NotPredicted[];
}

const g1 = (v: number) => v.toFixed(1);
const valid = (p: StructurePrediction) => Number.isFinite(p.gyPerGBq) && Number.isFinite(p.hi) && Number.isFinite(p.volumeMl) && p.volumeMl > 0;

/** Mass-weighted mean of structures' doses (mass = volume × density). */
function massWeighted(name: string, list: StructurePrediction[], a: number, n: number): DoseValue {
  const mass = list.reduce((s, p) => s + p.volumeMl * TISSUE_DENSITY_G_PER_ML, 0);
  const mean = (f: (p: StructurePrediction) => number) => list.reduce((s, p) => s + f(p) * p.volumeMl * TISSUE_DENSITY_G_PER_ML, 0) / mass;
  return doseValue(name, mass, mean((p) => p.gyPerGBq), mean((p) => p.hi), a, n);
}

function doseValue(name: string, massG: number, g: number, h: number, a: number, n: number): DoseValue {
  return { name, massG, gyPerGBq: g, hiGyPerGBq: h, gyPerCycle: g * a, cumulativeGy: g * a * n, cumulativeHiGy: h * a * n };
}

/** Activity per cycle at which a cumulative threshold is reached by a dose per GBq (undefined when it never is). */
const activityAt = (gy: number, perGBq: number, n: number) => (perGBq > 0 ? gy / (n * perGBq) : undefined);

/** Why an activity per cycle (GBq) or a number of cycles cannot make a plan; undefined when they can (the panel's and the report CLI's rule). */
export function planInputProblem(activity: unknown, cycles: unknown): string | undefined {
  const a = Number(activity), n = Number(cycles);
  if (!(a > 0 && a <= 30)) return `activity per cycle must be a number of GBq above 0 and at most 30 (got "${String(activity ?? '')}")`;
  if (!(Number.isInteger(n) && n >= 1 && n <= 20)) return `cycles must be a whole number from 1 to 20 (got "${String(cycles ?? '')}")`;
  return undefined;
}

export function plan(preds: StructurePrediction[], opts: PlanOptions = {}): Plan {
  const a = opts.activityGBq ?? 7.4, n = opts.cycles ?? 6;
  if (!(a > 0) || !(n >= 1)) throw new Error('activity must be positive and cycles at least 1');
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const skipped = opts.skipped ?? [];
  const flags: PlanFlag[] = [], missing: MissingValue[] = [];

  for (const s of skipped) missing.push({ key: 'structure', structure: s.name, reason: `${s.name} was not predicted: ${s.reason}` });
  for (const p of preds.filter((x) => !valid(x))) {
    missing.push({ key: 'structure', structure: p.name, reason: `${p.name} has no usable dose or volume (${!(p.volumeMl > 0) ? 'volume missing' : 'dose not a number'}): recompute the doses` });
  }
  const usable = preds.filter(valid);

  const organs: OrganSummary[] = [];
  for (const g of GROUPS) {
    const members = usable.filter((p) => GROUP_OF[p.type] === g.id);
    const notPredicted = skipped.filter((s) => GROUP_OF[s.type] === g.id);
    const groupLimits = limits.filter((l) => l.group === g.id);
    if (g.id === 'kidneys') {
      const why = kidneyProblem(members, notPredicted, !!opts.singleKidney);
      if (why) missing.push({ key: 'group', group: g.id, reason: why });
      if (members.length && (opts.singleKidney || members.length === 1)) flags.push(singleKidneyFlag(members, !!opts.singleKidney));
    }
    if (!members.length) {
      if (g.id !== 'kidneys' && notPredicted.length) missing.push({ key: 'group', group: g.id, reason: `${g.label}: ${notPredicted.map((s) => s.name).join(', ')} not predicted` });
      continue;
    }
    const complete = members.length >= 2 || (g.id === 'kidneys' && !!opts.singleKidney);
    if (!complete && g.id !== 'kidneys') missing.push({ key: 'group', group: g.id, reason: `${g.label}: the mean of both needs both glands; only ${members[0].name} ${notPredicted.length ? `is predicted (${notPredicted[0].name} was not)` : 'is drawn'}` });
    const o: OrganSummary = {
      group: g.id, label: g.label, complete,
      members: members.map((p) => doseValue(p.name, p.volumeMl * TISSUE_DENSITY_G_PER_ML, p.gyPerGBq, p.hi, a, n)),
      combined: massWeighted(complete ? (members.length >= 2 ? 'mean of both' : members[0].name) : `${members[0].name} only`, members, a, n),
      checks: [],
    };
    for (const l of groupLimits) {
      const c = check(l, o, n, missing);
      o.checks.push(c);
      for (const bound of ['upper90', 'point'] as const) {
        const r = bound === 'point' ? c.point : c.upper;
        if (r?.over) flags.push(overFlag(l, r, bound));
      }
    }
    organs.push(o);
  }

  // The maximum activity: the lowest over the limits of complete groups.
  const limiting: Plan['limiting'] = {};
  const caps = organs.filter((o) => o.complete).flatMap((o) => o.checks.filter((c) => c.limit.kind === 'limit'));
  for (const bound of ['point', 'upper90'] as const) {
    const at = (c: CriterionCheck) => (bound === 'point' ? c.maxActivityGBq : c.maxActivityConservativeGBq);
    const best = caps.filter((c) => at(c) !== undefined).sort((x, y) => at(x)! - at(y)!)[0];
    if (best) limiting[bound === 'point' ? 'point' : 'conservative'] = { limitId: best.limit.id, group: best.limit.group, label: best.limit.label, bound, maxActivityGBq: at(best)! };
  }
  if (!limiting.conservative) missing.push({ key: 'max-activity', reason: maxActivityProblem(organs, missing, limits) });
  for (const [bound, l] of [['upper90', limiting.conservative], ['point', limiting.point]] as const) {
    if (l && a > l.maxActivityGBq) {
      const which = bound === 'upper90' ? 'conservative maximum (upper 90 % bound)' : 'maximum from the point estimate';
      flags.push({
        kind: 'activity-above-max', severity: 'warning', bound, limitId: l.limitId, limitLabel: l.label, group: l.group, structures: [], value: a, threshold: l.maxActivityGBq, unit: 'GBq',
        text: `Planned ${a} GBq per cycle is above the ${which}, ${l.maxActivityGBq.toFixed(1)} GBq, set by ${l.label}.`,
      });
    }
  }

  // Tumours: mass-weighted whole-body dose.
  const tumourPreds = usable.filter((p) => p.type === 'tumour');
  const tumourSkips = skipped.filter((s) => s.type === 'tumour');
  let tumours: TumourDose | undefined;
  if (tumourPreds.length) {
    tumours = { ...massWeighted('whole-body tumour (mass-weighted)', tumourPreds, a, n), count: tumourPreds.length, cumulativeNote: TUMOUR_CUMULATIVE_NOTE };
    if (tumourSkips.length) missing.push({ key: 'tumour-dose', reason: `The whole-body tumour dose leaves out ${tumourSkips.map((s) => s.name).join(', ')} (not predicted)` });
  } else {
    missing.push({ key: 'tumour-dose', reason: tumourSkips.length ? `No tumour dose: ${tumourSkips.map((s) => `${s.name} was not predicted (${s.reason})`).join('; ')}` : 'No tumour dose: no tumours drawn (draw tumours or accept candidates in the Contours panel)' });
  }
  const kidneys = organs.find((o) => o.group === 'kidneys');
  let ratio: number | undefined;
  if (tumours && kidneys?.complete && kidneys.combined!.gyPerGBq > 0) ratio = tumours.gyPerGBq / kidneys.combined!.gyPerGBq;
  else missing.push({ key: 'tumour-to-kidney-ratio', reason: `No tumour-to-kidney ratio: ${!tumours ? 'no tumour dose' : kidneys?.complete ? 'kidney dose not positive' : 'no kidney dose (see the kidneys)'}` });

  const rows = sortRows(preds.map((p) => {
    const massG = p.volumeMl * TISSUE_DENSITY_G_PER_ML;
    const mine = flags.filter((f) => (f.kind === 'over-limit' || f.kind === 'over-reference') && f.structures.includes(p.name));
    return { ...p, massG, gyPerCycle: p.gyPerGBq * a, gyCumulative: p.gyPerGBq * a * n, gyCumulativeHi: p.hi * a * n, flags: mine };
  }));
  // Warnings (limits, activity) first, then cautions (references, single kidney); otherwise in order found.
  flags.sort((x, y) => Number(x.severity === 'caution') - Number(y.severity === 'caution'));
  return {
    activityGBq: a, cycles: n, rows, organs, flags, missing, limiting,
    maxActivityGBq: limiting.point?.maxActivityGBq, maxActivityConservativeGBq: limiting.conservative?.maxActivityGBq,
    tumours, tumourToKidneyRatio: ratio, cumulativeTumourNote: TUMOUR_CUMULATIVE_NOTE,
  };
}

/** Rows by type (TYPE_ORDER, then others by name), then dose per GBq descending. */
export function sortRows<T extends { type: string; gyPerGBq: number; name: string }>(rows: T[]): T[] {
  const rank = (t: string) => (TYPE_ORDER.includes(t) ? TYPE_ORDER.indexOf(t) : TYPE_ORDER.length);
  const dose = (r: T) => (Number.isFinite(r.gyPerGBq) ? r.gyPerGBq : -Infinity);
  return [...rows].sort((x, y) => rank(x.type) - rank(y.type) || x.type.localeCompare(y.type) || dose(y) - dose(x) || x.name.localeCompare(y.name));
}

/** Why the kidneys give no plannable value (undefined when they do). */
function kidneyProblem(members: StructurePrediction[], notPredicted: NotPredicted[], single: boolean): string | undefined {
  const skippedText = notPredicted.map((s) => `${s.name} was not predicted (${s.reason})`).join('; ');
  if (!members.length) {
    if (skippedText) return `Kidneys: ${skippedText}`;
    return single ? 'No kidney drawn: draw the functioning kidney' : 'No kidneys drawn: draw both kidneys (or mark a single functioning kidney)';
  }
  if (members.length === 1 && !single) {
    return `Kidneys: only ${members[0].name} ${skippedText ? `is predicted; ${skippedText}` : 'is drawn'}: the mean of both needs both (or mark a single functioning kidney)`;
  }
  return undefined;
}

function singleKidneyFlag(members: StructurePrediction[], marked: boolean): PlanFlag {
  const base = 'single-kidney doses run higher (0.81 ± 0.32 Gy/GBq, JNM 2019;60:1579)';
  const text = !marked
    ? `Only ${members[0].name} is drawn: doses are checked on it alone, not as a single functioning kidney; ${base}.`
    : members.length > 1
      ? `Single functioning kidney marked but both kidneys are drawn: the mean of both is used (remove the non-functioning kidney to plan on the functioning one); ${base}.`
      : `Single functioning kidney: the limit applies to ${members[0].name} alone; ${base}.`;
  return { kind: 'single-kidney', severity: 'caution', group: 'kidneys', structures: members.map((p) => p.name), text };
}

/** One criterion of a group, for the point estimate and the upper 90 % bound. */
function check(l: OrganLimit, o: OrganSummary, n: number, missing: MissingValue[]): CriterionCheck {
  const c: CriterionCheck = { limit: l };
  const t = thresholdGy(l);
  if (t === undefined) return c;
  if (!(t > 0) || (l.appliesTo === 'one-or-mean' && !((l.spareGy ?? NaN) > 0))) {
    missing.push({ key: 'check', group: l.group, limitId: l.id, reason: `${l.label}: the ${l.kind} is not a positive number of Gy; enter it under Plan` });
    return c;
  }
  const names = o.members.map((m) => m.name);
  for (const bound of ['point', 'upper90'] as const) {
    const v = (d: DoseValue) => (bound === 'point' ? d.cumulativeGy : d.cumulativeHiGy);
    const perGBq = (d: DoseValue) => (bound === 'point' ? d.gyPerGBq : d.hiGyPerGBq);
    const memberGy = o.members.map((m) => ({ name: m.name, gy: v(m) }));
    let r: CheckResult | undefined, at: number | undefined;
    if (l.appliesTo === 'mean') {
      r = { over: v(o.combined!) > t, valueGy: v(o.combined!), what: o.combined!.name, structures: names, memberGy };
      at = activityAt(t, perGBq(o.combined!), n);
    } else if (l.appliesTo === 'each') {
      const hottest = o.members.reduce((x, y) => (v(y) > v(x) ? y : x));
      r = { over: v(hottest) > t, valueGy: v(hottest), what: hottest.name, structures: o.members.filter((m) => v(m) > t).map((m) => m.name), memberGy };
      at = activityAt(t, perGBq(hottest), n);
    } else {
      const spare = l.spareGy!;
      const coolest = o.members.reduce((x, y) => (v(y) < v(x) ? y : x));
      const spared = v(coolest) < spare, meanMet = o.complete && v(o.combined!) < t;
      if (spared || o.complete) {
        r = { over: !spared && !meanMet, valueGy: o.complete ? v(o.combined!) : v(coolest), what: o.complete ? o.combined!.name : coolest.name, structures: names, memberGy };
      } else if (bound === 'upper90') {
        missing.push({ key: 'check', group: l.group, limitId: l.id, reason: `${l.label}: ${coolest.name} is not under ${spare} Gy and the mean of both needs both glands` });
      }
      if (o.complete) {
        const a1 = activityAt(spare, perGBq(coolest), n), a2 = activityAt(t, perGBq(o.combined!), n);
        at = a1 === undefined || a2 === undefined ? undefined : Math.max(a1, a2);
      }
    }
    if (bound === 'point') { c.point = r; c.maxActivityGBq = at; } else { c.upper = r; c.maxActivityConservativeGBq = at; }
  }
  return c;
}

function overFlag(l: OrganLimit, r: CheckResult, bound: Bound): PlanFlag {
  const t = thresholdGy(l)!;
  const est = bound === 'point' ? 'point estimate' : 'upper 90 % bound';
  const gy = (m: { name: string; gy: number }) => `${m.name} ${g1(m.gy)} Gy`;
  const what = l.appliesTo === 'each'
    ? `${r.memberGy.filter((m) => r.structures.includes(m.name)).map(gy).join(', ')} ${r.structures.length > 1 ? 'pass' : 'passes'} ${t} Gy`
    : l.appliesTo === 'mean'
      ? `${g1(r.valueGy)} Gy (${r.what}) passes ${t} Gy`
      : `no gland under ${l.spareGy} Gy (${r.memberGy.map(gy).join(', ')}) and the mean of both ${g1(r.valueGy)} Gy not under ${t} Gy`;
  return {
    kind: l.kind === 'limit' ? 'over-limit' : 'over-reference', severity: l.kind === 'limit' ? 'warning' : 'caution', bound, limitId: l.id, limitLabel: l.label, group: l.group,
    structures: r.structures, value: r.valueGy, threshold: t, unit: 'Gy',
    thresholdText: thresholdText(l),
    text: `${l.label}: ${est} of the cumulative dose, ${what}${l.kind === 'limit' ? ' (limit)' : ' (a reference, not a limit)'}.`,
  };
}

/** Why there is no maximum activity. */
function maxActivityProblem(organs: OrganSummary[], missing: MissingValue[], limits: OrganLimit[]): string {
  const capping = limits.filter((l) => l.kind === 'limit');
  if (!capping.length) return 'No maximum activity: no organ limit is set';
  const kidneyWhy = missing.find((m) => m.key === 'group' && m.group === 'kidneys');
  if (kidneyWhy && capping.some((l) => l.group === 'kidneys')) return `No maximum activity: ${kidneyWhy.reason}`;
  const checkWhy = missing.find((m) => m.key === 'check' && capping.some((l) => l.id === m.limitId));
  if (checkWhy) return `No maximum activity: ${checkWhy.reason}`;
  const present = new Set(organs.filter((o) => o.complete).map((o) => o.group));
  const absent = capping.filter((l) => !present.has(l.group)).map((l) => l.label);
  return absent.length ? `No maximum activity: nothing drawn for ${absent.join(', ')}` : 'No maximum activity: the limited organs get no positive dose';
}

/** The reason a value is missing (first match), for the panels. */
export function missingReason(p: Plan, key: MissingValue['key'], group?: OrganGroupId): string | undefined {
  return p.missing.find((m) => m.key === key && (group === undefined || m.group === group))?.reason;
}
