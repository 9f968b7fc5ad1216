// The feature row of one structure, built the same way by `npm run extract` and by the Dose panel.
import type { FeatureResult } from '../radiomics/engine';
import { ORGANS } from '../vocabulary';
import type { Volume } from '../volume';
import { labelStats } from '../labelStats';

export interface StructureRef { id: string; name: string; type: string; site?: string }

/** A structure left out of the rows or predictions, with the reason. */
export interface SkippedStructure { id: string; name: string; type: string; reason: string }

/** The note of a skipped structure ("id: why"). */
export const skippedNote = (s: SkippedStructure) => `${s.id}: ${s.reason}`;

/** One structure's row of the feature table (uptake metrics, IBSI features, ratios, patient columns). */
export type FeatureRow = Record<string, string | number>;

/** Mean SUV of the liver and of the kidneys (reference regions) from a label map on the PET grid. */
export function referenceMeans(pet: Volume<Float32Array>, labels: Volume): { liver: number; kidney: number } {
  const stats = labelStats(labels, pet);
  const meanIn = (label: number) => stats.get(label)?.mean ?? NaN;
  const lab = (name: string) => ORGANS.find((o) => o.name === name)!.label;
  const k = [meanIn(lab('Kidney L')), meanIn(lab('Kidney R'))].filter(Number.isFinite);
  return { liver: meanIn(lab('Liver')), kidney: k.length ? k.reduce((s, v) => s + v, 0) / k.length : NaN };
}

/** Rows for all structures of one patient (structures whose extraction failed are left out by the caller). */
export function featureRows(structures: StructureRef[], results: Map<string, FeatureResult>, refs: { liver: number; kidney: number }, patient: Record<string, string | number>): FeatureRow[] {
  let ttv = 0, ttu = 0;
  for (const s of structures) {
    const r = results.get(s.id);
    if (r?.uptake && s.type === 'tumour') { ttv += r.uptake.volume_ml ?? 0; ttu += r.uptake.tlu ?? 0; }
  }
  return structures.filter((s) => results.has(s.id)).map((s) => {
    const r = results.get(s.id)!;
    const u = r.uptake!;
    const row: FeatureRow = {
      structure_id: s.id, type: s.type, name: s.name, site: s.site ?? '',
      suv_max: u.suvmax!, suv_mean: u.suvmean!, suv_peak: u.suvpeak ?? NaN, volume_ml: u.volume_ml!, tlu: u.tlu!,
      ratio_liver: u.suvmean! / refs.liver, ratio_kidney: u.suvmean! / refs.kidney,
      total_tumour_volume_ml: ttv, total_tumour_uptake: ttu,
    };
    for (const [k, v] of Object.entries(r.features)) if (v !== null) row[k] = v;
    for (const [k, v] of Object.entries(patient)) if (!(k in row)) row[k] = v;
    return row;
  });
}

/**
 * The feature table without holes: columns present (finite) in at least 95 % of rows; rows lacking one of
 * them (e.g. single-slice lesions without 3D texture) are left out and their structure ids returned.
 */
export function completeRows(rows: FeatureRow[]): { columns: string[]; rows: FeatureRow[]; dropped: string[]; droppedRows: { row: FeatureRow; missing: string[] }[] } {
  const ok = (r: FeatureRow, c: string) => c in r && (typeof r[c] !== 'number' || Number.isFinite(r[c] as number));
  const all = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns = all.filter((c) => rows.filter((r) => ok(r, c)).length >= 0.95 * rows.length);
  const complete = rows.filter((r) => columns.every((c) => ok(r, c)));
  const droppedRows = rows.filter((r) => !complete.includes(r)).map((row) => ({ row, missing: columns.filter((c) => !ok(row, c)) }));
  return { columns, rows: complete, dropped: droppedRows.map((d) => String(d.row.structure_id)), droppedRows };
}
