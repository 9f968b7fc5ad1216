import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { writeCtSeries, writePtSeries } from '../phantom/dicom';
import { readDicomSeries, DicomError, parseDicom } from './read';

const small = defaultPatientSpec(7, { lesions: 3, imaging: { ctSpacing: [6, 6, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 420 } });

describe('DICOM write → read', () => {
  const p = generatePatient(small);
  it('CT round-trips voxel for voxel as Int16 HU, sorted by position not file order', () => {
    const ct = writeCtSeries(p);
    const shuffled = [...ct.files].reverse();
    const { volume } = readDicomSeries(shuffled);
    expect(volume.dims).toEqual(p.ct.dims);
    expect(volume.data).toBeInstanceOf(Int16Array);
    volume.origin.forEach((v, n) => expect(v).toBeCloseTo(p.ct.origin[n], 3));
    volume.spacing.forEach((v, n) => expect(v).toBeCloseTo(p.ct.spacing[n], 5));
    expect(Array.from(volume.data)).toEqual(Array.from(p.ct.data));
  });
  it('PET round-trips the quantised Bq/mL exactly (per-slice rescale)', () => {
    const pt = writePtSeries(p);
    const { volume, sorted } = readDicomSeries(pt.files);
    expect(volume.dims).toEqual(p.pet.dims);
    expect(volume.unit).toBe('BQML');
    for (let n = 0; n < volume.data.length; n += 97) expect(volume.data[n]).toBeCloseTo(p.pet.data[n], 2);
    const a = sorted[0].attrs;
    expect(a.DecayCorrection).toBe('START');
    expect(a.RadiopharmaceuticalInformationSequence[0].RadionuclideHalfLife).toBeCloseTo(6586.2, 1);
  });
  it('names the problem for bad input', () => {
    expect(() => parseDicom(new ArrayBuffer(200), 'x.txt')).toThrow(/not a DICOM file/);
    const ct = writeCtSeries(p).files;
    const gap = ct.filter((_, n) => n !== 5);
    expect(() => readDicomSeries(gap)).toThrow(/slice spacing varies/);
    const mixed = [...ct, ...writePtSeries(p).files];
    expect(() => readDicomSeries(mixed)).toThrow(DicomError);
  });
});

describe('dynamic PET series', () => {
  it('splits time frames at the same positions and shows the latest frame', async () => {
    const { default: dcmjs } = await import('dcmjs');
    const { assembleStudy } = await import('../study');
    const { readDicomFiles } = await import('./read');
    const p = generatePatient(small);
    const frames = [0, 1, 2].map((t) => writePtSeries(p).files.map((f) => {
      const d = dcmjs.data.DicomMessage.readFile(f.data);
      const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(d.dict);
      ds.SOPInstanceUID = `${ds.SOPInstanceUID}.${t}`;
      ds.TemporalPositionIndex = t + 1;
      ds.FrameReferenceTime = String(t * 120000);
      ds.AcquisitionTime = `1000${String(t * 2).padStart(2, '0')}`;
      ds._meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(d.meta);
      ds._meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID;
      ds._vrMap = { PixelData: 'OW' };
      return { name: `f${t}_${f.name}`, data: dcmjs.data.datasetToDict(ds).write() as ArrayBuffer };
    })).flat();
    const { series } = readDicomFiles(frames);
    const study = assembleStudy(series);
    expect(study.pet!.raw.dims).toEqual(p.pet.dims);
    expect(study.notices.join(' ')).toMatch(/Dynamic PET with 3 time frames: showing frame 3/);
    expect(study.pet!.instances.every((i) => i.attrs.TemporalPositionIndex === 3)).toBe(true);
    expect(study.pet!.suvResult.ok).toBe(true);
  });
});
