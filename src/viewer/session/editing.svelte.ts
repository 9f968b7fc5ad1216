// Editing the structure set: one undo history (voxel diffs) for every kind of edit — Cornerstone brush
// strokes, grown regions, freehand fills, accepted candidates, interpolation, imports — and the redraw.
import { LabelHistory, slicesOf, type LabelDiff } from '../../core/contours/history';
import { emptyMeta, type StructureMeta } from '../../core/contours/structureSet';
import type { Volume } from '../../core/volume';
import { viewer, type StructureSet } from './state.svelte';
import { gridGeometry, type GridKind } from './grids';

export const UNDO_STEPS = 100;

export const history = $state({ canUndo: false, canRedo: false, nextUndo: '', nextRedo: '', steps: 0 });

let log: LabelHistory | undefined;
let logFor: Uint8Array | undefined;
let redraw: (slices?: number[]) => void = () => {};

/** The scene's redraw after edits made outside Cornerstone. */
export function onRedraw(fn: (slices?: number[]) => void): void {
  redraw = fn;
}

/** Starts a structure set (new, restored, demo): the undo history starts empty. */
export function setStructures(labels: Volume<Uint8Array>, source: string, meta: StructureMeta = emptyMeta()): void {
  viewer.structures = { labels, source, meta, revision: 0 };
  track();
}

/** An empty structure set on the PET grid (default) or the CT grid of the open study. */
export function newStructureSet(grid: GridKind = 'PET'): void {
  if (!viewer.study) throw new Error('open a study first');
  const g = gridGeometry(viewer.study, grid);
  setStructures({ ...g, data: new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]) }, 'drawn in this viewer');
}

/** The open study's structure set, started empty on the PET grid when there is none (throws without a study). */
export function ensureStructureSet(): StructureSet {
  if (!viewer.structures) newStructureSet();
  return viewer.structures!;
}

function track(): void {
  const data = viewer.structures?.labels.data;
  if (data !== logFor) {
    log = data ? new LabelHistory(data, UNDO_STEPS) : undefined;
    logFor = data;
  }
  const h = log;
  Object.assign(history, { canUndo: !!h?.canUndo, canRedo: !!h?.canRedo, nextUndo: h?.nextUndo ?? '', nextRedo: h?.nextRedo ?? '', steps: h?.steps ?? 0 });
}

function changed(diff: LabelDiff | undefined, redrawNeeded: boolean): boolean {
  const st = viewer.structures;
  if (!diff || !st) { track(); return false; }
  st.revision++;
  if (st.source.startsWith('demo') && !st.source.endsWith('(edited)')) st.source = `${st.source} (edited)`;
  if (redrawNeeded) redraw(slicesOf(diff, st.labels.dims[0], st.labels.dims[1]));
  track();
  return true;
}

/** Records what changed in the label map since the last step (e.g. a brush stroke Cornerstone already drew). */
export function commitEdit(what: string, redrawNeeded = true): boolean {
  track();
  return changed(log?.commit(what), redrawNeeded);
}

/** Runs an edit on the label array and records it as one undo step. */
export function edit(what: string, fn: (labels: Volume<Uint8Array>, meta: StructureMeta) => void): boolean {
  const st = viewer.structures;
  if (!st) return false;
  track();
  log?.commit('edit'); // anything pending (a stroke still settling) becomes its own step first
  fn(st.labels, st.meta);
  return commitEdit(what);
}

export function undo(): void {
  track();
  changed(log?.undo(), true);
}

export function redo(): void {
  track();
  changed(log?.redo(), true);
}

/** Metadata changes (site, visibility, lock) are saved but not undone. */
export function touchMeta(): void {
  if (viewer.structures) viewer.structures.revision++;
}

export type ContourTool = 'brush' | 'eraser' | 'grow' | 'fill' | 'cut';

/** Contour tool settings (the panel edits them; App resets `active` when a viewing tool is chosen). */
export const tools = $state({
  active: undefined as ContourTool | undefined,
  /** Structure painted by brush, grow and fill. */
  label: 0,
  radiusMm: 6,
  /** Brush: sphere instead of a disc; fill/cut: through every slice instead of one. */
  threeD: false,
  growKind: 'suv' as 'suv' | 'percentMax',
  growSuv: 3,
  growPercent: 41,
  growLimit: 'sphere' as 'sphere' | 'box',
  /** Limit size used for a click without a drag (mm). */
  growRadiusMm: 20,
});
