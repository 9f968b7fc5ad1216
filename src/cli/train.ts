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
import { train, PUBLISHED_GY_PER_GBQ } from '../core/model/train';
import { toOnnx } from '../core/model/doseModel';
import { contractDetails, type ModelCard } from '../core/model/card';
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
  let r: ReturnType<typeof train>;
  try {
    r = train(table, {
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
  const worse = Object.entries(r.cv).filter(([, m]) => m.model.male !== undefined && m.populationMean.male !== undefined && m.model.male > m.populationMean.male * 1.05).map(([t]) => t);
  if (worse.length && !a.force) throw new Error(`the model is worse than the population mean in cross-validation for ${worse.join(', ')} (MALE ${worse.map((t) => `${r.cv[t].model.male!.toFixed(3)} vs ${r.cv[t].populationMean.male!.toFixed(3)}`).join(', ')}); nothing written. More patients are needed, or --force writes it and the card records it`);
  const seconds = (performance.now() - t0) / 1000;
  const synthetic = !a['real-data'];
  const name = a.name?.[0] ?? cohort?.name ?? basename(dataPath);
  const id = `${name}-${kind}-${new Date().toISOString().slice(0, 10)}`;
  const card: ModelCard = {
    id, version: '0.1.0', created: new Date().toISOString(), modelType: kind, notForClinicalUse: synthetic,
    intendedUse: synthetic
      ? 'NOT FOR CLINICAL USE. Trained on synthetic (virtual) patients; for software testing and demonstration only.'
      : 'Research use: preview of 177Lu-PSMA cycle-1 absorbed dose per structure from pre-therapy PSMA PET/CT. Not a medical device.',
    limitations: [
      'Population-level prediction: a new patient gets no random effect; the interval includes the between-patient variance.',
      'Valid only for the tracer, scanner protocol, contouring practice and dosimetry method of the training data.',
      'Local electron-deposition dosimetry; no cross-dose.',
    ],
    tracer: tracer.tracer, therapyAgent: '177Lu-PSMA',
    trainingData: {
      name, rows: r.rows, patients: r.groups, synthetic, ...(cohort ? { cohort: { seed: cohort.seed, version: cohort.version, patients: cohort.patients, scenario: cohort.scenario ?? 'sourced' } } : {}),
      columns: r.columns, imputed: r.imputed, ...(worse.length ? { worseThanPopulationMean: worse } : {}),
    },
    target: { column: a.target[0], units: 'Gy/GBq', transform: r.model.logTarget ? 'log' : 'none' },
    inputs: r.inputColumns, types: r.model.types,
    perType: r.model.perType.map((t) => ({ type: t.type, features: t.features, means: t.means, sds: t.sds, fixedEffects: t.fit.beta, groupVariance: t.fit.groupVar, residualVariance: t.fit.residVar, covBeta: t.fit.covBeta, ...(t.trees ? { trees: t.trees } : {}),
      ...(t.intervalQ90 !== undefined ? { intervalQ90: t.intervalQ90 } : {}), ...(t.ranges ? { inputRanges: t.ranges } : {}), ...(t.smearing !== undefined ? { smearing: t.smearing } : {}), populationValue: r.populationValueTypes.includes(t.type), inputSpec: r.inputSpecs[t.type] ?? (a.features ? 'given' : 'automatic'), ...(t.shrink !== undefined ? { shrink: t.shrink } : {}) })),
    onnx: { inputs: [{ name: 'features', shape: ['N', r.model.inputs.length] }, { name: 'type_onehot', shape: ['N', r.model.types.length] }], outputs: ['prediction', 'pi_lo', 'pi_hi'] },
    cv: r.cv, variant: r.variant, lopoMapeByVariant: r.lopoMapeByVariant, baselines: PUBLISHED_GY_PER_GBQ, ...(cohort ? { oracle: cohort.oracle } : {}),
  };
  const out = a.out[0];
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'model.onnx'), toOnnx(r.model, { id, not_for_clinical_use: String(synthetic), ...contractDetails(card) }));
  writeFileSync(join(out, 'model-card.json'), JSON.stringify(card, null, 2));
  const summary = Object.fromEntries(Object.entries(r.cv).map(([t, m]) => [t, {
    male: m.model.male === undefined ? null : +m.model.male.toFixed(3), male_population_mean: m.populationMean.male === undefined ? null : +m.populationMean.male.toFixed(3),
    mape: +m.model.mape.toFixed(1), mae: +m.model.mae.toFixed(3), r2: +m.model.r2.toFixed(2), coverage90: m.model.coverage90,
    ...(m.modelVsTruth ? { mape_vs_truth: +m.modelVsTruth.mape.toFixed(1) } : {}),
    mape_population_mean: +m.populationMean.mape.toFixed(1), mape_published: m.published ? +m.published.mape.toFixed(1) : null,
    ...(cohort?.oracle?.[t] ? { mape_oracle_measured: +cohort.oracle[t].measured.mape.toFixed(1), mape_oracle_true: +cohort.oracle[t].true.mape.toFixed(1) } : {}),
  }]));
  process.stdout.write(JSON.stringify({ id, out, training_seconds: +seconds.toFixed(2), variant: r.variant, lopo_mape_by_variant: r.lopoMapeByVariant, input_choice: r.inputSpecs, shrink: r.shrink, population_value: r.populationValueTypes, selected: r.selected, lopo_cv: summary }, null, 2) + '\n');
}, USAGE);
