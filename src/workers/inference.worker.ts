// Web Worker, one per page: the dose model in onnxruntime-web (wasm served by the app itself, single thread)
// and the study's SUV, from which each structure is cropped here rather than on the main thread. `load` is
// where a model and its card are validated (core/dose/modelSession.ts).
import { expose, transfer } from 'comlink';
import { openModel, inferWith, type Infer } from '../core/dose/modelSession';
import { DOSE_SETTINGS_KEY, dosimetricStructures, labelBoxes, structureLabels, structureTask } from '../core/dose/tasks';
import { referenceMeans, type SkippedStructure, type StructureRef } from '../core/dose/rows';
import type { PredictRow } from '../core/model/doseModel';
import type { RoiTask } from '../core/radiomics/task';
import type { StructureMeta } from '../core/contours/structureSet';
import type { Volume } from '../core/volume';

let infer: Infer | undefined;
let sessions = 0;
/** The open study's SUV (a copy: the page keeps its own for the views and readout). */
let image: { key: string; suv: Volume<Float32Array> } | undefined;

export interface PreparedStructures {
  /** Dosimetric structures with voxels, and the feature-cache key of each (image, settings, the voxels). */
  refs: StructureRef[];
  keys: Record<string, string>;
  /** Tasks of the structures whose key the caller does not hold. */
  tasks: RoiTask[];
  skipped: SkippedStructure[];
  references: { liver: number; kidney: number };
}

const api = {
  /** Loads a model; returns the contract problem (undefined when the model and card match). */
  async load(bytes: Uint8Array, card: unknown): Promise<{ problem?: string; sessionMs: number; sessions: number }> {
    const m = await openModel(bytes, card);
    sessions++;
    if ('problem' in m) return { problem: m.problem, sessionMs: 0, sessions };
    infer = inferWith(m);
    return { sessionMs: m.sessionMs, sessions };
  },
  async predict(rows: PredictRow[]) {
    if (!infer) throw new Error('no model is loaded');
    return infer(rows);
  },
  /** Holds the SUV that `prepare` crops from (sent once per study and SUV). */
  setImage(key: string, suv: Volume<Float32Array>): void {
    image = { key, suv };
  },
  /**
   * One pass over the label map (PET grid): the dosimetric structures present, their cache keys, the reference
   * means, and cropped tasks for the structures whose key is not in `cached`.
   */
  prepare(imageKey: string, labels: Volume, tumours: StructureMeta['tumours'], cached: string[]): PreparedStructures {
    if (!image || image.key !== imageKey) throw new Error('the dose worker does not hold this study\'s SUV');
    const suv = image.suv;
    const boxes = labelBoxes(labels);
    const { found, skipped } = structureLabels(boxes, dosimetricStructures(labels, { tumours }, boxes));
    const have = new Set(cached), keys: Record<string, string> = {}, tasks: RoiTask[] = [];
    for (const f of found) {
      const key = keys[f.ref.id] = `${image.key}|${DOSE_SETTINGS_KEY}|${f.label}|${f.box.count}|${f.box.hash}`;
      if (!have.has(key)) tasks.push(structureTask(suv, labels, f.label, f.box, f.ref.id));
    }
    const out = { refs: found.map((f) => f.ref), keys, tasks, skipped, references: referenceMeans(suv, labels) };
    return transfer(out, tasks.flatMap((t) => [t.image.data.buffer, t.mask.buffer]));
  },
};
export type InferenceApi = typeof api;
expose(api);
