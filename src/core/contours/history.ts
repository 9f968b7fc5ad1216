// Undo/redo of label-map edits as voxel diffs: whatever changed since the last commit (a brush stroke, a
// grown region, an accepted candidate, an import) becomes one step. Costs one reference copy of the map.

export interface LabelDiff { what: string; indices: Uint32Array; before: Uint8Array; after: Uint8Array }

export class LabelHistory {
  private base: Uint8Array;
  private done: LabelDiff[] = [];
  private undone: LabelDiff[] = [];

  /** `data` is the live label array (edited in place by the tools); `limit` steps are kept (≥ 50). */
  constructor(private data: Uint8Array, readonly limit = 100) {
    this.base = data.slice();
  }

  /** Records every voxel changed since the last commit as one step; undefined when nothing changed. */
  commit(what: string): LabelDiff | undefined {
    const idx: number[] = [];
    const { data, base } = this;
    for (let n = 0; n < data.length; n++) if (data[n] !== base[n]) idx.push(n);
    if (!idx.length) return undefined;
    const indices = Uint32Array.from(idx);
    const before = new Uint8Array(indices.length), after = new Uint8Array(indices.length);
    indices.forEach((n, t) => { before[t] = base[n]; after[t] = data[n]; base[n] = data[n]; });
    const diff = { what, indices, before, after };
    this.done.push(diff);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
    return diff;
  }

  /** Reverts the last step (uncommitted changes are committed first, so they are what gets undone). */
  undo(): LabelDiff | undefined {
    this.commit('edit');
    const d = this.done.pop();
    if (!d) return undefined;
    this.apply(d.indices, d.before);
    this.undone.push(d);
    return d;
  }

  redo(): LabelDiff | undefined {
    const d = this.undone.pop();
    if (!d) return undefined;
    this.apply(d.indices, d.after);
    this.done.push(d);
    return d;
  }

  get canUndo(): boolean { return this.done.length > 0; }
  get canRedo(): boolean { return this.undone.length > 0; }
  get steps(): number { return this.done.length; }
  /** What the next undo / redo would revert / repeat. */
  get nextUndo(): string | undefined { return this.done.at(-1)?.what; }
  get nextRedo(): string | undefined { return this.undone.at(-1)?.what; }

  private apply(indices: Uint32Array, values: Uint8Array): void {
    indices.forEach((n, t) => { this.data[n] = values[t]; this.base[n] = values[t]; });
  }
}

/** Slice indices (k) touched by a diff on a grid of nx × ny voxels per slice, for partial redraws. */
export function slicesOf(diff: LabelDiff, nx: number, ny: number): number[] {
  const ks = new Set<number>();
  for (const n of diff.indices) ks.add(Math.floor(n / (nx * ny)));
  return [...ks].sort((a, b) => a - b);
}
