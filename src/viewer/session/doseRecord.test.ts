// The saved dose state: record encoding and checking, fingerprints, and when saved results may be shown.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../core/dose/plan';
import { emptyMeta, type StructureMeta } from '../../core/contours/structureSet';
import { defaultPatientSpec, generatePatient } from '../../core/phantom/generate';
import type { SuvResult } from '../../core/suv';
import {
  decodeDoseRecord, doseRecord, hashBytes, limitsWith, recordContent, resultsFit, structureFingerprint, suvFingerprint,
  type ComputedFrom, type DoseInputs,
} from './doseRecord';

const key = { studyUid: '1.2.3', petSeriesUid: '1.2.3.4', frameOfReferenceUid: '1.2.3.5' };
const computed: ComputedFrom = { at: Date.UTC(2024, 4, 17, 9, 30), modelId: 'lmm-default', modelVersion: '1.0.0', structures: 'aaa', suv: 'bbb' };
const state = (over: Partial<DoseInputs> = {}): DoseInputs => ({
  biomarkers: { egfr_ml_min_1_73m2: '72', hb_g_dl: 12.5, age_years: null, psa_ng_ml: '' },
  activity: 7.4, cycles: 6, limits: structuredClone(DEFAULT_LIMITS),
  predictions: [{ name: 'Kidney L', type: 'kidney', gyPerGBq: 0.61, lo: 0.4, hi: 0.9, volumeMl: 160 }],
  skipped: [{ name: 'T3', type: 'tumour', reason: 'morph_pca_maj_axis' }],
  timing: { featuresMs: 1200, inferenceMs: 3.5, sessionMs: 800 },
  computed,
  ...over,
});

describe('dose record', () => {
  it('keeps the entered biomarkers as text, only the edited limits, the results with what they came from', () => {
    const s = state();
    s.limits[0].limitGy = 20;
    const rec = doseRecord(key, s, 1000);
    expect(rec).toEqual({
      ...key, savedAt: 1000, activity: 7.4, cycles: 6,
      biomarkers: { egfr_ml_min_1_73m2: '72', hb_g_dl: '12.5' },
      limits: { kidneys: 20 },
      results: { predictions: s.predictions, skipped: s.skipped, timing: s.timing, computed },
    });
    expect(decodeDoseRecord(structuredClone(rec))).toEqual({ record: rec });
  });

  it('has no results without what they were computed from, and keeps a tracer confirmation', () => {
    const confirmation = { agent: '18F-PSMA-1007', caveat: 'hepatobiliary clearance', confirmedAt: '2024-05-17T09:30:00Z' };
    const rec = doseRecord(key, state({ computed: undefined, tracerConfirmation: confirmation }));
    expect(rec.results).toBeUndefined();
    expect(rec.tracerConfirmation).toEqual(confirmation);
    expect(decodeDoseRecord(rec)).toEqual({ record: rec });
  });

  it('compares content without the save time', () => {
    expect(recordContent(doseRecord(key, state(), 1))).toBe(recordContent(doseRecord(key, state(), 2)));
    expect(recordContent(doseRecord(key, state({ activity: 5 })))).not.toBe(recordContent(doseRecord(key, state())));
  });

  it('keeps edited salivary references (and QUANTEC\'s one-gland value) and restores them', () => {
    const s = state();
    const byId = (id: string) => s.limits.find((l) => l.id === id)!;
    byId('parotid-nki').referenceGy = 30;
    byId('parotid-quantec').spareGy = 18;
    const rec = doseRecord(key, s);
    expect(rec.limits).toEqual({ 'parotid-nki': 30, 'parotid-quantec.spareGy': 18 });
    const back = limitsWith(rec.limits);
    expect(back.find((l) => l.id === 'parotid-nki')).toEqual({ ...DEFAULT_LIMITS.find((l) => l.id === 'parotid-nki'), referenceGy: 30 });
    expect(back.find((l) => l.id === 'parotid-quantec')).toEqual({ ...DEFAULT_LIMITS.find((l) => l.id === 'parotid-quantec'), spareGy: 18 });
    expect(doseRecord(key, { ...s, limits: back }).limits).toEqual(rec.limits);
  });

  it('reads results saved before predictions kept their volume (the plan asks to compute again)', () => {
    const rec = doseRecord(key, state());
    const old = { ...rec, results: { ...rec.results!, skipped: undefined, predictions: [{ name: 'Kidney L', type: 'kidney', gyPerGBq: 0.61, lo: 0.4, hi: 0.9 }] } };
    expect('record' in decodeDoseRecord(old)).toBe(true);
  });

  it('restores limits from the shipped table with the edited values (unknown ids ignored)', () => {
    const limits = limitsWith({ kidneys: 18, retired: 3 });
    expect(limits.map((l) => l.id)).toEqual(DEFAULT_LIMITS.map((l) => l.id));
    expect(limits[0]).toEqual({ ...DEFAULT_LIMITS[0], limitGy: 18 });
    expect(limits.slice(1)).toEqual(DEFAULT_LIMITS.slice(1));
    limits[1].limitGy = 1;
    expect(DEFAULT_LIMITS[1].limitGy).toBeNull(); // a copy
  });

  it('keeps a row\'s notes (population value, outside the training range) so a reload shows them', () => {
    const notes = { populationValue: true, outsideTrainingRange: ['volume_ml 1.73 above the training range 0.384–1.47'] };
    const s = state({ predictions: [{ name: 'Lacrimal L', type: 'lacrimal', gyPerGBq: 3.0, lo: 1.7, hi: 5.4, volumeMl: 1.7, ...notes }] });
    const rec = doseRecord(key, s, 1000);
    expect(rec.results!.predictions[0]).toEqual(s.predictions![0]);
    expect(decodeDoseRecord(structuredClone(rec))).toEqual({ record: rec });
    const bad = { ...rec, results: { ...rec.results!, predictions: [{ ...rec.results!.predictions[0], outsideTrainingRange: 'above' }] } };
    expect(decodeDoseRecord(bad)).toEqual({ problem: 'the saved dose state has a prediction whose notes are not a flag and a list of texts' });
  });
  it('names what is wrong in a stored record', () => {
    const good = doseRecord(key, state());
    expect(decodeDoseRecord(undefined)).toEqual({ problem: 'the saved dose state has no fields' });
    expect(decodeDoseRecord({ ...good, petSeriesUid: 4 })).toEqual({ problem: 'the saved dose state has no petSeriesUid' });
    expect(decodeDoseRecord({ ...good, activity: -1 })).toEqual({ problem: 'the saved dose state has an invalid activity (-1)' });
    expect(decodeDoseRecord({ ...good, biomarkers: { egfr: 72 } })).toEqual({ problem: 'the saved dose state has biomarkers that are not text' });
    const noDose = { ...good, results: { ...good.results!, predictions: [{ name: 'Kidney L', type: 'kidney' }] } };
    expect(decodeDoseRecord(noDose)).toEqual({ problem: 'the saved dose state has a prediction without name, type or dose' });
    const noVolume = { ...good, results: { ...good.results!, predictions: [{ ...good.results!.predictions[0], volumeMl: 'big' }] } };
    expect(decodeDoseRecord(noVolume)).toEqual({ problem: 'the saved dose state has a prediction whose volume is not a positive number' });
    const badSkip = { ...good, results: { ...good.results!, skipped: [{ name: 'T3' }] } };
    expect(decodeDoseRecord(badSkip)).toEqual({ problem: 'the saved dose state has structures not predicted without name, type or reason' });
    const noOrigin = { ...good, results: { ...good.results!, computed: { ...computed, structures: undefined } } };
    expect(decodeDoseRecord(noOrigin)).toEqual({ problem: 'the saved dose state has results without what they were computed from' });
  });
});

describe('fingerprints', () => {
  it('hash the bytes the same wherever they sit in memory, and differ for one changed or added byte', () => {
    const a = Uint8Array.from({ length: 1001 }, (_, n) => (n * 7) % 13);
    const buf = new Uint8Array(1010);
    buf.set(a, 3);
    expect(hashBytes(buf.subarray(3, 1004))).toBe(hashBytes(a));
    const b = a.slice();
    b[500] ^= 1;
    expect(hashBytes(b)).not.toBe(hashBytes(a));
    const tail = a.slice();
    tail[1000] ^= 1;
    expect(hashBytes(tail)).not.toBe(hashBytes(a));
    const longer = new Uint8Array(1002);
    longer.set(a);
    expect(hashBytes(longer)).not.toBe(hashBytes(a));
    expect(hashBytes(a)).toMatch(/^[0-9a-f]{14}$/);
  });

  it('of a structure set follow the voxels and tumour sites, not visibility or the single-kidney flag', () => {
    const labels = { dims: [10, 10, 10], data: new Uint8Array(1000) };
    labels.data[123] = 1;
    const meta = { ...emptyMeta(), tumours: { 101: { site: 'bone' as const }, 102: { site: 'lymph node' as const } } };
    const fp = structureFingerprint(labels, meta);
    const shownOtherwise: StructureMeta = { ...meta, hidden: [1], locked: [1], singleKidney: true };
    expect(structureFingerprint({ ...labels, data: labels.data.slice() }, shownOtherwise)).toBe(fp);
    expect(structureFingerprint(labels, { tumours: { 102: meta.tumours[102], 101: meta.tumours[101] } })).toBe(fp);
    const erased = labels.data.slice();
    erased[123] = 0;
    expect(structureFingerprint({ ...labels, data: erased }, meta)).not.toBe(fp);
    expect(structureFingerprint(labels, { tumours: { ...meta.tumours, 101: { site: 'visceral' } } })).not.toBe(fp);
    expect(structureFingerprint({ dims: [10, 100, 1], data: labels.data }, meta)).not.toBe(fp);
  });

  it('of the same generated patient are equal (the demo truth fits its saved results after a reload)', () => {
    const spec = () => defaultPatientSpec(5, { lesions: 2, imaging: { ctSpacing: [6, 6, 6], petSpacing: [6, 6, 6], zBottomMm: 250, zTopMm: 350 } });
    const [a, b] = [generatePatient(spec()), generatePatient(spec())];
    expect(structureFingerprint(a.labels, emptyMeta())).toBe(structureFingerprint(b.labels, emptyMeta()));
  });

  it('of the SUV follow the SUVbw factors', () => {
    const suv = (f: number): SuvResult => ({ ok: true, suvbw: [f, f], units: 'BQML', decayCorrection: 'START', warnings: [] });
    expect(suvFingerprint(suv(1e-4))).toBe(suvFingerprint(suv(1e-4)));
    expect(suvFingerprint(suv(1e-4))).not.toBe(suvFingerprint(suv(1.1e-4)));
    expect(suvFingerprint(undefined)).toBe('no SUV');
  });
});

describe('whether saved results fit', () => {
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const now = { model: { id: 'lmm-default', version: '1.0.0' }, structures: 'aaa', suv: 'bbb' };

  it('fit the same model, structure set and SUV', () => {
    expect(resultsFit(computed, now, date)).toEqual({ fit: true });
    expect(resultsFit(undefined, now, date)).toBeUndefined();
  });

  it('wait while no model is loaded yet', () => {
    expect(resultsFit(computed, { ...now, model: undefined }, date)).toEqual({ fit: false, waiting: true });
  });

  it('are stale with another model, naming it and the date', () => {
    expect(resultsFit(computed, { ...now, model: { id: 'site-model', version: '2' } }, date)).toEqual({
      fit: false, stale: 'Results of 2024-05-17 were computed with model lmm-default 1.0.0, not the loaded site-model 2: compute again.',
    });
    expect(resultsFit(computed, { ...now, model: { id: 'lmm-default', version: '1.1.0' } }, date)).toMatchObject({ fit: false, stale: expect.stringContaining('not the loaded lmm-default 1.1.0') });
    expect(resultsFit(computed, { ...now, model: null }, date)).toMatchObject({ fit: false, stale: expect.stringContaining('which is not loaded') });
  });

  it('are stale with another structure set, none, or other SUV values', () => {
    expect(resultsFit(computed, { ...now, structures: 'ccc' }, date)).toEqual({ fit: false, stale: 'Results of 2024-05-17 were computed from another structure set: compute again.' });
    expect(resultsFit(computed, { ...now, structures: undefined }, date)).toMatchObject({ stale: expect.stringContaining('not loaded') });
    expect(resultsFit(computed, { ...now, suv: 'ddd' }, date)).toMatchObject({ stale: expect.stringContaining('other SUV values') });
  });
});
