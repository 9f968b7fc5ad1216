// Starts Orthanc, uploads the synthetic study through STOW-RS, builds nothing (npm run test:e2e builds
// first) and serves dist/ with `vite preview`, whose proxy forwards the configured PACS path to Orthanc.
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOrthancConfig, startOrthanc, stow } from './orthanc';
import { startPreview } from '../src/cli/preview';
import { defaultPatientSpec, generatePatient } from '../src/core/phantom/generate';
import { writeCtSeries, writePtSeries, studyIds, ptReference } from '../src/core/phantom/dicom';
import { makeUid } from '../src/core/dicom/write';
import { writeSeg } from '../src/core/io/seg';
import { writeRtstruct } from '../src/core/io/rtstruct';
import { writeNifti } from '../src/core/io/nifti';
import { ORGANS } from '../src/core/vocabulary';
import { rleEncode16, appendEncapsulatedPixelData } from '../test-support/rle';
import dcmjs from 'dcmjs';
import { makeBase } from '../test-support/corpus/base';
import { CASES, caseSlug } from '../test-support/corpus/cases';
import { writeCaseFiles } from '../test-support/corpus/run';

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'psma-e2e-'));
  const info = await writeOrthancConfig(dir);
  await startOrthanc(info);

  // The PACS study: the demo patient (seed 1), exactly as the viewer's demo generates it.
  const patient = generatePatient(defaultPatientSpec(1));
  await stow(info.url, [...writeCtSeries(patient).files, ...writePtSeries(patient).files].map((f) => f.data));
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(patient.truth));
  // A session stored as two studies (PET study and CT study, different Study and Frame of Reference UIDs).
  const pair = generatePatient(defaultPatientSpec(7, { id: 'PAIR0007', lesions: 2, imaging: { ctSpacing: [6, 6, 6], petSpacing: [6, 6, 6], zBottomMm: 200, zTopMm: 420 } }));
  const pairIds = studyIds(pair);
  const ctIds = { ...pairIds, studyUid: makeUid('PAIR0007', 'ct-study'), frameOfReferenceUid: makeUid('PAIR0007', 'ct-for') };
  await stow(info.url, [...writePtSeries(pair, pairIds).files, ...writeCtSeries(pair, ctIds).files].map((f) => f.data));
  // Tracer gate studies (small, like PAIR0007): an FDG-coded PET, and an 18F-PSMA-1007 PET with its structures as a SEG.
  for (const [seed, id, tracer] of [[11, 'FDG0011', '18F-FDG'], [13, 'P1007', '18F-PSMA-1007']] as const) {
    const t = generatePatient(defaultPatientSpec(seed, { id, tracer, lesions: 2, imaging: { ctSpacing: [6, 6, 6], petSpacing: [6, 6, 6], zBottomMm: 200, zTopMm: 420 } }));
    const images = [...writeCtSeries(t).files, ...writePtSeries(t).files].map((f) => f.data);
    await stow(info.url, [...images, writeSeg(t.labels, ptReference(t), { seriesDescription: `Structures ${id}` })]);
  }

  // A small local study for the file-picker test.
  const small = generatePatient(defaultPatientSpec(5, { id: 'LOCAL0005', lesions: 3, imaging: { ctSpacing: [4, 4, 6], petSpacing: [6, 6, 6], zBottomMm: 200, zTopMm: 420 } }));
  const local = join(dir, 'local');
  mkdirSync(local);
  for (const f of [...writeCtSeries(small).files, ...writePtSeries(small).files]) writeFileSync(join(local, f.name), new Uint8Array(f.data));
  writeFileSync(join(local, 'notes.txt'), 'not a DICOM file');
  // The same PET compressed with RLE Lossless (decoded in the browser by the Cornerstone codecs).
  const rle = join(dir, 'local-rle');
  mkdirSync(rle);
  for (const f of writePtSeries(small).files) {
    const d = dcmjs.data.DicomMessage.readFile(f.data);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(d.dict);
    const px = new Int16Array(ds.PixelData[0]);
    delete ds.PixelData;
    ds._meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(d.meta);
    writeFileSync(join(rle, f.name), new Uint8Array(appendEncapsulatedPixelData(dcmjs.data.datasetToDict(ds).write(), [rleEncode16(px)])));
  }
  writeFileSync(join(dir, 'local-truth.json'), JSON.stringify(small.truth));
  writeFileSync(join(dir, 'local-structures-seg.dcm'), new Uint8Array(writeSeg(small.labels, ptReference(small), { seriesDescription: 'Structures' })));
  // Bad structure files: an RTSTRUCT whose referenced images are not loaded, a NIfTI of another size.
  const kidney = ORGANS.find((o) => o.name === 'Kidney L')!;
  writeFileSync(join(dir, 'bad-rtstruct.dcm'), new Uint8Array(writeRtstruct(small.labels, { ...ptReference(small), seriesUid: makeUid('not-loaded') }, [{ label: 1, name: kidney.name, color: kidney.color, interpretedType: 'ORGAN' }])));
  writeFileSync(join(dir, 'bad-size.nii.gz'), writeNifti({ dims: [8, 8, 8], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(512).fill(1) }));

  // The browser cases of the bad-input corpus (test-support/corpus), built on this small study: one folder each.
  const corpusBase = makeBase(small);
  for (const c of CASES.filter((x) => x.browser)) writeCaseFiles(join(dir, 'corpus', caseSlug(c.id)), c.files(corpusBase));

  const preview = await startPreview({ env: { PACS_TARGET_ORTHANC: `${info.url}/dicom-web` } });
  const base = preview.url;
  process.env.E2E_BASE_URL = base;
  process.env.E2E_DIR = dir;
  process.env.E2E_ORTHANC_CONFIG = info.configPath;
  process.env.E2E_ORTHANC_URL = info.url;

  return async () => {
    preview.stop();
    const pidFile = join(dir, 'orthanc.pid');
    if (existsSync(pidFile)) {
      try { process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM'); } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  };
}
