// Measured doses: names mapped through the vocabulary's aliases and the mapping step, aggregates against the
// mass-weighted prediction of their members, the virtual cohort's measured_dose.csv, and the report's comparison
// (model, CSV and PDF text read back with pdftotext).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from '../../../test-support/paths';
import {
  compareMeasured, massWeightedPrediction, measuredFromRows, MeasuredDoseError, parseMeasuredDoses, proposedMapping, proposeMeasuredTarget, readMeasuredCsv,
  type MeasuredDose,
} from './measured';
import { plan, type StructurePrediction } from './plan';
import { generateCohort } from '../cohort/model';
import { COHORT_MEASURED_METHOD, measuredDoseImportCsv } from '../cohort/tables';
import { buildReport, reportPatient, reportRecords, type ReportCard } from '../report/content';
import { reportPdf } from '../report/pdf';
import { parseCsv } from '../csv';
import { identifyTracer, tracerGate } from '../tracer';

const head = 'structure,mean_dose_gy,administered_activity_gbq,cycle,method';
const dose = (structure: string, gyPerGBq: number, members?: string[]): MeasuredDose => ({ structure, ...(members ? { members } : {}), meanDoseGy: gyPerGBq * 7.4, administeredActivityGBq: 7.4, gyPerGBq, cycle: 1, method: 'SPECT/CT' });
const PREDICTIONS: StructurePrediction[] = [
  { name: 'Kidney L', type: 'kidney', gyPerGBq: 0.5, lo: 0.3, hi: 0.8, volumeMl: 150 },
  { name: 'Kidney R', type: 'kidney', gyPerGBq: 0.3, lo: 0.2, hi: 0.6, volumeMl: 50 },
  { name: 'Parotid L', type: 'parotid', gyPerGBq: 0.6, lo: 0.4, hi: 0.9, volumeMl: 30 },
  { name: 'T1', type: 'tumour', gyPerGBq: 4, lo: 2, hi: 8, volumeMl: 10 },
];

describe('measured-dose names', () => {
  it('vocabulary and aggregate names are exact; MIM/OLINDA-style names are aliases; others unknown', () => {
    const p = (n: string) => proposeMeasuredTarget(n);
    expect(p('kidney l')).toEqual({ target: 'Kidney L', how: 'exact' });
    expect(p('KIDNEYS')).toEqual({ target: 'Kidneys', how: 'exact' });
    expect(p('t12')).toEqual({ target: 'T12', how: 'exact' });
    expect(p('Salivary Glands')).toEqual({ target: 'Salivary glands', how: 'exact' });
    for (const [name, target] of [['Kidney_L', 'Kidney L'], ['Left Kidney', 'Kidney L'], ['Rt Parotid', 'Parotid R'], ['SMG_L', 'Submandibular L'],
      ['Kidneys total', 'Kidneys'], ['Kidney', 'Kidneys'], ['Parotid glands', 'Parotids'], ['Salivary_Glands_total', 'Salivary glands'], ['lacrimal glands', 'Lacrimals']]) {
      expect(p(name), name).toEqual({ target, how: 'alias' });
    }
    expect(p('Liver')).toBeUndefined(); // a reference region: no predicted dose to compare with
    expect(p('Brain stem')).toBeUndefined();
  });

  it('the mapping step: names chosen by the user, rows mapped to nothing listed with the reason, two rows on one structure refused', () => {
    const text = `Structure,Mean_Dose_Gy,Administered_Activity_GBq,Cycle,Method\nNiere links,3.7,7.4,1,MIM\nLeft Parotid,4.4,7.4,2,MIM\nBrain stem,0.2,7.4,1,MIM\n`;
    const r = readMeasuredCsv(text, 'm.csv');
    expect(r.unit).toBe('Gy');
    expect(r.rows.map((x) => [x.row, x.name, x.proposal?.target])).toEqual([[2, 'Niere links', 'Kidneys'], [3, 'Left Parotid', 'Parotid L'], [4, 'Brain stem', undefined]]);
    const mapping = proposedMapping(r.rows);
    mapping.set(2, 'Kidney L'); // "links" is German for left: the user corrects the proposal
    const m = measuredFromRows(r.rows, mapping, 'm.csv');
    expect(m.doses.map((d) => [d.structure, d.gyPerGBq])).toEqual([['Kidney L', 0.5], ['Parotid L', 4.4 / 7.4]]);
    expect(m.unused).toEqual([{ row: 4, name: 'Brain stem', reason: '"Brain stem" is not a structure name of the vocabulary and was not mapped' }]);
    expect(m.warnings).toEqual(['m.csv: row 3: Parotid L was measured after cycle 2; the model predicts the first cycle, so the comparison assumes uptake stayed as in cycle 1']);
    mapping.set(3, 'Kidney L');
    expect(() => measuredFromRows(r.rows, mapping, 'm.csv')).toThrow(/m\.csv: row 3: Kidney L is given twice \(rows 2 and 3\)/);
    mapping.set(3, 'Liver');
    expect(() => measuredFromRows(r.rows, mapping, 'm.csv')).toThrow(/row 3: "Liver" is not a structure of the vocabulary/);
  });

  it('the report CLI maps aliases with a warning and names every unknown name; an mGy column with Gy values warns', () => {
    const r = parseMeasuredDoses(`${head}\nKidney_L,3.7,7.4,1,x\nKidneys total,3.5,7.4,1,x\n`, 'm.csv');
    expect(r.doses.map((d) => [d.structure, d.members])).toEqual([['Kidney L', undefined], ['Kidneys', ['Kidney L', 'Kidney R']]]);
    expect(r.warnings).toEqual(['m.csv: row 2: "Kidney_L" read as Kidney L', 'm.csv: row 3: "Kidneys total" read as Kidneys']);
    const mgy = parseMeasuredDoses('structure,mean_dose_mgy,administered_activity_gbq,cycle,method\nKidney L,3.7,7.4,1,x\n', 'm.csv');
    expect(mgy.doses[0].meanDoseGy).toBeCloseTo(0.0037, 12);
    expect(mgy.warnings[0]).toMatch(/row 2: Kidney L 3\.7 mGy for 7\.4 GBq is 0\.00050 Gy\/GBq; was the dose in Gy \(then name the column mean_dose_gy\)\?/);
    expect(() => parseMeasuredDoses(`${head}\nKidney L,3,,1,x\n`, 'm.csv')).toThrow(/row 2: administered_activity_gbq is ""; expected the administered activity in GBq/);
    expect(() => parseMeasuredDoses(`${head}\n,3,7.4,1,x\n`, 'm.csv')).toThrow(MeasuredDoseError);
  });
});

describe('measured against predicted', () => {
  it('a structure against its own prediction; an aggregate against its members\' mass-weighted prediction and interval', () => {
    const c = compareMeasured(PREDICTIONS, [dose('Kidney L', 0.4), dose('Kidneys', 0.5, ['Kidney L', 'Kidney R']), dose('T1', 9)]);
    const kl = c.rows.find((r) => r.structure === 'Kidney L')!;
    expect(kl.errorPct).toBeCloseTo(25, 10);
    expect(kl.insideInterval).toBe(true);
    const k = c.rows.find((r) => r.structure === 'Kidneys')!;
    // Mass = volume × 1 g/mL: (0.5·150 + 0.3·50) / 200 = 0.45, interval (0.3·150 + 0.2·50)/200 = 0.275 … (0.8·150 + 0.6·50)/200 = 0.75.
    expect(k.predicted.gyPerGBq).toBeCloseTo(0.45, 12);
    expect([k.predicted.lo, k.predicted.hi, k.predicted.massG]).toEqual([0.275, 0.75, 200]);
    expect(k.members).toEqual(['Kidney L', 'Kidney R']);
    expect(k.errorPct).toBeCloseTo(-10, 10);
    const t1 = c.rows.find((r) => r.structure === 'T1')!;
    expect([t1.insideInterval, t1.errorPct]).toEqual([false, ((4 - 9) / 9) * 100]);
    expect(massWeightedPrediction(PREDICTIONS.slice(0, 1)).gyPerGBq).toBe(0.5);
  });

  it('an aggregate with a member not predicted uses the others and says so; nothing to compare with is listed with the reason', () => {
    const c = compareMeasured(PREDICTIONS, [dose('Parotids', 0.5, ['Parotid L', 'Parotid R']), dose('Lacrimals', 2, ['Lacrimal L', 'Lacrimal R']), dose('T2', 3), dose('Kidney R', 0)]);
    expect(c.rows.map((r) => [r.structure, r.members, r.membersMissing])).toEqual([['Parotids', ['Parotid L'], ['Parotid R']]]);
    expect(c.notCompared).toEqual([
      { structure: 'Lacrimals', reason: 'none of Lacrimal L, Lacrimal R has a prediction' },
      { structure: 'T2', reason: 'T2 has no prediction (not drawn or not predicted)' },
      { structure: 'Kidney R', reason: 'the measured dose is 0 Gy: an error in % needs a dose above 0' },
    ]);
  });

  it('the virtual cohort writes each patient\'s measured doses in the import format, pairs as aggregates (mass-weighted)', () => {
    const [p] = generateCohort({ patients: 1, seed: 5 });
    const r = parseMeasuredDoses(measuredDoseImportCsv(p, 7.4), 'measured_dose.csv');
    expect(r.warnings).toEqual([]);
    for (const s of p.structures) {
      const d = r.doses.find((x) => x.structure === s.name)!;
      expect(d.gyPerGBq).toBeCloseTo(s.measuredDoseGyPerGBq, 6);
      expect([d.administeredActivityGBq, d.cycle, d.method]).toEqual([7.4, 1, COHORT_MEASURED_METHOD]);
    }
    const k = p.structures.filter((s) => s.type === 'kidney');
    const kidneys = r.doses.find((d) => d.structure === 'Kidneys')!;
    expect(kidneys.members).toEqual(['Kidney L', 'Kidney R']);
    expect(kidneys.gyPerGBq).toBeCloseTo((k[0].measuredDoseGyPerGBq * k[0].massG + k[1].measuredDoseGyPerGBq * k[1].massG) / (k[0].massG + k[1].massG), 6);
    expect(r.doses.find((d) => d.structure === 'Parotids')!.members).toEqual(['Parotid L', 'Parotid R']);
  });
});

describe('measured doses in the report', () => {
  const card: ReportCard = {
    id: 'test-model', version: '1', modelType: 'lmm', notForClinicalUse: true, intendedUse: 'Research use only.', limitations: [], tracer: '18F-DCFPyL',
    trainingData: { name: 'unit', patients: 9, rows: 90, synthetic: true } as ReportCard['trainingData'],
    perType: ['kidney', 'parotid', 'tumour'].map((type) => ({ type, features: ['suv_mean'] })) as unknown as ReportCard['perType'],
  };
  const attrs = { PatientName: 'Test^Patient', PatientID: 'P1', StudyDate: '20261201' };
  const report = buildReport({
    patient: reportPatient(attrs), reportDate: '2026-12-01T10:00:00Z', gate: tracerGate(identifyTracer(attrs), card.tracer), card, plan: plan(PREDICTIONS), structures: [],
    measured: [dose('Kidney L', 0.4), dose('Kidneys', 0.5, ['Kidney L', 'Kidney R']), dose('T2', 3)], measuredSource: 'measured_dose.csv (CSV)',
  });

  it('rows carry their comparison, aggregates their own rows (model and CSV), doses without a prediction a warning', () => {
    expect(report.rows.find((r) => r.name === 'Kidney L')!.measured).toMatchObject({ gyPerGBq: 0.4, insideInterval: true });
    expect(report.rows.find((r) => r.name === 'Kidney L')!.measured!.errorPct).toBeCloseTo(25, 10);
    expect(report.measuredAggregates).toHaveLength(1);
    expect(report.measuredAggregates[0]).toMatchObject({ name: 'Kidneys', members: ['Kidney L', 'Kidney R'], lo: 0.275, hi: 0.75, massG: 200 });
    expect(report.measuredSummary).toMatch(/^2 measured doses compared \(1 aggregate\): 2 inside the 90 % interval; median \|error\| 1[78] %$/); // median of 25 and 10
    expect(report.measuredWarnings).toEqual(['measured dose of T2 not compared: T2 has no prediction (not drawn or not predicted)']);
    const csv = reportRecords(report);
    const agg = csv.find((r) => r.name === 'Kidneys')!;
    expect(agg).toMatchObject({ type: 'aggregate', site: 'Kidney L + Kidney R', volume_ml: 200, pi90_lo_gy_per_gbq: 0.275, measured_gy_per_gbq: 0.5, measured_inside_pi90: 'yes' });
    expect(Number(agg.measured_error_pct)).toBeCloseTo(-10, 10);
    expect(csv.filter((r) => r.type !== 'aggregate').map((r) => r.name)).toEqual(report.rows.map((r) => r.name));
  });

  it('the PDF prints the comparison and each aggregate (read back with pdftotext)', async () => {
    const font = new Uint8Array(readFileSync(join(REPO_DIR, 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf')));
    const file = join(mkdtempSync(join(tmpdir(), 'measured-report-')), 'r.pdf');
    writeFileSync(file, await reportPdf(report, [], { regular: font }));
    const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Predicted vs measured');
    expect(text).toContain(`${report.measuredSummary} (measured: measured_dose.csv (CSV)).`);
    expect(text).toContain('Kidneys (aggregate): predicted 0.45 [0.28–0.75] (mass-weighted mean of Kidney L, Kidney R) Gy/GBq; measured 0.50 (-10 %, inside)');
    expect(text).toContain('0.40 (+25 %, inside)');
    expect(text).toContain('Measured dose: measured dose of T2 not compared');
  });
});
