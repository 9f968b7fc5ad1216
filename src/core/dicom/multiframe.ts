// Enhanced (multi-frame) PET and CT: one instance holds every slice, with per-frame geometry, rescale and timing
// in functional groups. Each frame becomes a pseudo-instance with the classic attributes the volume reader and the
// SUV code read (PS3.3 C.7.6.16 Multi-frame Functional Groups, C.8.22 Enhanced PET, C.8.15 Enhanced CT).
import type { DicomInstance } from './read';
import { DicomError, checkPixelModule, checkVolumeSize } from './validate';

/** Image storage SOP classes whose frames are slices of one volume. */
export const ENHANCED_VOLUME_SOP_CLASSES: Record<string, string> = {
  '1.2.840.10008.5.1.4.1.1.130': 'Enhanced PET Image',
  '1.2.840.10008.5.1.4.1.1.128.1': 'Legacy Converted Enhanced PET Image',
  '1.2.840.10008.5.1.4.1.1.2.1': 'Enhanced CT Image',
  '1.2.840.10008.5.1.4.1.1.2.2': 'Legacy Converted Enhanced CT Image',
};

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

const item = (v: unknown): Record<string, any> | undefined => (Array.isArray(v) ? v[0] : v && typeof v === 'object' ? (v as Record<string, any>) : undefined);

/** Real World Value Mapping units (UCUM) as the classic PET Units (0054,1001). */
const UCUM_TO_PET_UNITS: Record<string, { units: string; suvType?: string }> = {
  'Bq/ml': { units: 'BQML' }, 'kBq/ml': { units: 'KBQML' }, '{counts}': { units: 'CNTS' }, 'cnts': { units: 'CNTS' },
  '{SUVbw}g/ml': { units: 'GML', suvType: 'BW' }, 'g/ml{SUVbw}': { units: 'GML', suvType: 'BW' },
  '{SUVlbm}g/ml': { units: 'GML', suvType: 'LBM' }, '{SUVbsa}cm2/ml': { units: 'CM2ML', suvType: 'BSA' }, '{SUVibw}g/ml': { units: 'GML', suvType: 'IBW' },
};

/** DICOM DT → DA and TM. */
const splitDateTime = (dt: unknown): { date?: string; time?: string } => {
  const s = String(dt ?? '').trim();
  return /^\d{8}/.test(s) ? { date: s.slice(0, 8), time: s.slice(8).split(/[+-]/)[0] || undefined } : {};
};

/** The classic attributes of one frame from its shared and per-frame functional group items. */
function frameAttrs(top: Record<string, any>, shared: Record<string, any>, perFrame: Record<string, any>): Record<string, any> {
  const group = (name: string): Record<string, any> | undefined => item(perFrame[name]) ?? item(shared[name]);
  const a: Record<string, any> = { ...top };
  delete a.SharedFunctionalGroupsSequence;
  delete a.PerFrameFunctionalGroupsSequence;
  delete a.NumberOfFrames;
  const measures = group('PixelMeasuresSequence');
  if (measures?.PixelSpacing !== undefined) a.PixelSpacing = measures.PixelSpacing;
  if (measures?.SliceThickness !== undefined) a.SliceThickness = measures.SliceThickness;
  if (measures?.SpacingBetweenSlices !== undefined) a.SpacingBetweenSlices = measures.SpacingBetweenSlices;
  const position = group('PlanePositionSequence');
  if (position?.ImagePositionPatient !== undefined) a.ImagePositionPatient = position.ImagePositionPatient;
  const orientation = group('PlaneOrientationSequence');
  if (orientation?.ImageOrientationPatient !== undefined) a.ImageOrientationPatient = orientation.ImageOrientationPatient;
  const transform = group('PixelValueTransformationSequence');
  const realWorld = item(group('RealWorldValueMappingSequence')?.RealWorldValueMappingSequence ?? group('RealWorldValueMappingSequence'));
  if (transform) {
    if (transform.RescaleSlope !== undefined) a.RescaleSlope = transform.RescaleSlope;
    if (transform.RescaleIntercept !== undefined) a.RescaleIntercept = transform.RescaleIntercept;
    if (transform.RescaleType !== undefined) a.RescaleType = transform.RescaleType;
  } else if (realWorld?.RealWorldValueSlope !== undefined) {
    a.RescaleSlope = realWorld.RealWorldValueSlope;
    a.RescaleIntercept = realWorld.RealWorldValueIntercept ?? 0;
  }
  const voi = group('FrameVOILUTSequence');
  if (voi?.WindowCenter !== undefined) { a.WindowCenter = voi.WindowCenter; a.WindowWidth = voi.WindowWidth; }
  const content = group('FrameContentSequence');
  if (content) {
    const acq = splitDateTime(content.FrameAcquisitionDateTime);
    if (acq.date) { a.AcquisitionDate = acq.date; a.AcquisitionTime = acq.time; }
    if (content.FrameAcquisitionDuration !== undefined) a.ActualFrameDuration = content.FrameAcquisitionDuration;
    if (content.TemporalPositionIndex !== undefined) a.TemporalPositionIndex = content.TemporalPositionIndex;
    if (content.StackID !== undefined) a.StackID = content.StackID;
  }
  if (a.Modality === 'PT') petAttrs(a, realWorld);
  return a;
}

/** Enhanced PET keeps units and corrections elsewhere than the classic PET Image module. */
function petAttrs(a: Record<string, any>, realWorld: Record<string, any> | undefined): void {
  if (a.Units === undefined) {
    const code = item(realWorld?.MeasurementUnitsCodeSequence)?.CodeValue;
    const mapped = code === undefined ? undefined : UCUM_TO_PET_UNITS[String(code)];
    // Unknown units stay visible in the SUV message ("PET Units … cannot be converted").
    if (mapped) { a.Units = mapped.units; if (mapped.suvType && a.SUVType === undefined) a.SUVType = mapped.suvType; } else if (code !== undefined) a.Units = String(code);
  }
  if (a.CorrectedImage === undefined) {
    const flags: [string, string][] = [['AttenuationCorrected', 'ATTN'], ['ScatterCorrected', 'SCAT'], ['DecayCorrected', 'DECY'], ['RandomsCorrected', 'RAN'], ['DeadTimeCorrected', 'DTIM'], ['PatientMotionCorrected', 'MOTN']];
    const on = flags.filter(([k]) => String(a[k] ?? '').toUpperCase() === 'YES').map(([, c]) => c);
    if (on.length) a.CorrectedImage = on;
  }
  if (a.DecayCorrection === undefined && String(a.DecayCorrected ?? '').toUpperCase() === 'NO') a.DecayCorrection = 'NONE';
  if (a.DecayCorrection === undefined && String(a.DecayCorrected ?? '').toUpperCase() === 'YES') {
    // Decay-corrected to DecayCorrectionDateTime: the administration (ADMIN) or a scan reference time (START).
    const ref = splitDateTime(a.DecayCorrectionDateTime);
    const rp = item(a.RadiopharmaceuticalInformationSequence) ?? {};
    if (ref.date && String(rp.RadiopharmaceuticalStartDateTime ?? '').startsWith(`${ref.date}${ref.time ?? ''}`.slice(0, 12))) a.DecayCorrection = 'ADMIN';
    else {
      a.DecayCorrection = 'START';
      if (ref.date) { a.SeriesDate = ref.date; a.SeriesTime = ref.time; }
    }
  }
}

/**
 * The frames of an Enhanced PET/CT instance as classic single-frame instances (pixel data sliced per frame,
 * after checking its length); any other instance is returned as it is.
 */
export function framesOf(inst: DicomInstance): DicomInstance[] {
  const a = inst.attrs;
  const sopClass = String(a.SOPClassUID ?? '');
  const n = Number(a.NumberOfFrames ?? 1);
  if (!ENHANCED_VOLUME_SOP_CLASSES[sopClass] || !inst.pixels && !inst.frames) return [inst];
  const what = `${inst.name} (${ENHANCED_VOLUME_SOP_CLASSES[sopClass]})`;
  if (!Number.isInteger(n) || n < 1) throw new DicomError(`${what}: NumberOfFrames ${String(a.NumberOfFrames)} is not a positive whole number`);
  const { rows, cols, bits } = checkPixelModule({ ...inst, name: what });
  checkVolumeSize(what, cols, rows, n);
  const perFrame = Array.isArray(a.PerFrameFunctionalGroupsSequence) ? a.PerFrameFunctionalGroupsSequence : a.PerFrameFunctionalGroupsSequence ? [a.PerFrameFunctionalGroupsSequence] : [];
  if (perFrame.length !== n) throw new DicomError(`${what}: PerFrameFunctionalGroupsSequence has ${perFrame.length} items for NumberOfFrames ${n}; the frames cannot be placed`);
  const shared = item(a.SharedFunctionalGroupsSequence) ?? {};
  const frameBytes = rows * cols * (bits / 8);
  let frame: (f: number) => ArrayBuffer;
  if (UNCOMPRESSED.has(inst.transferSyntax)) {
    const got = inst.pixels?.byteLength ?? 0;
    const need = frameBytes * n;
    if (got !== need && got !== need + 1) throw new DicomError(`${what}: pixel data is ${got} bytes, but ${n} frames of ${cols}×${rows} pixels of BitsAllocated ${bits} need ${need}; the file is damaged or its header is wrong`);
    frame = (f) => inst.pixels!.slice(f * frameBytes, (f + 1) * frameBytes);
  } else {
    const frames = inst.frames ?? (inst.pixels ? [inst.pixels] : []);
    if (frames.length !== n) throw new DicomError(`${what}: ${frames.length} compressed frames for NumberOfFrames ${n}`);
    frame = (f) => frames[f];
  }
  return perFrame.map((pf: Record<string, any>, f: number) => ({
    name: `${inst.name} frame ${f + 1}`,
    attrs: frameAttrs(a, shared, pf ?? {}),
    pixels: frame(f),
    transferSyntax: inst.transferSyntax,
    frameNumber: f + 1,
  }));
}
