// Model input columns: which feature-table column each ONNX input reads and how it is transformed. Shared by
// training (which chooses them) and prediction (panel, CLIs), so the viewer never imports the trainer.
import { biomarker } from './biomarkers';
import type { ModelCard } from '../model/card';

export interface InputColumn { name: string; from: string; transform: 'none' | 'log'; unit?: string }

export function applyInputs(values: Record<string, number>, inputs: InputColumn[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of inputs) out[c.name] = c.transform === 'log' ? Math.log(values[c.from]) : values[c.from];
  return out;
}

/** Unit of a feature-table column (the model card lists it next to each input). */
export function columnUnit(col: string): string {
  if (/^(suv_|stat_|ih_|loc_)/.test(col) || col === 'tlu') return col === 'tlu' ? 'SUVbw·mL' : col.startsWith('ih_') ? 'grey level (0.25 SUV bins)' : 'SUVbw';
  if (col.endsWith('_ml') || col === 'morph_vol_approx') return 'mL';
  if (col.startsWith('morph_volume')) return 'mm³';
  if (col.startsWith('ratio_')) return 'ratio';
  const known: Record<string, string> = { total_tumour_uptake: 'SUVbw·mL', mass_g: 'g' };
  return biomarker(col)?.unit ?? known[col] ?? 'IBSI feature (see the IBSI 1 manual for its unit)';
}

/**
 * The inputs of a row outside the range the model was trained on, as text in the table's own units
 * (e.g. "suv_mean 31.2 above the training range 4.1–24.0"); empty when all are inside or the card has no ranges.
 */
export function outsideTrainingRange(card: Pick<ModelCard, 'inputs' | 'perType'>, row: { values: Record<string, number>; type: string }): string[] {
  const t = card.perType.find((x) => x.type === row.type) ?? (card.perType.length === 1 ? card.perType[0] : undefined);
  if (!t?.inputRanges) return [];
  const out: string[] = [];
  t.features.forEach((f, j) => {
    const [lo, hi] = t.inputRanges![j], v = row.values[f];
    if (v >= lo && v <= hi) return;
    const c = card.inputs.find((x) => x.name === f);
    const raw = (x: number) => (c?.transform === 'log' ? Math.exp(x) : x);
    const show = (x: number) => String(+raw(x).toPrecision(3));
    out.push(`${c?.from ?? f} ${show(v)} ${v < lo ? 'below' : 'above'} the training range ${show(lo)}–${show(hi)}`);
  });
  return out;
}
