// A study shown before all its frames have arrived (a PACS study streamed slice by slice): the study is
// assembled from the headers (all validation and SUV factors happen then, on zero placeholders), and each frame
// is then written straight into its slice of the volumes (CT, PET as stored, PET in SUV), so no second copy of
// either volume is ever held. Pure: the session decides the order and when to render.
import type { DicomInstance } from './dicom/read';
import { checkPixelLength, checkPixelModule, rescaleOf } from './dicom/validate';
import type { LoadedStudy } from './study';
import type { Volume } from './volume';

export interface SliceTarget { modality: 'CT' | 'PT'; k: number; /** Position along the slice normal (mm). */ z: number }

const along = (v: Volume, k: number) => {
  const n = v.direction.slice(6, 9);
  return v.origin[0] * n[0] + v.origin[1] * n[1] + v.origin[2] * n[2] + k * v.spacing[2];
};

/** The slice each instance's frame fills, for the study's PET and CT. */
export function sliceTargets(study: LoadedStudy): Map<DicomInstance, SliceTarget> {
  const out = new Map<DicomInstance, SliceTarget>();
  if (study.pet) study.pet.instances.forEach((i, k) => out.set(i, { modality: 'PT', k, z: along(study.pet!.raw, k) }));
  if (study.ct && study.ctInstances) study.ctInstances.forEach((i, k) => out.set(i, { modality: 'CT', k, z: along(study.ct!, k) }));
  return out;
}

/** Where the views open (the centre of the CT, else of the PET, along the slice normal). */
export function initialZ(study: LoadedStudy): number {
  const v = study.ct ?? study.pet!.raw;
  return along(v, (v.dims[2] - 1) / 2);
}

/** The instances in the order to fetch: nearest the first view first (by position, so both series fill alike). */
export function nearestFirst(targets: Map<DicomInstance, SliceTarget>, z0: number): DicomInstance[] {
  return [...targets.entries()].sort((a, b) => Math.abs(a[1].z - z0) - Math.abs(b[1].z - z0)).map(([i]) => i);
}

/** The slices that must be in before the first render: those within `mm` of the first view, for each series. */
export function firstViewSlices(targets: Map<DicomInstance, SliceTarget>, z0: number, mm: number): Set<DicomInstance> {
  return new Set([...targets.entries()].filter(([, t]) => Math.abs(t.z - z0) <= mm).map(([i]) => i));
}

/**
 * Why the study cannot be shown before every frame is in (undefined: it can): a PET without SUV is windowed
 * from its values, and a CT held as Int16 must be sure to fit its values (as the header's bits and rescale allow).
 */
export function progressiveProblem(study: LoadedStudy): string | undefined {
  if (!study.pet?.suv) return 'the PET has no SUV (its display range comes from its values)';
  if (study.pet.instances.some((i) => i.frameNumber) || study.ctInstances?.some((i) => i.frameNumber)) return 'multi-frame images';
  if (study.ct?.data instanceof Int16Array) {
    for (const i of study.ctInstances ?? []) {
      const bits = Number(i.attrs.BitsStored) || 16, signed = Number(i.attrs.PixelRepresentation) === 1;
      const lo = signed ? -(2 ** (bits - 1)) : 0, hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      const { slope, intercept } = rescaleOf(i);
      const a = lo * slope + intercept, b = hi * slope + intercept;
      if (Math.min(a, b) < -32768 || Math.max(a, b) > 32767 || !Number.isInteger(slope) || !Number.isInteger(intercept)) return `CT values of ${i.name} may not fit 16 bits`;
    }
  }
  return undefined;
}

/** Writes one arrived frame into its slice (and the SUV slice of a PET frame); throws, naming the instance, when its length is wrong. */
export function writeFrame(study: LoadedStudy, inst: DicomInstance, t: SliceTarget, pixels: ArrayBuffer): void {
  const { rows, cols, bits } = checkPixelModule(inst);
  checkPixelLength({ ...inst, pixels }, rows, cols, bits);
  const per = rows * cols, signed = Number(inst.attrs.PixelRepresentation) === 1;
  const px = bits === 16 ? (signed ? new Int16Array(pixels, 0, per) : new Uint16Array(pixels, 0, per))
    : bits === 8 ? (signed ? new Int8Array(pixels, 0, per) : new Uint8Array(pixels, 0, per))
      : (signed ? new Int32Array(pixels, 0, per) : new Uint32Array(pixels, 0, per));
  const { slope, intercept } = rescaleOf(inst);
  const at = t.k * per;
  if (t.modality === 'CT') {
    const d = study.ct!.data;
    for (let n = 0; n < per; n++) d[at + n] = px[n] * slope + intercept;
    return;
  }
  const pet = study.pet!, raw = pet.raw.data, suv = pet.suv?.data;
  const f = pet.suvResult.ok ? pet.suvResult.suvbw[t.k] : 0;
  for (let n = 0; n < per; n++) {
    raw[at + n] = px[n] * slope + intercept;
    if (suv) suv[at + n] = raw[at + n] * f; // from the stored Float32, as scaleSlices does
  }
}
