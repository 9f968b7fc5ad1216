// npm run extract -- --cohort DIR --out TABLE.csv [--tracer NAME]
// One row per structure: uptake metrics, IBSI features (clinical PET profile, worker pool), reference ratios,
// patient-level tumour burden, biomarkers, the PET tracer and the target columns. Layout: README "Cohort layout".
// Every patient's tracer is checked first: a non-PSMA PET is refused; NIfTI PET (no header) needs --tracer.
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { readArrayBuffer } from './files';
import { parseCsv, recordsToCsv } from '../core/csv';
import { readNifti } from '../core/io/nifti';
import { readSeg } from '../core/io/seg';
import { parseDicom, readDicomSeries } from '../core/dicom/read';
import { petSeriesSuv } from '../core/study';
import { structureByName } from '../core/vocabulary';
import { sameGrid, toFloat32, type Volume } from '../core/volume';
import { nodeFeaturePool } from '../workers/nodeFeaturePool';
import { extractRows } from '../core/dose/pipeline';
import { completeRows, skippedNote } from '../core/dose/rows';
import { BIOMARKERS } from '../core/dose/biomarkers';
import { identifyTracer, KNOWN_AGENTS, nonPsmaBlock, tracerColumn, tracerFromName, withStatedTracer, type TracerIdentity } from '../core/tracer';

const USAGE = 'npm run extract -- --cohort DIR --out TABLE.csv [--tracer NAME]';
const buf = readArrayBuffer;

/** Biomarker cells of a patients.csv row outside their plausible range (empty cells are unknown, not refused). */
function biomarkerProblemsOf(row: Record<string, string>): string[] {
  return BIOMARKERS.filter((b) => b.name in row && row[b.name] !== '').flatMap((b) => {
    const v = Number(row[b.name]);
    return Number.isFinite(v) && v >= b.min && v <= b.max ? [] : [`${b.name} ${Number.isFinite(v) ? v : `"${row[b.name]}"`} is outside ${b.min}–${b.max} ${b.unit} (${b.label})`];
  });
}

/** PET in SUVbw and the label map (vocabulary numbers) of one patient folder. */
function readPatient(dir: string): { suv: Volume<Float32Array>; labels: Volume } {
  let suv: Volume<Float32Array>;
  if (existsSync(join(dir, 'pet_suv.nii.gz'))) suv = toFloat32(readNifti(buf(join(dir, 'pet_suv.nii.gz')), join(dir, 'pet_suv.nii.gz')));
  else if (existsSync(join(dir, 'pt'))) {
    const { volume, sorted } = readDicomSeries(readdirSync(join(dir, 'pt')).map((f) => ({ name: f, data: buf(join(dir, 'pt', f)) })));
    const s = petSeriesSuv(volume, sorted, 'bw');
    if (!s.ok) throw new Error(`${dir}: ${s.reason}`);
    for (const w of s.warnings) process.stderr.write(`warning: ${dir}: SUV: ${w}\n`);
    suv = s.volume;
  } else throw new Error(`${dir}: no PET (pet_suv.nii.gz or pt/ DICOM folder)`);
  let labels: Volume;
  if (existsSync(join(dir, 'labels.nii.gz'))) labels = readNifti(buf(join(dir, 'labels.nii.gz')));
  else if (existsSync(join(dir, 'structures-seg.dcm'))) {
    labels = readSeg(buf(join(dir, 'structures-seg.dcm')), suv, { labelOf: (name) => structureByName(name)?.label ?? 0 }).labels;
  } else throw new Error(`${dir}: no structures (labels.nii.gz or structures-seg.dcm)`);
  if (!sameGrid(suv, labels, 0.01)) throw new Error(`${dir}: the label map is not on the PET grid`);
  return { suv, labels };
}

/** The PET tracer of one patient folder, or why the patient is refused. */
function patientTracer(dir: string, stated: TracerIdentity | undefined): { tracer: TracerIdentity; file: string } | { problem: string } {
  const nifti = join(dir, 'pet_suv.nii.gz');
  if (existsSync(nifti)) return stated ? { tracer: stated, file: nifti } : { problem: `${nifti}: NIfTI has no header naming the PET tracer: give --tracer NAME` };
  const pt = join(dir, 'pt');
  if (!existsSync(pt)) return { problem: `${dir}: no PET (pet_suv.nii.gz or pt/ DICOM folder)` };
  const first = readdirSync(pt).sort()[0];
  if (!first) return { problem: `${pt}: the folder is empty` };
  const header = identifyTracer(parseDicom(buf(join(pt, first)), join(pt, first)).attrs);
  const r = withStatedTracer(header, stated);
  return 'problem' in r ? { problem: `${pt}: ${r.problem}` } : { ...r, file: pt };
}

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['cohort', 'out', 'tracer'] });
  if (!a.cohort) throw new UsageError('--cohort DIR is required');
  if (!a.out) throw new UsageError('--out TABLE.csv is required');
  const dir = a.cohort[0];
  for (const f of ['patients.csv', 'structures.csv']) if (!existsSync(join(dir, f))) throw new UsageError(`${join(dir, f)} does not exist (see README "Cohort layout")`);
  const patientsPath = join(dir, 'patients.csv'), structuresPath = join(dir, 'structures.csv');
  const patientRows = parseCsv(readFileSync(patientsPath, 'utf8'), patientsPath);
  if (!patientRows.length) throw new Error(`${patientsPath}: no patients (the table is empty or has only a header)`);
  if (!('patient_id' in patientRows[0])) throw new Error(`${patientsPath}: no patient_id column (see README "Cohort layout")`);
  const implausible = patientRows.flatMap((r) => biomarkerProblemsOf(r).map((p) => `patient ${r.patient_id}: ${p}`));
  if (implausible.length) throw new Error(`${patientsPath}: ${implausible.length} implausible value(s); correct them (or leave the cell empty when unknown):\n  ${implausible.join('\n  ')}`);
  const patients = new Map(patientRows.map((r) => [r.patient_id, r]));
  const structures = parseCsv(readFileSync(structuresPath, 'utf8'), structuresPath);
  const name = a.tracer?.[0];
  const stated = name === undefined ? undefined : { ...tracerFromName(name), evidence: `--tracer "${name}"` };
  if (stated && stated.class === 'unknown') throw new UsageError(`--tracer "${name}" is not a known agent (known: ${KNOWN_AGENTS.join(', ')})`);
  // The tracer gate before any feature is computed: every refusal at once, naming the file and the tracer.
  const tracers = new Map<string, string>();
  const refused: string[] = [];
  for (const pid of patients.keys()) {
    const pdir = join(dir, 'patients', pid);
    if (!existsSync(pdir)) throw new Error(`patient folder ${pdir} is missing`);
    const r = patientTracer(pdir, stated);
    if ('problem' in r) { refused.push(`${pid}: ${r.problem}`); continue; }
    const block = nonPsmaBlock(r.tracer);
    if (block) { refused.push(`${pid}: ${r.file}: ${block.message}`); continue; }
    if (r.tracer.class !== 'psma' || r.tracer.conflict || !r.tracer.agent) process.stderr.write(`warning: ${pid}: PET tracer ${r.tracer.label}${r.tracer.conflict ? ` (${r.tracer.conflict})` : ''}; written as "${tracerColumn(r.tracer)}"\n`);
    tracers.set(pid, tracerColumn(r.tracer));
  }
  if (refused.length) throw new Error(`${refused.length} patient(s) refused:\n  ${refused.join('\n  ')}`);
  const pool = nodeFeaturePool();
  const t0 = performance.now();
  const out: Record<string, string | number>[] = [];
  const skipped: string[] = [];
  const skippedRows: { patient: string; id: string; name: string; type: string; reason: string }[] = [];
  try {
    for (const [pid, prow] of patients) {
      const pdir = join(dir, 'patients', pid);
      const mine = structures.filter((s) => s.patient_id === pid);
      const patient = { ...Object.fromEntries(Object.entries(prow).filter(([k]) => !['n_tumours', 'total_tumour_volume_ml'].includes(k))), tracer: tracers.get(pid)! };
      const r = await extractRows({
        ...readPatient(pdir), patient,
        structures: mine.map((s) => ({ id: s.structure_id, name: s.name, type: s.type, site: s.site })),
      }, { extract: (tasks) => pool.run(tasks) });
      skipped.push(...r.skipped.map(skippedNote));
      skippedRows.push(...r.skipped.map((x) => ({ patient: pid, ...x })));
      for (const row of r.rows) {
        const s = mine.find((x) => x.structure_id === row.structure_id)!;
        for (const k of ['mass_g', 'true_dose_gy_per_gbq', 'measured_dose_gy_per_gbq', 'measured_dose_rc_gy_per_gbq']) if (k in s) row[k] = s[k];
        out.push({ patient_id: pid, ...row });
      }
      process.stderr.write(`extract: ${pid} ${r.rows.length} structures\n`);
    }
  } finally {
    pool.close();
  }
  if (!out.length) throw new Error(`no structure could be extracted${skipped.length ? `:\n  ${skipped.join('\n  ')}` : ''}`);
  const { columns, rows, dropped, droppedRows } = completeRows(out);
  if (dropped.length) skipped.push(`${dropped.length} rows without every common feature (${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? ' …' : ''})`);
  writeFileSync(a.out[0], recordsToCsv(columns, rows));
  // Every structure left out of the table and why, beside it: what is missing is rarely random (small glands).
  const sidecar = `${a.out[0].replace(/\.csv$/i, '')}.dropped.csv`;
  writeFileSync(sidecar, recordsToCsv(['patient_id', 'structure_id', 'name', 'type', 'reason'], [
    ...droppedRows.map((d) => ({ patient_id: String(d.row.patient_id), structure_id: String(d.row.structure_id), name: String(d.row.name), type: String(d.row.type), reason: `missing ${d.missing.join(', ')}` })),
    ...skippedRows.map((s) => ({ patient_id: s.patient, structure_id: s.id, name: s.name, type: s.type, reason: s.reason })),
  ]));
  if (droppedRows.length || skippedRows.length) process.stderr.write(`extract: ${droppedRows.length + skippedRows.length} structure(s) left out, each with its reason → ${sidecar}\n`);
  process.stderr.write(`extract: ${rows.length} rows × ${columns.length} columns in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${a.out[0]}${skipped.length ? `; skipped ${skipped.length}: ${skipped.slice(0, 5).join('; ')}` : ''}\n`);
}, USAGE);
