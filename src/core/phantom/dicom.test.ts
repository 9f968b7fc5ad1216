// The phantom's DICOM and the derived objects written on it stay byte for byte what they were (a change in
// any writer, dataset helper or the generator shows up here; update the digests only for an intended change).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from './generate';
import { ptReference, writeCtSeries, writePtSeries } from './dicom';
import { writeSeg } from '../io/seg';
import { writeRtstruct } from '../io/rtstruct';
import { structureDoseMap, writeRtDose } from '../dicom/rtdose';
import { parseDicom } from '../dicom/read';
import { computeSuv } from '../suv';
import { identifyTracer } from '../tracer';

const p = generatePatient(defaultPatientSpec(7, { lesions: 3, imaging: { ctSpacing: [6, 6, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 420 } }));
const sha256 = (files: ArrayBuffer[]) => {
  const h = createHash('sha256');
  for (const f of files) h.update(new Uint8Array(f));
  return h.digest('hex');
};

describe('written DICOM is byte-identical', () => {
  it('CT and PT series of the phantom', () => {
    const ct = writeCtSeries(p).files, pt = writePtSeries(p).files;
    expect(ct.length).toBe(p.ct.dims[2]);
    expect(sha256(ct.map((f) => f.data))).toBe('a6df7f2abff5578048ddfea5bf7286264701bde48170fce86bbc7c6b31840d5c');
    expect(sha256(pt.map((f) => f.data))).toBe('1dfd7f980031f2c68c9dd27be04bffa68c86a0318b45595aa6a80f755b5e31f7');
  });
  it('SEG, RTSTRUCT and RT Dose on its PET grid', () => {
    expect(sha256([writeSeg(p.labels, ptReference(p))])).toBe('bf832cd4ee75fb04206ed05b0475a81e2068b25ac69c903af4d0df57c42f3ac5');
    expect(sha256([writeRtstruct(p.labels, ptReference(p), [{ label: 1, name: 'Kidney L', color: [1, 2, 3], interpretedType: 'ORGAN' }])])).toBe('12abb592746f90d77d2e95a633bf653cc98e21d940c44c59f4d5c1344d024828');
    expect(sha256([writeRtDose(structureDoseMap(p.labels, new Map([[1, 2.5]])), ptReference(p))])).toBe('f90d3dcdb88fa5444b851ef80b20da2f8ef30ba0980b7d4c1550e49e243245a5');
  });
});

describe('the PT series names its agent', () => {
  const small = (tracer?: string) => generatePatient(defaultPatientSpec(3, { tracer, lesions: 1, imaging: { ctSpacing: [10, 10, 10], petSpacing: [10, 10, 10], zBottomMm: 250, zTopMm: 320 } }));
  const header = (q: ReturnType<typeof small>) => writePtSeries(q).files.map((f) => parseDicom(f.data).attrs);
  it('default 18F-DCFPyL: code, free text, nuclide and series description', () => {
    const a = header(small())[0];
    const rp = a.RadiopharmaceuticalInformationSequence[0];
    expect(rp.RadiopharmaceuticalCodeSequence[0]).toMatchObject({ CodeValue: 'C116352', CodingSchemeDesignator: 'NCIt', CodeMeaning: 'DCFPyL F^18^' });
    expect(rp.Radiopharmaceutical).toBe('F-18 DCFPyL');
    expect(rp.RadionuclideCodeSequence[0].CodeValue).toBe('C-111A1');
    expect(a.SeriesDescription).toBe('PET 18F-DCFPyL AC');
    expect(identifyTracer(a)).toMatchObject({ agent: '18F-DCFPyL', class: 'psma', evidence: 'Radiopharmaceutical Code Sequence (NCIt C116352)' });
  });
  it('a 68Ga agent gets the 68Ga half-life: the SUV from the header equals the generator truth', () => {
    const q = small('68Ga-PSMA-11');
    const attrs = header(q);
    expect(attrs[0].RadiopharmaceuticalInformationSequence[0].RadionuclideHalfLife).toBeCloseTo(4062.6, 1);
    const s = computeSuv(attrs);
    expect(s.ok).toBe(true);
    if (s.ok) expect(s.suvbw[0] / q.truth.suvbwPerBqml).toBeCloseTo(1, 6);
    expect(q.truth.suvbwPerBqml).toBeGreaterThan(small().truth.suvbwPerBqml * 1.3); // faster decay by scan start
    expect(identifyTracer(attrs[0]).agent).toBe('68Ga-PSMA-11');
  });
  it('an FDG phantom is coded as FDG; an agent without a code is named by text; unknown agents are refused', () => {
    expect(identifyTracer(header(small('18F-FDG'))[0])).toMatchObject({ agent: '18F-FDG', class: 'other' });
    const rh = header(small('18F-rhPSMA-7.3'))[0];
    expect(rh.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalCodeSequence).toBeUndefined();
    expect(identifyTracer(rh).agent).toBe('18F-rhPSMA-7.3');
    expect(() => small('18F-banana')).toThrow(/unknown tracer "18F-banana" \(known: 18F-DCFPyL, /);
  });
});
