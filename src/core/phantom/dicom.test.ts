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
// Derived objects carry their creation date: fixed here so the bytes are comparable.
const created = new Date(2026, 0, 15, 12, 0, 0);
const sha256 = (files: ArrayBuffer[]) => {
  const h = createHash('sha256');
  for (const f of files) h.update(new Uint8Array(f));
  return h.digest('hex');
};

describe('written DICOM is byte-identical', () => {
  it('CT and PT series of the phantom', () => {
    const ct = writeCtSeries(p).files, pt = writePtSeries(p).files;
    expect(ct.length).toBe(p.ct.dims[2]);
    expect(sha256(ct.map((f) => f.data))).toBe('745c0441358d25d094cba51ff7138be37be8cd43685d64efa8b28ba664e8fb64');
    expect(sha256(pt.map((f) => f.data))).toBe('ae44a8f0b1560321643d168f5f3677b5531f1d1524ae005ab5067ece62ec3b75');
  });
  it('SEG, RTSTRUCT and RT Dose on its PET grid', () => {
    expect(sha256([writeSeg(p.labels, ptReference(p), { created })])).toBe('9ae5730d5225e370012ca0c457105c45d8c1189c2ac0ff3f63b51ef7ab594e58');
    expect(sha256([writeRtstruct(p.labels, ptReference(p), [{ label: 1, name: 'Kidney L', color: [1, 2, 3], interpretedType: 'ORGAN' }], { created })])).toBe('c71c32ddbc930ef1a469886d368ff027129ef86cb1fbec80140c16809051ce83');
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
    expect(rp.RadionuclideCodeSequence[0]).toMatchObject({ CodeValue: '77004003', CodingSchemeDesignator: 'SCT' }); // SNOMED CT: SRT codes are retired
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
