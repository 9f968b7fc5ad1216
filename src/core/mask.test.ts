import { describe, expect, it } from 'vitest';
import { resampleLabelsNearest } from './mask';
import { indexToWorld, worldToIndex, type Geometry, type Mat3, type Vec3, type Volume } from './volume';
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
  it('the per-axis fast path gives what voxel-by-voxel nearest lookup gives, also for oblique grids', () => {
    const src: Volume<Uint8Array> = { dims: [13, 11, 9], spacing: [1.7, 2.1, 3], origin: [-5, 3, 10], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: Uint8Array.from({ length: 13 * 11 * 9 }, (_, n) => (n * 37) % 251) };
    const target = { dims: [20, 17, 12] as Vec3, spacing: [1.1, 1.3, 2.2] as Vec3, origin: [-7, 1, 8] as Vec3, direction: src.direction };
    const slow = (g: Geometry) => {
      const out = new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]);
      for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) {
        const c = worldToIndex(src, indexToWorld(g, i, j, k)).map(Math.round);
        if (c.every((v, a) => v >= 0 && v < src.dims[a])) out[i + g.dims[0] * (j + g.dims[1] * k)] = src.data[c[0] + 13 * (c[1] + 11 * c[2])];
      }
      return out;
    };
    expect(Array.from(resampleLabelsNearest(src, target).data)).toEqual(Array.from(slow(target)));
    const c = Math.SQRT1_2;
    const oblique = { ...target, direction: [c, c, 0, -c, c, 0, 0, 0, 1] as Mat3 };
    expect(Array.from(resampleLabelsNearest(src, oblique).data)).toEqual(Array.from(slow(oblique)));
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
