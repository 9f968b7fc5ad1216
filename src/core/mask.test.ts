import { describe, expect, it } from 'vitest';
import { resampleLabelsNearest } from './mask';
import { defaultPatientSpec, generatePatient } from './phantom/generate';
import { computeFeatures } from './radiomics/engine';
import { CLINICAL_PET } from './radiomics/settings';

describe('CT-grid contours on the PET grid', () => {
  it('nearest-neighbour resampling keeps structure volumes within partial-voxel error', () => {
    const p = generatePatient(defaultPatientSpec(2, { lesions: 2, imaging: { ctSpacing: [2, 2, 3], petSpacing: [4, 4, 4], zBottomMm: 250, zTopMm: 360 } }));
    // Labels on the PET grid → a finer (CT-like) grid and back: the kidney volume survives.
    const fine = resampleLabelsNearest(p.labels, p.ct);
    const back = resampleLabelsNearest(fine, p.pet);
    const count = (d: ArrayLike<number>, l: number) => Array.from(d).filter((v) => v === l).length;
    const before = count(p.labels.data, 1), after = count(back.data, 1);
    expect(before).toBeGreaterThan(100);
    expect(Math.abs(after - before) / before).toBeLessThan(0.05);
  });
});

describe('degenerate ROIs', () => {
  it('a one-voxel ROI gets statistics and uptake, and texture that cannot exist is null with a reason', () => {
    const img = { dims: [5, 5, 5] as [number, number, number], spacing: [4, 4, 4] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number], data: new Float32Array(125).map((_, n) => 1 + (n % 7)) };
    const mask = new Uint8Array(125); mask[62] = 1;
    const r = computeFeatures(img, mask, CLINICAL_PET, { uptake: true });
    expect(r.features.stat_mean).toBe(img.data[62]);
    expect(r.uptake!.suvmax).toBe(img.data[62]);
    expect(r.features.cm_joint_max_3D_avg ?? null).toBeNull();
    expect(r.warnings.join(' ')).toMatch(/single voxel/);
  });
});
