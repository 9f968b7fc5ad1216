// RT Dose (multi-frame, 32-bit, DoseGridScaling) on a given grid, e.g. a site-style "measured" dose map.
import type { Volume } from '../volume';
import { derivedPatientStudy, ds, greyscalePixels, makeUid, planeGeometry, toPart10, type SourceSeries } from './write';
export const RTDOSE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.481.2';

/** What an RT Dose refers to: the study and frame of reference of its images. */
export type DoseReference = Pick<SourceSeries, 'studyUid' | 'frameOfReferenceUid' | 'patientName' | 'patientId' | 'studyDate'>;

/** `dose` holds Gy per voxel (Float32); written as uint32 × DoseGridScaling. */
export function writeRtDose(dose: Volume<Float32Array>, ref: DoseReference, opts: { description?: string; seed?: string } = {}): ArrayBuffer {
  const [nx, ny, nz] = dose.dims;
  let max = 0;
  for (const v of dose.data) if (v > max) max = v;
  const scaling = Number(((max > 0 ? max : 1) / 4e9).toPrecision(8)) || 1e-9;
  const px = new Uint32Array(dose.data.length);
  for (let n = 0; n < px.length; n++) px[n] = Math.max(0, Math.round(dose.data[n] / scaling));
  const key = opts.seed ?? `${ref.studyUid}/rtdose`;
  const sop = makeUid(key, 'instance');
  const dataset = {
    SOPClassUID: RTDOSE_SOP_CLASS, SOPInstanceUID: sop, Modality: 'RTDOSE',
    ...derivedPatientStudy(ref),
    SeriesInstanceUID: makeUid(key, 'series'), SeriesNumber: '200', SeriesDescription: opts.description ?? 'Dose',
    InstanceNumber: '1', Manufacturer: 'psma-dose-preview', FrameOfReferenceUID: ref.frameOfReferenceUid, PositionReferenceIndicator: '',
    ...planeGeometry(dose, 0),
    GridFrameOffsetVector: Array.from({ length: nz }, (_, k) => ds(k * dose.spacing[2])),
    FrameIncrementPointer: 0x3004000c,
    NumberOfFrames: nz, ...greyscalePixels(nx, ny, 32, false),
    DoseUnits: 'GY', DoseType: 'PHYSICAL', DoseSummationType: 'PLAN', DoseGridScaling: ds(scaling),
    PixelData: px.buffer,
  };
  return toPart10(dataset, RTDOSE_SOP_CLASS, sop);
}

/** A structure-wise dose map: every voxel of a structure gets that structure's dose (Gy). */
export function structureDoseMap(labels: Volume, doseByLabel: Map<number, number>): Volume<Float32Array> {
  const data = new Float32Array(labels.data.length);
  for (let n = 0; n < data.length; n++) data[n] = doseByLabel.get(labels.data[n]) ?? 0;
  return { dims: [...labels.dims], spacing: [...labels.spacing], origin: [...labels.origin], direction: [...labels.direction], data, unit: 'Gy' };
}
