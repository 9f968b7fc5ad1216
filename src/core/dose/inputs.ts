// Model input columns: which feature-table column each ONNX input reads and how it is transformed. Shared by
// training (which chooses them) and prediction (panel, CLIs), so the viewer never imports the trainer.
import { biomarker } from './biomarkers';

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
