import { describe, expect, it } from 'vitest';
import { computeSuv, leanBodyMassJanmahasatian } from './suv';
import { defaultPatientSpec, generatePatient, suvbwFactor } from './phantom/generate';
import { writePtSeries } from './phantom/dicom';
import { readDicomSeries } from './dicom/read';

const base = {
  Units: 'BQML', DecayCorrection: 'START', CorrectedImage: ['ATTN', 'DECY'], PatientWeight: 80, PatientSize: 1.8, PatientSex: 'M',
  SeriesDate: '20260115', SeriesTime: '100000', AcquisitionDate: '20260115', AcquisitionTime: '100000',
  RadiopharmaceuticalInformationSequence: [{ RadionuclideTotalDose: 250e6, RadionuclideHalfLife: 6586.2, RadiopharmaceuticalStartTime: '083000' }],
};

describe('SUV', () => {
  it('SUVbw with START decay correction: decays the dose to series start', () => {
    const r = computeSuv([base]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const expected = 80000 / (250e6 * Math.pow(2, -5400 / 6586.2));
    expect(r.suvbw[0]).toBeCloseTo(expected, 10);
  });
  it('ADMIN: no decay (images already corrected to injection time)', () => {
    const r = computeSuv([{ ...base, DecayCorrection: 'ADMIN' }]);
    expect(r.ok && r.suvbw[0]).toBeCloseTo(80000 / 250e6, 12);
  });
  it('uses the series time, not later acquisition times of individual slices', () => {
    const inst = [0, 1, 2].map((n) => ({ ...base, AcquisitionTime: `10${String(n * 2).padStart(2, '0')}00` }));
    const r = computeSuv(inst);
    expect(r.ok).toBe(true);
    if (r.ok) expect(new Set(r.suvbw.map((v) => v.toPrecision(12))).size).toBe(1);
  });
  it('Philips CNTS uses the private SUV scale factor', () => {
    const r = computeSuv([{ ...base, Units: 'CNTS', '70531000': 0.000123 }]);
    expect(r.ok && r.suvbw[0]).toBeCloseTo(0.000123, 12);
  });
  it('SUL uses the Janmahasatian lean body mass', () => {
    const r = computeSuv([base]);
    const lbm = leanBodyMassJanmahasatian(80, 180, 'M');
    expect(lbm).toBeCloseTo((9270 * 80) / (6680 + 216 * (80 / 3.24)), 10);
    expect(r.ok && r.sul![0] / r.suvbw[0]).toBeCloseTo(lbm / 80, 12);
  });
  it('says exactly what is missing, and accepts the value from the user', () => {
    const r = computeSuv([{ ...base, PatientWeight: undefined }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/weight/);
    const r2 = computeSuv([{ ...base, PatientWeight: undefined }], { weightKg: 80 });
    expect(r2.ok).toBe(true);
    expect(computeSuv([{ ...base, CorrectedImage: ['DECY'] }]).ok).toBe(false);
    expect(computeSuv([{ ...base, Units: 'PROPCPS' }]).ok).toBe(false);
  });
  it('phantom PET written as DICOM gives the generator SUV exactly', () => {
    const spec = defaultPatientSpec(3, { lesions: 2, imaging: { ctSpacing: [8, 8, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 350 } });
    const p = generatePatient(spec);
    const { sorted } = readDicomSeries(writePtSeries(p).files);
    const r = computeSuv(sorted.map((s) => s.attrs));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.suvbw[0] / suvbwFactor(spec)).toBeCloseTo(1, 9);
  });
  it('refuses implausible weight, activity and uptake time with the value and range, and warns on unusual ones', () => {
    const heavy = computeSuv([{ ...base, PatientWeight: 900 }]);
    expect(heavy.ok).toBe(false);
    if (!heavy.ok) { expect(heavy.reason).toMatch(/Patient weight 900 kg is outside the plausible 20–350 kg/); expect(heavy.missing).toEqual(['weight']); }
    const dose = (mbq: number) => [{ ...base, RadiopharmaceuticalInformationSequence: [{ ...base.RadiopharmaceuticalInformationSequence[0], RadionuclideTotalDose: mbq * 1e6 }] }];
    const r = computeSuv(dose(5000));
    expect(!r.ok && r.reason).toMatch(/Injected 18F activity 5000 MBq is outside/);
    const low = computeSuv(dose(60));
    expect(low.ok && low.warnings.join()).toMatch(/Injected 18F activity 60 MBq is unusual/);
    const dayBefore = computeSuv([{ ...base, RadiopharmaceuticalInformationSequence: [{ ...base.RadiopharmaceuticalInformationSequence[0], RadiopharmaceuticalStartDateTime: '20260114083000' }] }]);
    expect(!dayBefore.ok && dayBefore.reason).toMatch(/Uptake time \(injection to scan\) 1530 min is outside the plausible 1–360 min/);
    expect(computeSuv([base]).ok && (computeSuv([base]) as { warnings: string[] }).warnings).toEqual([]);
    const tall = computeSuv([{ ...base, PatientSize: 3.1 }]);
    expect(tall.ok && tall.sul).toBeUndefined();
    expect(tall.ok && tall.sulReason).toMatch(/Patient height 310 cm is outside/);
  });
  it('takes an injection time after the scan time as the day before (QIBA), with a warning', () => {
    const r = computeSuv([{ ...base, SeriesTime: '003000', AcquisitionTime: '003000', SeriesDate: '20260116', AcquisitionDate: '20260116',
      RadiopharmaceuticalInformationSequence: [{ ...base.RadiopharmaceuticalInformationSequence[0], RadiopharmaceuticalStartTime: '233000' }] }]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.suvbw[0]).toBeCloseTo(80000 / (250e6 * Math.pow(2, -3600 / 6586.2)), 10);
      expect(r.warnings.join()).toMatch(/day before/);
    }
  });
});
