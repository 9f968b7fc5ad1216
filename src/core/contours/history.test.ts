import { describe, expect, it } from 'vitest';
import { LabelHistory, isReplacement, slicesOf } from './history';
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

describe('undo/redo with set replacements in the same history', () => {
  interface Set { name: string; labels: Volume<Uint8Array> }
  const set = (name: string, n = 8): Set => ({ name, labels: grid(n) });
  const history = (s: Set, budget?: number) => new LabelHistory<Set>(s.labels.data, 100, (x) => x.labels.data, budget);
  const copy = (s: Set) => s.labels.data.slice();

  it('undo of a replacement brings the replaced set back whole, then its own edits undo in order; redo repeats all', () => {
    const a = set('A');
    const h = history(a);
    a.labels.data[1] = 1; h.commit('a1');
    const afterA1 = copy(a);
    a.labels.data[2] = 2; h.commit('a2');
    const afterA2 = copy(a);
    const b = set('B');
    const step = h.replace('new set', a, b);
    expect(h.labels).toBe(b.labels.data);
    b.labels.data[3] = 5; h.commit('b1');
    expect(a.labels.data).toEqual(afterA2); // the replaced set is never touched
    expect(h.nextUndo).toBe('b1');
    h.undo();
    expect(b.labels.data[3]).toBe(0);
    expect(h.nextUndo).toBe('new set');
    const back = h.undo()!;
    expect(isReplacement(back) && back.replaced).toBe(a);
    expect(back).toBe(step);
    expect(h.labels).toBe(a.labels.data);
    h.undo();
    expect(a.labels.data).toEqual(afterA1);
    h.undo();
    expect(h.canUndo).toBe(false);
    h.redo(); h.redo();
    expect(a.labels.data).toEqual(afterA2);
    const again = h.redo()!;
    expect(isReplacement(again) && again.by).toBe(b);
    expect(h.labels).toBe(b.labels.data);
    h.redo();
    expect(b.labels.data[3]).toBe(5);
    expect(h.canRedo).toBe(false);
  });
  it('edits not yet committed become their own step before the replacement; editing after undoing it drops the redo', () => {
    const a = set('A'), b = set('B');
    const h = history(a);
    a.labels.data[4] = 7; // a stroke still settling
    h.replace('new set', a, b);
    expect(h.steps).toBe(2);
    h.undo();
    expect(a.labels.data[4]).toBe(7);
    a.labels.data[5] = 1; h.commit('a again');
    expect(h.canRedo).toBe(false);
    h.undo(); h.undo();
    expect([a.labels.data[4], a.labels.data[5]]).toEqual([0, 0]);
  });
  it('replaced sets beyond the byte budget go with every step before them; the newest replacement stays', () => {
    const sets = [set('S0'), set('S1'), set('S2'), set('S3')];
    const h = history(sets[0], 2 * 512); // room for two replaced 8³ maps
    sets[0].labels.data[0] = 1; h.commit('s0 edit');
    for (let n = 1; n < sets.length; n++) h.replace(`to ${n}`, sets[n - 1], sets[n]);
    expect(h.steps).toBe(2);
    h.undo(); h.undo();
    expect(h.labels).toBe(sets[1].labels.data);
    expect(h.canUndo).toBe(false);
    const tiny = history(set('T0'), 1);
    tiny.replace('to T1', set('T0'), set('T1'));
    expect(tiny.steps).toBe(1);
  });
  it('a history made without labelsOf refuses replacements', () => {
    const a = set('A');
    expect(() => new LabelHistory<Set>(a.labels.data).replace('x', a, set('B'))).toThrow(/labelsOf/);
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
