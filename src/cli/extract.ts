// npm run extract -- --cohort DIR --out TABLE.csv
// One row per structure: uptake metrics, IBSI features (clinical PET profile, worker pool), reference ratios,
// patient-level tumour burden, biomarkers and the target columns. Layout: README "Cohort layout".
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { parseCsv, recordsToCsv } from '../core/csv';
import { readNifti } from '../core/io/nifti';
import { readSeg } from '../core/io/seg';
import { readDicomSeries } from '../core/dicom/read';
import { computeSuv } from '../core/suv';
import { cropToRoi } from '../core/radiomics/task';
import { CLINICAL_PET } from '../core/radiomics/settings';
import { labelMask } from '../core/radiomics/engine';
import { structureByName } from '../core/vocabulary';
import { sameGrid, type Volume } from '../core/volume';
import { nodeFeaturePool } from '../workers/nodeFeaturePool';
import { featureRows, referenceMeans } from '../core/model/featureRow';
import type { FeatureResult } from '../core/radiomics/engine';

const USAGE = 'npm run extract -- --cohort DIR --out TABLE.csv';
const buf = (p: string) => { const b = readFileSync(p); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; };

/** PET in SUVbw and the label map (vocabulary numbers) of one patient folder. */
function readPatient(dir: string): { pet: Volume<Float32Array>; labels: Volume } {
  let pet: Volume<Float32Array>;
  if (existsSync(join(dir, 'pet_suv.nii.gz'))) {
    const v = readNifti(buf(join(dir, 'pet_suv.nii.gz')), join(dir, 'pet_suv.nii.gz'));
    pet = { ...v, data: Float32Array.from(v.data, (x) => x * (v.slope ?? 1) + (v.intercept ?? 0)), slope: undefined, intercept: undefined };
  } else if (existsSync(join(dir, 'pt'))) {
    const files = readdirSync(join(dir, 'pt')).map((f) => ({ name: f, data: buf(join(dir, 'pt', f)) }));
    const { volume, sorted } = readDicomSeries(files);
    const s = computeSuv(sorted.map((i) => i.attrs));
    if (!s.ok) throw new Error(`${dir}: SUV not computable: ${s.reason}`);
    const [nx, ny, nz] = volume.dims;
    const data = new Float32Array(volume.data.length);
    for (let k = 0; k < nz; k++) for (let n = nx * ny * k; n < nx * ny * (k + 1); n++) data[n] = (volume.data[n] * (volume.slope ?? 1) + (volume.intercept ?? 0)) * s.suvbw[k];
    pet = { ...volume, data, slope: undefined, intercept: undefined };
  } else throw new Error(`${dir}: no PET (pet_suv.nii.gz or pt/ DICOM folder)`);
  let labels: Volume;
  if (existsSync(join(dir, 'labels.nii.gz'))) labels = readNifti(buf(join(dir, 'labels.nii.gz')));
  else if (existsSync(join(dir, 'structures-seg.dcm'))) {
    labels = readSeg(buf(join(dir, 'structures-seg.dcm')), pet, { labelOf: (name) => structureByName(name)?.label ?? 0 }).labels;
  } else throw new Error(`${dir}: no structures (labels.nii.gz or structures-seg.dcm)`);
  if (!sameGrid(pet, labels, 0.01)) throw new Error(`${dir}: the label map is not on the PET grid`);
  return { pet, labels };
}

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['cohort', 'out'] });
  if (!a.cohort) throw new UsageError('--cohort DIR is required');
  if (!a.out) throw new UsageError('--out TABLE.csv is required');
  const dir = a.cohort[0];
  for (const f of ['patients.csv', 'structures.csv']) if (!existsSync(join(dir, f))) throw new UsageError(`${join(dir, f)} does not exist (see README "Cohort layout")`);
  const patients = new Map(parseCsv(readFileSync(join(dir, 'patients.csv'), 'utf8')).map((r) => [r.patient_id, r]));
  const structures = parseCsv(readFileSync(join(dir, 'structures.csv'), 'utf8'));
  const pool = nodeFeaturePool();
  const t0 = performance.now();
  const out: Record<string, string | number>[] = [];
  const skipped: string[] = [];
  try {
    for (const [pid, prow] of patients) {
      const pdir = join(dir, 'patients', pid);
      if (!existsSync(pdir)) throw new Error(`patient folder ${pdir} is missing`);
      const { pet, labels } = readPatient(pdir);
      const mine = structures.filter((s) => s.patient_id === pid);
      const tasks = mine.flatMap((s) => {
        const def = structureByName(s.name);
        if (!def) { skipped.push(`${s.structure_id}: name not in the vocabulary`); return []; }
        const mask = labelMask(labels, def.label);
        if (!mask.some((v) => v)) { skipped.push(`${s.structure_id}: no voxels in the label map`); return []; }
        const c = cropToRoi(pet, mask);
        return [{ id: s.structure_id, image: c.image, mask: c.mask, settings: CLINICAL_PET, options: { uptake: true } }];
      });
      const res = await pool.run(tasks);
      const results = new Map<string, FeatureResult>();
      for (const r of res) {
        if (r.error) skipped.push(`${r.id}: ${r.error}`);
        else results.set(r.id, r.result!);
      }
      const biomarkers = Object.fromEntries(Object.entries(prow).filter(([k]) => !['n_tumours', 'total_tumour_volume_ml'].includes(k)));
      const rows = featureRows(mine.map((s) => ({ id: s.structure_id, name: s.name, type: s.type, site: s.site })), results, referenceMeans(pet, labels), biomarkers);
      for (const row of rows) {
        const s = mine.find((x) => x.structure_id === row.structure_id)!;
        for (const k of ['mass_g', 'true_dose_gy_per_gbq', 'measured_dose_gy_per_gbq']) if (k in s) row[k] = s[k];
        out.push({ patient_id: pid, ...row });
      }
      process.stderr.write(`extract: ${pid} ${res.length} structures\n`);
    }
  } finally {
    pool.close();
  }
  if (!out.length) throw new Error('no structure could be extracted');
  // Columns present (finite) in at least 95 % of rows; rows lacking one of them (e.g. single-slice lesions
  // without 3D texture) are left out and counted, so the table has no holes.
  const ok = (r: Record<string, string | number>, c: string) => c in r && (typeof r[c] !== 'number' || Number.isFinite(r[c] as number));
  const allCols = [...new Set(out.flatMap((r) => Object.keys(r)))];
  const cols = allCols.filter((c) => out.filter((r) => ok(r, c)).length >= 0.95 * out.length);
  const complete = out.filter((r) => cols.every((c) => ok(r, c)));
  const dropped = out.filter((r) => !complete.includes(r)).map((r) => String(r.structure_id));
  if (dropped.length) skipped.push(`${dropped.length} rows without every common feature (${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? ' …' : ''})`);
  writeFileSync(a.out[0], recordsToCsv(cols, complete));
  process.stderr.write(`extract: ${complete.length} rows × ${cols.length} columns in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${a.out[0]}${skipped.length ? `; skipped ${skipped.length}: ${skipped.slice(0, 5).join('; ')}` : ''}\n`);
}, USAGE);
