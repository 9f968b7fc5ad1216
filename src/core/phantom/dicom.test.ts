// The phantom's DICOM and the derived objects written on it stay byte for byte what they were (a change in
// any writer, dataset helper or the generator shows up here; update the digests only for an intended change).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from './generate';
import { ptReference, writeCtSeries, writePtSeries } from './dicom';
import { writeSeg } from '../io/seg';
import { writeRtstruct } from '../io/rtstruct';
import { structureDoseMap, writeRtDose } from '../dicom/rtdose';

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
    expect(sha256(pt.map((f) => f.data))).toBe('dd3cb06d8558a1abf4cb26471051d8f344ab20ce02a6187e633b56555b489b90');
  });
  it('SEG, RTSTRUCT and RT Dose on its PET grid', () => {
    expect(sha256([writeSeg(p.labels, ptReference(p))])).toBe('bf832cd4ee75fb04206ed05b0475a81e2068b25ac69c903af4d0df57c42f3ac5');
    expect(sha256([writeRtstruct(p.labels, ptReference(p), [{ label: 1, name: 'Kidney L', color: [1, 2, 3], interpretedType: 'ORGAN' }])])).toBe('12abb592746f90d77d2e95a633bf653cc98e21d940c44c59f4d5c1344d024828');
    expect(sha256([writeRtDose(structureDoseMap(p.labels, new Map([[1, 2.5]])), ptReference(p))])).toBe('f90d3dcdb88fa5444b851ef80b20da2f8ef30ba0980b7d4c1550e49e243245a5');
  });
});
