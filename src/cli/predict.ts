// npm run --silent predict -- --model DIR --data TABLE.csv [--tracer NAME] [--accept-tracer]
//   → JSON array {row, prediction (median), mean?, pi90, model, tracer, tracerCaveat?, populationValue?, outsideTrainingRange?}
// Each row's PET tracer (its tracer column; --tracer for a table without one) is gated against the card: a non-PSMA tracer is refused;
// another PSMA ligand, a ligand not named or an unknown tracer needs --accept-tracer, and then carries its caveat.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { parseCsv } from '../core/csv';
import { openModel, inferWith } from '../core/dose/modelSession';
import { modelInput, neededColumns } from '../core/dose/predict';
import { outsideTrainingRange } from '../core/dose/inputs';
import { rowGates, tracerFromName } from '../core/tracer';

const USAGE = 'npm run --silent predict -- --model DIR --data TABLE.csv [--type-col COL] [--tracer NAME] [--accept-tracer]';

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['model', 'data', 'type-col', 'tracer'], flags: ['accept-tracer'] });
  if (!a.model) throw new UsageError('--model DIR is required');
  if (!a.data) throw new UsageError('--data TABLE.csv is required');
  const dir = a.model[0];
  for (const f of ['model.onnx', 'model-card.json']) if (!existsSync(join(dir, f))) throw new UsageError(`${join(dir, f)} does not exist`);
  const model = await openModel(readFileSync(join(dir, 'model.onnx')), JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')));
  if ('problem' in model) throw new Error(model.problem);
  const { card } = model;
  const table = parseCsv(readFileSync(a.data[0], 'utf8'));
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
