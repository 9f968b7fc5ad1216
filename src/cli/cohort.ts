// npm run cohort -- --patients N --seed S --out DIR [--like-seed] [--scenario sourced|easy|hard] [--nifti | --no-images] [--report] [--force]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, intArg, UsageError } from './args';
import { prepareOutDir } from './files';
import { COHORT_TRACER, COHORT_VERSION, generateCohort, oracleLimits, TYPE_PARAMS, SITE_PARAMS, SINK_ML, HET_EFFECT, SCENARIO_HIDDEN_SCALE, PATIENT_EFFECT_SD, PET_NOISE_SD, SPECT_NOISE, SPECT_FWHM_MM, SPECT_TIMES_H, LOCAL_DEPOSITION, LU177_HALF_LIFE_H, type Scenario } from '../core/cohort/model';
import { cohortStatistics, formatCohortReport } from '../core/cohort/report';
import { imagingSpec, measuredCsv, measuredDoseImportCsv, patientsCsv, petMetricsCsv, structuresCsv } from '../core/cohort/tables';
import { generatePatient, suvbwFactor } from '../core/phantom/generate';
import { writeCtSeries, writePtSeries, studyIds, ptReference } from '../core/phantom/dicom';
import { writeSeg } from '../core/io/seg';
import { writeNifti } from '../core/io/nifti';
import { writeRtDose, structureDoseMap } from '../core/dicom/rtdose';
import { structureByName } from '../core/vocabulary';

/** Activity the measured RTDOSE is expressed for (VISION: 7.4 GBq per cycle). */
const RTDOSE_GBQ = 7.4;

const USAGE = 'npm run cohort -- --patients N --seed S --out DIR [--like-seed] [--scenario sourced|easy|hard] [--nifti | --no-images] [--report] [--force]\n' +
  '       npm run cohort -- --report [--patients N] [--seed S] [--scenario …]   (statistics beside their sources; writes nothing)';

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['patients', 'seed', 'out', 'scenario'], flags: ['like-seed', 'nifti', 'no-images', 'force', 'report'] });
  const likeSeed = !!a['like-seed'];
  const reportOnly = !!a.report && !a.out;
  const scenario = (a.scenario?.[0] ?? 'sourced') as Scenario;
  if (!(scenario in SCENARIO_HIDDEN_SCALE)) throw new UsageError(`--scenario must be one of ${Object.keys(SCENARIO_HIDDEN_SCALE).join(', ')} (got "${scenario}")`);
  const patients = intArg(a.patients?.[0], 'patients', 1, 10000) ?? (likeSeed ? 9 : reportOnly ? 1000 : undefined);
  if (patients === undefined) throw new UsageError('--patients is required');
  const seed = intArg(a.seed?.[0], 'seed', 0, 2 ** 31 - 1) ?? (reportOnly ? 1 : undefined);
  if (seed === undefined) throw new UsageError('--seed is required');
  if (reportOnly) {
    process.stdout.write(`${formatCohortReport(cohortStatistics(generateCohort({ patients, seed, likeSeed, scenario })))}\n`);
    return;
  }
  const out = a.out?.[0];
  if (!out) throw new UsageError('--out is required');
  if (a.nifti && a['no-images']) throw new UsageError('--nifti and --no-images exclude each other');
  if (likeSeed && patients !== 9) throw new UsageError('--like-seed means exactly 9 patients (57 tumours, 36 salivary glands, 18 kidneys)');
  const mode = a['no-images'] ? 'none' : a.nifti ? 'nifti' : 'dicom';
  prepareOutDir(out, !!a.force);
  const t0 = performance.now();
  const cohort = generateCohort({ patients, seed, likeSeed, scenario });
  let imageMs = 0;
  for (const p of cohort) {
    const dir = join(out, 'patients', p.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'truth.json'), JSON.stringify(p, null, 1));
    writeFileSync(join(dir, 'measured_dosimetry.csv'), measuredCsv(p, SPECT_TIMES_H));
    // The same measured doses as a site's dosimetry table in the viewer's import format (Gy for RTDOSE_GBQ).
    writeFileSync(join(dir, 'measured_dose.csv'), measuredDoseImportCsv(p, RTDOSE_GBQ));
    if (mode === 'none') continue;
    const t1 = performance.now();
    const img = generatePatient(imagingSpec(p));
    if (mode === 'nifti') {
      const f = suvbwFactor(img.spec);
      writeFileSync(join(dir, 'ct.nii.gz'), writeNifti(img.ct));
      writeFileSync(join(dir, 'pet_suv.nii.gz'), writeNifti({ ...img.pet, data: img.pet.data.map((v) => v * f) }, { description: 'PET SUVbw' }));
      writeFileSync(join(dir, 'labels.nii.gz'), writeNifti(img.labels, { description: 'truth labels (vocabulary numbers)' }));
    } else {
      const ids = studyIds(img);
      for (const [sub, series] of [['ct', writeCtSeries(img, ids)], ['pt', writePtSeries(img, ids)]] as const) {
        mkdirSync(join(dir, sub), { recursive: true });
        for (const f of series.files) writeFileSync(join(dir, sub, f.name), new Uint8Array(f.data));
      }
      writeFileSync(join(dir, 'truth-seg.dcm'), new Uint8Array(writeSeg(img.labels, ptReference(img, ids), { seriesDescription: 'Truth structures (synthetic)' })));
      writeFileSync(join(dir, 'labels.nii.gz'), writeNifti(img.labels, { description: 'truth labels (vocabulary numbers)' }));
    }
    // "Measured" post-cycle-1 dosimetry as a site exports it: RT Dose on the PET grid, each structure at its
    // measured dose for RTDOSE_GBQ (structure-wise map; the per-time-point data are in measured_dosimetry.csv).
    const doses = new Map(p.structures.map((s) => [structureByName(s.name)!.label, s.measuredDoseGyPerGBq * RTDOSE_GBQ]));
    const ids = studyIds(img);
    writeFileSync(join(dir, 'measured_rtdose.dcm'), new Uint8Array(writeRtDose(structureDoseMap(img.labels, doses), ptReference(img, ids), { description: `Measured cycle-1 dose (Gy) for ${RTDOSE_GBQ} GBq (synthetic)` })));
    writeFileSync(join(dir, 'image_truth.json'), JSON.stringify(img.truth, null, 1));
    imageMs += performance.now() - t1;
  }
  writeFileSync(join(out, 'patients.csv'), patientsCsv(cohort));
  writeFileSync(join(out, 'structures.csv'), structuresCsv(cohort));
  writeFileSync(join(out, 'pet_metrics.csv'), petMetricsCsv(cohort));
  const counts: Record<string, number> = {};
  for (const p of cohort) for (const s of p.structures) counts[s.type] = (counts[s.type] ?? 0) + 1;
  writeFileSync(join(out, 'cohort.json'), JSON.stringify({
    name: `virtual-mcrpc-${likeSeed ? 'like-seed' : patients}-seed${seed}${scenario === 'sourced' ? '' : `-${scenario}`}`, version: COHORT_VERSION, seed, patients, likeSeed, scenario, images: mode, tracer: COHORT_TRACER,
    synthetic: true, counts, rtdoseActivityGBq: RTDOSE_GBQ,
    parameters: { types: TYPE_PARAMS, sites: SITE_PARAMS, sinkMl: SINK_ML, heterogeneityEffect: HET_EFFECT, hiddenScale: SCENARIO_HIDDEN_SCALE[scenario], patientEffectSd: PATIENT_EFFECT_SD, petNoiseSd: PET_NOISE_SD, spectNoise: SPECT_NOISE, spectFwhmMm: SPECT_FWHM_MM, spectTimesH: SPECT_TIMES_H, localDepositionGyPerHPerMBqPerG: LOCAL_DEPOSITION, lu177HalfLifeH: LU177_HALF_LIFE_H },
    oracle: oracleLimits(cohort),
    statistics: cohortStatistics(cohort),
    layout: 'see README "Cohort layout"',
  }, null, 2));
  if (a.report) process.stdout.write(`${formatCohortReport(cohortStatistics(cohort))}\n`);
  process.stderr.write(`cohort: ${patients} patients (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s${mode === 'none' ? '' : ` (images ${(imageMs / 1000).toFixed(1)} s)`} → ${out}\n`);
}, USAGE);
