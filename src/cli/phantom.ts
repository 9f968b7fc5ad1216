// npm run phantom -- --out DIR --seed N [--lesions K] [--tracer NAME] [--force]
// Writes a synthetic PSMA PET/CT patient: ct/*.dcm, pt/*.dcm, truth-labels.nii.gz, truth-seg.dcm, truth.json.
// --tracer changes only the PET header (agent, codes, nuclide half-life), not the PSMA biodistribution.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareOutDir } from './files';
import { parseArgs, run, intArg, UsageError } from './args';
import { defaultPatientSpec, generatePatient } from '../core/phantom/generate';
import { KNOWN_AGENTS, tracerFromName } from '../core/tracer';
import { writeCtSeries, writePtSeries, studyIds, ptReference } from '../core/phantom/dicom';
import { writeSeg } from '../core/io/seg';
import { writeNifti } from '../core/io/nifti';

const USAGE = 'npm run phantom -- --out DIR --seed N [--lesions K] [--tracer NAME] [--force]';

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['out', 'seed', 'lesions', 'tracer'], flags: ['force'] });
  const out = a.out?.[0];
  if (!out) throw new UsageError('--out is required');
  const seed = intArg(a.seed?.[0], 'seed', 0, 2 ** 31 - 1);
  if (seed === undefined) throw new UsageError('--seed is required');
  const lesions = intArg(a.lesions?.[0], 'lesions', 0, 200);
  const name = a.tracer?.[0];
  const named = name === undefined ? undefined : tracerFromName(name);
  const tracer = named?.conflict ? undefined : named?.agent;
  if (name !== undefined && !tracer) throw new UsageError(`--tracer "${name}" is not a known agent (known: ${KNOWN_AGENTS.join(', ')})`);
  prepareOutDir(out, !!a.force);
  const t0 = performance.now();
  const p = generatePatient(defaultPatientSpec(seed, { lesions, tracer }));
  const t1 = performance.now();
  const ids = studyIds(p);
  for (const [sub, series] of [['ct', writeCtSeries(p, ids)], ['pt', writePtSeries(p, ids)]] as const) {
    mkdirSync(join(out, sub), { recursive: true });
    for (const f of series.files) writeFileSync(join(out, sub, f.name), new Uint8Array(f.data));
  }
  writeFileSync(join(out, 'truth-labels.nii.gz'), writeNifti(p.labels, { description: 'truth labels on the PET grid' }));
  writeFileSync(join(out, 'truth-seg.dcm'), new Uint8Array(writeSeg(p.labels, ptReference(p, ids), { seriesDescription: 'Truth structures (synthetic)' })));
  writeFileSync(join(out, 'truth.json'), JSON.stringify({ ...p.truth, studyInstanceUid: ids.studyUid, ptSeriesUid: ids.ptSeriesUid, ctSeriesUid: ids.ctSeriesUid, petGrid: { dims: p.pet.dims, spacing: p.pet.spacing, origin: p.pet.origin }, ctGrid: { dims: p.ct.dims, spacing: p.ct.spacing, origin: p.ct.origin } }, null, 2));
  process.stderr.write(`phantom: ${p.spec.tracer}, ${p.truth.structures.length} structures; generated in ${Math.round(t1 - t0)} ms, written in ${Math.round(performance.now() - t1)} ms → ${out}\n`);
}, USAGE);
