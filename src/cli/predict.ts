// npm run --silent predict -- --model DIR --data TABLE.csv [--tracer NAME] [--accept-tracer]
//   → JSON array {row, prediction (median), mean?, pi90, model, tracer, tracerCaveat?, populationValue?, outsideTrainingRange?}
// Each row's PET tracer (its tracer column; --tracer for a table without one) is gated against the card: a non-PSMA tracer is refused;
// another PSMA ligand, a ligand not named or an unknown tracer needs --accept-tracer, and then carries its caveat.
// A row the model cannot predict (a value not a number, a biomarker outside its plausible range, uptake ≤ 0, a
// type the model does not cover) is refused: every such row is listed (row from 1, patient, structure, column,
// value, allowed range), the exit is non-zero and nothing is printed.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { parseCsv } from '../core/csv';
import { openModel, inferWith } from '../core/dose/modelSession';
import { modelInput, neededColumns, rowProblems } from '../core/dose/predict';
import { outsideTrainingRange } from '../core/dose/inputs';
import { rowGates, tracerFromName } from '../core/tracer';

const USAGE = 'npm run --silent predict -- --model DIR --data TABLE.csv [--type-col COL] [--tracer NAME] [--accept-tracer]';

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['model', 'data', 'type-col', 'tracer'], flags: ['accept-tracer'] });
  if (!a.model) throw new UsageError('--model DIR is required');
  if (!a.data) throw new UsageError('--data TABLE.csv is required');
  const dir = a.model[0];
  const dataPath = a.data[0];
  for (const f of ['model.onnx', 'model-card.json']) if (!existsSync(join(dir, f))) throw new UsageError(`${join(dir, f)} does not exist`);
  if (!existsSync(dataPath)) throw new UsageError(`--data ${dataPath} does not exist`);
  const cardPath = join(dir, 'model-card.json'), onnxPath = join(dir, 'model.onnx');
  let cardJson: unknown;
  try { cardJson = JSON.parse(readFileSync(cardPath, 'utf8')); } catch (e) { throw new Error(`${cardPath}: not valid JSON (${(e as Error).message})`); }
  let model;
  try { model = await openModel(readFileSync(onnxPath), cardJson); } catch (e) { throw new Error(`${onnxPath}: ${(e as Error).message}`); }
  if ('problem' in model) throw new Error(`${dir}: ${model.problem}`);
  const { card } = model;
  const table = parseCsv(readFileSync(dataPath, 'utf8'), dataPath);
  if (!table.length) throw new Error(`${dataPath}: no rows to predict (the table is empty or has only a header)`);
  const stated = a.tracer?.[0];
  const names = table.map((r, i) => {
    const own = r.tracer?.trim();
    const [x, y] = [own ? tracerFromName(own).agent : undefined, stated ? tracerFromName(stated).agent : undefined];
    if (x && y && x !== y) throw new UsageError(`row ${i}: the tracer column says "${own}" but --tracer says "${stated}"`);
    return own || stated || '';
  });
  const caveats = new Map<number, string>();
  for (const { name, rows: covered, gate } of rowGates(names, card.tracer)) {
    const which = `${covered.length} row(s) with tracer "${name || 'not given (no tracer column, no --tracer)'}"`;
    if (gate.status === 'blocked') throw new Error(`${which}: ${gate.message}`);
    if (gate.status === 'confirm') {
      if (!a['accept-tracer']) throw new Error(`${which}: ${gate.message} ${gate.caveat} Run with --accept-tracer to predict anyway.`);
      process.stderr.write(`warning: ${which}: ${gate.message} Predicted anyway (--accept-tracer): ${gate.caveat}\n`);
      for (const i of covered) caveats.set(i, gate.caveat);
    }
  }
  const typeCol = a['type-col']?.[0] ?? 'type';
  if (card.types.length > 1 && !(typeCol in table[0])) throw new Error(`${dataPath}: the table has no structure type column "${typeCol}" (the model covers ${card.types.join(', ')}; name the column with --type-col)`);
  const typeOf = (r: Record<string, string>) => (card.types.length === 1 ? card.types[0] : r[typeCol]);
  // Only the inputs of the types in the table are required (a kidney-only table needs no tumour input).
  const present = [...new Set(table.map(typeOf))].filter((t) => card.types.includes(t));
  const missing = present.flatMap((t) => neededColumns(card, t).filter((c) => !(c in table[0])).map((c) => ({ c, t })));
  if (missing.length) {
    const cols = [...new Set(missing.map((m) => m.c))];
    throw new Error(`${dataPath}: the table lacks column(s) the model needs: ${cols.map((c) => `${c} (for ${missing.filter((m) => m.c === c).map((m) => m.t).join(', ')})`).join(', ')}`);
  }
  const refused = table.flatMap((r, i) => {
    const problems = rowProblems(card, r, typeOf(r));
    return problems.length ? [`row ${i + 1} (${rowName(r, typeOf(r))}): ${problems.join('; ')}`] : [];
  });
  if (refused.length) {
    throw new Error(`${dataPath}: ${refused.length} row${refused.length > 1 ? 's' : ''} cannot be predicted (rows count from 1 after the header); correct them or leave them out:\n  ${refused.join('\n  ')}`);
  }
  const rows = table.map((r) => modelInput(card, r, typeOf(r)));
  const { predictions } = await inferWith(model)(rows);
  const outside = rows.map((r) => outsideTrainingRange(card, r));
  const n = outside.filter((o) => o.length).length;
  if (n) process.stderr.write(`warning: ${n} row(s) have inputs outside the training range (extrapolation), e.g. row ${outside.findIndex((o) => o.length)}: ${outside.find((o) => o.length)!.join('; ')}\n`);
  const smearing = (type: string) => card.perType.find((t) => t.type === type)?.smearing;
  process.stdout.write(JSON.stringify(predictions.map((p, i) => ({
    row: i, prediction: p.prediction, ...(smearing(rows[i].type) ? { mean: p.prediction * smearing(rows[i].type)! } : {}), pi90: p.pi90, model: card.id, tracer: names[i] || 'unknown', ...(caveats.has(i) ? { tracerCaveat: caveats.get(i) } : {}),
    ...(card.perType.find((t) => t.type === rows[i].type)?.populationValue ? { populationValue: true } : {}),
    ...(outside[i].length ? { outsideTrainingRange: outside[i] } : {}),
  }))) + '\n');
}, USAGE);

/** A row as a reader finds it in the table: patient, structure id and name, type. */
function rowName(r: Record<string, string>, type: string): string {
  const parts = [r.patient_id && `patient ${r.patient_id}`, r.structure_id && `structure ${r.structure_id}${r.name ? ` "${r.name}"` : ''}`, !r.structure_id && r.name && `"${r.name}"`, type].filter(Boolean);
  return parts.join(', ');
}
