// The dose preview of one patient: structures → cropped ROIs → features (an injected feature pool) →
// feature rows → model inputs → inference (an injected model session) → predictions with the notes on
// what was left out. The Dose panel, `npm run extract` and the report call it alike.
import type { ModelCard } from '../model/card';
import type { RoiResult, RoiTask } from '../radiomics/task';
import type { FeatureResult } from '../radiomics/engine';
import type { Volume } from '../volume';
import { featureRows, referenceMeans, skippedNote, type FeatureRow, type SkippedStructure, type StructureRef } from './rows';
import { structureTasks } from './tasks';
import { predictionInputs, toPredictions } from './predict';
import type { Infer } from './modelSession';
import type { StructurePrediction } from './plan';

/** Runs feature tasks (the browser or Node feature pool's `run`). */
export type Extract = (tasks: RoiTask[], opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }) => Promise<RoiResult[]>;

export interface PatientImages {
  /** PET in SUVbw and the label map (vocabulary numbers) on the same grid. */
  suv: Volume<Float32Array>;
  labels: Volume;
  structures: StructureRef[];
  /** Patient-level columns (biomarkers) copied into every row. */
  patient: Record<string, string | number>;
}

export interface RunOptions { extract: Extract; signal?: AbortSignal; onProgress?: (done: number, total: number) => void }

/** Feature rows from the structures' feature results (a structure whose extraction failed is skipped, with the error). */
export function rowsFromResults(refs: StructureRef[], res: RoiResult[], skipped: SkippedStructure[], references: { liver: number; kidney: number }, patient: PatientImages['patient']): { rows: FeatureRow[]; skipped: SkippedStructure[] } {
  const results = new Map<string, FeatureResult>();
  const out = [...skipped];
  for (const r of res) {
    const ref = refs.find((s) => s.id === r.id);
    if (r.result) results.set(r.id, r.result);
    else out.push({ id: r.id, name: ref?.name ?? r.id, type: ref?.type ?? '', reason: String(r.error) });
  }
  return { rows: featureRows(refs, results, references, patient), skipped: out };
}

/** Feature rows of a patient's structures; structures without one are in `skipped`, with the reason. */
export async function extractRows(p: PatientImages, o: RunOptions): Promise<{ rows: FeatureRow[]; skipped: SkippedStructure[]; featuresMs: number }> {
  const t0 = performance.now();
  const { refs, tasks, skipped } = structureTasks(p.suv, p.labels, p.structures);
  const res = await o.extract(tasks, { signal: o.signal, onProgress: o.onProgress });
  const { rows, skipped: all } = rowsFromResults(refs, res, skipped, referenceMeans(p.suv, p.labels), p.patient);
  return { rows, skipped: all, featuresMs: performance.now() - t0 };
}

export interface DosePreview {
  predictions: StructurePrediction[];
  /** Structures not predicted, with the reason (what `plan` takes as `skipped`). */
  skipped: SkippedStructure[];
  /** The same as notes ("id: why"). */
  notes: string[];
  timing: { featuresMs: number; inferenceMs: number };
}

/** Model inputs of the rows → inference → predictions (rows the model cannot take join `skipped`). */
export async function predictRows(rows: FeatureRow[], skipped: SkippedStructure[], card: Pick<ModelCard, 'inputs' | 'types' | 'perType'>, infer: Infer, featuresMs: number): Promise<DosePreview> {
  const input = predictionInputs(card, rows);
  const { predictions, ms } = input.inputs.length ? await infer(input.inputs) : { predictions: [], ms: 0 };
  const all = [...skipped, ...input.skipped];
  return { predictions: toPredictions(input.usable, predictions, card), skipped: all, notes: all.map(skippedNote), timing: { featuresMs, inferenceMs: ms } };
}

export async function previewDoses(p: PatientImages, card: Pick<ModelCard, 'inputs' | 'types' | 'perType'>, o: RunOptions & { infer: Infer }): Promise<DosePreview> {
  const { rows, skipped, featuresMs } = await extractRows(p, o);
  return predictRows(rows, skipped, card, o.infer, featuresMs);
}
