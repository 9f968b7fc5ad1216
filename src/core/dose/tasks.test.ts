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

describe('label boxes and crops', () => {
  it('one pass gives each label its box, count and a hash that changes with any voxel', async () => {
    const { labelBoxes } = await import('./tasks');
    const b = labelBoxes(labels);
    expect([...b.keys()]).toEqual([label('Liver'), label('Kidney L'), TUMOUR_LABEL_BASE + 2]);
    expect(b.get(label('Kidney L'))).toMatchObject({ count: 30, lo: [0, 6, 5], hi: [11, 9, 5] });
    const moved = { ...labels, data: labels.data.slice() };
    moved.data[800] = 0; moved.data[830] = label('Kidney L');
    const c = labelBoxes(moved);
    expect(c.get(label('Kidney L'))!.count).toBe(30);
    expect(c.get(label('Kidney L'))!.hash).not.toBe(b.get(label('Kidney L'))!.hash);
    expect(c.get(label('Liver'))!.hash).toBe(b.get(label('Liver'))!.hash);
  });
  it('a structure cropped from its box is the crop of its whole-volume mask', async () => {
    const { cropToRoi } = await import('../radiomics/task');
    const { labelMask } = await import('../radiomics/engine');
    const ramp: Volume<Float32Array> = { ...geom, data: Float32Array.from({ length: 12 ** 3 }, (_, n) => n * 0.5) };
    for (const l of [label('Liver'), label('Kidney L'), TUMOUR_LABEL_BASE + 2]) {
      const { labelBoxes, cropStructure } = await import('./tasks');
      const mine = cropStructure(ramp, labels, l, labelBoxes(labels).get(l)!);
      const whole = cropToRoi(ramp, labelMask(labels, l));
      expect(mine.image.dims).toEqual(whole.image.dims);
      expect(mine.image.origin).toEqual(whole.image.origin);
      expect([...mine.image.data]).toEqual([...whole.image.data]);
      expect([...mine.mask]).toEqual([...whole.mask]);
    }
  });
});
