// npm run --silent predict -- --model DIR --data TABLE.csv  → JSON array {row, prediction, pi90, model}
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { parseCsv } from '../core/csv';
import { openModel, inferWith } from '../core/dose/modelSession';
import { modelInput, neededColumns } from '../core/dose/predict';

const USAGE = 'npm run --silent predict -- --model DIR --data TABLE.csv [--type-col COL]';

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['model', 'data', 'type-col'] });
  if (!a.model) throw new UsageError('--model DIR is required');
  if (!a.data) throw new UsageError('--data TABLE.csv is required');
  const dir = a.model[0];
  for (const f of ['model.onnx', 'model-card.json']) if (!existsSync(join(dir, f))) throw new UsageError(`${join(dir, f)} does not exist`);
  const model = await openModel(readFileSync(join(dir, 'model.onnx')), JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')));
  if ('problem' in model) throw new Error(model.problem);
  const { card } = model;
  const table = parseCsv(readFileSync(a.data[0], 'utf8'));
  const typeCol = a['type-col']?.[0] ?? 'type';
  const needed = neededColumns(card);
  const missing = needed.filter((c) => table.length && !(c in table[0]));
  if (missing.length) throw new Error(`the table lacks column(s) the model needs: ${missing.join(', ')}`);
  const rows = table.map((r, i) => {
    for (const c of needed) if (r[c] === '' || !Number.isFinite(Number(r[c]))) throw new Error(`row ${i}: ${c} = "${r[c]}" is not a number`);
    const type = card.types.length === 1 ? card.types[0] : r[typeCol];
    if (!card.types.includes(type)) throw new Error(`row ${i}: structure type "${type}" is not covered by the model (${card.types.join(', ')})`);
    return modelInput(card, r, type);
  });
  const { predictions } = await inferWith(model)(rows);
  process.stdout.write(JSON.stringify(predictions.map((p, i) => ({ row: i, prediction: p.prediction, pi90: p.pi90, model: card.id }))) + '\n');
}, USAGE);
