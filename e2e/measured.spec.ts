// Predicted vs measured dose on a virtual-cohort patient (generated with `npm run cohort` into a temp folder and
// opened as local files): its measured_dose.csv → per-structure and aggregate comparison in the dose table and in
// the downloaded report (CSV numbers, PDF text); its measured_rtdose.dcm → the same means; an RT Dose in another
// frame of reference and bad CSVs are refused and change nothing; the import survives a reload (saved with the
// study's dose state).
import { test, expect, type Download, type Locator, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base, waitReady } from './helpers';
import { parseCsv } from '../src/core/csv';
import { rewriteDicom } from '../test-support/dicomEdit';
import { parseDicom, readDicomSeries } from '../src/core/dicom/read';
import { readNifti } from '../src/core/io/nifti';
import { resampleLabelsNearest } from '../src/core/mask';
import { geometryOf, type Volume } from '../src/core/volume';
import { structureDoseMap, writeRtDose } from '../src/core/dicom/rtdose';
import { structureByName } from '../src/core/vocabulary';
import type { VirtualPatient } from '../src/core/cohort/model';

// The cohort patient, generated once per worker (not when the runner only lists the tests).
let dir = '', root = '', truth: VirtualPatient, biomarkers: Record<string, string>, images: string[] = [];
test.beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'psma-measured-e2e-'));
  const cohort = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/cohort.ts', '--patients', '1', '--seed', '3', '--out', root], { encoding: 'utf8' });
  if (cohort.status !== 0) throw new Error(`npm run cohort failed: ${cohort.stderr}`);
  dir = join(root, 'patients', 'P001');
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as VirtualPatient;
  biomarkers = parseCsv(readFileSync(join(root, 'patients.csv'), 'utf8'))[0];
  images = ['ct', 'pt'].flatMap((s) => readdirSync(join(dir, s)).map((f) => join(dir, s, f)));
});
const measuredOf = (name: string) => truth.structures.find((s) => s.name === name)!.measuredDoseGyPerGBq;
/** The cohort's measured aggregate: the mass-weighted mean of the pair. */
const aggregateOf = (names: string[]) => {
  const ss = truth.structures.filter((s) => names.includes(s.name));
  return ss.reduce((t, s) => t + s.measuredDoseGyPerGBq * s.massG, 0) / ss.reduce((t, s) => t + s.massG, 0);
};
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(0)} %`;

/** The cohort patient's images and its truth SEG, doses computed with its eGFR and haemoglobin; the dose table. */
async function openCohortPatient(page: Page): Promise<Locator> {
  await page.goto(base());
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles(images);
  await expect(page.getByLabel('Patient')).toContainText('P001');
  await waitReady(page);
  await page.getByLabel('Import structures').setInputFiles(join(dir, 'truth-seg.dcm'));
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Compute doses' })).toBeEnabled();
  await page.getByLabel('eGFR', { exact: true }).fill(biomarkers.egfr_ml_min_1_73m2);
  const hb = page.getByLabel('Haemoglobin', { exact: true }); // asked only when the model reads it
  if (await hb.count()) await hb.fill(biomarkers.hb_g_dl);
  await page.getByRole('button', { name: 'Compute doses' }).click();
  const table = page.getByRole('table', { name: 'Predicted doses' });
  await expect(table.getByRole('row', { name: /^Kidney L\b/ })).toBeVisible({ timeout: 90_000 });
  return table;
}

/** Cells by column header, per row: structure (without its notes), and the named columns. */
async function cells(table: Locator): Promise<Record<string, string>[]> {
  const heads = (await table.getByRole('columnheader').allTextContents()).map((t) => t.trim());
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => {
    const c = td.cloneNode(true) as HTMLElement;
    c.querySelectorAll('.note, [aria-hidden="true"]').forEach((n) => n.remove());
    return (c.textContent ?? '').trim();
  })));
  return rows.map((r) => Object.fromEntries(heads.map((h, n) => [h, r[n]])));
}

async function importMeasured(page: Page, file: string) {
  await page.getByLabel('Import measured dose').setInputFiles(file);
}

async function downloadReport(page: Page): Promise<{ csv: Record<string, string>[]; pdf: string }> {
  const downloads: Download[] = [];
  const on = (d: Download) => downloads.push(d);
  page.on('download', on);
  await page.getByRole('button', { name: 'Report (PDF + CSV)' }).click();
  await expect.poll(() => downloads.length, { timeout: 90_000 }).toBe(2);
  page.off('download', on);
  const csv = parseCsv(readFileSync(await downloads.find((d) => d.suggestedFilename().endsWith('.csv'))!.path(), 'utf8'));
  const pdfPath = await downloads.find((d) => d.suggestedFilename().endsWith('.pdf'))!.path();
  const pdf = spawnSync('pdftotext', ['-raw', pdfPath, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
  return { csv, pdf };
}

test('measured-dose CSV of a cohort patient: per-structure and aggregate comparison in the table and the report; its RT Dose gives the same means', async ({ page }) => {
  test.setTimeout(300_000);
  const table = await openCohortPatient(page);
  await importMeasured(page, join(dir, 'measured_dose.csv'));
  await expect(page.getByRole('status', { name: 'Measured dose status' })).toHaveText(`Imported ${truth.structures.length + 2} measured doses from measured_dose.csv.`);
  await expect(table.getByRole('columnheader', { name: 'Measured in 90 % PI' })).toBeVisible();
  const screen = await cells(table);
  const { csv, pdf } = await downloadReport(page);

  // Every structure: measured = the cohort's, error and inside/outside from the report's full-precision prediction.
  const structures = screen.filter((r) => !['Kidneys', 'Parotids'].includes(r.Structure));
  expect(structures.map((r) => r.Structure).sort()).toEqual(truth.structures.map((s) => s.name).sort());
  for (const r of structures) {
    const want = measuredOf(r.Structure), row = csv.find((c) => c.name === r.Structure)!;
    const pred = Number(row.gy_per_gbq), lo = Number(row.pi90_lo_gy_per_gbq), hi = Number(row.pi90_hi_gy_per_gbq);
    const err = ((pred - want) / want) * 100, inside = want >= lo && want <= hi;
    expect(r['Gy/GBq'], r.Structure).toBe(pred.toFixed(2));
    expect(r['Measured Gy/GBq'], r.Structure).toBe(want.toFixed(2));
    expect(r['Error %'], r.Structure).toBe(signed(err));
    expect(r['Measured in 90 % PI'], r.Structure).toBe(inside ? 'inside' : 'outside');
    expect(Math.abs(Number(row.measured_gy_per_gbq) / want - 1), r.Structure).toBeLessThan(1e-6);
    expect(Math.abs(Number(row.measured_error_pct) - err), r.Structure).toBeLessThan(1e-4); // the CSV keeps 8 significant digits
    expect(row.measured_inside_pi90).toBe(inside ? 'yes' : 'no');
    expect(pdf).toContain(`${want.toFixed(2)} (${signed(err).replace(' %', '')} %, ${inside ? 'inside' : 'outside'})`);
  }
  // Aggregates: the cohort's mass-weighted measured pair against the volume-weighted prediction of both members.
  for (const [name, members] of [['Kidneys', ['Kidney L', 'Kidney R']], ['Parotids', ['Parotid L', 'Parotid R']]] as const) {
    const r = screen.find((x) => x.Structure === name)!;
    await expect(table.getByRole('row', { name: `${name} (aggregate)` })).toContainText(`aggregate: mass-weighted mean of ${members.join(', ')}`);
    const m = csv.filter((c) => (members as readonly string[]).includes(c.name));
    const vol = m.reduce((t, c) => t + Number(c.volume_ml), 0);
    const wm = (k: string) => m.reduce((t, c) => t + Number(c[k]) * Number(c.volume_ml), 0) / vol;
    const pred = wm('gy_per_gbq'), lo = wm('pi90_lo_gy_per_gbq'), hi = wm('pi90_hi_gy_per_gbq'), want = aggregateOf([...members]);
    const err = ((pred - want) / want) * 100, inside = want >= lo && want <= hi;
    expect([r['Gy/GBq'], r['90 % PI'], r['Measured Gy/GBq'], r['Error %'], r['Measured in 90 % PI']]).toEqual([pred.toFixed(2), `${lo.toFixed(2)}–${hi.toFixed(2)}`, want.toFixed(2), signed(err), inside ? 'inside' : 'outside']);
    const row = csv.find((c) => c.name === name)!;
    expect(row.type).toBe('aggregate');
    expect(Math.abs(Number(row.gy_per_gbq) / pred - 1)).toBeLessThan(1e-6); // the CSV's volumes are rounded
    expect(Math.abs(Number(row.measured_gy_per_gbq) / want - 1)).toBeLessThan(1e-6);
    expect(pdf).toContain(`${name} (aggregate): predicted ${pred.toFixed(2)} [${lo.toFixed(2)}–${hi.toFixed(2)}] (mass-weighted mean of ${members.join(', ')}) Gy/GBq; measured ${want.toFixed(2)} (${signed(err).replace(' %', '')} %, ${inside ? 'inside' : 'outside'})`);
  }
  expect(pdf).toMatch(new RegExp(`${truth.structures.length + 2} measured doses compared \\(2 aggregates\\): \\d+ inside the 90 % interval; median \\|error\\| \\d+ % \\(measured: measured_dose\\.csv \\(CSV\\)\\)`));

  // The RT Dose of the same patient: the activity is asked for (required) and the means are the same.
  await importMeasured(page, join(dir, 'measured_rtdose.dcm'));
  const form = page.getByRole('form', { name: 'RT Dose activity' });
  await expect(form).toContainText('DoseSummationType PLAN');
  await form.getByRole('button', { name: 'Import RT Dose' }).click();
  await expect(form.getByRole('alert')).toContainText('Administered activity: enter the GBq given');
  await form.getByLabel('Administered activity (GBq)').fill('7400');
  await form.getByRole('button', { name: 'Import RT Dose' }).click();
  await expect(form.getByRole('alert')).toContainText('(got "7400"; MBq? divide by 1000)');
  expect(await cells(table)).toEqual(screen); // still the CSV's doses
  await form.getByLabel('Administered activity (GBq)').fill('7.4');
  await form.getByRole('button', { name: 'Import RT Dose' }).click();
  await expect(page.getByRole('status', { name: 'Measured dose status' })).toContainText('from measured_rtdose.dcm');
  await expect(page.getByRole('group', { name: 'Measured dose', exact: true })).toContainText('from measured_rtdose.dcm (DICOM RT Dose)');
  const fromRtDose = await downloadReport(page);
  for (const s of truth.structures) {
    const row = fromRtDose.csv.find((c) => c.name === s.name)!;
    expect(Math.abs(Number(row.measured_gy_per_gbq) / s.measuredDoseGyPerGBq - 1), s.name).toBeLessThan(1e-4);
  }
  // Its pairs are the voxel-weighted means over both (the cohort's are weighted by true mass): within 2 %.
  for (const [name, members] of [['Kidneys', ['Kidney L', 'Kidney R']], ['Parotids', ['Parotid L', 'Parotid R']]] as const) {
    const row = fromRtDose.csv.find((c) => c.name === name)!;
    expect(Math.abs(Number(row.measured_gy_per_gbq) / aggregateOf([...members]) - 1), name).toBeLessThan(0.02);
  }
  expect(fromRtDose.pdf).toContain('(measured: measured_rtdose.dcm (DICOM RT Dose))');

  // The same measured dose map on the CT grid (same frame of reference): sampled at the PET-grid structures, with a
  // warning; the kidneys within 3 % of the cohort's measured doses, the smaller parotids within 6 % (the border
  // voxels take some of the zero dose outside when the map is sampled trilinearly).
  const ct = readDicomSeries(readdirSync(join(dir, 'ct')).map((f) => ({ name: f, data: new Uint8Array(readFileSync(join(dir, 'ct', f))).buffer })));
  const pt0 = parseDicom(new Uint8Array(readFileSync(join(dir, 'pt', 'PT_0000.dcm'))).buffer).attrs;
  const ctLabels = resampleLabelsNearest(readNifti(new Uint8Array(readFileSync(join(dir, 'labels.nii.gz')))) as Volume<Uint8Array>, geometryOf(ct.volume));
  const gy = new Map(truth.structures.map((s) => [structureByName(s.name)!.label, s.measuredDoseGyPerGBq * 7.4]));
  const ctDose = join(mkdtempSync(join(tmpdir(), 'psma-measured-ct-')), 'ct-grid-rtdose.dcm');
  writeFileSync(ctDose, new Uint8Array(writeRtDose(structureDoseMap(ctLabels, gy), { studyUid: String(pt0.StudyInstanceUID), frameOfReferenceUid: String(pt0.FrameOfReferenceUID), patientName: 'P001', patientId: 'P001' })));
  await importMeasured(page, ctDose);
  await form.getByLabel('Administered activity (GBq)').fill('7.4');
  await form.getByRole('button', { name: 'Import RT Dose' }).click();
  await expect(page.getByRole('status', { name: 'Measured dose status' })).toContainText('from ct-grid-rtdose.dcm');
  const group = page.getByRole('group', { name: 'Measured dose', exact: true });
  await group.locator('details summary').click();
  await expect(page.getByRole('list', { name: 'Measured dose warnings' })).toContainText('ct-grid-rtdose.dcm: the dose grid (');
  await expect(page.getByRole('list', { name: 'Measured dose warnings' })).toContainText('is not the PET grid; sampled trilinearly at the structure voxels');
  const fromCt = await downloadReport(page);
  for (const [name, tol] of [['Kidney L', 0.03], ['Kidney R', 0.03], ['Parotid L', 0.06], ['Parotid R', 0.06]] as const) {
    expect(Math.abs(Number(fromCt.csv.find((c) => c.name === name)!.measured_gy_per_gbq) / measuredOf(name) - 1), name).toBeLessThan(tol);
  }
});

test('refused and changing nothing: an RT Dose in another frame of reference, bad CSVs; names mapped in the dialog; the import survives a reload', async ({ page }) => {
  test.setTimeout(300_000);
  const table = await openCohortPatient(page);
  const tmp = mkdtempSync(join(tmpdir(), 'psma-measured-bad-'));
  const write = (name: string, text: string) => { const f = join(tmp, name); writeFileSync(f, text); return f; };
  const status = page.getByRole('status', { name: 'Measured dose status' });
  await importMeasured(page, join(dir, 'measured_dose.csv'));
  await expect(status).toContainText('Imported');
  const before = await cells(table);

  // An RT Dose registered to another frame of reference: refused naming both UIDs.
  const petFor = String(parseDicom(new Uint8Array(readFileSync(join(dir, 'pt', 'PT_0000.dcm'))).buffer).attrs.FrameOfReferenceUID);
  const [other] = rewriteDicom([{ name: 'x', data: new Uint8Array(readFileSync(join(dir, 'measured_rtdose.dcm'))).buffer }], (ds) => { ds.FrameOfReferenceUID = '2.25.999'; });
  const otherFile = join(tmp, 'other-for.dcm');
  writeFileSync(otherFile, new Uint8Array(other.data));
  await importMeasured(page, otherFile);
  await expect(status).toContainText(`other-for.dcm: FrameOfReferenceUID 2.25.999 is not the PET's (${petFor}): the dose is not registered to this PET`);
  await expect(status).toContainText('Nothing was changed: the measured doses imported before stay.');
  await expect(page.getByRole('form', { name: 'RT Dose activity' })).toHaveCount(0);
  expect(await cells(table)).toEqual(before);

  const head = 'structure,mean_dose_gy,administered_activity_gbq,cycle,method';
  const refusals: [string, string, RegExp][] = [
    ['both-units.csv', 'structure,mean_dose_gy,mean_dose_mgy,administered_activity_gbq,cycle,method\nKidney L,3,3000,7.4,1,x\n', /both-units\.csv: both mean_dose_gy and mean_dose_mgy are given; keep one \(the unit comes from the header\)/],
    ['no-unit.csv', 'structure,mean_dose,administered_activity_gbq,cycle,method\nKidney L,3,7.4,1,x\n', /no-unit\.csv: column\(s\) mean_dose_gy or mean_dose_mgy missing .*the header must name the dose unit/],
    ['no-activity.csv', `${head}\nKidney L,3,,1,x\n`, /no-activity\.csv: row 2: administered_activity_gbq is ""; expected the administered activity in GBq/],
    ['no-activity-column.csv', 'structure,mean_dose_gy,cycle,method\nKidney L,3,1,x\n', /column\(s\) administered_activity_gbq missing/],
    ['semicolon.csv', 'structure;mean_dose_gy;administered_activity_gbq;cycle;method\nKidney L;3,2;7,4;1;x\n', /semicolon\.csv: the header is separated by semicolons/],
    ['twice.csv', `${head}\nKidney L,3,7.4,1,x\nKidney_L,3,7.4,1,x\n`, /twice\.csv: row 3: Kidney L is given twice \(rows 2 and 3\)/],
  ];
  for (const [name, text, why] of refusals) {
    await importMeasured(page, write(name, text));
    // twice.csv has an alias: the mapping dialog opens first and refuses on import.
    const dialog = page.getByRole('dialog', { name: 'Map measured structures' });
    if (name === 'twice.csv') await dialog.getByRole('button', { name: 'Import mapped' }).click();
    await expect(status, name).toHaveText(why);
    await expect(status, name).toContainText('Nothing was changed');
    if (name === 'twice.csv') await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await cells(table), name).toEqual(before);
  }

  // Unknown and alias names go through the mapping dialog; cancelling changes nothing.
  const mapped = write('mim-export.csv', 'Structure,Mean_Dose_mGy,Administered_Activity_GBq,Cycle,Method\nKidney_L,3000,7.4,2,MIM SurePlan\nLeft Parotid,4400,7.4,2,MIM SurePlan\nBrain stem,200,7.4,2,MIM SurePlan\nKidneys total,2900,7.4,2,MIM SurePlan\n');
  await importMeasured(page, mapped);
  const dialog = page.getByRole('dialog', { name: 'Map measured structures' });
  await expect(dialog).toContainText('doses in mGy');
  await expect(dialog.getByLabel('Map Kidney_L')).toHaveValue('Kidney L');
  await expect(dialog.getByLabel('Map Left Parotid')).toHaveValue('Parotid L');
  await expect(dialog.getByLabel('Map Kidneys total')).toHaveValue('Kidneys');
  await expect(dialog.getByLabel('Map Brain stem')).toHaveValue('skip');
  await expect(dialog).toContainText('unknown name: choose a structure or skip');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(await cells(table)).toEqual(before);
  await importMeasured(page, mapped);
  const saves = () => page.evaluate(() => performance.getEntriesByName('dose-saved').length);
  const savedBefore = await saves();
  await dialog.getByRole('button', { name: 'Import mapped' }).click();
  await expect(status).toHaveText('Imported 3 measured doses from mim-export.csv; 1 row(s) not used (listed below).');
  const source = page.getByRole('group', { name: 'Measured dose', exact: true }).locator('details');
  await source.locator('summary').click();
  await expect(page.getByRole('list', { name: 'Measured rows not used' })).toHaveText('row 4: Brain stem: "Brain stem" is not a structure name of the vocabulary and was not mapped');
  await expect(page.getByRole('list', { name: 'Measured dose warnings' })).toContainText('mim-export.csv: row 2: Kidney L was measured after cycle 2');
  const now = await cells(table);
  expect(now.find((r) => r.Structure === 'Kidney L')!['Measured Gy/GBq']).toBe((3 / 7.4).toFixed(2));
  expect(now.find((r) => r.Structure === 'Kidney R')!['Measured Gy/GBq']).toBe('—');
  expect(now.find((r) => r.Structure === 'Kidneys')!['Measured Gy/GBq']).toBe((2.9 / 7.4).toFixed(2));
  expect(now.some((r) => r.Structure === 'Parotids')).toBe(false);

  // Saved with the study's dose state: after a reload the same comparison is back.
  await expect.poll(saves).toBeGreaterThan(savedBefore);
  await page.reload();
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles(images);
  await expect(page.getByLabel('Patient')).toContainText('P001');
  await waitReady(page);
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(table.getByRole('columnheader', { name: 'Measured in 90 % PI' })).toBeVisible({ timeout: 60_000 });
  expect(await cells(table)).toEqual(now);
  await expect(page.getByRole('group', { name: 'Measured dose', exact: true })).toContainText('restored from this browser');

  // mGy in a Gy column: the header decides the unit, the implausible value is imported with a warning saying so.
  await importMeasured(page, write('gy-column-mgy-values.csv', `${head}\nKidney L,3000,7.4,1,x\n`));
  await expect(status).toHaveText('Imported 1 measured dose from gy-column-mgy-values.csv.');
  await page.getByRole('group', { name: 'Measured dose', exact: true }).locator('details summary').click();
  await expect(page.getByRole('list', { name: 'Measured dose warnings' })).toHaveText('gy-column-mgy-values.csv: row 2: Kidney L 3000 Gy for 7.4 GBq is 405 Gy/GBq; was the dose in mGy (then name the column mean_dose_mgy)?');
});
