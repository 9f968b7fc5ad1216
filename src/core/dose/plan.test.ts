import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, missingReason, plan, TUMOUR_CUMULATIVE_NOTE, type OrganLimit, type Plan, type StructurePrediction } from './plan';

const s = (name: string, type: string, gyPerGBq: number, hi: number, volumeMl: number): StructurePrediction => ({ name, type, gyPerGBq, lo: gyPerGBq / 2, hi, volumeMl });
// Kidneys of different size: the mass-weighted mean differs from the plain mean (0.5 / 0.75).
const kidneyL = s('Kidney L', 'kidney', 0.4, 0.6, 150);
const kidneyR = s('Kidney R', 'kidney', 0.6, 1.0, 100);
const kidneyMean = (0.4 * 150 + 0.6 * 100) / 250; // 0.48
const kidneyHiMean = (0.6 * 150 + 1.0 * 100) / 250; // 0.76
const tumours = [s('T1', 'tumour', 3, 6, 10), s('T2', 'tumour', 1, 2, 30)];
const preds = [kidneyL, kidneyR, ...tumours];

const kidneys = (p: Plan) => p.organs.find((o) => o.group === 'kidneys')!;
const flagsOf = (p: Plan, kind: string) => p.flags.filter((f) => f.kind === kind);

describe('therapy plan: doses and mass weighting', () => {
  it('Gy per cycle and cumulative per structure, with the volume and mass', () => {
    const p = plan(preds, { activityGBq: 7.4, cycles: 6 });
    const r = p.rows.find((x) => x.name === 'Kidney L')!;
    expect(r.gyPerCycle).toBeCloseTo(0.4 * 7.4, 10);
    expect(r.gyCumulative).toBeCloseTo(0.4 * 7.4 * 6, 10);
    expect(r.gyCumulativeHi).toBeCloseTo(0.6 * 7.4 * 6, 10);
    expect(r.volumeMl).toBe(150);
    expect(r.massG).toBe(150); // unit density
  });

  it('kidney pair: the mass-weighted mean sets the maximum activity (point and conservative)', () => {
    const p = plan(preds, { activityGBq: 5, cycles: 6 });
    const k = kidneys(p);
    expect(k.complete).toBe(true);
    expect(k.combined!.gyPerGBq).toBeCloseTo(kidneyMean, 10);
    expect(k.combined!.hiGyPerGBq).toBeCloseTo(kidneyHiMean, 10);
    expect(k.combined!.massG).toBe(250);
    expect(k.members.map((m) => m.name)).toEqual(['Kidney L', 'Kidney R']);
    expect(p.maxActivityGBq).toBeCloseTo(23 / (6 * kidneyMean), 10);
    expect(p.maxActivityConservativeGBq).toBeCloseTo(23 / (6 * kidneyHiMean), 10);
    expect(p.limiting.conservative).toMatchObject({ limitId: 'kidneys', bound: 'upper90' });
    expect(p.limiting.point).toMatchObject({ limitId: 'kidneys', bound: 'point' });
    expect(p.missing.filter((m) => m.key === 'max-activity')).toEqual([]);
  });

  it('two glands of different volume: "combined" is the mass-weighted mean, never a sum, and each gland is kept', () => {
    const p = plan([s('Parotid L', 'parotid', 0.5, 0.8, 30), s('Parotid R', 'parotid', 1.0, 1.2, 10)], { activityGBq: 1, cycles: 1 });
    const o = p.organs.find((x) => x.group === 'parotid')!;
    expect(o.combined!.gyPerGBq).toBeCloseTo((0.5 * 30 + 1.0 * 10) / 40, 10); // 0.625, not 0.75 (plain) or 1.5 (sum)
    expect(o.combined!.hiGyPerGBq).toBeCloseTo((0.8 * 30 + 1.2 * 10) / 40, 10);
    expect(o.members.map((m) => [m.name, m.gyPerGBq])).toEqual([['Parotid L', 0.5], ['Parotid R', 1.0]]);
  });

  it('the whole-body tumour dose is mass-weighted; cumulative tumour doses carry their assumption; tumour-to-kidney from mass-weighted values', () => {
    const p = plan(preds, { activityGBq: 7.4, cycles: 6 });
    const wb = (3 * 10 + 1 * 30) / 40; // 1.5 (plain mean would be 2)
    expect(p.tumours!.gyPerGBq).toBeCloseTo(wb, 10);
    expect(p.tumours!.gyPerCycle).toBeCloseTo(wb * 7.4, 10);
    expect(p.tumours!.cumulativeGy).toBeCloseTo(wb * 7.4 * 6, 10);
    expect(p.tumours!.count).toBe(2);
    expect(p.tumours!.cumulativeNote).toBe('if uptake stayed as in cycle 1');
    expect(p.cumulativeTumourNote).toBe(TUMOUR_CUMULATIVE_NOTE);
    expect(p.tumourToKidneyRatio).toBeCloseTo(wb / kidneyMean, 10);
  });

  it('rows sorted by type (tumours, kidneys, parotid, submandibular, lacrimal, others), then dose descending', () => {
    const p = plan([
      s('Lacrimal L', 'lacrimal', 1, 2, 1), s('X', 'other', 9, 9, 1), s('Submandibular R', 'submandibular', 0.5, 1, 7), kidneyL,
      s('Parotid L', 'parotid', 0.4, 0.6, 30), kidneyR, ...tumours, s('Submandibular L', 'submandibular', 0.7, 1, 7),
    ]);
    expect(p.rows.map((r) => r.name)).toEqual(['T1', 'T2', 'Kidney R', 'Kidney L', 'Parotid L', 'Submandibular L', 'Submandibular R', 'Lacrimal L', 'X']);
  });
});

describe('therapy plan: flags', () => {
  // Kidney mean 0.48 (point) / 0.76 (upper) Gy/GBq over 6 cycles: the upper bound passes 23 Gy from 5.04 GBq, the point from 7.99 GBq.
  it('upper 90 % bound over the kidney limit while the point estimate is under: one flag, upper bound only, both kidney rows marked', () => {
    const p = plan(preds, { activityGBq: 6, cycles: 6 });
    const over = flagsOf(p, 'over-limit');
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({ bound: 'upper90', limitId: 'kidneys', severity: 'warning', threshold: 23, unit: 'Gy' });
    expect(over[0].value).toBeCloseTo(kidneyHiMean * 36, 10);
    expect(over[0].text).toMatch(/upper 90 % bound/);
    expect(over[0].text).toMatch(/27\.4 Gy \(mean of both\) passes 23 Gy/);
    expect(p.rows.find((r) => r.name === 'Kidney R')!.flags).toEqual(over);
    expect(p.rows.find((r) => r.name === 'T1')!.flags).toEqual([]);
    expect(kidneys(p).checks[0].point!.over).toBe(false);
  });

  it('the point estimate over the limit too: a second flag for the point estimate', () => {
    const p = plan(preds, { activityGBq: 8.5, cycles: 6 });
    expect(flagsOf(p, 'over-limit').map((f) => f.bound)).toEqual(['upper90', 'point']);
  });

  it('planned activity above the conservative maximum (below the point maximum) is flagged with the limiting organ', () => {
    const p = plan(preds, { activityGBq: 6, cycles: 6 });
    const a = flagsOf(p, 'activity-above-max');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ bound: 'upper90', limitId: 'kidneys', unit: 'GBq', value: 6, severity: 'warning' });
    expect(a[0].threshold).toBeCloseTo(23 / (6 * kidneyHiMean), 10);
    expect(a[0].text).toMatch(/above the conservative maximum.*5\.0 GBq.*Kidneys/);
    // Above the point maximum as well: both maxima flagged.
    expect(flagsOf(plan(preds, { activityGBq: 8.5, cycles: 6 }), 'activity-above-max').map((f) => f.bound)).toEqual(['upper90', 'point']);
    // Under both: no activity flag and no organ flag.
    const ok = plan(preds, { activityGBq: 4.5, cycles: 6 });
    expect(ok.flags).toEqual([]);
  });

  it('warnings (limits, activity) come before cautions (references, single kidney)', () => {
    const p = plan([kidneyR, ...tumours, s('Parotid L', 'parotid', 1, 2, 30)], { activityGBq: 7.4, cycles: 6, singleKidney: true });
    const sev = p.flags.map((f) => f.severity);
    expect(sev).toContain('caution');
    expect(sev).toEqual([...sev].sort((x, y) => Number(x === 'caution') - Number(y === 'caution')));
    expect(sev[0]).toBe('warning');
  });

  it('the limiting organ is the one with the lowest maximum, for each bound', () => {
    // A user-set limit on the parotids (per gland) that binds before the kidneys for the upper bound only.
    const parotidLimit: OrganLimit = { ...DEFAULT_LIMITS[1], id: 'parotid-user', kind: 'limit', limitGy: 30, referenceGy: undefined, label: 'Parotid (user limit)' };
    const p = plan([...preds, s('Parotid L', 'parotid', 0.3, 1.2, 30), s('Parotid R', 'parotid', 0.2, 0.5, 30)], { activityGBq: 3, cycles: 6, limits: [...DEFAULT_LIMITS, parotidLimit] });
    expect(p.limiting.conservative).toMatchObject({ limitId: 'parotid-user', bound: 'upper90' });
    expect(p.maxActivityConservativeGBq).toBeCloseTo(30 / (6 * 1.2), 10);
    expect(p.limiting.point).toMatchObject({ limitId: 'kidneys', bound: 'point' });
  });

  it('parotid and submandibular glands each against their own reference (NKI TD50 per gland), flagged as references, not limits', () => {
    // 1 GBq × 1 cycle: Gy/GBq = cumulative Gy.
    const glands = [
      s('Parotid L', 'parotid', 24, 28, 30), s('Parotid R', 'parotid', 18, 22, 30),
      s('Submandibular L', 'submandibular', 20, 24, 8), s('Submandibular R', 'submandibular', 10, 15, 8),
    ];
    const p = plan([...preds, ...glands], { activityGBq: 1, cycles: 1 });
    const nki = p.flags.filter((f) => f.limitId === 'parotid-nki');
    expect(nki).toEqual([expect.objectContaining({ kind: 'over-reference', severity: 'caution', bound: 'upper90', structures: ['Parotid L'], threshold: 26.5 })]);
    expect(nki[0].text).toMatch(/Parotid L 28\.0 Gy passes 26\.5 Gy \(a reference, not a limit\)/);
    expect(nki[0].thresholdText).toBe('26.5 Gy per gland');
    const sub = p.flags.filter((f) => f.limitId === 'submandibular-nki');
    expect(sub).toEqual([expect.objectContaining({ bound: 'upper90', structures: ['Submandibular L'], threshold: 22.9 })]);
    expect(p.rows.find((r) => r.name === 'Submandibular R')!.flags).toEqual([]);
    // References cap no activity: the kidneys still set the maximum.
    expect(p.limiting.conservative!.limitId).toBe('kidneys');
    // Lacrimal is information only: never flagged.
    const withLacrimal = plan([...preds, s('Lacrimal L', 'lacrimal', 90, 99, 1), s('Lacrimal R', 'lacrimal', 80, 99, 1)], { activityGBq: 1, cycles: 1 });
    expect(withLacrimal.flags.filter((f) => f.group === 'lacrimal')).toEqual([]);
    expect(withLacrimal.organs.find((o) => o.group === 'lacrimal')!.combined!.gyPerGBq).toBeCloseTo(85, 10);
  });

  it('QUANTEC parotid: met while one gland is under 20 Gy or the mean of both under 25 Gy', () => {
    const quantec = (l: number, r: number, hiL = l, hiR = r) => plan([...preds, s('Parotid L', 'parotid', l, hiL, 20), s('Parotid R', 'parotid', r, hiR, 20)], { activityGBq: 1, cycles: 1 }).flags.filter((f) => f.limitId === 'parotid-quantec');
    expect(quantec(15, 40)).toEqual([]); // mean 27.5 but one gland spared
    expect(quantec(21, 28)).toEqual([]); // no gland under 20, but the mean 24.5 is under 25
    const both = quantec(22, 30);
    expect(both.map((f) => f.bound)).toEqual(['upper90', 'point']);
    expect(both[0].thresholdText).toBe('one gland 20 Gy / mean of both 25 Gy');
    expect(both[0].text).toMatch(/no gland under 20 Gy \(Parotid L 22\.0 Gy, Parotid R 30\.0 Gy\) and the mean of both 26\.0 Gy not under 25 Gy/);
    expect(quantec(19, 24, 22, 30).map((f) => f.bound)).toEqual(['upper90']); // the upper bound alone passes
  });
});

describe('therapy plan: why a value is missing', () => {
  it('no kidneys drawn: no maximum activity, and the reason says what to do', () => {
    const p = plan(tumours);
    expect(p.maxActivityGBq).toBeUndefined();
    expect(p.maxActivityConservativeGBq).toBeUndefined();
    expect(missingReason(p, 'max-activity')).toMatch(/draw both kidneys \(or mark a single functioning kidney\)/);
    expect(missingReason(p, 'tumour-to-kidney-ratio')).toMatch(/no kidney dose/);
  });

  it('one kidney drawn and not marked single: checked on its own but no maximum activity', () => {
    const p = plan([kidneyR, ...tumours], { activityGBq: 7.4, cycles: 6 });
    expect(kidneys(p).complete).toBe(false);
    expect(p.maxActivityConservativeGBq).toBeUndefined();
    expect(missingReason(p, 'max-activity')).toMatch(/only Kidney R is drawn.*mark a single functioning kidney/);
    expect(flagsOf(p, 'single-kidney')[0].text).toMatch(/Only Kidney R is drawn/);
    expect(flagsOf(p, 'over-limit')[0].text).toMatch(/Kidney R only/); // 1.0 × 44.4 Gy > 23 Gy
  });

  it('single functioning kidney marked: the limit applies to it and the flag says so', () => {
    const p = plan([kidneyR, ...tumours], { activityGBq: 3, cycles: 6, singleKidney: true });
    expect(kidneys(p).complete).toBe(true);
    expect(p.maxActivityGBq).toBeCloseTo(23 / (6 * 0.6), 10);
    expect(p.maxActivityConservativeGBq).toBeCloseTo(23 / (6 * 1.0), 10);
    expect(flagsOf(p, 'single-kidney')[0]).toMatchObject({ severity: 'caution', structures: ['Kidney R'] });
    expect(flagsOf(p, 'single-kidney')[0].text).toMatch(/Single functioning kidney: the limit applies to Kidney R alone.*0\.81 ± 0\.32 Gy\/GBq/);
    expect(p.missing).toEqual([]);
  });

  it('a kidney drawn but skipped: the reason names it and why', () => {
    const p = plan([kidneyL, ...tumours], { skipped: [{ name: 'Kidney R', type: 'kidney', reason: 'egfr_ml_min_1_73m2' }] });
    expect(missingReason(p, 'max-activity')).toMatch(/Kidney R was not predicted \(egfr_ml_min_1_73m2\)/);
    expect(missingReason(p, 'structure')).toBe('Kidney R was not predicted: egfr_ml_min_1_73m2');
    const none = plan(tumours, { skipped: [{ name: 'Kidney L', type: 'kidney', reason: 'no voxels' }, { name: 'Kidney R', type: 'kidney', reason: 'no voxels' }] });
    expect(missingReason(none, 'max-activity')).toMatch(/Kidney L was not predicted \(no voxels\); Kidney R was not predicted/);
  });

  it('no tumours: no tumour dose and no ratio, with the reason; a skipped tumour is named', () => {
    const p = plan([kidneyL, kidneyR]);
    expect(p.tumours).toBeUndefined();
    expect(p.tumourToKidneyRatio).toBeUndefined();
    expect(missingReason(p, 'tumour-dose')).toMatch(/no tumours drawn/);
    expect(missingReason(p, 'tumour-to-kidney-ratio')).toMatch(/no tumour dose/);
    const skipped = plan(preds, { skipped: [{ name: 'T3', type: 'tumour', reason: 'morph_pca_maj_axis' }] });
    expect(skipped.tumours!.count).toBe(2);
    expect(missingReason(skipped, 'tumour-dose')).toMatch(/leaves out T3/);
  });

  it('one parotid only: no mean of both, and QUANTEC undecided unless the gland is under 20 Gy', () => {
    const p = plan([...preds, s('Parotid L', 'parotid', 22, 30, 20)], { activityGBq: 1, cycles: 1 });
    expect(missingReason(p, 'group', 'parotid')).toMatch(/the mean of both needs both glands; only Parotid L is drawn/);
    expect(p.missing.find((m) => m.limitId === 'parotid-quantec')!.reason).toMatch(/Parotid L is not under 20 Gy/);
    expect(p.flags.filter((f) => f.limitId === 'parotid-quantec')).toEqual([]);
    const spared = plan([...preds, s('Parotid L', 'parotid', 10, 15, 20)], { activityGBq: 1, cycles: 1 });
    expect(spared.missing.find((m) => m.limitId === 'parotid-quantec')).toBeUndefined();
  });

  it('a prediction without a volume is left out of the means with a reason; a limit that is not a number gives no maximum, with a reason', () => {
    const p = plan([{ ...kidneyL, volumeMl: NaN }, kidneyR, ...tumours]);
    expect(missingReason(p, 'structure')).toMatch(/Kidney L has no usable dose or volume \(volume missing\)/);
    expect(kidneys(p).members.map((m) => m.name)).toEqual(['Kidney R']);
    const limits = structuredClone(DEFAULT_LIMITS);
    limits[0].limitGy = null;
    const q = plan(preds, { limits });
    expect(q.maxActivityGBq).toBeUndefined();
    expect(missingReason(q, 'max-activity')).toMatch(/Kidneys \(mean of both\): the limit is not a positive number/);
  });

  it('every limit and reference keeps its source and caveat; the salivary ones say they are references', () => {
    for (const l of DEFAULT_LIMITS) {
      expect(l.source.length).toBeGreaterThan(20);
      expect(l.caveat.length).toBeGreaterThan(10);
    }
    const byId = Object.fromEntries(DEFAULT_LIMITS.map((l) => [l.id, l]));
    expect(byId.kidneys).toMatchObject({ kind: 'limit', limitGy: 23, appliesTo: 'mean' });
    expect(byId['parotid-nki']).toMatchObject({ kind: 'reference', referenceGy: 26.5 });
    expect(byId['submandibular-nki']).toMatchObject({ kind: 'reference', referenceGy: 22.9 });
    expect(byId['parotid-quantec']).toMatchObject({ kind: 'reference', referenceGy: 25, spareGy: 20, appliesTo: 'one-or-mean' });
    expect(byId.lacrimal.kind).toBe('information');
    for (const id of ['parotid-nki', 'parotid-quantec', 'submandibular-nki']) {
      expect(byId[id].caveat).toMatch(/not a limit/);
      expect(byId[id].source).toMatch(/No established 177Lu-PSMA salivary limit \(Wahl et al\., JNM 2021/);
    }
    expect(byId['parotid-quantec'].source).toMatch(/Deasy et al\., IJROBP 2010;76\(3 Suppl\):S58/);
    expect(byId['parotid-nki'].source).toMatch(/Radiother Oncol 2022;177:164/);
  });

  it('refuses a non-positive activity or fewer than one cycle', () => {
    expect(() => plan(preds, { activityGBq: 0 })).toThrow(/activity must be positive/);
    expect(() => plan(preds, { cycles: 0 })).toThrow(/cycles at least 1/);
  });
});
