// Classic single-frame PET or CT series → one Enhanced (multi-frame) instance, as a scanner exporting Enhanced
// PET/CT writes it (PS3.3 A.56 Enhanced PET, A.38 Enhanced CT): geometry, rescale and timing move into the
// functional groups, PET units into Real World Value Mapping, corrections into the Enhanced PET Corrections module.
import dcmjs from 'dcmjs';
import type { DicomFiles, Dataset } from './dicomEdit';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
// The US-or-SS ("xs") Real World Value bounds are written as US, which is right for these unsigned images.
(dcmjs as unknown as { log?: { getLogger?: (n: string) => { setLevel?: (l: string) => void } } }).log?.getLogger?.('validation.dcmjs')?.setLevel?.('silent');

const ENHANCED_PET = '1.2.840.10008.5.1.4.1.1.130';
const ENHANCED_CT = '1.2.840.10008.5.1.4.1.1.2.1';
const UNITS_UCUM: Record<string, [string, string]> = { BQML: ['Bq/ml', 'Becquerels/milliliter'], GML: ['{SUVbw}g/ml', 'Standardized Uptake Value body weight'], CNTS: ['{counts}', 'Counts'] };

/** Attributes that exist per slice in classic images and move into functional groups. */
const PER_FRAME = ['ImagePositionPatient', 'ImageOrientationPatient', 'PixelSpacing', 'SliceThickness', 'SpacingBetweenSlices', 'RescaleSlope', 'RescaleIntercept', 'RescaleType',
  'WindowCenter', 'WindowWidth', 'AcquisitionDate', 'AcquisitionTime', 'ContentDate', 'ContentTime', 'ActualFrameDuration', 'FrameReferenceTime', 'ImageIndex', 'InstanceNumber', 'SliceLocation',
  'DecayFactor', 'DoseCalibrationFactor', 'Units', 'DecayCorrection', 'CorrectedImage', 'SOPInstanceUID', 'SOPClassUID', 'ImageType', 'PixelData', 'SliceSensitivityFactor', 'ScatterFractionFactor', 'DeadTimeFactor'];

export interface EnhancedOptions {
  /** Changes to the multi-frame dataset before it is written (malformed cases). */
  edit?: (ds: Dataset) => void;
  /** Frames in this order (default: the files' order). */
  order?: number[];
}

/** The series (one modality, uncompressed) as one Enhanced PET or CT Part-10 file. */
export function toEnhanced(files: DicomFiles, opts: EnhancedOptions = {}): ArrayBuffer {
  const slices = files.map((f) => {
    const d = DicomMessage.readFile(f.data, { ignoreErrors: true });
    return { ds: DicomMetaDictionary.naturalizeDataset(d.dict) as Dataset, meta: DicomMetaDictionary.naturalizeDataset(d.meta) as Dataset };
  });
  const order = opts.order ?? slices.map((_, k) => k);
  const first = slices[0].ds;
  const pet = first.Modality === 'PT';
  const top: Dataset = {};
  for (const [k, v] of Object.entries(first)) if (!PER_FRAME.includes(k)) top[k] = v;
  const frameBytes = Number(first.Rows) * Number(first.Columns) * (Number(first.BitsAllocated) / 8);
  const pixels = new Uint8Array(frameBytes * order.length);
  order.forEach((k, f) => pixels.set(new Uint8Array(slices[k].ds.PixelData[0] ?? slices[k].ds.PixelData, 0, frameBytes), f * frameBytes));
  const dt = (date: string, time: string) => `${date}${time}`;
  const units = String(first.Units ?? 'BQML');
  const perFrame = order.map((k, f) => {
    const s = slices[k].ds;
    const acqDate = s.AcquisitionDate ?? s.SeriesDate, acqTime = s.AcquisitionTime ?? s.SeriesTime;
    const item: Dataset = {
      FrameContentSequence: [{
        FrameAcquisitionDateTime: dt(acqDate, acqTime), FrameReferenceDateTime: dt(acqDate, acqTime),
        FrameAcquisitionDuration: Number(s.ActualFrameDuration ?? 0), StackID: '1', InStackPositionNumber: f + 1, DimensionIndexValues: [1, f + 1],
      }],
      PlanePositionSequence: [{ ImagePositionPatient: s.ImagePositionPatient }],
      PixelValueTransformationSequence: [{ RescaleSlope: s.RescaleSlope ?? '1', RescaleIntercept: s.RescaleIntercept ?? '0', RescaleType: pet ? (units === 'GML' ? 'US' : 'BQML') : 'HU' }],
    };
    if (pet) {
      const [code, meaning] = UNITS_UCUM[units] ?? [units, units];
      item.RealWorldValueMappingSequence = [{
        RealWorldValueFirstValueMapped: 0, RealWorldValueLastValueMapped: 65535, RealWorldValueSlope: Number(s.RescaleSlope ?? 1), RealWorldValueIntercept: Number(s.RescaleIntercept ?? 0),
        LUTExplanation: meaning, LUTLabel: units, MeasurementUnitsCodeSequence: [{ CodeValue: code, CodingSchemeDesignator: 'UCUM', CodeMeaning: meaning }],
      }];
      item.PETFrameTypeSequence = [{ FrameType: ['ORIGINAL', 'PRIMARY', 'EMISSION', 'NONE'], PixelPresentation: 'MONOCHROME', VolumetricProperties: 'VOLUME', VolumeBasedCalculationTechnique: 'NONE' }];
    } else {
      item.CTImageFrameTypeSequence = [{ FrameType: ['ORIGINAL', 'PRIMARY', 'AXIAL', 'NONE'], PixelPresentation: 'MONOCHROME', VolumetricProperties: 'VOLUME', VolumeBasedCalculationTechnique: 'NONE' }];
    }
    return item;
  });
  const ds: Dataset = {
    ...top,
    SOPClassUID: pet ? ENHANCED_PET : ENHANCED_CT,
    SOPInstanceUID: `${first.SeriesInstanceUID}.9`,
    ImageType: ['ORIGINAL', 'PRIMARY', pet ? 'EMISSION' : 'AXIAL', 'NONE'],
    InstanceNumber: '1',
    ContentDate: first.ContentDate ?? first.SeriesDate, ContentTime: first.ContentTime ?? first.SeriesTime,
    AcquisitionDateTime: dt(first.AcquisitionDate ?? first.SeriesDate, first.AcquisitionTime ?? first.SeriesTime),
    NumberOfFrames: order.length,
    SharedFunctionalGroupsSequence: [{
      PixelMeasuresSequence: [{ PixelSpacing: first.PixelSpacing, SliceThickness: first.SliceThickness ?? '1' }],
      PlaneOrientationSequence: [{ ImageOrientationPatient: first.ImageOrientationPatient }],
    }],
    PerFrameFunctionalGroupsSequence: perFrame,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: `${first.SeriesInstanceUID}.8` }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: `${first.SeriesInstanceUID}.8`, DimensionIndexPointer: 0x00209056, FunctionalGroupPointer: 0x00209111 },
      { DimensionOrganizationUID: `${first.SeriesInstanceUID}.8`, DimensionIndexPointer: 0x00209057, FunctionalGroupPointer: 0x00209111 },
    ],
    PixelData: pixels.buffer,
  };
  if (pet) {
    const corrected = ([] as string[]).concat(first.CorrectedImage ?? []);
    const has = (c: string) => (corrected.includes(c) ? 'YES' : 'NO');
    Object.assign(ds, {
      AttenuationCorrected: has('ATTN'), ScatterCorrected: has('SCAT'), DecayCorrected: has('DECY'), RandomsCorrected: has('RAN'), DeadTimeCorrected: has('DTIM'),
      GantryMotionCorrected: 'NO', PatientMotionCorrected: 'NO', CountLossNormalizationCorrected: 'NO', NonUniformRadialSamplingCorrected: 'NO', DetectorNormalizationCorrection: has('NORM'),
    });
    if (has('DECY') === 'YES') {
      const rp = (Array.isArray(first.RadiopharmaceuticalInformationSequence) ? first.RadiopharmaceuticalInformationSequence[0] : first.RadiopharmaceuticalInformationSequence) ?? {};
      ds.DecayCorrectionDateTime = String(first.DecayCorrection).toUpperCase() === 'ADMIN'
        ? rp.RadiopharmaceuticalStartDateTime ?? dt(first.SeriesDate, rp.RadiopharmaceuticalStartTime)
        : dt(first.SeriesDate, first.SeriesTime);
    }
  }
  opts.edit?.(ds);
  ds._meta = { ...slices[0].meta, MediaStorageSOPClassUID: ds.SOPClassUID, MediaStorageSOPInstanceUID: ds.SOPInstanceUID, TransferSyntaxUID: '1.2.840.10008.1.2.1' };
  ds._vrMap = { PixelData: 'OW' };
  return dcmjs.data.datasetToDict(ds).write();
}
