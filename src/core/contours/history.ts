// Undo/redo of the structure set as one linear history of two kinds of step: voxel diffs (whatever changed in
// the label map since the last commit: a brush stroke, a grown region, an accepted candidate, an import) and set
// replacements (a new set, a restored one), which keep the replaced set whole. Costs one reference copy of the
// current map; the diffs before a replacement belong to the replaced set and apply again once it is back.

export interface LabelDiff { what: string; indices: Uint32Array; before: Uint8Array; after: Uint8Array }
/** The whole structure set `replaced` swapped for `by`: undo brings `replaced` back as it was. */
export interface SetReplacement<S> { what: string; replaced: S; by: S }
export type HistoryStep<S> = LabelDiff | SetReplacement<S>;

export function isReplacement<S>(step: HistoryStep<S> | undefined): step is SetReplacement<S> {
  return !!step && 'replaced' in step;
}

/** Bytes of replaced label maps the history keeps (the newest replacement is always kept). */
export const REPLACED_SETS_BUDGET = 256 * 2 ** 20;

export class LabelHistory<S = never> {
  private base: Uint8Array;
  private done: HistoryStep<S>[] = [];
  private undone: HistoryStep<S>[] = [];

  /**
   * `data` is the live label array (edited in place by the tools); `limit` steps are kept (≥ 50). `labelsOf`
   * gives the label array of a structure set, for histories with replacements.
   */
  constructor(private data: Uint8Array, readonly limit = 100, private labelsOf?: (set: S) => Uint8Array, readonly replacedBudget = REPLACED_SETS_BUDGET) {
    this.base = data.slice();
  }

  /** The label array the history edits now (the current set's). */
  get labels(): Uint8Array { return this.data; }

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
    this.push(diff);
    return diff;
  }

  /** Records that the current set (`replaced`, pending edits committed first) was swapped for `by`. */
  replace(what: string, replaced: S, by: S): SetReplacement<S> {
    if (!this.labelsOf) throw new Error('this history was made without labelsOf: it cannot replace sets');
    this.commit('edit');
    const step = { what, replaced, by };
    this.bind(this.labelsOf(by));
    this.push(step);
    return step;
  }

  /** Reverts the last step (uncommitted changes are committed first, so they are what gets undone). */
  undo(): HistoryStep<S> | undefined {
    this.commit('edit');
    const d = this.done.pop();
    if (!d) return undefined;
    if (isReplacement(d)) this.bind(this.labelsOf!(d.replaced));
    else this.apply(d.indices, d.before);
    this.undone.push(d);
    return d;
  }

  redo(): HistoryStep<S> | undefined {
    const d = this.undone.pop();
    if (!d) return undefined;
    if (isReplacement(d)) this.bind(this.labelsOf!(d.by));
    else this.apply(d.indices, d.after);
    this.done.push(d);
    return d;
  }

  get canUndo(): boolean { return this.done.length > 0; }
  get canRedo(): boolean { return this.undone.length > 0; }
  get steps(): number { return this.done.length; }
  /** What the next undo / redo would revert / repeat. */
  get nextUndo(): string | undefined { return this.done.at(-1)?.what; }
  get nextRedo(): string | undefined { return this.undone.at(-1)?.what; }

  private push(step: HistoryStep<S>): void {
    this.done.push(step);
    this.undone = [];
    if (this.done.length > this.limit) this.done.shift();
    // Replaced sets beyond the budget go with every older step (those edited the sets before them).
    const replacedBytes = () => this.done.reduce((n, s) => n + (isReplacement(s) ? this.labelsOf!(s.replaced).length : 0), 0);
    while (this.done.filter(isReplacement).length > 1 && replacedBytes() > this.replacedBudget) {
      const oldest = this.done.findIndex(isReplacement);
      this.done.splice(0, oldest + 1);
    }
  }

  /** Makes `data` the edited array (a set back on screen is exactly as it was when it left). */
  private bind(data: Uint8Array): void {
    this.data = data;
    this.base = data.slice();
  }

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
