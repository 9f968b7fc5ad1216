// The one SUV path of a study: overrides recompute factors from the kept raw PET, the readout reads the
// kept factors, pairing compares header geometry.
import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient, suvbwFactor } from './phantom/generate';
import { writeCtSeries, writePtSeries } from './phantom/dicom';
import { readDicomFiles, type DicomSeriesInfo } from './dicom/read';
import { assembleStudy, canPair, readoutAt, withSuvOverrides } from './study';
import { leanBodyMassJanmahasatian } from './suv';
import { index, indexToWorld } from './volume';

const spec = defaultPatientSpec(11, { lesions: 2, imaging: { ctSpacing: [6, 6, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 420 } });
const p = generatePatient(spec);
const series = () => readDicomFiles([...writeCtSeries(p).files, ...writePtSeries(p).files]).series;
const pt = (s: DicomSeriesInfo[]) => s.find((x) => x.modality === 'PT')!;
const ct = (s: DicomSeriesInfo[]) => s.find((x) => x.modality === 'CT')!;

describe('withSuvOverrides', () => {
  const s = series();
  for (const i of pt(s).instances) delete i.attrs.PatientWeight;
  const study = assembleStudy(s);
  it('refuses with the reason while SUV is still not computable, leaving the study as it was', () => {
    expect(study.pet!.suv).toBeUndefined();
    const r = withSuvOverrides(study, { injectedMBq: spec.injectedMBq });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/weight/);
    expect(study.pet!.suv).toBeUndefined();
    expect(study.notices.join(' ')).toMatch(/SUV not available/);
  });
  it('recomputes the factors and the SUV from the kept raw PET; the CT and raw PET are the same objects', () => {
    const r = withSuvOverrides(study, { weightKg: spec.weightKg });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.study.ct).toBe(study.ct);
    expect(r.study.pet!.raw).toBe(study.pet!.raw);
    expect(r.study.pet!.overrides).toEqual({ weightKg: spec.weightKg });
    const f = suvbwFactor(spec);
    for (const x of (r.study.pet!.suvResult as { suvbw: number[] }).suvbw) expect(Math.abs(x / f - 1)).toBeLessThan(1e-6);
    const n = r.study.pet!.raw.data.findIndex((v) => v > 1000);
    expect(r.study.pet!.suv!.data[n]).toBeCloseTo(r.study.pet!.raw.data[n] * f, 3);
    expect(r.study.notices.join(' ')).not.toMatch(/SUV not available/);
  });
});

describe('readoutAt', () => {
  const study = assembleStudy(series());
  const pet = study.pet!;
  it('HU, SUV, SUL and the raw value at a voxel centre, SUL from the kept factor of that slice', () => {
    const [i, j, k] = [Math.floor(pet.raw.dims[0] / 2), Math.floor(pet.raw.dims[1] / 2), 7];
    const n = index(pet.raw, i, j, k);
    const r = readoutAt(study, indexToWorld(pet.raw, i, j, k));
    expect(r.raw).toBe(pet.raw.data[n]);
    expect(r.rawUnit).toBe('BQML');
    expect(r.suv).toBe(pet.suv!.data[n]);
    expect(r.sul).toBeCloseTo(pet.raw.data[n] * (pet.suvResult as { sul: number[] }).sul[k], 6);
    expect(r.sul! / r.suv!).toBeCloseTo(leanBodyMassJanmahasatian(spec.weightKg, spec.heightCm, 'M') / spec.weightKg, 5);
    expect(r.hu).toBeTypeOf('number');
  });
  it('nothing outside the volumes', () => {
    const r = readoutAt(study, [0, 0, 5000]);
    expect([r.hu, r.suv, r.sul, r.raw]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('canPair (from headers)', () => {
  it('same patient, date and coverage pair; another patient or body part does not', () => {
    const s = series();
    expect(canPair(pt(s), ct(s)).ok).toBe(true);
    const other = series();
    for (const i of ct(other).instances) i.attrs.ImagePositionPatient = [i.attrs.ImagePositionPatient[0], i.attrs.ImagePositionPatient[1], i.attrs.ImagePositionPatient[2] + 600];
    expect(canPair(pt(s), ct(other))).toEqual({ ok: false, why: 'the scans cover different parts of the body' });
    expect(canPair(pt(s), { ...ct(s), patientId: 'X' }).why).toBe('different patient IDs');
  });
});
