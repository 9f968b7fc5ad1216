// A study assembled from its headers on zero placeholders, then filled frame by frame, equals the study read whole.
import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from './phantom/generate';
import { writeCtSeries, writePtSeries } from './phantom/dicom';
import { readDicomFiles, type DicomInstance } from './dicom/read';
import { assembleStudy } from './study';
import { firstViewSlices, initialZ, nearestFirst, progressiveProblem, sliceTargets, writeFrame } from './progressive';

const p = generatePatient(defaultPatientSpec(12, { lesions: 2, imaging: { ctSpacing: [6, 6, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 420 } }));
const files = () => [...writeCtSeries(p).files, ...writePtSeries(p).files];

/** The series with every frame replaced by a shared zero buffer of its size; the real frames kept aside. */
function placeholders() {
  const { series } = readDicomFiles(files());
  const real = new Map<DicomInstance, ArrayBuffer>();
  const zero = new Map<number, ArrayBuffer>();
  for (const s of series) for (const i of s.instances) {
    if (!i.pixels) continue;
    real.set(i, i.pixels);
    const n = i.pixels.byteLength;
    if (!zero.has(n)) zero.set(n, new ArrayBuffer(n));
    i.pixels = zero.get(n);
  }
  return { series, real };
}

describe('progressive study', () => {
  it('frames written in any order into the header-built study give the volumes read whole', () => {
    const whole = assembleStudy(readDicomFiles(files()).series);
    const { series, real } = placeholders();
    const study = assembleStudy(series);
    expect(progressiveProblem(study)).toBeUndefined();
    expect(study.ct!.data.some((v) => v !== 0)).toBe(false);
    const targets = sliceTargets(study);
    expect(targets.size).toBe(real.size);
    const order = nearestFirst(targets, initialZ(study));
    for (const i of order.reverse()) writeFrame(study, i, targets.get(i)!, real.get(i)!);
    expect(study.ct!.data.constructor).toBe(whole.ct!.data.constructor);
    expect(study.ct!.data).toEqual(whole.ct!.data);
    expect(study.pet!.raw.data).toEqual(whole.pet!.raw.data);
    expect(study.pet!.suv!.data).toEqual(whole.pet!.suv!.data);
  });

  it('orders the frames nearest the first view first, both series alike; the first view needs a few slices of each', () => {
    const { series } = placeholders();
    const study = assembleStudy(series);
    const targets = sliceTargets(study), z0 = initialZ(study);
    const order = nearestFirst(targets, z0);
    const d = order.map((i) => Math.abs(targets.get(i)!.z - z0));
    expect(d).toEqual([...d].sort((a, b) => a - b));
    const first = firstViewSlices(targets, z0, 8);
    const mods = [...first].map((i) => targets.get(i)!.modality);
    expect(mods).toContain('CT');
    expect(mods).toContain('PT');
    expect(first.size).toBeLessThan(targets.size / 4);
  });

  it('a frame of the wrong length is refused, naming the instance; a PET without SUV is not shown before all frames', () => {
    const { series, real } = placeholders();
    const study = assembleStudy(series);
    const targets = sliceTargets(study);
    const [inst] = targets.keys();
    expect(() => writeFrame(study, inst, targets.get(inst)!, real.get(inst)!.slice(0, 100))).toThrow(new RegExp(`${inst.name}: pixel data is 100 bytes`));
    const { series: s2 } = placeholders();
    for (const x of s2) for (const i of x.instances) if (x.modality === 'PT') delete i.attrs.PatientWeight;
    expect(progressiveProblem(assembleStudy(s2))).toMatch(/no SUV/);
  });
});
