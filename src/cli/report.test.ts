// `npm run report` on a phantom PET/CT: report.csv holds the same table as the core report made in process from the
// same files (features in process, the same model), report.pdf its text and figures; bad input is refused with a
// message naming the problem and nothing is written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../../test-support/paths';
import { defaultPatientSpec, generatePatient } from '../core/phantom/generate';
import { ptReference, writeCtSeries, writePtSeries } from '../core/phantom/dicom';
import { writeSeg } from '../core/io/seg';
import { writeNifti } from '../core/io/nifti';
import { readDicomFiles } from '../core/dicom/read';
import { assembleStudy } from '../core/study';
import { runTask } from '../core/radiomics/task';
import { openModel, inferWith, type LoadedModel } from '../core/dose/modelSession';
import { dosimetricStructures } from '../core/dose/tasks';
import { previewDoses } from '../core/dose/pipeline';
import { DEFAULT_LIMITS, plan } from '../core/dose/plan';
import { parseCsv } from '../core/csv';
import { identifyTracer, tracerGate } from '../core/tracer';
import { makeReport } from '../core/report/make';
import { reportCsv } from '../core/report/csv';
import { readMeasurementReport } from '../core/report/sr';
import { readDicomObject } from '../core/dicom/read';
import { readArrayBuffer } from './files';
import { emptyMeta } from '../core/contours/structureSet';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', ...args], { cwd: REPO_DIR, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'psma-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = (tracer?: string) => defaultPatientSpec(4, { lesions: 2, ...(tracer ? { tracer } : {}), imaging: { ctSpacing: [6, 6, 8], petSpacing: [6, 6, 6], zBottomMm: 250, zTopMm: 420 } });
function writeStudy(name: string, tracer?: string) {
  const p = generatePatient(spec(tracer));
  const d = join(dir, name);
  for (const [sub, files] of [['pt', writePtSeries(p).files], ['ct', writeCtSeries(p).files]] as const) {
    mkdirSync(join(d, sub), { recursive: true });
    for (const f of files) writeFileSync(join(d, sub, f.name), new Uint8Array(f.data));
  }
  writeFileSync(join(d, 'seg.dcm'), new Uint8Array(writeSeg(p.labels, ptReference(p))));
  return { p, d };
}
const { p, d: study } = writeStudy('study');
const biomarkers = join(dir, 'biomarkers.json');
writeFileSync(biomarkers, JSON.stringify({ egfr_ml_min_1_73m2: 72, hb_g_dl: 12.5 }));
const json = (name: string, v: unknown) => { const f = join(dir, name); writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v)); return f; };

describe('report CLI', () => {
  it('writes report.pdf and report.csv: the CSV is the core report of the same files, the PDF holds every structure and one image per figure', async () => {
    const out = join(dir, 'out');
    const measured = json('measured.csv', 'structure,mean_dose_mgy,administered_activity_gbq,cycle,method\nKidney L,3100,7.4,2,SPECT/CT\nKidneys total,2900,7.4,1,SPECT/CT\n');
    const r = cli('--image', study, '--structures', join(study, 'seg.dcm'), '--biomarkers', biomarkers, '--activity-gbq', '6', '--cycles', '4', '--measured', measured, '--out', out);
    expect(r.stderr).toContain('measured after cycle 2');
    expect(r.stderr).toContain('row 3: "Kidneys total" read as Kidneys'); // an OLINDA-style name through the vocabulary's aliases
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(readdirSync(out).sort()).toEqual(['report-seg.dcm', 'report-sr.dcm', 'report.csv', 'report.pdf']);

    // The same report in process (what the Dose panel runs): header weight/height/age plus the JSON's values.
    const files = ['pt', 'ct'].flatMap((s) => readdirSync(join(study, s)).map((f) => { const b = readFileSync(join(study, s, f)); return { name: f, data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer }; }));
    const s = assembleStudy(readDicomFiles(files).series);
    const m = await openModel(readFileSync(join(REPO_DIR, 'models/default/model.onnx')), JSON.parse(readFileSync(join(REPO_DIR, 'models/default/model-card.json'), 'utf8')));
    if ('problem' in m) throw new Error(m.problem);
    const model = m as LoadedModel;
    const attrs = s.pet!.instances[0].attrs;
    // A SEG segment without a site description is imported as site "other" (as the viewer's import does).
    const tumours = Object.fromEntries(p.truth.structures.filter((x) => x.site).map((x) => [x.label, { site: 'other' as const }]));
    const structures = dosimetricStructures(p.labels, { ...emptyMeta(), tumours });
    const patient = { weight_kg: Number(attrs.PatientWeight), height_cm: Math.round(Number(attrs.PatientSize) * 100), age_years: parseInt(attrs.PatientAge, 10), egfr_ml_min_1_73m2: 72, hb_g_dl: 12.5 };
    const preview = await previewDoses({ suv: s.pet!.suv!, labels: p.labels, structures, patient }, model.card, { extract: async (t) => t.map(runTask), infer: inferWith(model) });
    const thePlan = plan(preview.predictions, { activityGBq: 6, cycles: 4, skipped: preview.skipped });
    const { report, figures } = makeReport({
      petAttrs: attrs, reportDate: new Date().toISOString(), gate: tracerGate(identifyTracer(attrs), model.card.tracer), card: model.card, plan: thePlan, limits: DEFAULT_LIMITS,
      suv: s.pet!.suv!, labels: p.labels, ct: s.ct, structures,
      measured: [
        { structure: 'Kidney L', meanDoseGy: 3.1, administeredActivityGBq: 7.4, gyPerGBq: 3.1 / 7.4, cycle: 2, method: 'SPECT/CT' },
        { structure: 'Kidneys', members: ['Kidney L', 'Kidney R'], meanDoseGy: 2.9, administeredActivityGBq: 7.4, gyPerGBq: 2.9 / 7.4, cycle: 1, method: 'SPECT/CT' },
      ],
    });
    const csv = readFileSync(join(out, 'report.csv'), 'utf8');
    expect(csv).toBe(reportCsv(report));
    const rows = parseCsv(csv);
    expect(rows.filter((x) => x.type !== 'aggregate').map((x) => x.name)).toEqual(summary.structures);
    expect(rows.filter((x) => x.type === 'aggregate').map((x) => [x.name, x.site, Number(x.measured_gy_per_gbq).toFixed(6)])).toEqual([['Kidneys', 'Kidney L + Kidney R', (2.9 / 7.4).toFixed(6)]]);
    expect(rows.map((x) => x.name)).toEqual(expect.arrayContaining(['Kidney L', 'Kidney R', 'T1']));
    expect(Number(rows.find((x) => x.name === 'Kidney L')!.measured_gy_per_gbq)).toBeCloseTo(3.1 / 7.4, 6);
    expect(summary.figures).toBe(figures.length);

    const text = spawnSync('pdftotext', ['-layout', join(out, 'report.pdf'), '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('NOT FOR CLINICAL USE');
    expect(text).toContain('6 GBq × 4 cycles');
    expect(text).toContain('18F-DCFPyL');
    for (const row of report.rows) expect(text).toContain(`${row.gyPerGBq.toFixed(2)} [${row.lo.toFixed(2)}–${row.hi.toFixed(2)}]`);
    const images = spawnSync('pdfimages', ['-list', join(out, 'report.pdf')], { encoding: 'utf8' }).stdout.trim().split('\n').slice(2);
    expect(images).toHaveLength(figures.length); // MIP + one slice per tumour + the chart
    expect(figures.length).toBe(1 + report.rows.filter((x) => x.type === 'tumour').length + 1);

    // The DICOM results: the SR references the SEG written beside it and holds the table's values.
    const sr = readMeasurementReport(readArrayBuffer(join(out, 'report-sr.dcm')));
    const seg = readDicomObject(readArrayBuffer(join(out, 'report-seg.dcm')), 'seg', 'SEG', (m) => new Error(m));
    expect(sr.seg?.sopInstanceUid).toBe(seg.SOPInstanceUID);
    expect(sr.plan).toEqual({ activityGBq: 6, cycles: 4 });
    expect(sr.statement).toMatch(/NOT FOR CLINICAL USE/);
    for (const row of report.rows) {
      const st = sr.structures.find((x) => x.name === row.name);
      expect(st, row.name).toBeDefined();
      expect(st!.dose!.gyPerGbq).toBeCloseTo(row.gyPerGBq, 6);
      expect(st!.dose!.upper90).toBeCloseTo(row.hi, 6);
      expect(st!.dose!.cumulativeGy).toBeCloseTo(row.gyCumulative, 6);
      expect(st!.suvMax).toBeCloseTo(row.suvMax, 6);
    }

    // Written again only with --force.
    const again = cli('--image', study, '--structures', join(study, 'seg.dcm'), '--biomarkers', biomarkers, '--out', out);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/report\.pdf and .*report\.csv and .*report-seg\.dcm and .*report-sr\.dcm exist \(use --force/);
  });

  const refused = (why: RegExp, ...args: string[]) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const r = cli(...args, '--out', out);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(why);
    expect(existsSync(out)).toBe(false);
  };

  it('refuses biomarkers with unknown keys, values out of range or not numbers, and names what is allowed', () => {
    const seg = join(study, 'seg.dcm');
    refused(/unknown key\(s\) "egfr".*allowed: age_years, weight_kg/, '--image', study, '--structures', seg, '--biomarkers', json('b1.json', { egfr: 72 }));
    refused(/out of the plausible range: eGFR \(5–150 mL\/min\/1\.73 m²\) \(found egfr_ml_min_1_73m2 = 900\)/, '--image', study, '--structures', seg, '--biomarkers', json('b2.json', { egfr_ml_min_1_73m2: 900, hb_g_dl: 12 }));
    refused(/hb_g_dl is "12"; each value must be a number/, '--image', study, '--structures', seg, '--biomarkers', json('b3.json', { egfr_ml_min_1_73m2: 70, hb_g_dl: '12' }));
    refused(/the model needs eGFR/, '--image', study, '--structures', seg, '--biomarkers', json('b4.json', { hb_g_dl: 12 })); // the default model reads eGFR (kidneys)
    refused(/not valid JSON/, '--image', study, '--structures', seg, '--biomarkers', json('b5.json', '{"egfr_ml_min_1_73m2": 70,'));
    refused(/activity per cycle must be a number of GBq above 0 and at most 30 \(got "0"\)/, '--image', study, '--structures', seg, '--biomarkers', biomarkers, '--activity-gbq', '0');
  });

  it('refuses structures on another grid, a non-PSMA PET and a measured-dose CSV without a dose unit', () => {
    const other = json('other.nii.gz', '');
    writeFileSync(other, new Uint8Array(writeNifti({ ...p.labels, dims: [10, 10, 10], origin: [0, 0, 0], data: new Uint8Array(1000).fill(1) })));
    refused(/--structures .*other\.nii\.gz: .*grid/i, '--image', study, '--structures', other, '--biomarkers', biomarkers);
    const { d: fdg } = writeStudy('fdg', '18F-FDG');
    refused(/not a PSMA ligand: 177Lu-PSMA doses cannot be predicted/, '--image', fdg, '--structures', join(fdg, 'seg.dcm'), '--biomarkers', biomarkers);
    const bad = json('m.csv', 'structure,mean_dose,administered_activity_gbq,cycle,method\nKidney L,3,7.4,1,x\n');
    refused(/column\(s\) mean_dose_gy or mean_dose_mgy missing .*the header must name the dose unit/, '--image', study, '--structures', join(study, 'seg.dcm'), '--biomarkers', biomarkers, '--measured', bad);
    const unknownName = json('m2.csv', 'structure,mean_dose_gy,administered_activity_gbq,cycle,method\nKidneys both,3,7.4,1,x\nBrain stem,3,7.4,1,x\n');
    refused(/m2\.csv: row 3: structure "Brain stem" is not a structure name of the vocabulary/, '--image', study, '--structures', join(study, 'seg.dcm'), '--biomarkers', biomarkers, '--measured', unknownName);
  });

  it('another PSMA ligand needs --accept-tracer, and the report then prints the gate\'s caveat', () => {
    const { d } = writeStudy('p1007', '18F-PSMA-1007');
    refused(/trained on 18F-DCFPyL PET.*hepatobiliary.*Run with --accept-tracer/s, '--image', d, '--structures', join(d, 'seg.dcm'), '--biomarkers', biomarkers);
    const out = join(dir, 'p1007-out');
    const r = cli('--image', d, '--structures', join(d, 'seg.dcm'), '--biomarkers', biomarkers, '--accept-tracer', '--out', out);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).tracer).toBe('confirm');
    const text = spawnSync('pdftotext', [join(out, 'report.pdf'), '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Tracer check: confirmed by the user');
    expect(text).toMatch(/Tracer caveat: 18F-PSMA-1007 is not the tracer the model was trained on/);
  });
});
