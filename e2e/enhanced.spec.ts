// Enhanced (multi-frame) PET/CT, as scanners exporting Enhanced objects send it: opened from local files and from
// the PACS (all frames of the one instance through WADO-RS), fused, with the SUV of the classic series.
import { test, expect } from '@playwright/test';
import { defaultPatientSpec, generatePatient } from '../src/core/phantom/generate';
import { writeCtSeries, writePtSeries } from '../src/core/phantom/dicom';
import { toEnhanced } from '../test-support/enhanced';
import { stow } from './orthanc';
import { base, waitReady, expectNotBlank, suvReadoutAt } from './helpers';

const patient = generatePatient(defaultPatientSpec(9, { id: 'ENH0009', lesions: 2, imaging: { ctSpacing: [6, 6, 6], petSpacing: [6, 6, 6], zBottomMm: 200, zTopMm: 420 } }));
const pt = toEnhanced(writePtSeries(patient).files);
const ct = toEnhanced(writeCtSeries(patient).files);
const kidney = patient.truth.structures.find((s) => s.type === 'kidney')!;

test('Enhanced PET and CT from local files open fused with the stored SUV', async ({ page }) => {
  await page.goto(base());
  await waitReady(page);
  await page.getByLabel('Open DICOM files').setInputFiles([
    { name: 'PT_enhanced.dcm', mimeType: 'application/dicom', buffer: Buffer.from(pt) },
    { name: 'CT_enhanced.dcm', mimeType: 'application/dicom', buffer: Buffer.from(ct) },
  ]);
  await expect(page.getByLabel('Patient')).toContainText('ENH0009');
  await waitReady(page);
  await expectNotBlank(page);
  await suvReadoutAt(page, kidney.maxVoxelLps, kidney.suvMax);
});

test('Enhanced PET and CT from the PACS: every frame retrieved, fused, the stored SUV', async ({ page }) => {
  await stow(process.env.E2E_ORTHANC_URL!, [pt, ct]);
  await page.goto(`${base()}/?source=pacs`);
  await page.getByLabel('Patient name or ID').fill('ENH0009');
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row', { name: /ENH0009/ });
  await row.getByRole('button', { name: /Open study/ }).click();
  await waitReady(page);
  await expect(page.getByLabel('Patient')).toContainText('ENH0009');
  await expectNotBlank(page);
  await suvReadoutAt(page, kidney.maxVoxelLps, kidney.suvMax);
});
