// Viewer state other panels read (contours, dose). Volumes are plain objects; Cornerstone objects stay out.
import type { LoadedStudy } from '../../core/study';
import type { Volume } from '../../core/volume';
import type { StructureMeta } from '../../core/contours/structureSet';
import type { ArchiveContext } from '../../data/source';

export interface StructureSet {
  /** Label map on the PET grid (vocabulary label numbers); edited in place, `revision` counts the edits. */
  labels: Volume<Uint8Array>;
  source: string;
  meta: StructureMeta;
  revision: number;
}

export const viewer = $state<{
  study?: LoadedStudy;
  ready: boolean;
  /** Counts renders of a study in the views (overlays attach again after each). */
  renders: number;
  structures?: StructureSet;
  /** The open study's PACS (when it came from one) and its SEG/RTSTRUCT series. */
  pacs?: ArchiveContext;
  /** Frames of the open study still arriving (a streamed PACS study shown before all are in): not ready yet. */
  loading?: { done: number; total: number };
}>({ ready: false, renders: 0 });

// Exposed for end-to-end tests and the bench (read-only use).
declare global {
  interface Window {
    __psma?: {
      viewer: typeof viewer;
      /** Test/bench hooks set by the app: move the views to an LPS point; client coordinates of an LPS point. */
      jumpTo?: (lps: [number, number, number]) => void;
      /** The camera focal point of a view (LPS mm). */
      focalPoint?: (viewport: 'axial' | 'coronal' | 'sagittal' | 'mip') => [number, number, number];
      clientPoint?: (viewport: 'axial' | 'coronal' | 'sagittal' | 'mip', lps: [number, number, number]) => [number, number];
      /** Dose counters (session/dose.svelte.ts): model sessions created, structures the last Compute extracted, Computes. */
      /** Streamed open (session/study.svelte.ts): frames per series in all, at the start and end of the first render. */
      loading?: { totals?: Record<string, number>; atFirstRender?: Record<string, number>; atFirstRenderDone?: Record<string, number>; transferSyntaxes?: string[] };
      dose?: { sessions: number; recomputed: number; computes: number; lastMs: { prepare: number; extract: number; infer: number }; clearCache: () => void };
    };
  }
}
if (typeof window !== 'undefined') window.__psma = { viewer };
