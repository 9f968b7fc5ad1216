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
    expect(sha256(pt.map((f) => f.data))).toBe('5edb574a4c9eade1b843305cbbcfef6b861b4f5e5b9eccea3cf8d13bb625c545');
  });
  it('SEG, RTSTRUCT and RT Dose on its PET grid', () => {
    expect(sha256([writeSeg(p.labels, ptReference(p), { created })])).toBe('9ae5730d5225e370012ca0c457105c45d8c1189c2ac0ff3f63b51ef7ab594e58');
    expect(sha256([writeRtstruct(p.labels, ptReference(p), [{ label: 1, name: 'Kidney L', color: [1, 2, 3], interpretedType: 'ORGAN' }], { created })])).toBe('c71c32ddbc930ef1a469886d368ff027129ef86cb1fbec80140c16809051ce83');
    expect(sha256([writeRtDose(structureDoseMap(p.labels, new Map([[1, 2.5]])), ptReference(p))])).toBe('f90d3dcdb88fa5444b851ef80b20da2f8ef30ba0980b7d4c1550e49e243245a5');
  });
});
