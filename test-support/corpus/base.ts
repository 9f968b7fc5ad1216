// The good inputs every bad-input case starts from: a small synthetic PSMA PET/CT (PT and CT series, its
// structures as SEG, RTSTRUCT and NIfTI, the PET in SUV as NIfTI), a cohort folder for `extract`, a feature
// table `predict` accepts, a table `train` accepts, and the shipped dose model. Built from the phantom and the
// project's own writers, so each case changes exactly one thing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPatientSpec, generatePatient, type SyntheticPatient } from '../../src/core/phantom/generate';
import { writeCtSeries, writePtSeries, ptReference } from '../../src/core/phantom/dicom';
import { writeSeg } from '../../src/core/io/seg';
import { writeRtstruct, type RtstructRoi } from '../../src/core/io/rtstruct';
import { writeNifti } from '../../src/core/io/nifti';
import { readDicomSeries } from '../../src/core/dicom/read';
import { petSeriesSuv } from '../../src/core/study';
import { formatCsv, type CsvCell } from '../../src/core/csv';
import { structureByLabel } from '../../src/core/vocabulary';
import type { ModelCard } from '../../src/core/model/card';
import type { Volume } from '../../src/core/volume';
import type { DicomFiles } from '../dicomEdit';
import { REPO_DIR } from '../paths';

export interface Base {
  patient: SyntheticPatient;
  pt: DicomFiles;
  ct: DicomFiles;
  /** Structures on the PET grid. */
  labels: Volume<Uint8Array>;
  seg: ArrayBuffer;
  rtstruct: ArrayBuffer;
  rtstructRois: RtstructRoi[];
  labelsNifti: Uint8Array;
  /** A label map on the CT grid (the phantom's kidneys resampled by index: same grid here or a box). */
  ctMaskNifti: Uint8Array;
  /** The PET in SUVbw, float32 NIfTI (what a cohort's pet_suv.nii.gz holds). */
  suv: Volume<Float32Array>;
  /** The shipped dose model. */
  onnx: Uint8Array;
  card: ModelCard;
  /** A feature table the shipped model predicts: one row per structure type. */
  featureColumns: string[];
  featureRows: Record<string, CsvCell>[];
  /** A small training table (two types, six patients). */
  trainingCsv: string;
}

/** A tiny patient for the CLI corpus (35×25×6 voxels of 12 mm: each CLI run takes well under a second). */
export function tinyPatient(): SyntheticPatient {
  return generatePatient(defaultPatientSpec(4, { id: 'CORPUS04', lesions: 1, imaging: { ctSpacing: [12, 12, 12], petSpacing: [12, 12, 12], zBottomMm: 300, zTopMm: 372 } }));
}

export function makeBase(patient: SyntheticPatient): Base {
  const pt = writePtSeries(patient).files;
  const ct = writeCtSeries(patient).files;
  const labels = patient.labels as Volume<Uint8Array>;
  const present = [...new Set(labels.data)].filter((l) => l > 0).sort((x, y) => x - y);
  const rtstructRois = present.map((label) => {
    const s = structureByLabel(label)!;
    return { label, name: s.name, color: s.color, interpretedType: label >= 100 ? 'GTV' : 'ORGAN' };
  });
  const read = readDicomSeries(pt.map((f) => ({ name: f.name, data: f.data })));
  const suv = petSeriesSuv(read.volume, read.sorted, 'bw');
  if (!suv.ok) throw new Error(`corpus base: ${suv.reason}`);
  const ctVol = readDicomSeries(ct.map((f) => ({ name: f.name, data: f.data }))).volume;
  const ctMask = new Uint8Array(ctVol.data.length);
  const [cx, cy, cz] = ctVol.dims;
  for (let k = 1; k < cz - 1; k++) for (let j = Math.floor(cy / 3); j < Math.floor((2 * cy) / 3); j++) for (let i = Math.floor(cx / 3); i < Math.floor((2 * cx) / 3); i++) ctMask[i + cx * (j + cy * k)] = 1;
  const onnx = new Uint8Array(readFileSync(join(REPO_DIR, 'models/default/model.onnx')));
  const card = JSON.parse(readFileSync(join(REPO_DIR, 'models/default/model-card.json'), 'utf8')) as ModelCard;
  const { columns, rows } = featureTable(card);
  return {
    patient, pt, ct, labels,
    seg: writeSeg(labels, ptReference(patient), { seriesDescription: 'Structures' }),
    rtstruct: writeRtstruct(labels, ptReference(patient), rtstructRois),
    rtstructRois,
    labelsNifti: writeNifti(labels),
    ctMaskNifti: writeNifti({ dims: ctVol.dims, spacing: ctVol.spacing, origin: ctVol.origin, direction: ctVol.direction, data: ctMask }),
    suv: suv.volume,
    onnx, card, featureColumns: columns, featureRows: rows,
    trainingCsv: trainingTable(),
  };
}

/** One row per type of the card, each input column at the training mean of a type that uses it (back-transformed). */
function featureTable(card: ModelCard): { columns: string[]; rows: Record<string, CsvCell>[] } {
  const from = [...new Set(card.inputs.map((c) => c.from))];
  const typical = (col: string, type: string) => {
    const input = card.inputs.find((c) => c.from === col)!;
    const per = [card.perType.find((t) => t.type === type), ...card.perType].find((t) => t && t.features.includes(input.name));
    const mean = per ? per.means[per.features.indexOf(input.name)] : 0;
    return input.transform === 'log' ? Math.exp(mean) : mean;
  };
  const rows = card.types.map((type, n) => ({
    patient_id: 'P001', structure_id: `S${n + 1}`, name: type === 'tumour' ? 'T1' : `${type} L`, type, tracer: card.tracer,
    ...Object.fromEntries(from.map((c) => [c, typical(c, type)])),
  }));
  return { columns: ['patient_id', 'structure_id', 'name', 'type', 'tracer', ...from], rows };
}

/** Six patients × (kidney, tumour): dose falls with egfr and rises with suv_max, plus a little patient noise. */
function trainingTable(): string {
  const rows: CsvCell[][] = [['patient_id', 'type', 'tracer', 'suv_max', 'egfr_ml_min_1_73m2', 'measured_dose_gy_per_gbq']];
  for (let p = 0; p < 6; p++) {
    for (const [t, type] of ['kidney', 'tumour'].entries()) {
      for (let s = 0; s < 2; s++) {
        const suvMax = 10 + 3 * p + 7 * s + 5 * t, egfr = 50 + 9 * p;
        rows.push([`P${p}`, type, '18F-DCFPyL', suvMax, egfr, +(0.05 * suvMax * (t ? 1.5 : 1) * (80 / egfr) * (1 + 0.03 * ((p % 3) - 1))).toFixed(4)]);
      }
    }
  }
  return formatCsv(rows);
}

/** Patient and structure tables of a one-patient cohort (README "Cohort layout"). */
export function cohortTables(b: Base): { patients: string; structures: string } {
  const s = b.patient.spec;
  const patients = formatCsv([
    ['patient_id', 'age_years', 'weight_kg', 'height_cm', 'egfr_ml_min_1_73m2', 'hb_g_dl'],
    [s.id, s.ageYears, s.weightKg, s.heightCm, 80, 13.5],
  ]);
  const structures = formatCsv([
    ['patient_id', 'structure_id', 'type', 'name', 'side', 'site', 'mass_g', 'true_dose_gy_per_gbq', 'measured_dose_gy_per_gbq', 'effective_half_life_h'],
    ...b.rtstructRois.filter((r) => structureByLabel(r.label)!.type !== 'reference').map((r, n): CsvCell[] => [s.id, `S${n + 1}`, structureByLabel(r.label)!.type, r.name, structureByLabel(r.label)!.side ?? '', '', 150, 0.4, 0.42, 40]),
  ]);
  return { patients, structures };
}
