// Editing the structure set: one undo history for every kind of edit — Cornerstone brush strokes, grown regions,
// freehand fills, accepted candidates, interpolation, imports (voxel diffs) and replacing the whole set (a new
// set, a restored one) — and the redraw.
import { LabelHistory, isReplacement, slicesOf, type HistoryStep } from '../../core/contours/history';
import { emptyMeta, type StructureMeta } from '../../core/contours/structureSet';
import type { Volume } from '../../core/volume';
import { viewer, type StructureSet } from './state.svelte';
import { gridGeometry, type GridKind } from './grids';

export const UNDO_STEPS = 100;

export const history = $state({ canUndo: false, canRedo: false, nextUndo: '', nextRedo: '', steps: 0 });

let log: LabelHistory<StructureSet> | undefined;
let redraw: (slices?: number[]) => void = () => {};
let replaced: (leaving: StructureSet, arriving: StructureSet) => void = () => {};

/** The scene's redraw after edits made outside Cornerstone. */
export function onRedraw(fn: (slices?: number[]) => void): void {
  redraw = fn;
}

/** Told whenever one structure set leaves the screen for another (replace, and its undo / redo): the trash. */
export function onSetReplaced(fn: (leaving: StructureSet, arriving: StructureSet) => void): void {
  replaced = fn;
}

/** Starts a structure set (a study's own, restored when it opens, demo): the undo history starts empty. */
export function setStructures(labels: Volume<Uint8Array>, source: string, meta: StructureMeta = emptyMeta()): void {
  viewer.structures = { labels, source, meta, revision: 0 };
  track();
}

/**
 * Puts another structure set in place of the current one as one undo step (undo brings the current set back
 * with its voxels, source, meta and its own edit history). Without a current set it simply starts one.
 */
export function replaceStructures(what: string, labels: Volume<Uint8Array>, source: string, meta: StructureMeta = emptyMeta()): void {
  const leaving = viewer.structures;
  if (!leaving) return setStructures(labels, source, meta);
  track();
  viewer.structures = { labels, source, meta, revision: leaving.revision + 1 };
  const arriving = viewer.structures;
  log!.replace(what, leaving, arriving);
  replaced(leaving, arriving);
  track();
}

/** An empty structure set on the PET grid (default) or the CT grid of the open study, replacing the current one. */
export function newStructureSet(grid: GridKind = 'PET'): void {
  if (!viewer.study) throw new Error('open a study first');
  const g = gridGeometry(viewer.study, grid);
  replaceStructures('new structure set', { ...g, data: new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]) }, 'drawn in this viewer');
}

/** The open study's structure set, started empty on the PET grid when there is none (throws without a study). */
export function ensureStructureSet(): StructureSet {
  if (!viewer.structures) newStructureSet();
  return viewer.structures!;
}

/** Keeps the history on the set on screen (a new one for a set started outside it) and mirrors it for the UI. */
function track(): void {
  const data = viewer.structures?.labels.data;
  if (data !== log?.labels) log = data ? new LabelHistory<StructureSet>(data, UNDO_STEPS, (set) => set.labels.data) : undefined;
  const h = log;
  Object.assign(history, { canUndo: !!h?.canUndo, canRedo: !!h?.canRedo, nextUndo: h?.nextUndo ?? '', nextRedo: h?.nextRedo ?? '', steps: h?.steps ?? 0 });
}

function changed(step: HistoryStep<StructureSet> | undefined, redrawNeeded: boolean, undone = false): boolean {
  if (isReplacement(step)) {
    const [leaving, arriving] = undone ? [step.by, step.replaced] : [step.replaced, step.by];
    viewer.structures = arriving;
    arriving.revision++;
    replaced(leaving, arriving);
    track();
    return true;
  }
  const st = viewer.structures;
  if (!step || !st) { track(); return false; }
  st.revision++;
  if (st.source.startsWith('demo') && !st.source.endsWith('(edited)')) st.source = `${st.source} (edited)`;
  if (redrawNeeded) redraw(slicesOf(step, st.labels.dims[0], st.labels.dims[1]));
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
  changed(log?.undo(), true, true);
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
