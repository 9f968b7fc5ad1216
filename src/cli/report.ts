// npm run --silent report -- --image DIR --structures FILE --biomarkers JSON [--activity-gbq A] [--cycles N]
//   [--tracer NAME] [--accept-tracer] [--model DIR] [--measured CSV] --out DIR [--force]
// The tumour-board report of one study, as the Dose panel makes it: DICOM PET/CT in DIR (read as the viewer's local
// files are), structures from a SEG, RTSTRUCT or NIfTI label map (names mapped to the vocabulary as on import), the
// same core pipeline, plan and report code → DIR/report.pdf, DIR/report.csv and the DICOM results as the Dose panel
// writes them: DIR/report-seg.dcm (the structures on the PET grid) and DIR/report-sr.dcm (TID 1500 SR referencing that
// SEG). Everything is checked before any file is written. Prints one JSON object {out, files, structures, notPredicted, warnings}.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { fontPath, readArrayBuffer } from './files';
import { readDicomFiles } from '../core/dicom/read';
import { assembleStudy } from '../core/study';
import { readStructureFile, StructureFileError } from '../core/io/structureFormats';
import { applySegments, proposeTarget, vocabularyTarget, type Target } from '../core/io/structureMapping';
import { emptyMeta } from '../core/contours/structureSet';
import { resampleLabelsNearest } from '../core/mask';
import { geometryOf, sameGrid } from '../core/volume';
import { openModel, inferWith } from '../core/dose/modelSession';
import { previewDoses } from '../core/dose/pipeline';
import { dosimetricStructures } from '../core/dose/tasks';
import { BIOMARKERS, biomarkerProblems, biomarkersFromHeader, biomarkersOf, biomarkerValues } from '../core/dose/biomarkers';
import { DEFAULT_LIMITS, plan, planInputProblem } from '../core/dose/plan';
import { MeasuredDoseError, parseMeasuredDoses } from '../core/dose/measured';
import { identifyTracer, KNOWN_AGENTS, tracerFromName, tracerGate, withStatedTracer } from '../core/tracer';
import { nodeFeaturePool } from '../workers/nodeFeaturePool';
import { makeReport, reportFiles } from '../core/report/make';
import { resultsStatement, writeDoseResults } from '../core/report/sr';
import { sourceSeriesOf } from '../core/io/structureMapping';
import { PT_SOP_CLASS } from '../core/dicom/write';

const USAGE = 'npm run --silent report -- --image DIR --structures FILE --biomarkers JSON [--activity-gbq A] [--cycles N] [--tracer NAME] [--accept-tracer] [--model DIR] [--measured CSV] --out DIR [--force]';

/** Every file below a folder (DICOM series may sit in sub-folders such as pt/ and ct/). */
function filesBelow(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['image', 'structures', 'biomarkers', 'activity-gbq', 'cycles', 'tracer', 'model', 'measured', 'out'], flags: ['accept-tracer', 'force'] });
  const one = (k: string, required = true) => {
    const v = a[k];
    if (!v) { if (required) throw new UsageError(`--${k} is required`); return undefined; }
    if (v.length > 1) throw new UsageError(`--${k} given ${v.length} times`);
    return v[0];
  };
  const image = one('image')!, structuresPath = one('structures')!, biomarkersPath = one('biomarkers')!, out = one('out')!;
  const modelDir = one('model', false) ?? join(process.cwd(), 'models/default');
  const measuredPath = one('measured', false), tracerName = one('tracer', false);
  const activity = Number(one('activity-gbq', false) ?? 7.4), cycles = Number(one('cycles', false) ?? 6);
  const planProblem = planInputProblem(one('activity-gbq', false) ?? 7.4, one('cycles', false) ?? 6);
  if (planProblem) throw new UsageError(`--activity-gbq / --cycles: ${planProblem}`);
  if (!existsSync(image) || !statSync(image).isDirectory()) throw new UsageError(`--image ${image} is not a folder of DICOM files`);
  for (const [k, p] of [['structures', structuresPath], ['biomarkers', biomarkersPath], ...(measuredPath ? [['measured', measuredPath]] : [])]) {
    if (!existsSync(p) || !statSync(p).isFile()) throw new UsageError(`--${k} ${p} does not exist or is not a file`);
  }
  for (const f of ['model.onnx', 'model-card.json']) if (!existsSync(join(modelDir, f))) throw new UsageError(`${join(modelDir, f)} does not exist (--model DIR holds model.onnx and model-card.json)`);
  const targets = ['report.pdf', 'report.csv', 'report-seg.dcm', 'report-sr.dcm'].map((f) => join(out, f));
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  const existing = targets.filter((t) => existsSync(t));
  if (existing.length && !a.force) throw new UsageError(`${existing.join(' and ')} exist (use --force to overwrite)`);
  const stated = tracerName === undefined ? undefined : { ...tracerFromName(tracerName), evidence: `--tracer "${tracerName}"` };
  if (stated && stated.class === 'unknown') throw new UsageError(`--tracer "${tracerName}" is not a known agent (known: ${KNOWN_AGENTS.join(', ')})`);

  // Biomarkers: keyed by the core names, each within its plausible range.
  let entered: unknown;
  try { entered = JSON.parse(readFileSync(biomarkersPath, 'utf8')); } catch (e) { throw new UsageError(`--biomarkers ${biomarkersPath} is not valid JSON (${(e as Error).message})`); }
  if (!entered || typeof entered !== 'object' || Array.isArray(entered)) throw new UsageError(`--biomarkers ${biomarkersPath}: expected one JSON object such as {"weight_kg": 82, "egfr_ml_min_1_73m2": 78}`);
  const names = BIOMARKERS.map((b) => b.name) as string[];
  const unknown = Object.keys(entered).filter((k) => !names.includes(k));
  if (unknown.length) throw new UsageError(`--biomarkers ${biomarkersPath}: unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${names.join(', ')}`);
  const values = entered as Record<string, unknown>;
  const notNumbers = Object.entries(values).filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v));
  if (notNumbers.length) throw new UsageError(`--biomarkers ${biomarkersPath}: ${notNumbers.map(([k, v]) => `${k} is ${JSON.stringify(v)}`).join(', ')}; each value must be a number`);
  const outOfRange = biomarkerProblems(BIOMARKERS.filter((b) => b.name in values), values as Record<string, number>);
  if (outOfRange.length) throw new UsageError(`--biomarkers ${biomarkersPath}: out of the plausible range: ${outOfRange.join(', ')} (found ${BIOMARKERS.filter((b) => b.name in values && outOfRange.some((p) => p.startsWith(b.label))).map((b) => `${b.name} = ${values[b.name]}`).join(', ')})`);

  // The measured doses (optional), before anything slow.
  const measured = measuredPath ? (() => {
    try { return parseMeasuredDoses(readFileSync(measuredPath, 'utf8'), measuredPath); } catch (e) { if (e instanceof MeasuredDoseError) throw new UsageError(e.message); throw e; }
  })() : undefined;

  // The study, as the viewer assembles local files.
  const files = filesBelow(image);
  const { series, errors } = readDicomFiles(files.map((f) => ({ name: f, data: readArrayBuffer(f) })));
  for (const e of errors) process.stderr.write(`warning: ${e}\n`);
  const study = assembleStudy(series);
  const pet = study.pet!;
  if (!pet.suv || !pet.suvResult.ok) throw new Error(`${image}: the PET cannot be converted to SUVbw: ${pet.suvResult.ok ? 'no SUV' : pet.suvResult.reason}`);

  // The model and the tracer gate.
  const model = await openModel(readFileSync(join(modelDir, 'model.onnx')), JSON.parse(readFileSync(join(modelDir, 'model-card.json'), 'utf8')));
  if ('problem' in model) throw new Error(`${modelDir}: ${model.problem}`);
  const attrs = pet.instances[0].attrs;
  const withStated = withStatedTracer(identifyTracer(attrs), stated);
  if ('problem' in withStated) throw new Error(`${image}: ${withStated.problem}`);
  const gate = tracerGate(withStated.tracer, model.card.tracer);
  if (gate.status === 'blocked') throw new Error(`${image}: ${gate.message}`);
  if (gate.status === 'confirm' && !a['accept-tracer']) throw new Error(`${image}: ${gate.message} ${gate.caveat} Run with --accept-tracer to report anyway (the caveat is printed in the report).`);

  // Biomarkers the model needs: the JSON, else the PET header (weight, height, age), as the Dose panel prefills.
  const wanted = biomarkersOf(model.card);
  const merged: Record<string, string | number> = { ...biomarkersFromHeader(attrs), ...(values as Record<string, number>) };
  const missing = biomarkerProblems(wanted, merged);
  if (missing.length) throw new UsageError(`--biomarkers ${biomarkersPath}: the model needs ${missing.join(', ')} (missing or out of range; the PET header gives only weight, height and age)`);

  // Structures on the PET or the CT grid (CT-grid sets are moved to the PET grid by nearest neighbour).
  const grids = [
    { name: 'PET', geometry: geometryOf(pet.raw), seriesUid: study.petSeriesUid, frameOfReferenceUid: String(attrs.FrameOfReferenceUID ?? '') || undefined },
    ...(study.ct ? [{ name: 'CT', geometry: geometryOf(study.ct), seriesUid: study.ctSeriesUid, frameOfReferenceUid: String(study.ctInstances?.[0]?.attrs.FrameOfReferenceUID ?? '') || undefined }] : []),
  ];
  let read;
  try { read = readStructureFile(structuresPath, readArrayBuffer(structuresPath), grids); } catch (e) {
    if (e instanceof StructureFileError) throw new UsageError(`--structures ${structuresPath}: ${e.message}`);
    throw e;
  }
  const map = read.labelMap();
  const warnings = [...read.warnings, ...map.warnings, ...(measured?.warnings ?? [])];
  const segments = read.segments.map((s) => ({ ...s, voxels: map.voxels.get(s.id) ?? 0 }));
  const mapping = new Map<number, Target>(segments.map((s) => [s.id, read.kind === 'NIfTI' ? vocabularyTarget(s.id) : proposeTarget(s.name)]));
  const unmapped = segments.filter((s) => mapping.get(s.id) === 'skip');
  if (unmapped.length) warnings.push(`left out (no vocabulary structure): ${unmapped.map((s) => `"${s.name}"`).join(', ')}`);
  const onGrid = { ...geometryOf(read.grid), data: new Uint8Array(map.labels.data.length) };
  const meta = emptyMeta();
  applySegments(onGrid, meta, { labels: map.labels, segments }, mapping);
  const labels = sameGrid(onGrid, pet.raw) ? onGrid : resampleLabelsNearest(onGrid, pet.raw);
  const structures = dosimetricStructures(labels, meta);
  if (!structures.length) throw new Error(`--structures ${structuresPath}: no kidney, salivary or lacrimal gland or tumour with voxels on the PET grid; nothing written`);

  const pool = nodeFeaturePool();
  let preview;
  try {
    preview = await previewDoses({ suv: pet.suv, labels, structures, patient: biomarkerValues(wanted, merged) }, model.card, { extract: (tasks) => pool.run(tasks), infer: inferWith(model) });
  } finally {
    pool.close();
  }
  if (!preview.predictions.length) throw new Error(`no structure could be predicted: ${preview.notes.join('; ')}`);
  const thePlan = plan(preview.predictions, { activityGBq: activity, cycles, limits: DEFAULT_LIMITS, singleKidney: meta.singleKidney, skipped: preview.skipped });
  const { report, figures } = makeReport({
    petAttrs: attrs, reportDate: new Date().toISOString(), gate, ...(gate.status === 'confirm' ? { tracerConfirmedAt: new Date().toISOString() } : {}),
    card: model.card, plan: thePlan, limits: DEFAULT_LIMITS, notPredicted: preview.skipped,
    suv: pet.suv, labels, ct: study.ct, structures, measured: measured?.doses, measuredSource: measuredPath ? `${basename(measuredPath)} (CSV)` : undefined, measuredWarnings: measured?.warnings,
  });
  const { pdf, csv } = await reportFiles(report, figures, { regular: new Uint8Array(readFileSync(fontPath('DejaVuSans.ttf'))), bold: new Uint8Array(readFileSync(fontPath('DejaVuSans-Bold.ttf'))) });
  // The same SEG + SR pair as the Dose panel's "Download DICOM SR".
  const petSource = sourceSeriesOf({ studyUid: study.studyUid, seriesUid: study.petSeriesUid!, patientName: study.patientName, patientId: study.patientId, studyDate: study.studyDate }, pet.instances, PT_SOP_CLASS);
  const { seg, sr } = writeDoseResults({
    labels, meta, suv: pet.suv, pet: petSource, petAttrs: attrs, plan: thePlan, model: { id: model.card.id, version: model.card.version },
    tracer: withStated.tracer.label, statement: resultsStatement(model.card),
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(targets[0], pdf);
  writeFileSync(targets[1], csv);
  writeFileSync(targets[2], new Uint8Array(seg));
  writeFileSync(targets[3], new Uint8Array(sr));
  for (const w of [...warnings, ...report.measuredWarnings.filter((w) => !warnings.includes(w))]) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(`${JSON.stringify({ out, files: targets, figures: figures.length, structures: report.rows.map((r) => r.name), notPredicted: preview.notes, tracer: gate.status, warnings }, null, 2)}\n`);
}, USAGE);
