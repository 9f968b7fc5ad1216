// npm run --silent train -- --data TABLE.csv --target COL --group COL [--type-col COL] [--features a,b,…]
//   [--model lmm|trees] [--cohort DIR] [--truth COL] [--tracer NAME] [--allow-column NAME]… [--min-patients N]
//   [--force] [--real-data] [--name NAME] --out DIR
// The table may be comma-, semicolon- or tab-separated (decimal commas with the latter two); every column dropped,
// excluded or imputed is printed and recorded in the card.
// The card's tracer comes from the table's tracer column, the cohort's agent or --tracer (a named PSMA ligand).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { intArg, parseArgs, run, UsageError } from './args';
import { parseSiteTable } from '../core/csv';
import type { TrainResult } from '../core/model/train';
import { trainInNodePool } from '../workers/nodeTrainingPool';
import { cvSummary, modelCard, modelOnnx, worseMessage, worseThanPopulationMean } from '../core/model/trainedCard';
import { trainingTracer } from '../core/tracer';

const USAGE = 'npm run --silent train -- --data TABLE.csv --target COL --group COL [--type-col COL] [--features a,b,…] [--model lmm|trees] [--cohort DIR] [--truth COL] [--tracer NAME] [--allow-column NAME]… [--min-patients N] [--force] [--real-data] --out DIR';

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['data', 'target', 'group', 'type-col', 'features', 'model', 'cohort', 'out', 'truth', 'name', 'tracer', 'allow-column', 'min-patients'], flags: ['real-data', 'force'] });
  for (const k of ['data', 'target', 'group', 'out']) if (!a[k]) throw new UsageError(`--${k} is required`);
  const kind = a.model?.[0] ?? 'lmm';
  if (kind !== 'lmm' && kind !== 'trees') throw new UsageError(`--model must be lmm or trees (got "${kind}")`);
  const dataPath = a.data[0];
  if (!existsSync(dataPath)) throw new UsageError(`--data ${dataPath} does not exist`);
  const { rows: table, notes } = parseSiteTable(readFileSync(dataPath, 'utf8'), basename(dataPath));
  for (const n of notes) process.stderr.write(`train: ${n}\n`);
  if (!table.length) throw new Error(`${dataPath}: no rows to train on (the table is empty or has only a header)`);
  const cohortDir = a.cohort?.[0];
  const cohort = cohortDir ? JSON.parse(readFileSync(join(cohortDir, 'cohort.json'), 'utf8')) : undefined;
  const stated = [
    ...(a.tracer ? [{ name: a.tracer[0], from: '--tracer' }] : []),
    ...(typeof cohort?.tracer === 'string' ? [{ name: cohort.tracer, from: `${join(cohortDir!, 'cohort.json')}` }] : []),
  ];
  const tracer = trainingTracer(table.map((r) => r.tracer ?? ''), stated);
  if ('problem' in tracer) throw new UsageError(`the model's tracer: ${tracer.problem}`);
  const t0 = performance.now();
  let r: TrainResult;
  try {
    // The outer cross-validation folds run in worker_threads (20 patients and more); the same result as in-process.
    r = await trainInNodePool(table, {
      target: a.target[0], group: a.group[0], typeCol: a['type-col']?.[0],
      features: a.features?.[0].split(',').map((s) => s.trim()).filter(Boolean), truthCol: a.truth?.[0], model: kind,
      allowColumns: a['allow-column'], minPatients: intArg(a['min-patients']?.[0], 'min-patients', 2, 10000),
    });
  } catch (e) {
    throw new Error(`${dataPath}: ${(e as Error).message}`);
  }
  for (const c of r.columns.filter((x) => x.decision !== 'candidate')) process.stderr.write(`train: column ${c.column} ${c.decision}: ${c.reason}\n`);
  for (const t of r.populationValueTypes) process.stderr.write(`train: ${t}: no model beat the population value (geometric mean) in cross-validation; ${t} gets the population value, not personalised\n`);
  // A type whose cross-validated error is above its constant's is never written silently.
  const worse = worseThanPopulationMean(r);
  if (worse.length && !a.force) throw new Error(worseMessage(r, worse));
  const seconds = (performance.now() - t0) / 1000;
  const synthetic = !a['real-data'];
  const name = a.name?.[0] ?? cohort?.name ?? basename(dataPath);
  const card = modelCard(r, { kind, target: a.target[0], name, synthetic, tracer: tracer.tracer, givenFeatures: !!a.features, cohort, worse });
  const id = card.id;
  const out = a.out[0];
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'model.onnx'), modelOnnx(r, card));
  writeFileSync(join(out, 'model-card.json'), JSON.stringify(card, null, 2));
  const summary = cvSummary(r, cohort?.oracle);
  process.stdout.write(JSON.stringify({ id, out, training_seconds: +seconds.toFixed(2), variant: r.variant, lopo_mape_by_variant: r.lopoMapeByVariant, input_choice: r.inputSpecs, shrink: r.shrink, population_value: r.populationValueTypes, selected: r.selected, lopo_cv: summary }, null, 2) + '\n');
}, USAGE);
