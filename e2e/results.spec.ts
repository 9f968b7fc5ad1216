// The dose results as DICOM on a real Orthanc: a study from the PACS → its structures → doses → Store results on
// PACS (after the confirmation) → the SR is in the study (QIDO), dciodvfy finds 0 errors, pydicom reads the same
// numbers the viewer showed, and reopening the study lists the stored results with those values.
import { test, expect, type Download, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPatientSpec, generatePatient } from '../src/core/phantom/generate';
import { ptReference, writeCtSeries, writePtSeries } from '../src/core/phantom/dicom';
import { writeSeg } from '../src/core/io/seg';
import dcmjs from 'dcmjs';
import { stow } from './orthanc';
import { base, doseCells, waitReady } from './helpers';

const ID = 'SRES0018';
const orthanc = () => process.env.E2E_ORTHANC_URL!;
const walker = join(import.meta.dirname, '../test-support/sr_walk.py');
const patient = generatePatient(defaultPatientSpec(18, { id: ID, lesions: 3, imaging: { ctSpacing: [6, 6, 6], petSpacing: [6, 6, 6], zBottomMm: 100, zTopMm: 420 } }));

async function openFromPacs(page: Page) {
  await page.goto(`${base()}/?source=pacs`);
  await page.getByLabel('Patient name or ID').fill(ID);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('row', { name: new RegExp(ID) }).getByRole('button', { name: /Open study/ }).click();
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText(ID);
}

async function json(path: string): Promise<Record<string, { Value?: unknown[] }>[]> {
  const r = await fetch(`${orthanc()}${path}`, { headers: { Accept: 'application/dicom+json' } });
  expect(r.ok, `${path}: HTTP ${r.status}`).toBe(true);
  return r.status === 204 ? [] : r.json();
}
const tag = (row: Record<string, { Value?: unknown[] }>, t: string) => String(row[t]?.Value?.[0] ?? '');
const two = (v: number) => v.toFixed(2);

test('dose results stored on the PACS as SEG + SR: on Orthanc, 0 dciodvfy errors, read by pydicom and listed again by the viewer', async ({ page }) => {
  await stow(orthanc(), [...writeCtSeries(patient).files.map((f) => f.data), ...writePtSeries(patient).files.map((f) => f.data),
    writeSeg(patient.labels, ptReference(patient), { seriesDescription: `Structures ${ID}` })]);
  await openFromPacs(page);
  const studyUid = await page.evaluate(() => window.__psma!.viewer.study!.studyUid);

  // Structures from the PACS, then doses.
  await page.getByRole('list', { name: 'Structure sets on the PACS' }).getByRole('button', { name: /^Import SEG/ }).click();
  await page.getByRole('dialog', { name: 'Map imported segments' }).getByRole('button', { name: 'Import mapped' }).click();
  await expect(page.getByRole('table', { name: 'Structure list' }).getByRole('button', { name: 'Jump to Kidney L' })).toBeVisible();
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  await expect(page.getByRole('alert', { name: 'Not for clinical use' })).toBeVisible({ timeout: 60_000 });
  for (const [label, value] of [['eGFR', '72'], ['Haemoglobin', '12.5'], ['Height', '176'], ['Weight', '82'], ['Age', '71']]) {
    const field = page.getByLabel(label, { exact: true });
    if (await field.count()) await field.fill(value);
  }
  const store = page.getByRole('button', { name: 'Store results on PACS…' });
  await expect(store).toBeDisabled(); // no doses yet
  await page.getByRole('button', { name: 'Compute doses' }).click();
  const table = page.getByRole('table', { name: 'Predicted doses' });
  await expect(table.getByRole('row', { name: /Kidney L/ })).toBeVisible({ timeout: 90_000 });
  const rows = await doseCells(table);
  expect(rows.length).toBeGreaterThanOrEqual(3);

  // Download DICOM SR: the SEG and the SR that references it.
  const downloads: Download[] = [];
  page.on('download', (d) => void downloads.push(d));
  await page.getByRole('button', { name: 'Download DICOM SR' }).click();
  await expect.poll(() => downloads.length).toBe(2);
  const saved = Object.fromEntries(await Promise.all(downloads.map(async (d) => {
    const to = join(process.env.E2E_DIR!, d.suggestedFilename());
    await d.saveAs(to);
    return [d.suggestedFilename().endsWith('-sr.dcm') ? 'sr' : 'seg', to] as const;
  })));
  const walked = JSON.parse(spawnSync('/usr/bin/python3', [walker, saved.sr], { encoding: 'utf8' }).stdout) as { structures: { name: string; segSopInstanceUid: string }[] };
  const segUid = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(new Uint8Array(readFileSync(saved.seg)).buffer).dict).SOPInstanceUID;
  expect(new Set(walked.structures.map((s) => s.segSopInstanceUid))).toEqual(new Set([segUid]));
  expect(walked.structures.map((s) => s.name).sort()).toEqual(rows.map((r) => r[0]).sort());

  // Nothing is stored without the confirmation; Cancel stores nothing.
  await store.click();
  const dialog = page.getByRole('dialog', { name: 'Store the results on the PACS?' });
  await expect(dialog).toContainText('NOT FOR CLINICAL USE');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(await json(`/dicom-web/studies/${studyUid}/series?Modality=SR`)).toHaveLength(0);
  // A PACS that refuses the STOW says so, naming the HTTP status; nothing is listed.
  const stowUrl = /\/dicom-web\/studies(\/[^/?]+)?$/;
  await page.route(stowUrl, (route) => (route.request().method() === 'POST' ? route.fulfill({ status: 503, body: 'busy' }) : route.fallback()));
  await store.click();
  await dialog.getByRole('button', { name: 'Store', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The results were not stored' })).toContainText('Storing on the PACS (STOW-RS): the PACS answered HTTP 503');
  await page.unroute(stowUrl);
  expect(await json(`/dicom-web/studies/${studyUid}/series?Modality=SR`)).toHaveLength(0);
  await store.click();
  await dialog.getByRole('button', { name: 'Store', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Store result' })).toContainText('Stored the structures (SEG) and the dose results (SR)');
  await expect(page.getByRole('list', { name: 'Stored results' }).getByRole('listitem')).toHaveCount(1);

  // On Orthanc: one SR series (QIDO), retrieved with Orthanc's REST API.
  const srSeries = await json(`/dicom-web/studies/${studyUid}/series?Modality=SR`);
  expect(srSeries).toHaveLength(1);
  const srSeriesUid = tag(srSeries[0], '0020000E');
  const instances = await json(`/dicom-web/studies/${studyUid}/series/${srSeriesUid}/instances`);
  expect(instances).toHaveLength(1);
  const lookup = await (await fetch(`${orthanc()}/tools/lookup`, { method: 'POST', body: tag(instances[0], '00080018') })).json() as { ID: string; Type: string }[];
  const srBytes = Buffer.from(await (await fetch(`${orthanc()}/instances/${lookup.find((x) => x.Type === 'Instance')!.ID}/file`)).arrayBuffer());
  const file = join(process.env.E2E_DIR!, 'stored-sr.dcm');
  writeFileSync(file, srBytes);

  const v = spawnSync('/usr/bin/dciodvfy', [file], { encoding: 'utf8' });
  expect(`${v.stdout}${v.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
  const py = spawnSync('/usr/bin/python3', [walker, file], { encoding: 'utf8' });
  expect(py.stderr).toBe('');
  const sr = JSON.parse(py.stdout) as { studyUid: string; structures: { name: string; segmentNumber: number; segSopInstanceUid: string; volumeMl: number; dose?: { gyPerGbq: number; lower90: number; upper90: number; cumulativeGy: number } }[]; plan: { activityGBq: number; cycles: number } };
  expect(sr.studyUid).toBe(studyUid);
  expect(sr.plan).toEqual({ activityGBq: 7.4, cycles: 6 });
  // Every row on screen is in the SR with the same values (as the table rounds them).
  for (const [name, volume, gy, interval, , cumulative] of rows) {
    const s = sr.structures.find((x) => x.name === name);
    expect(s, name).toBeDefined();
    expect([s!.volumeMl.toFixed(1), two(s!.dose!.gyPerGbq), `${two(s!.dose!.lower90)}–${two(s!.dose!.upper90)}`, s!.dose!.cumulativeGy.toFixed(1)]).toEqual([volume, gy, interval, cumulative]);
  }
  // The SEG it references is on Orthanc too, in the same study.
  const segUids = new Set(sr.structures.map((s) => s.segSopInstanceUid));
  expect(segUids.size).toBe(1);
  const segSeries = (await json(`/dicom-web/studies/${studyUid}/series?Modality=SEG`)).map((x) => tag(x, '0020000E'));
  const segInstances = (await Promise.all(segSeries.map((s) => json(`/dicom-web/studies/${studyUid}/series/${s}/instances`)))).flat().map((x) => tag(x, '00080018'));
  expect(segInstances).toContain([...segUids][0]);

  // Reopening the study lists the stored results; shown, they hold the same values.
  await openFromPacs(page);
  await page.getByRole('button', { name: 'Dose', exact: true }).click();
  const listed = page.getByRole('list', { name: 'Stored results' }).getByRole('listitem');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText('7.4 GBq × 6');
  await listed.getByRole('button', { name: 'Show' }).click();
  await expect(listed).toContainText(/NOT FOR CLINICAL USE.* — trained on virtual/); // UTF-8 text inside the content tree intact
  await expect(listed).not.toContainText('â');
  const shown = page.getByRole('table', { name: 'Stored doses' });
  for (const s of sr.structures) {
    const row = shown.getByRole('row', { name: new RegExp(`^${s.name} ${s.segmentNumber} `) });
    await expect(row).toContainText(s.volumeMl.toFixed(1));
    if (s.dose) await expect(row).toContainText(`${two(s.dose.lower90)}–${two(s.dose.upper90)}`);
  }
  await expect(shown.locator('tbody tr')).toHaveCount(sr.structures.length);
});
