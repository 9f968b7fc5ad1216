// RT Dose as measured dose: read back from the project's writer (and edited as other systems write it), the mean
// per structure on the same grid and on a different dose grid (trilinear sampling: a linear dose field is
// reproduced exactly), structures outside the grid, pairs as aggregates, and the refusals (frame of reference,
// units, spacing) that change nothing.
import { describe, expect, it } from 'vitest';
import { writeRtDose, structureDoseMap } from '../dicom/rtdose';
import { indexToWorld, type Mat3, type Vec3, type Volume } from '../volume';
import { resampleLabelsNearest } from '../mask';
import { rewriteDicom } from '../../../test-support/dicomEdit';
import { doseMeansPerStructure, measuredFromRtDose, readRtDose } from './measuredRtDose';
import { MeasuredDoseError } from './measured';

const I: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const FOR = '1.2.826.0.1.3680043.8.498.1';
const ref = { studyUid: '1.2.3', frameOfReferenceUid: FOR, patientName: 'X', patientId: 'P1' };

/** A PET-like label map: Kidney L (1) and Kidney R (2) as boxes, T1 (21) a small box, on 4 mm voxels. */
function labelsPet(): Volume<Uint8Array> {
  const dims: Vec3 = [30, 24, 20];
  const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const box = (l: number, [i0, i1]: number[], [j0, j1]: number[], [k0, k1]: number[]) => {
    for (let k = k0; k < k1; k++) for (let j = j0; j < j1; j++) for (let i = i0; i < i1; i++) data[i + dims[0] * (j + dims[1] * k)] = l;
  };
  box(1, [4, 11], [6, 16], [4, 14]);
  box(2, [18, 25], [6, 16], [4, 14]);
  box(21, [13, 16], [18, 21], [8, 11]);
  return { dims, spacing: [4, 4, 4], origin: [-58, -46, -40], direction: I, data };
}

const bytes = (b: ArrayBuffer) => b;
const edit = (buf: ArrayBuffer, fn: (ds: Record<string, unknown>) => void) => rewriteDicom([{ name: 'd.dcm', data: buf }], fn)[0].data;

describe('RT Dose as measured dose', () => {
  const labels = labelsPet();
  const perLabel = new Map([[1, 3.2], [2, 2.4], [21, 30]]);
  const onPet = bytes(writeRtDose(structureDoseMap(labels, perLabel), ref));

  it('on the PET grid: each structure\'s mean is its dose; both kidneys also as one VOI (voxel-weighted)', () => {
    const read = readRtDose(onPet, 'dose.dcm');
    expect(read.dose.dims).toEqual(labels.dims);
    expect(read.summationType).toBe('PLAN');
    const m = measuredFromRtDose(read, labels, { name: 'dose.dcm', petFrameOfReferenceUid: FOR, activityGBq: 7.4, cycle: 1, petGrid: labels });
    const of = (n: string) => m.doses.find((d) => d.structure === n)!;
    expect(of('Kidney L').meanDoseGy).toBeCloseTo(3.2, 6);
    expect(of('Kidney R').gyPerGBq).toBeCloseTo(2.4 / 7.4, 6);
    expect(of('T1').meanDoseGy).toBeCloseTo(30, 5);
    expect(of('Kidneys')).toMatchObject({ members: ['Kidney L', 'Kidney R'], administeredActivityGBq: 7.4, cycle: 1 });
    expect(of('Kidneys').meanDoseGy).toBeCloseTo(2.8, 6); // equal volumes
    expect(of('Kidney L').method).toBe('RT Dose (PLAN): Dose');
    expect(m.warnings).toEqual([]);
    expect(m.unused).toEqual([]);
  });

  it('on a dose grid other than the structures\' (CT-like, offset, finer in z): trilinear sampling reproduces a linear dose field exactly', () => {
    // D(x, y, z) = 2 + 0.01 x − 0.02 y + 0.03 z Gy on a 3 × 3 × 2.5 mm grid covering the label map.
    const g = { dims: [44, 36, 40] as Vec3, spacing: [3, 3, 2.5] as Vec3, origin: [-65.5, -53.2, -46.1] as Vec3, direction: I };
    const data = new Float32Array(g.dims[0] * g.dims[1] * g.dims[2]);
    for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) {
      const [x, y, z] = indexToWorld(g, i, j, k);
      data[i + g.dims[0] * (j + g.dims[1] * k)] = 2 + 0.01 * x - 0.02 * y + 0.03 * z;
    }
    const read = readRtDose(bytes(writeRtDose({ ...g, data }, ref)), 'ct-grid.dcm');
    const means = doseMeansPerStructure(read.dose, labels);
    for (const l of [1, 2, 21]) {
      let sum = 0, n = 0;
      for (let k = 0; k < labels.dims[2]; k++) for (let j = 0; j < labels.dims[1]; j++) for (let i = 0; i < labels.dims[0]; i++) {
        if (labels.data[i + labels.dims[0] * (j + labels.dims[1] * k)] !== l) continue;
        const [x, y, z] = indexToWorld(labels, i, j, k);
        sum += 2 + 0.01 * x - 0.02 * y + 0.03 * z; n++;
      }
      const m = means.find((x) => x.label === l)!;
      expect(m.voxels).toBe(n);
      expect(m.outside).toBe(0);
      expect(m.meanGy).toBeCloseTo(sum / n, 4); // uint32 × DoseGridScaling keeps ~1e-9 Gy
    }
    const r = measuredFromRtDose(read, labels, { name: 'ct-grid.dcm', petFrameOfReferenceUid: FOR, activityGBq: 7.4, cycle: 1, petGrid: labels });
    expect(r.warnings).toEqual([expect.stringMatching(/^ct-grid\.dcm: the dose grid \(44×36×40 voxels of 3×3×2\.5 mm at .*\) is not the PET grid; sampled trilinearly at the structure voxels$/)]);
  });

  it('a structure-wise dose on the CT grid sampled at PET structures: large organs within 2 %, the difference only at their borders', () => {
    const ct = { dims: [60, 48, 32] as Vec3, spacing: [2, 2, 2.5] as Vec3, origin: [-59, -47, -41.25] as Vec3, direction: I };
    const ctLabels = resampleLabelsNearest(labels, ct);
    const read = readRtDose(bytes(writeRtDose(structureDoseMap(ctLabels, perLabel), ref)), 'ct.dcm');
    const m = measuredFromRtDose(read, labels, { name: 'ct.dcm', petFrameOfReferenceUid: FOR, activityGBq: 7.4, cycle: 1 });
    expect(Math.abs(m.doses.find((d) => d.structure === 'Kidney L')!.meanDoseGy / 3.2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.doses.find((d) => d.structure === 'Kidney R')!.meanDoseGy / 2.4 - 1)).toBeLessThan(0.02);
  });

  it('structures (partly) outside the dose grid are not measured and are listed with the reason', () => {
    // A dose grid covering only the left half (x < -2 mm): Kidney R lies outside, two thirds of T1 too.
    const g = { dims: [14, 24, 20] as Vec3, spacing: [4, 4, 4] as Vec3, origin: [-58, -46, -40] as Vec3, direction: I };
    const crop = new Float32Array(g.dims[0] * g.dims[1] * g.dims[2]).fill(1.5);
    const m = measuredFromRtDose(readRtDose(bytes(writeRtDose({ ...g, data: crop }, ref)), 'crop.dcm'), labels, { name: 'crop.dcm', petFrameOfReferenceUid: FOR, activityGBq: 6, cycle: 2 });
    expect(m.doses.map((d) => [d.structure, d.meanDoseGy, d.gyPerGBq, d.cycle])).toEqual([['Kidney L', 1.5, 0.25, 2]]);
    expect(m.unused).toEqual([
      { row: 0, name: 'Kidney R', reason: '700 of 700 voxels (100 %) lie outside the dose grid' },
      { row: 0, name: 'T1', reason: '18 of 27 voxels (67 %) lie outside the dose grid' },
    ]);
    expect(m.warnings).toEqual(['crop.dcm: measured after cycle 2; the model predicts the first cycle, so the comparison assumes uptake stayed as in cycle 1']);
    // Nothing inside: refused.
    const far = { ...g, origin: [200, 200, 200] as Vec3 };
    expect(() => measuredFromRtDose(readRtDose(bytes(writeRtDose({ ...far, data: crop }, ref)), 'far.dcm'), labels, { name: 'far.dcm', petFrameOfReferenceUid: FOR, activityGBq: 6, cycle: 1 }))
      .toThrow(/far\.dcm: no structure of the structure set lies inside the dose grid/);
  });

  it('refuses another frame of reference naming both UIDs, relative doses, uneven frames and no frame of reference; nothing is returned', () => {
    const read = readRtDose(onPet, 'dose.dcm');
    expect(() => measuredFromRtDose(read, labels, { name: 'dose.dcm', petFrameOfReferenceUid: '1.2.9.9', activityGBq: 7.4, cycle: 1 }))
      .toThrow(`dose.dcm: FrameOfReferenceUID ${FOR} is not the PET's (1.2.9.9): the dose is not registered to this PET`);
    expect(() => readRtDose(edit(onPet, (d) => { d.DoseUnits = 'RELATIVE'; }), 'rel.dcm')).toThrow(/rel\.dcm: DoseUnits is "RELATIVE"; only GY/);
    expect(() => readRtDose(edit(onPet, (d) => { delete d.FrameOfReferenceUID; }), 'nofor.dcm')).toThrow(/nofor\.dcm: FrameOfReferenceUID is absent/);
    expect(() => readRtDose(edit(onPet, (d) => { d.GridFrameOffsetVector = (d.GridFrameOffsetVector as number[]).map((v, k) => (k === 5 ? Number(v) + 1.5 : v)); }), 'uneven.dcm')).toThrow(/uneven\.dcm: GridFrameOffsetVector is not evenly spaced \(frame 6/);
    expect(() => readRtDose(edit(onPet, (d) => { d.Modality = 'CT'; }), 'ct.dcm')).toThrow(/ct\.dcm: Modality is CT, not RTDOSE/);
    expect(() => measuredFromRtDose(read, labels, { name: 'dose.dcm', petFrameOfReferenceUid: FOR, activityGBq: 0, cycle: 1 })).toThrow(MeasuredDoseError);
  });

  it('absolute GridFrameOffsetVector, frames against the normal and summed deliveries are read as such', () => {
    const abs = edit(onPet, (d) => { const z0 = Number((d.ImagePositionPatient as number[])[2]); d.GridFrameOffsetVector = (d.GridFrameOffsetVector as number[]).map((v) => Number(v) + z0); d.DoseSummationType = 'MULTI_PLAN'; });
    const r = readRtDose(abs, 'abs.dcm');
    expect(r.dose.origin).toEqual(labels.origin);
    expect(r.warnings).toEqual(['abs.dcm: DoseSummationType MULTI_PLAN sums several deliveries; enter the total activity of the cycles it sums (the comparison is per GBq)']);
    expect(doseMeansPerStructure(r.dose, labels).find((m) => m.label === 1)!.meanGy).toBeCloseTo(3.2, 6);
    // The same grid written top-down: frames at decreasing z.
    const down = edit(onPet, (d) => {
      const z0 = Number((d.ImagePositionPatient as number[])[2]), n = (d.GridFrameOffsetVector as number[]).length;
      d.ImagePositionPatient = [labels.origin[0], labels.origin[1], z0 + (n - 1) * 4];
      d.GridFrameOffsetVector = (d.GridFrameOffsetVector as number[]).map((v) => -Number(v));
      const px = new Uint32Array((d.PixelData as ArrayBuffer[])[0]), per = labels.dims[0] * labels.dims[1], out = new Uint32Array(px.length);
      for (let k = 0; k < n; k++) out.set(px.subarray(k * per, (k + 1) * per), (n - 1 - k) * per);
      d.PixelData = [out.buffer];
    });
    const rd = readRtDose(down, 'down.dcm');
    for (const l of [1, 2, 21]) expect(doseMeansPerStructure(rd.dose, labels).find((m) => m.label === l)!.meanGy).toBeCloseTo(perLabel.get(l)!, 5);
  });
});
