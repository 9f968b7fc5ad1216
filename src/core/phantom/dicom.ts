// Writes the synthetic patient as real DICOM Part-10 files: a CT series (Int16, HU via rescale) and a
// PT series (BQML, DecayCorrection START, the spec's radiopharmaceutical with its CID 4021 code and nuclide,
// per-slice slope), plus the reference a SEG or RTSTRUCT on its PET grid uses.
import { CT_SOP_CLASS, PT_SOP_CLASS, ds, greyscalePixels, makeUid, planeGeometry, toPart10, type SourceSeries } from '../dicom/write';
import type { Geometry } from '../volume';
import type { Code } from '../tracer';
import { phantomTracer, type SyntheticPatient } from './generate';

export interface StudyIds {
  studyUid: string;
  frameOfReferenceUid: string;
  ctSeriesUid: string;
  ptSeriesUid: string;
  studyDate: string;
  seriesTime: string;
  injectionTime: string;
}

function timeString(seconds: number): string {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = Math.floor(seconds % 60);
  return `${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}${String(s).padStart(2, '0')}`;
}

export function studyIds(p: SyntheticPatient): StudyIds {
  const key = `${p.spec.id}/${p.spec.seed}`;
  const scan = 10 * 3600; // series start 10:00:00
  return {
    studyUid: makeUid(key, 'study'),
    frameOfReferenceUid: makeUid(key, 'for'),
    ctSeriesUid: makeUid(key, 'ct'),
    ptSeriesUid: makeUid(key, 'pt'),
    studyDate: '20260115',
    seriesTime: timeString(scan),
    injectionTime: timeString(scan - p.spec.uptakeMinutes * 60),
  };
}

function common(p: SyntheticPatient, ids: StudyIds) {
  const { agent } = phantomTracer(p.spec);
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    PatientName: `Synthetic^${p.spec.id}`,
    PatientID: p.spec.id,
    PatientBirthDate: '',
    PatientSex: p.spec.sex,
    PatientAge: `${String(Math.round(p.spec.ageYears)).padStart(3, '0')}Y`,
    PatientWeight: ds(p.spec.weightKg),
    PatientSize: ds(p.spec.heightCm / 100),
    StudyInstanceUID: ids.studyUid,
    StudyDate: ids.studyDate,
    StudyTime: ids.seriesTime,
    StudyID: '1',
    AccessionNumber: '',
    ReferringPhysicianName: '',
    StudyDescription: `${agent.class === 'psma' ? 'PSMA' : agent.id} PET/CT (synthetic, not a real patient)`,
    FrameOfReferenceUID: ids.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    Manufacturer: 'psma-dose-preview',
    ManufacturerModelName: 'synthetic phantom',
    BodyPartExamined: 'WHOLEBODY',
  };
}

/** Attributes every slice of an axial image series shares (series, timing, geometry of slice k). */
function sliceBlock(vol: Geometry, ids: StudyIds, k: number, nz: number, series: { uid: string; number: string; description: string; modality: string }) {
  return {
    Modality: series.modality,
    SeriesInstanceUID: series.uid,
    SeriesNumber: series.number,
    SeriesDescription: series.description,
    SeriesDate: ids.studyDate,
    SeriesTime: ids.seriesTime,
    AcquisitionDate: ids.studyDate,
    AcquisitionTime: ids.seriesTime,
    ContentDate: ids.studyDate,
    ContentTime: ids.seriesTime,
    InstanceNumber: String(nz - k),
    ...planeGeometry(vol, k),
  };
}

const codeItem = (c: Code) => ({ CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning });
/** The current code of a concept: SNOMED CT where DICOM moved it there (SRT is retired), else the first. */
const current = (codes: Code[]) => codes.find((c) => c.scheme === 'SCT') ?? codes[0];

export interface WrittenSeries {
  seriesUid: string;
  files: { name: string; data: ArrayBuffer }[];
}

/** CT series: one Int16 slice per file, HU = stored × 1 − 0 (signed pixels). */
export function writeCtSeries(p: SyntheticPatient, ids = studyIds(p)): WrittenSeries {
  const { ct } = p;
  const [nx, ny, nz] = ct.dims;
  const files: WrittenSeries['files'] = [];
  for (let k = 0; k < nz; k++) {
    const slice = ct.data.slice(nx * ny * k, nx * ny * (k + 1));
    const uid = makeUid(ids.ctSeriesUid, k);
    const dataset = {
      ...common(p, ids),
      ...sliceBlock(ct, ids, k, nz, { uid: ids.ctSeriesUid, number: '2', description: 'CT for attenuation correction', modality: 'CT' }),
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      PatientPosition: 'FFS',
      KVP: '120',
      AcquisitionNumber: '1',
      ...greyscalePixels(nx, ny, 16, true),
      RescaleIntercept: '0',
      RescaleSlope: '1',
      RescaleType: 'HU',
      WindowCenter: '40',
      WindowWidth: '400',
      PixelData: slice.buffer,
    };
    files.push({ name: `CT_${String(k).padStart(4, '0')}.dcm`, data: toPart10(dataset, CT_SOP_CLASS, uid) });
  }
  return { seriesUid: ids.ctSeriesUid, files };
}

/** PT series: Int16 pixels with a per-slice RescaleSlope in Bq/mL (the slopes the generator quantised with). */
export function writePtSeries(p: SyntheticPatient, ids = studyIds(p)): WrittenSeries {
  const { pet, petSlopes } = p;
  const [nx, ny, nz] = pet.dims;
  const { agent, nuclide } = phantomTracer(p.spec);
  const files: WrittenSeries['files'] = [];
  for (let k = 0; k < nz; k++) {
    const slope = petSlopes[k];
    const stored = new Int16Array(nx * ny);
    for (let n = 0; n < stored.length; n++) stored[n] = Math.round(pet.data[nx * ny * k + n] / slope);
    const uid = makeUid(ids.ptSeriesUid, k);
    const dataset = {
      ...common(p, ids),
      ...sliceBlock(pet, ids, k, nz, { uid: ids.ptSeriesUid, number: '3', description: `PET ${agent.id} AC`, modality: 'PT' }),
      ImageIndex: nz - k,
      NumberOfSlices: nz,
      ImageType: ['ORIGINAL', 'PRIMARY'],
      Units: 'BQML',
      DecayCorrection: 'START',
      CorrectedImage: ['ATTN', 'DECY', 'SCAT', 'DTIM', 'RAN', 'NORM'],
      CountsSource: 'EMISSION',
      CollimatorType: 'NONE',
      // Feet first supine, coded (CIDs 19, 20, 21); PET takes this instead of PatientPosition.
      PatientOrientationCodeSequence: [{
        CodeValue: '102538003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'recumbent',
        PatientOrientationModifierCodeSequence: [{ CodeValue: '40199007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'supine' }],
      }],
      PatientGantryRelationshipCodeSequence: [{ CodeValue: '102541007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'feet-first' }],
      SeriesType: ['WHOLE BODY', 'IMAGE'],
      ReconstructionMethod: 'OSEM',
      FrameReferenceTime: '0',
      ActualFrameDuration: 120000,
      DecayFactor: '1',
      RadiopharmaceuticalInformationSequence: [{
        Radiopharmaceutical: agent.headerText,
        RadiopharmaceuticalStartTime: ids.injectionTime,
        RadiopharmaceuticalStartDateTime: `${ids.studyDate}${ids.injectionTime}`,
        RadionuclideTotalDose: ds(p.spec.injectedMBq * 1e6),
        RadionuclideHalfLife: ds(nuclide.halfLifeS),
        RadionuclidePositronFraction: ds(nuclide.positronFraction),
        RadionuclideCodeSequence: [codeItem(current(nuclide.codes))],
        ...(agent.codes.length ? { RadiopharmaceuticalCodeSequence: [codeItem(current(agent.codes))] } : {}),
      }],
      ...greyscalePixels(nx, ny, 16, true),
      RescaleIntercept: '0',
      RescaleSlope: ds(slope),
      PixelData: stored.buffer,
    };
    files.push({ name: `PT_${String(k).padStart(4, '0')}.dcm`, data: toPart10(dataset, PT_SOP_CLASS, uid) });
  }
  return { seriesUid: ids.ptSeriesUid, files };
}

/** What a SEG or RTSTRUCT on the synthetic PET grid references (the PT series written by writePtSeries). */
export function ptReference(p: SyntheticPatient, ids = studyIds(p)): SourceSeries {
  return {
    studyUid: ids.studyUid, seriesUid: ids.ptSeriesUid, frameOfReferenceUid: ids.frameOfReferenceUid, sopClassUid: PT_SOP_CLASS,
    instanceUids: Array.from({ length: p.pet.dims[2] }, (_, k) => makeUid(ids.ptSeriesUid, k)),
    patientName: `Synthetic^${p.spec.id}`, patientId: p.spec.id, studyDate: ids.studyDate,
  };
}
