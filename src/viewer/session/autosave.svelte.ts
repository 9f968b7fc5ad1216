// Autosave of the structure set and the dose state: every edit (not the untouched demo truth) reaches
// IndexedDB within a second, keyed by the PET series and its frame of reference; restored when that PET is
// opened again. The dose state is saved for the demo patient too.
import type { LoadedStudy } from '../../core/study';
import { geometryOf, type Geometry } from '../../core/volume';
import { DEMO_TRUTH } from '../../data/demo';
import { viewer } from './state.svelte';
import { setStructures } from './editing.svelte';
import { loadStructures, saveDoseState, saveStructures, type AutosaveKey } from './storage';
import { doseSaved, pendingDoseSave } from './dose.svelte';

export function autosaveKey(study: LoadedStudy): AutosaveKey {
  const pet = study.pet?.instances[0]?.attrs;
  return { studyUid: study.studyUid, petSeriesUid: study.petSeriesUid ?? '', frameOfReferenceUid: String(pet?.FrameOfReferenceUID ?? '') };
}

/** Saves the structure set and the dose state 300 ms after their last change; `onError` gets a message. Returns
 * the stop function. */
export function startAutosave(onError: (message: string) => void): () => void {
  return $effect.root(() => {
    $effect(() => {
      const st = viewer.structures, study = viewer.study;
      void st?.revision;
      if (!st || !study || st.source === DEMO_TRUTH) return;
      const key = autosaveKey(study);
      const t = setTimeout(() => {
        // The state when the save starts (later edits schedule their own save).
        const labels = $state.snapshot(st.labels) as typeof st.labels, source = st.source, meta = $state.snapshot(st.meta);
        const t0 = performance.now();
        saveStructures(key, labels, source, meta)
          .then(() => { performance.measure('structures-save', { start: t0 }); performance.mark('structures-saved'); })
          .catch((e) => onError(`Autosave failed: ${(e as Error).message}`));
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
    const r = await loadStructures(autosaveKey(study), grids);
    if (!r) return undefined;
    if ('refused' in r) return r.refused;
    setStructures(r.saved.labels, r.saved.source, r.saved.meta);
    return `Structures restored from this browser (saved ${new Date(r.saved.savedAt).toLocaleString()}${r.migrated ? ', moved to the current storage format' : ''}). Use "Discard local edits" to drop them.`;
  } catch (e) {
    return `Local work could not be read: ${(e as Error).message}`;
  }
}
