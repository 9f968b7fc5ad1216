// The report end to end in Node on a phantom patient (features in process, the shipped model): the model's rows
// and plan summary, the CSV (escaping, numbers as numbers), the figures (pixels), and the PDF's text read back
// with poppler's pdftotext and its images counted with pdfimages.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { REPO_DIR } from '../../../test-support/paths';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { writeCtSeries, writePtSeries } from '../phantom/dicom';
import { readDicomFiles } from '../dicom/read';
import { assembleStudy } from '../study';
import { runTask } from '../radiomics/task';
import { openModel, inferWith, type LoadedModel } from '../dose/modelSession';
import { dosimetricStructures } from '../dose/tasks';
import { extractRows, previewDoses, type Extract } from '../dose/pipeline';
import { DEFAULT_LIMITS, plan } from '../dose/plan';
import { parseCsv } from '../csv';
import { identifyTracer, tracerGate } from '../tracer';
import { structureByName } from '../vocabulary';
import { POPULATION_VALUE, buildReport, checksText, reportPatient } from './content';
import { reportCsv } from './csv';
import { axialFusedFigure, doseChartFigure, figurePng, mipFigure, Raster, suvMaxVoxel } from './figures';
import { makeReport, reportFiles } from './make';

const p = generatePatient(defaultPatientSpec(3, { lesions: 3, imaging: { ctSpacing: [8, 8, 8], petSpacing: [6, 6, 6] } }));
const study = assembleStudy(readDicomFiles([...writePtSeries(p).files, ...writeCtSeries(p).files]).series);
const tumours = Object.fromEntries(p.truth.structures.filter((s) => s.site).map((s) => [s.label, { site: s.site! }]));
const inProcess: Extract = async (tasks) => tasks.map((t) => runTask(t));
const dir = join(REPO_DIR, 'models/default');
const FONT = new Uint8Array(readFileSync(join(REPO_DIR, 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf')));
const BOLD = new Uint8Array(readFileSync(join(REPO_DIR, 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')));

describe('tumour-board report', async () => {
  const m = await openModel(readFileSync(join(dir, 'model.onnx')), JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')));
  if ('problem' in m) throw new Error(m.problem);
  const model = m as LoadedModel;
  const structures = dosimetricStructures(p.labels, { tumours });
  const patient = { weight_kg: 82, height_cm: 176, egfr_ml_min_1_73m2: 72, hb_g_dl: 12.5, age_years: 71 };
  const suv = study.pet!.suv!;
  const preview = await previewDoses({ suv, labels: p.labels, structures, patient }, model.card, { extract: inProcess, infer: inferWith(model) });
  const attrs = { ...study.pet!.instances[0].attrs, PatientName: 'Müller^Zoë Жуков Ωμέγα', PatientID: '=HYPERLINK("x")' };
  const gate = tracerGate(identifyTracer(attrs), model.card.tracer);
  const thePlan = plan(preview.predictions, { activityGBq: 7.4, cycles: 6, skipped: preview.skipped });
  const { report, figures } = makeReport({
    petAttrs: attrs, reportDate: '2026-12-01T10:00:00.000Z', gate, card: model.card, plan: thePlan, limits: DEFAULT_LIMITS,
    suv, labels: p.labels, ct: study.ct, structures, notPredicted: preview.skipped,
    measured: [{ structure: 'Kidney L', meanDoseGy: 3.2, administeredActivityGBq: 7.4, gyPerGBq: 3.2 / 7.4, cycle: 1, method: 'SPECT/CT 3 time points' }],
  });

  it('uptake is the feature rows\' (same crop, same engine)', async () => {
    const { rows } = await extractRows({ suv, labels: p.labels, structures, patient }, { extract: inProcess });
    for (const r of report.rows) {
      const f = rows.find((x) => x.name === r.name)!;
      expect([r.suvMax, r.suvMean, r.suvPeak, r.volumeMl]).toEqual([f.suv_max, f.suv_mean, f.suv_peak, f.volume_ml]);
    }
  });

  it('holds every predicted structure, sorted as the plan, with uptake, segment numbers and each organ against its references', () => {
    expect(gate.status).toBe('ok');
    expect(report.rows.map((r) => r.name)).toEqual(thePlan.rows.map((r) => r.name));
    expect(report.rows.map((r) => r.type)[0]).toBe('tumour');
    const labels = [...new Set(p.labels.data)].filter(Boolean).sort((a, b) => a - b);
    for (const r of report.rows) {
      expect(r.segmentNumber).toBe(labels.indexOf(structureByName(r.name)!.label) + 1);
      expect(r.suvMax).toBeGreaterThanOrEqual(r.suvPeak);
      expect(r.suvPeak).toBeGreaterThan(0);
      expect(r.suvMax).toBeGreaterThan(r.suvMean);
      expect(r.personalised).toBe(true); // the shipped model has features for every type
    }
    const kl = report.rows.find((r) => r.name === 'Kidney L')!;
    expect(kl.checks.map((c) => c.limitId)).toEqual(['kidneys']);
    const kidneys = thePlan.organs.find((o) => o.group === 'kidneys')!;
    expect(kl.checks[0].pointGy).toBe(kidneys.checks[0].point!.valueGy);
    expect(kl.checks[0].source).toMatch(/Emami/);
    expect(report.sources[kl.checks[0].sourceRef - 1]).toMatch(/^\[1\] Kidneys \(mean of both\): Emami/);
    expect(checksText(kl)).toMatch(/ \[1\]$/);
    expect(kl.measured!.errorPct).toBeCloseTo(((kl.gyPerGBq - 3.2 / 7.4) / (3.2 / 7.4)) * 100, 8);
    const parotid = report.rows.find((r) => r.name === 'Parotid L')!;
    expect(parotid.checks.map((c) => c.limitId)).toEqual(['parotid-nki', 'parotid-quantec']);
    expect(checksText(parotid)).toMatch(/Parotid TD50 \(NKI\) 26\.5 Gy per gland: (within|over)/);
    expect(report.summary.map((l) => l.label)).toEqual(expect.arrayContaining(['Plan', 'Limiting organ', 'Tumour-to-kidney ratio (mass-weighted, per GBq)']));
    expect(report.summary.find((l) => l.label === 'Plan')!.value).toBe('7.4 GBq × 6 cycles (44.4 GBq in total)');
    expect(report.statement).toMatch(/^NOT FOR CLINICAL USE/);
    expect(report.header.find((l) => l.label === 'Patient')!.value).toBe('Müller^Zoë Жуков Ωμέγα (ID =HYPERLINK("x"))');
    expect(report.sources.join('\n')).toMatch(/Deasy et al/);
  });

  it('marks a type the model predicts with a constant as a population value', () => {
    const card = { ...model.card, perType: model.card.perType.map((t) => (t.type === 'lacrimal' ? { ...t, features: [] } : t)) };
    const r = buildReport({ patient: reportPatient(attrs), reportDate: '2026-12-01T10:00:00Z', gate, card, plan: thePlan, structures: [] });
    const lacrimal = r.rows.filter((x) => x.type === 'lacrimal');
    expect(lacrimal.length).toBeGreaterThan(0);
    for (const x of lacrimal) expect(x.personalised).toBe(false);
    expect(r.rows.filter((x) => x.type !== 'lacrimal').every((x) => x.personalised)).toBe(true);
    expect(r.caveats.join(' ')).toContain(POPULATION_VALUE);
  });

  it('CSV: one row per structure, numbers as numbers, formula-like text escaped and read back unchanged', () => {
    const rep = { ...report, rows: report.rows.map((r, n) => (n === 0 ? { ...r, site: '=cmd|calc' } : r)) };
    const text = reportCsv(rep);
    expect(text).toContain(",'=cmd|calc,");
    const rows = parseCsv(text);
    expect(rows.map((r) => r.name)).toEqual(report.rows.map((r) => r.name));
    expect(rows[0].site).toBe('=cmd|calc');
    const kl = rows.find((r) => r.name === 'Kidney L')!, want = report.rows.find((r) => r.name === 'Kidney L')!;
    expect(Number(kl.gy_per_gbq)).toBeCloseTo(want.gyPerGBq, 6);
    expect(Number(kl.gy_cumulative_upper90)).toBeCloseTo(want.gyCumulativeHi, 5);
    expect(kl.measured_inside_pi90).toMatch(/^(yes|no)$/);
    expect(text.split('\n')[1]).toMatch(/^\d+,tumour,T\d,/); // segment number and text unquoted, numbers bare
  });

  it('rasteriser: lines, dashes and outlines land on the pixels they should', () => {
    const r = new Raster(10, 10);
    r.line(0, 5, 9, 5, [255, 0, 0]);
    for (let x = 0; x < 10; x++) expect(r.get(x, 5)).toEqual([255, 0, 0]);
    expect(r.get(5, 4)).toEqual([255, 255, 255]);
    const d = new Raster(12, 1);
    d.line(0, 0, 11, 0, [0, 0, 0], 1, [2, 2]);
    expect([...Array(12).keys()].map((x) => d.get(x, 0)[0] === 0)).toEqual([true, true, false, false, true, true, false, false, true, true, false, false]);
    const o = new Raster(5, 5), mask = new Uint8Array(25);
    for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) mask[y * 5 + x] = 1;
    expect(o.outline(mask, [0, 0, 255])).toBe(8); // a 3×3 square: 8 edge pixels, the centre left alone
    expect(o.get(2, 2)).toEqual([255, 255, 255]);
    const png = decode(figurePng({ width: 5, height: 5, rgba: o.rgba }));
    expect([png.width, png.height, png.channels]).toEqual([5, 5, 4]);
    expect([...png.data.slice((1 * 5 + 1) * 4, (1 * 5 + 1) * 4 + 3)]).toEqual([0, 0, 255]);
  });

  it('figures: the MIP is darkest where the PET is hottest and outlines the kidneys in their colour; the axial slice is centred on the SUVmax', () => {
    const mip = mipFigure(suv, p.labels, report.rows.map((r) => r.name));
    const img = { get: (x: number, y: number) => [...mip.rgba.slice((y * mip.width + x) * 4, (y * mip.width + x) * 4 + 3)] };
    const colour = structureByName('Kidney L')!.color;
    let kidneyPixels = 0, darkest = 255;
    for (let y = 0; y < mip.height; y++) for (let x = 0; x < mip.width; x++) {
      const c = img.get(x, y);
      if (c[0] === colour[0] && c[1] === colour[1] && c[2] === colour[2]) kidneyPixels++;
      if (c[0] === c[1] && c[1] === c[2]) darkest = Math.min(darkest, c[0]);
    }
    expect(kidneyPixels).toBeGreaterThan(20);
    expect(darkest).toBe(0); // kidneys and tumours exceed SUV 10
    expect(mip.height).toBeGreaterThan(mip.width); // head-to-pelvis, isotropic pixels
    expect(mip.labels.map((l) => l.text)).toEqual(expect.arrayContaining(['Kidney L', 'T1']));
    const t1 = structureByName('T1')!;
    const fused = axialFusedFigure(suv, p.labels, study.ct, 'T1')!;
    const at = suvMaxVoxel(suv, p.labels, t1.label)!;
    expect(suv.data[at]).toBe(report.rows.find((r) => r.name === 'T1')!.suvMax);
    const green = [...Array(fused.width * fused.height).keys()].filter((n) => fused.rgba[n * 4] === 0 && fused.rgba[n * 4 + 1] === 255 && fused.rgba[n * 4 + 2] === 128);
    expect(green.length).toBeGreaterThan(4); // the tumour's contour
    const cx = green.reduce((s, n) => s + (n % fused.width), 0) / green.length, cy = green.reduce((s, n) => s + Math.floor(n / fused.width), 0) / green.length;
    expect(Math.hypot(cx - fused.width / 2, cy - fused.height / 2)).toBeLessThan(30); // around the centre (the SUVmax)
    expect(figures.map((x) => x.id)).toEqual(['mip', ...report.rows.filter((r) => r.type === 'tumour').map((r) => `axial-${r.name}`), 'dose-chart']);
  });

  it('dose chart: a bar per structure in its colour, whiskers and the kidney limit line', () => {
    const chart = doseChartFigure(report, DEFAULT_LIMITS);
    const has = (c: number[]) => [...Array(chart.width * chart.height).keys()].some((n) => chart.rgba[n * 4] === c[0] && chart.rgba[n * 4 + 1] === c[1] && chart.rgba[n * 4 + 2] === c[2]);
    expect(has([200, 60, 20])).toBe(true); // the kidney limit
    expect(has([170, 120, 0])).toBe(true); // salivary references
    expect(chart.labels.map((l) => l.text)).toEqual(expect.arrayContaining(['23 Gy', 'Kid. L', 'T1']));
  });

  it('PDF: embedded Unicode font, every structure with its predicted value, one image per figure', async () => {
    const { pdf, csv } = await reportFiles(report, figures, { regular: FONT, bold: BOLD });
    expect(csv).toBe(reportCsv(report));
    const dirOut = mkdtempSync(join(tmpdir(), 'report-'));
    const file = join(dirOut, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('NOT FOR CLINICAL USE');
    expect(text).toContain('Müller^Zoë Жуков Ωμέγα');
    expect(text).toContain('7.4 GBq × 6 cycles');
    for (const r of report.rows) {
      expect(text).toContain(r.name);
      expect(text).toContain(`${r.gyPerGBq.toFixed(2)} [${r.lo.toFixed(2)}–${r.hi.toFixed(2)}]`);
    }
    expect(pdf.length).toBeLessThan(600_000); // the fonts are subset
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    expect(fonts).toMatch(/DejaVuSans/);
    expect(fonts).not.toMatch(/Helvetica/);
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(images.filter((l) => /\simage\s/.test(l))).toHaveLength(figures.length);
  });
});
