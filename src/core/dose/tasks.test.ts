import { describe, expect, it } from 'vitest';
import { dosimetricStructures, structureTasks } from './tasks';
import { ORGANS, TUMOUR_LABEL_BASE } from '../vocabulary';
import { IDENTITY, type Volume } from '../volume';

const label = (name: string) => ORGANS.find((o) => o.name === name)!.label;
const geom = { dims: [12, 12, 12] as [number, number, number], spacing: [2, 2, 2] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction: IDENTITY };
const labels: Volume<Uint8Array> = { ...geom, data: new Uint8Array(12 ** 3) };
const suv: Volume<Float32Array> = { ...geom, data: new Float32Array(12 ** 3).fill(1) };
for (let n = 0; n < 40; n++) labels.data[100 + n] = label('Liver');
for (let n = 0; n < 30; n++) labels.data[800 + n] = label('Kidney L');
for (let n = 0; n < 20; n++) labels.data[1200 + n] = TUMOUR_LABEL_BASE + 2;

describe('structure tasks', () => {
  it('the dosimetric structures present, in order of first voxel, with the tumour site; reference regions left out', () => {
    expect(dosimetricStructures(labels, { tumours: { [TUMOUR_LABEL_BASE + 2]: { site: 'bone' } } })).toEqual([
      { id: 'Kidney L', name: 'Kidney L', type: 'kidney', site: undefined },
      { id: 'T2', name: 'T2', type: 'tumour', site: 'bone' },
    ]);
  });
  it('one cropped task per structure with voxels; the others skipped with the reason', () => {
    const r = structureTasks(suv, labels, [
      { id: 'a', name: 'Kidney L', type: 'kidney' }, { id: 'b', name: 'Kidney R', type: 'kidney' }, { id: 'c', name: 'Spleeen', type: 'kidney' },
    ]);
    expect(r.refs.map((s) => s.id)).toEqual(['a']);
    expect(r.tasks[0].mask.reduce((s, v) => s + v, 0)).toBe(30);
    expect(r.tasks[0].options).toEqual({ uptake: true });
    expect(r.skipped).toEqual([
      { id: 'b', name: 'Kidney R', type: 'kidney', reason: 'no voxels in the label map' },
      { id: 'c', name: 'Spleeen', type: 'kidney', reason: 'name not in the vocabulary' },
    ]);
  });
});
