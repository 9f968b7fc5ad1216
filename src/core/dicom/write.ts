// Generic DICOM Part-10 writing with dcmjs: deterministic UIDs, DS formatting, the file meta, and the
// attribute blocks the writers share (patient/study of a derived object, greyscale pixels, plane geometry).
import dcmjs from 'dcmjs';
import { indexToWorld, type Geometry } from '../volume';
import { hashString } from '../random';

const { datasetToDict } = dcmjs.data;

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const CT_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.2';
export const PT_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.128';
const ROOT = '2.25.';

/** Deterministic UID under the 2.25 (UUID-derived) root from a seed and a path of labels. */
export function makeUid(...parts: (string | number)[]): string {
  const s = parts.join('/');
  const a = hashString(s), b = hashString(`${s}#1`), c = hashString(`${s}#2`);
  const big = (BigInt(a) << 64n) | (BigInt(b) << 32n) | BigInt(c);
  return ROOT + big.toString();
}

/** Decimal string (DS) no longer than 16 characters. */
export function ds(v: number): string {
  for (let p = 10; p >= 1; p--) {
    const s = String(Number(v.toPrecision(p)));
    if (s.length <= 16) return s;
  }
  return v.toExponential(6);
}

/** The image series a derived object (SEG, RTSTRUCT, RT Dose) is drawn on, as its references name it. */
export interface SourceSeries {
  studyUid: string;
  seriesUid: string;
  frameOfReferenceUid: string;
  sopClassUid: string;
  /** SOP instance UIDs of the source images, in slice order (k). */
  instanceUids: string[];
  /** Frame numbers (1-based) in slice order when the source is one multi-frame instance (Enhanced PET/CT). */
  frameNumbers?: number[];
  patientName: string;
  patientId: string;
  studyDate?: string;
}

/** A reference to the source image of slice k (with its frame number for a multi-frame source). */
export function sourceImageRef(source: SourceSeries, k: number): Record<string, unknown> {
  const frame = source.frameNumbers?.[k];
  return { ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.instanceUids[k], ...(frame ? { ReferencedFrameNumber: frame } : {}) };
}

/** The distinct source instances (a multi-frame source is one). */
export function sourceInstanceRefs(source: SourceSeries): Record<string, unknown>[] {
  return [...new Set(source.instanceUids)].map((u) => ({ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: u }));
}

/** Patient and study attributes of a derived object, copied from its source (the rest left empty). */
export function derivedPatientStudy(source: Pick<SourceSeries, 'studyUid' | 'patientName' | 'patientId' | 'studyDate'>) {
  return {
    PatientName: source.patientName, PatientID: source.patientId, PatientBirthDate: '', PatientSex: '',
    StudyInstanceUID: source.studyUid, StudyDate: source.studyDate ?? '', StudyTime: '', StudyID: '', AccessionNumber: '', ReferringPhysicianName: '',
  };
}

/** DICOM DA and TM of a moment (local time, as DICOM dates are), e.g. the content date of a derived object. */
export function dicomDateTime(d: Date): { date: string; time: string } {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return { date: `${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}`, time: `${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}` };
}

/** Image pixel module of single-sample greyscale frames. */
export function greyscalePixels(nx: number, ny: number, bits: 1 | 16 | 32, signed: boolean) {
  return { SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', Rows: ny, Columns: nx, BitsAllocated: bits, BitsStored: bits, HighBit: bits - 1, PixelRepresentation: signed ? 1 : 0 };
}

/** Image plane attributes of slice k of a grid (position of its first voxel, orientation, spacing). */
export function planeGeometry(g: Geometry, k: number) {
  const d = g.direction;
  return {
    ImagePositionPatient: indexToWorld(g, 0, 0, k).map(ds),
    ImageOrientationPatient: [d[0], d[1], d[2], d[3], d[4], d[5]].map(ds),
    PixelSpacing: [ds(g.spacing[1]), ds(g.spacing[0])],
    SliceThickness: ds(g.spacing[2]),
  };
}

/** A naturalized dataset as a Part-10 file (Explicit VR Little Endian); shared by every writer. */
export function toPart10(dataset: Record<string, unknown>, sopClass: string, sopInstance: string, pixelVr: 'OW' | 'OB' = 'OW'): ArrayBuffer {
  const ds0 = {
    ...dataset,
    SOPClassUID: sopClass,
    SOPInstanceUID: sopInstance,
    _vrMap: { PixelData: pixelVr },
    _meta: {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: sopClass,
      MediaStorageSOPInstanceUID: sopInstance,
      TransferSyntaxUID: EXPLICIT_LE,
      ImplementationClassUID: '2.25.286417232815937497396254880915612278187',
      ImplementationVersionName: 'psma-dose-prev',
    },
  };
  // dicomDict.write() returns an ArrayBuffer in Node and in browsers (datasetToBuffer needs Node's Buffer).
  return (datasetToDict(ds0 as never) as { write: () => ArrayBuffer }).write();
}
