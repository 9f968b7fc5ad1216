import { describe, expect, it } from 'vitest';
import { LabelHistory, slicesOf } from './history';
import { interpolateSlices } from './interpolate';
import { paintSphere } from './ops';
import type { Volume } from '../volume';

const grid = (n = 32): Volume<Uint8Array> => ({ dims: [n, n, n], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(n * n * n) });

describe('undo/redo of label-map edits', () => {
  it('keeps at least 50 steps and restores every intermediate state exactly', () => {
    const labels = grid();
    const h = new LabelHistory(labels.data, 60);
    const states: Uint8Array[] = [labels.data.slice()];
    for (let s = 0; s < 55; s++) {
      paintSphere(labels, [4 + s, 30, 20 + (s % 7)], 3 + (s % 4), 1 + (s % 5));
      h.commit(`stroke ${s}`);
      states.push(labels.data.slice());
    }
    expect(h.steps).toBe(55);
    for (let s = 54; s >= 0; s--) {
      expect(h.nextUndo).toBe(`stroke ${s}`);
      h.undo();
      expect(Buffer.from(labels.data).equals(Buffer.from(states[s]))).toBe(true);
    }
    expect(h.canUndo).toBe(false);
    for (let s = 1; s <= 55; s++) { h.redo(); expect(Buffer.from(labels.data).equals(Buffer.from(states[s]))).toBe(true); }
    expect(h.canRedo).toBe(false);
  });
  it('an edit after an undo drops the redo branch; nothing changed means no step; old steps beyond the limit go', () => {
    const labels = grid(8);
    const h = new LabelHistory(labels.data, 50);
    expect(h.commit('nothing')).toBeUndefined();
    labels.data[5] = 3; h.commit('a');
    labels.data[6] = 3; h.commit('b');
    h.undo();
    labels.data[7] = 4; const d = h.commit('c')!;
    expect(h.canRedo).toBe(false);
    expect(slicesOf(d, 8, 8)).toEqual([0]);
    for (let s = 0; s < 60; s++) { labels.data[100 + s] = 1; h.commit(`x${s}`); }
    expect(h.steps).toBe(50);
  });
  it('undo first commits pending (uncommitted) changes so they are what gets undone', () => {
    const labels = grid(8);
    const h = new LabelHistory(labels.data);
    labels.data[1] = 1; h.commit('a');
    labels.data[2] = 1;
    h.undo();
    expect([labels.data[1], labels.data[2]]).toEqual([1, 0]);
  });
});

describe('shape-based slice interpolation', () => {
  it('fills between two drawn discs with discs of intermediate radius, and never overwrites another label', () => {
    const labels = grid(40);
    const disc = (k: number, r: number) => {
      for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) if ((i - 20) ** 2 + (j - 20) ** 2 <= r * r) labels.data[i + 40 * (j + 40 * k)] = 7;
    };
    disc(10, 4); disc(20, 12);
    labels.data[20 + 40 * (20 + 40 * 15)] = 3; // another structure in the gap
    const added = interpolateSlices(labels, 7);
    expect(added).toBeGreaterThan(0);
    const area = (k: number) => { let n = 0; for (let v = 0; v < 1600; v++) if (labels.data[1600 * k + v] === 7) n++; return n; };
    for (let k = 11; k < 20; k++) {
      const r = 4 + ((k - 10) / 10) * 8;
      expect(Math.abs(area(k) - Math.PI * r * r) / (Math.PI * r * r), `slice ${k}`).toBeLessThan(0.15);
      expect(area(k)).toBeGreaterThanOrEqual(area(k - 1));
    }
    expect(labels.data[20 + 40 * (20 + 40 * 15)]).toBe(3);
    expect(area(9) + area(21)).toBe(0);
  });
  it('interpolates along the coronal axis too and leaves a single drawn slice alone', () => {
    const labels = grid(20);
    for (const j of [4, 8]) for (let k = 8; k < 12; k++) for (let i = 8; i < 12; i++) labels.data[i + 20 * (j + 20 * k)] = 2;
    expect(interpolateSlices(labels, 2, 1)).toBe(3 * 16);
    const one = grid(20);
    one.data[5 + 20 * (5 + 20 * 5)] = 1;
    expect(interpolateSlices(one, 1)).toBe(0);
  });
});
