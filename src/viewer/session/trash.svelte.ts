// The one-level trash of the open study's PET series: the structure set that left the screen last (replaced,
// or discarded from this browser) waits there, also across reloads, until another one takes its place. The
// Structures panel offers it back; restoring swaps it with the set on screen, as one undo step.
import { describeStructures, presentLabels } from '../../core/contours/structureSet';
import { geometryOf, sameGrid, type Geometry } from '../../core/volume';
import type { LoadedStudy } from '../../core/study';
import { viewer, type StructureSet } from './state.svelte';
import { replaceStructures } from './editing.svelte';
import { autosaveKey, dropTrash, loadTrash, putInTrash, trashSummary, type AutosaveKey } from './storage';

export interface TrashOffer {
  /** The PET series the trash belongs to. */
  key: AutosaveKey;
  present: number[];
  /** "2 structures (Kidney L, T1)". */
  what: string;
  savedAt: number;
  /** Why it cannot be restored onto this study (another grid). */
  refused?: string;
}

export const trash = $state<{ offer?: TrashOffer; error?: string }>({});

/** The set last put in the trash by this page (its live object), to know when it comes back by undo or redo. */
let inTrash: StructureSet | undefined;

const sameKey = (a: AutosaveKey, b: AutosaveKey) => a.petSeriesUid === b.petSeriesUid && a.frameOfReferenceUid === b.frameOfReferenceUid;

function grids(study: LoadedStudy): Geometry[] {
  return [study.pet?.raw, study.ct].filter((g) => !!g).map((g) => geometryOf(g!));
}

/** Whether a set holds any voxel. */
export function holdsVoxels(set: StructureSet | undefined): boolean {
  return !!set?.labels.data.some((v) => v !== 0);
}

/** Reads what the trash of the open study holds (on opening a study, after every change of the trash). */
export async function refreshTrash(study: LoadedStudy | undefined = viewer.study): Promise<void> {
  if (!study) { trash.offer = undefined; return; }
  const key = autosaveKey(study);
  try {
    const t = await trashSummary(key);
    if (viewer.study && !sameKey(autosaveKey(viewer.study), key)) return; // another study was opened meanwhile
    trash.offer = t && {
      key, present: t.present, what: describeStructures(t.present), savedAt: t.savedAt,
      refused: grids(study).some((g) => sameGrid(t.geometry, g)) ? undefined : `The previous structure set was drawn on another grid (${t.geometry.dims.join('×')} voxels) than this study's images: it cannot be restored here.`,
    };
    trash.error = undefined;
  } catch (e) {
    trash.error = `The trash could not be read: ${(e as Error).message}`;
  }
}

function written(p: Promise<void>): void {
  p.then(() => refreshTrash(), (e) => { trash.error = `The previous structure set could not be kept: ${(e as Error).message}`; });
}

/**
 * Keeps a copy of the set (as it is now) in the trash of the open study's PET series, e.g. before an import
 * overwrites some of its structures.
 */
export function keepCopyInTrash(set: StructureSet): void {
  if (!viewer.study || !holdsVoxels(set)) return;
  inTrash = undefined; // a copy: the live set goes on changing
  written(putInTrash(autosaveKey(viewer.study), set.labels, set.source, $state.snapshot(set.meta)));
}

/**
 * One set left the screen for another (replace, undo or redo of one): the one leaving goes to the trash when it
 * holds voxels (an empty set would push out a useful one); when the one arriving is the set in the trash, the
 * trash is emptied (it is on screen again).
 */
export function setReplaced(leaving: StructureSet, arriving: StructureSet): void {
  const study = viewer.study;
  if (!study) return;
  if (holdsVoxels(leaving)) {
    written(putInTrash(autosaveKey(study), leaving.labels, leaving.source, $state.snapshot(leaving.meta)));
    inTrash = leaving;
  } else if (arriving === inTrash) {
    written(dropTrash(autosaveKey(study)));
    inTrash = undefined;
  }
}

/**
 * Restores the set in the trash of the open study (refused onto another grid, with the reason) in place of the
 * set on screen, which takes its place in the trash: one undo step. Returns the message to show.
 */
export async function restorePrevious(): Promise<string> {
  const study = viewer.study;
  if (!study) return 'Open a study first.';
  const key = autosaveKey(study);
  const r = await loadTrash(key, grids(study));
  if (!r) { await refreshTrash(study); return 'The trash of this study is empty (nothing to restore).'; }
  if ('refused' in r) return r.refused;
  if (viewer.study !== study) return 'Another study was opened: nothing was restored.';
  const leaving = viewer.structures;
  const { labels, source, meta, savedAt } = r.saved;
  replaceStructures('restore previous set', labels, source, meta);
  if (!holdsVoxels(leaving)) { inTrash = undefined; written(dropTrash(key)); } // nothing took its place
  return `Restored the previous structure set: ${describeStructures(presentLabels(labels.data))}, saved ${new Date(savedAt).toLocaleString()}. ${holdsVoxels(leaving) ? 'The set it replaced is in the trash now; ' : ''}Undo reverts this.`;
}
