// Autosave of the structure set and the dose state: every edit (not the untouched demo truth) reaches
// IndexedDB within a second, keyed by the PET series and its frame of reference; restored when that PET is
// opened again. A set that leaves the screen goes to the trash first (trash.svelte.ts), so an autosave never
// loses the previous one. The dose state is saved for the demo patient too.
import type { LoadedStudy } from '../../core/study';
import { geometryOf, type Geometry } from '../../core/volume';
import { DEMO_TRUTH } from '../../data/demo';
import { viewer } from './state.svelte';
import { onSetReplaced, setStructures } from './editing.svelte';
import { autosaveKey, loadStructures, saveDoseState, saveStructures, type AutosaveKey } from './storage';
import { refreshTrash, setReplaced } from './trash.svelte';
import { doseSaved, pendingDoseSave } from './dose.svelte';

export { autosaveKey };

/** PET series whose saved record is the set on screen (restored or written by this page); the first save over
 * any other record keeps that record in the trash. */
const onScreen = new Set<string>();
const keyId = (key: AutosaveKey) => `${key.petSeriesUid}|${key.frameOfReferenceUid}`;

/** Saves the structure set and the dose state 300 ms after their last change; `onError` gets a message. Returns
 * the stop function. */
export function startAutosave(onError: (message: string) => void): () => void {
  onSetReplaced(setReplaced);
  return $effect.root(() => {
    $effect(() => {
      if (viewer.study) void refreshTrash(viewer.study);
    });
    $effect(() => {
      const st = viewer.structures, study = viewer.study;
      void st?.revision;
      if (!st || !study || st.source === DEMO_TRUTH) return;
      const key = autosaveKey(study);
      const t = setTimeout(() => {
        // The state when the save starts (later edits schedule their own save).
        const labels = $state.snapshot(st.labels) as typeof st.labels, source = st.source, meta = $state.snapshot(st.meta);
        const t0 = performance.now();
        const id = keyId(key), keepPrevious = !onScreen.has(id);
        onScreen.add(id);
        saveStructures(key, labels, source, meta, keepPrevious)
          .then(() => {
            performance.measure('structures-save', { start: t0 });
            performance.mark('structures-saved');
            if (keepPrevious) void refreshTrash();
          })
          .catch((e) => { if (keepPrevious) onScreen.delete(id); onError(`Autosave failed: ${(e as Error).message}`); });
      }, 300);
      return () => clearTimeout(t);
    });
    $effect(() => {
      const pending = pendingDoseSave();
      if (!pending) return;
      const t = setTimeout(() => {
        saveDoseState(pending.record)
          .then(() => { doseSaved(pending); performance.mark('dose-saved'); })
          .catch((e) => onError(`Autosave of the dose inputs failed: ${(e as Error).message}`));
      }, 300);
      return () => clearTimeout(t);
    });
  });
}

/** Restores the structure set saved for the study's PET when its grid is the PET's or the CT's; the notice to show. */
export async function restoreSaved(study: LoadedStudy): Promise<string | undefined> {
  const grids: Geometry[] = [study.pet?.raw, study.ct].filter((g) => !!g).map((g) => geometryOf(g!));
  try {
    const key = autosaveKey(study);
    const r = await loadStructures(key, grids);
    if (!r) return undefined;
    if ('refused' in r) return r.refused;
    setStructures(r.saved.labels, r.saved.source, r.saved.meta);
    onScreen.add(keyId(key));
    return `Structures restored from this browser (saved ${new Date(r.saved.savedAt).toLocaleString()}${r.migrated ? ', moved to the current storage format' : ''}). "Discard local edits" moves them to the trash.`;
  } catch (e) {
    return `Local work could not be read: ${(e as Error).message}`;
  }
}
