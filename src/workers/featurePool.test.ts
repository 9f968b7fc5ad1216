import { describe, expect, it } from 'vitest';
import { nodeFeaturePool } from './nodeFeaturePool';
import { defaultPatientSpec, generatePatient, suvbwFactor } from '../core/phantom/generate';
import { cropToRoi, runTask } from '../core/radiomics/task';
import { CLINICAL_PET } from '../core/radiomics/settings';
import { labelMask } from '../core/radiomics/engine';
import { CancelledError } from './featurePool';

const p = generatePatient(defaultPatientSpec(21, { lesions: 4, imaging: { ctSpacing: [6, 6, 6], petSpacing: [4, 4, 4], zBottomMm: 0, zTopMm: 850 } }));
const suv = { ...p.pet, data: p.pet.data.map((v) => v * suvbwFactor(p.spec)) };
const tasks = () => p.truth.structures.filter((s) => s.type !== 'reference').map((s) => {
  const c = cropToRoi(suv, labelMask(p.labels, s.label));
  return { id: s.name, image: c.image, mask: c.mask, settings: CLINICAL_PET, options: { uptake: true } };
});

describe('feature worker pool (worker_threads)', () => {
  it('gives the same results as in-process extraction, with progress', async () => {
    const pool = nodeFeaturePool(2);
    try {
      const seen: number[] = [];
      const local = tasks().map(runTask);
      const res = await pool.run(tasks(), { onProgress: (d) => seen.push(d) });
      expect(seen.at(-1)).toBe(res.length);
      for (let n = 0; n < res.length; n++) {
        expect(res[n].error).toBeUndefined();
        expect(res[n].result!.features).toEqual(local[n].result!.features);
      }
      const t1 = res.find((r) => r.id === 'T1')!.result!.uptake!;
      const truth = p.truth.structures.find((s) => s.name === 'T1')!;
      expect(t1.suvmax).toBeCloseTo(truth.suvMax, 4);
    } finally {
      pool.close();
    }
  });
  it('can be cancelled', async () => {
    const pool = nodeFeaturePool(1);
    const ctl = new AbortController();
    try {
      const run = pool.run(tasks(), { onProgress: () => ctl.abort(), signal: ctl.signal });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
    } finally {
      pool.close();
    }
  });
});
