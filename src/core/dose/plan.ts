// Therapy planning from per-structure predictions: Gy per cycle and cumulative, organ limits with their
// source and caveat, the largest activity per cycle that keeps every limited organ under its limit.
export interface StructurePrediction {
  name: string;
  type: string;
  gyPerGBq: number;
  lo: number;
  hi: number;
}

export interface OrganLimit {
  id: 'kidneys' | 'salivary' | 'lacrimal';
  label: string;
  /** Cumulative absorbed dose (Gy) over all cycles; null = no established limit (reference only). */
  limitGy: number | null;
  /** A reference value to show when there is no limit. */
  referenceGy?: number;
  source: string;
  caveat: string;
}

export const DEFAULT_LIMITS: OrganLimit[] = [
  {
    id: 'kidneys', label: 'Kidneys (mean of both)', limitGy: 23,
    source: 'Emami et al., IJROBP 1991;21:109 (TD5/5, whole kidney); used as reference ceiling for PSMA-617 by Fendler et al., Oncotarget 2016',
    caveat: 'Derived from fractionated external-beam radiotherapy, not 177Lu; applies to the mean dose of both kidneys. BED 28 Gy (with risk factors) / 40 Gy (Bodei et al. 2008, mostly 90Y) is an alternative.',
  },
  {
    id: 'salivary', label: 'Salivary glands', limitGy: null, referenceGy: 26.5,
    source: 'No established 177Lu limit. Reference: PSMA-PET-based EBRT TD50 for parotid xerostomia 26.5 Gy at 1 month (NKI, Radiother Oncol 2022;177:164)',
    caveat: 'A reference, not a limit: EBRT dose–response does not transfer directly to 177Lu.',
  },
  {
    id: 'lacrimal', label: 'Lacrimal glands', limitGy: null,
    source: 'No established limit; flagged as potentially dose-limiting (Mol Imaging Biol 2016;18:437)',
    caveat: 'Shown for information only.',
  },
];

const GROUP: Record<string, OrganLimit['id'] | undefined> = { kidney: 'kidneys', parotid: 'salivary', submandibular: 'salivary', lacrimal: 'lacrimal' };

export interface PlanRow extends StructurePrediction {
  gyPerCycle: number;
  gyCumulative: number;
  gyCumulativeHi: number;
}

export interface OrganSummary {
  limit: OrganLimit;
  /** Group dose per GBq (kidneys: mean of both; salivary/lacrimal: the highest gland). */
  gyPerGBq: number;
  hiGyPerGBq: number;
  cumulativeGy: number;
  cumulativeHiGy: number;
  overLimit: boolean;
  /** Largest activity per cycle (GBq) keeping the cumulative dose under the limit: point and upper-90 % bound. */
  maxActivityGBq?: number;
  maxActivityConservativeGBq?: number;
  flags: string[];
}

export interface Plan {
  rows: PlanRow[];
  organs: OrganSummary[];
  maxActivityGBq?: number;
  maxActivityConservativeGBq?: number;
  meanTumourGyPerGBq?: number;
  tumourToKidneyRatio?: number;
}

export function plan(preds: StructurePrediction[], opts: { activityGBq?: number; cycles?: number; limits?: OrganLimit[]; singleKidney?: boolean } = {}): Plan {
  const A = opts.activityGBq ?? 7.4, n = opts.cycles ?? 6;
  if (!(A > 0) || !(n >= 1)) throw new Error('activity must be positive and cycles at least 1');
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const rows = preds.map((p) => ({ ...p, gyPerCycle: p.gyPerGBq * A, gyCumulative: p.gyPerGBq * A * n, gyCumulativeHi: p.hi * A * n }));
  const organs: OrganSummary[] = [];
  for (const limit of limits) {
    const members = preds.filter((p) => GROUP[p.type] === limit.id);
    if (!members.length) continue;
    const flags: string[] = [];
    let g: number, h: number;
    if (limit.id === 'kidneys') {
      g = members.reduce((s, p) => s + p.gyPerGBq, 0) / members.length;
      h = members.reduce((s, p) => s + p.hi, 0) / members.length;
      if (opts.singleKidney || members.length === 1) flags.push('single functioning kidney: the limit applies to one kidney and single-kidney doses run higher (0.81 ± 0.32 Gy/GBq, JNM 2019;60:1579)');
    } else {
      g = Math.max(...members.map((p) => p.gyPerGBq));
      h = Math.max(...members.map((p) => p.hi));
    }
    const s: OrganSummary = { limit, gyPerGBq: g, hiGyPerGBq: h, cumulativeGy: g * A * n, cumulativeHiGy: h * A * n, overLimit: limit.limitGy !== null && g * A * n > limit.limitGy, flags };
    if (limit.limitGy !== null) {
      s.maxActivityGBq = limit.limitGy / (n * g);
      s.maxActivityConservativeGBq = limit.limitGy / (n * h);
    }
    organs.push(s);
  }
  const limited = organs.filter((o) => o.maxActivityGBq !== undefined);
  const tumours = preds.filter((p) => p.type === 'tumour');
  const kidneys = preds.filter((p) => p.type === 'kidney');
  const meanT = tumours.length ? tumours.reduce((s, p) => s + p.gyPerGBq, 0) / tumours.length : undefined;
  const meanK = kidneys.length ? kidneys.reduce((s, p) => s + p.gyPerGBq, 0) / kidneys.length : undefined;
  return {
    rows, organs,
    maxActivityGBq: limited.length ? Math.min(...limited.map((o) => o.maxActivityGBq!)) : undefined,
    maxActivityConservativeGBq: limited.length ? Math.min(...limited.map((o) => o.maxActivityConservativeGBq!)) : undefined,
    meanTumourGyPerGBq: meanT,
    tumourToKidneyRatio: meanT !== undefined && meanK ? meanT / meanK : undefined,
  };
}
