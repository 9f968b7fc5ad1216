// A site's measured dose as a DICOM RT Dose registered to the PET: the dose grid (any grid in the PET's frame of
// reference: PET, CT or a SPECT grid) is sampled trilinearly at the centre of every structure voxel, and each
// structure's mean dose is the mean over its voxels (unit density: mass-weighted = volume-weighted). RT Dose does
// not carry the administered activity: the caller asks for it.
import { readDicomObject } from '../dicom/read';
import { checkPixelLength, checkPixelModule, orientationOf, pixelSpacingOf } from '../dicom/validate';
import { describeGrid, indexToWorld, sameGrid, worldToIndex, type Geometry, type Mat3, type Vec3, type Volume } from '../volume';
import { structureByLabel } from '../vocabulary';
import { MEASURED_AGGREGATES, MeasuredDoseError, type MeasuredDose, type UnusedRow } from './measured';

export interface RtDoseRead {
  /** Gy per voxel. */
  dose: Volume<Float32Array>;
  frameOfReferenceUid: string;
  doseType: string;
  summationType: string;
  description: string;
  warnings: string[];
}

const show = (v: unknown) => (v === undefined || v === null || v === '' ? 'absent' : `"${Array.isArray(v) ? v.join('\\') : String(v)}"`);
const nums = (v: unknown) => (Array.isArray(v) ? v.map(Number) : v === undefined || v === null || v === '' ? [] : String(v).split('\\').map(Number));
/** Summation types that add up more than one delivery (several cycles for radionuclide therapy). */
const SUMMED = new Set(['MULTI_PLAN', 'PLAN_OVERVIEW', 'RECORD']);

/** Reads an RT Dose (uncompressed, 16- or 32-bit, DoseGridScaling, DoseUnits GY); throws MeasuredDoseError naming the file and attribute. */
export function readRtDose(buf: ArrayBuffer, name: string): RtDoseRead {
  const fail = (m: string) => new MeasuredDoseError(m);
  const a = readDicomObject(buf, name, 'RTDOSE', fail);
  const warnings: string[] = [];
  const units = String(a.DoseUnits ?? '').toUpperCase();
  if (units !== 'GY') throw fail(`${name}: DoseUnits is ${show(a.DoseUnits)}; only GY (absolute dose) can be compared with a prediction (RELATIVE doses cannot): export the RT Dose in Gy`);
  const doseType = String(a.DoseType ?? '').toUpperCase();
  if (doseType === 'ERROR') throw fail(`${name}: DoseType is ERROR (a dose difference map, not a dose): export the measured dose itself`);
  if (doseType === 'EFFECTIVE') warnings.push(`${name}: DoseType EFFECTIVE (a weighted dose, not the physical absorbed dose the model predicts); compared as given`);
  const summationType = String(a.DoseSummationType ?? '').toUpperCase();
  if (!summationType) warnings.push(`${name}: DoseSummationType is absent; read as the dose of one cycle`);
  if (SUMMED.has(summationType)) warnings.push(`${name}: DoseSummationType ${summationType} sums several deliveries; enter the total activity of the cycles it sums (the comparison is per GBq)`);
  const frameOfReferenceUid = String(a.FrameOfReferenceUID ?? '');
  if (!frameOfReferenceUid) throw fail(`${name}: FrameOfReferenceUID is absent, so nothing says the dose is registered to the PET: export it in the PET's frame of reference`);
  const inst = { name, attrs: a, pixels: undefined as ArrayBuffer | undefined, transferSyntax: '' };
  const { rows, cols, bits } = checkPixelModule(inst);
  if (bits === 8) throw fail(`${name}: BitsAllocated 8; RT Dose uses 16 or 32`);
  const frames = Number(a.NumberOfFrames ?? 1);
  if (!Number.isInteger(frames) || frames < 1) throw fail(`${name}: NumberOfFrames ${show(a.NumberOfFrames)}: a positive whole number is needed`);
  const pd = a.PixelData;
  const pixels = Array.isArray(pd) ? (pd[0] as ArrayBuffer) : pd instanceof ArrayBuffer ? pd : undefined;
  if (!pixels) throw fail(`${name}: no pixel data (a dose grid is needed)`);
  if (Array.isArray(pd) && pd.length > 1) throw fail(`${name}: compressed pixel data; export the RT Dose uncompressed`);
  checkPixelLength({ ...inst, pixels }, rows * frames, cols, bits);
  const scaling = Number(a.DoseGridScaling ?? 1);
  if (!(scaling > 0) || !Number.isFinite(scaling)) throw fail(`${name}: DoseGridScaling ${show(a.DoseGridScaling)}: a positive number is needed`);
  const { row, col, normal } = orientationOf(inst);
  const ps = pixelSpacingOf(inst);
  const ipp = nums(a.ImagePositionPatient);
  if (ipp.length !== 3 || ipp.some((v) => !Number.isFinite(v))) throw fail(`${name}: ImagePositionPatient ${show(a.ImagePositionPatient)}: three numbers (mm) are needed`);
  let offsets = nums(a.GridFrameOffsetVector);
  if (frames === 1 && !offsets.length) offsets = [0];
  if (offsets.length !== frames || offsets.some((v) => !Number.isFinite(v))) throw fail(`${name}: GridFrameOffsetVector ${show(a.GridFrameOffsetVector)} does not give one offset per frame (${frames} frames)`);
  // Offsets are relative to the first frame (a first offset other than 0: absolute positions along the normal).
  const rel = offsets.map((o) => o - offsets[0]);
  const dz = frames > 1 ? (rel[frames - 1] - rel[0]) / (frames - 1) : 1;
  if (frames > 1 && !(Math.abs(dz) > 1e-6)) throw fail(`${name}: GridFrameOffsetVector puts every frame at one position`);
  for (let k = 1; k < frames; k++) {
    if (Math.abs(rel[k] - rel[k - 1] - dz) > Math.max(0.01, 0.02 * Math.abs(dz))) throw fail(`${name}: GridFrameOffsetVector is not evenly spaced (frame ${k + 1} at ${rel[k]} mm, step ${dz.toFixed(3)} mm expected); resample the dose to even slices`);
  }
  // Frame k lies at ImagePositionPatient + rel[k] × normal (frames may run against the normal).
  const origin: Vec3 = [ipp[0], ipp[1], ipp[2]];
  const sign = dz < 0 ? -1 : 1;
  const direction = [...row, ...col, ...normal.map((v) => v * sign)] as Mat3;
  const per = rows * cols, n = per * frames;
  const raw = bits === 16 ? new Uint16Array(pixels.slice(0, n * 2)) : new Uint32Array(pixels.slice(0, n * 4));
  const signed = Number(a.PixelRepresentation) === 1;
  const values = signed ? (bits === 16 ? new Int16Array(raw.buffer) : new Int32Array(raw.buffer)) : raw;
  const data = new Float32Array(n);
  for (let v = 0; v < n; v++) data[v] = values[v] * scaling;
  return {
    dose: { dims: [cols, rows, frames], spacing: [ps[1], ps[0], frames > 1 ? Math.abs(dz) : 1], origin, direction, data, unit: 'Gy' },
    frameOfReferenceUid, doseType, summationType, description: String(a.SeriesDescription ?? ''), warnings,
  };
}

/** Refuses a dose in another frame of reference than the PET's (the reason names both UIDs). */
export function checkDoseFrame(read: Pick<RtDoseRead, 'frameOfReferenceUid'>, petFrameOfReferenceUid: string, name: string): void {
  if (read.frameOfReferenceUid !== petFrameOfReferenceUid) {
    throw new MeasuredDoseError(`${name}: FrameOfReferenceUID ${read.frameOfReferenceUid} is not the PET's (${petFrameOfReferenceUid || 'absent'}): the dose is not registered to this PET. Register it to the PET (same frame of reference) and export it again; nothing was imported`);
  }
}

export interface StructureDoseMean { label: number; meanGy: number; voxels: number; outside: number }

/** Trilinear value of the dose at a continuous voxel index (clamped to the grid; undefined beyond half a voxel outside). */
function trilinear(d: Volume<Float32Array>, x: number, y: number, z: number): number | undefined {
  const [nx, ny, nz] = d.dims;
  if (x < -0.5 || y < -0.5 || z < -0.5 || x > nx - 0.5 || y > ny - 0.5 || z > nz - 0.5) return undefined;
  const cx = Math.min(Math.max(x, 0), nx - 1), cy = Math.min(Math.max(y, 0), ny - 1), cz = Math.min(Math.max(z, 0), nz - 1);
  const i0 = Math.min(Math.floor(cx), Math.max(nx - 2, 0)), j0 = Math.min(Math.floor(cy), Math.max(ny - 2, 0)), k0 = Math.min(Math.floor(cz), Math.max(nz - 2, 0));
  const i1 = Math.min(i0 + 1, nx - 1), j1 = Math.min(j0 + 1, ny - 1), k1 = Math.min(k0 + 1, nz - 1);
  const fx = cx - i0, fy = cy - j0, fz = cz - k0;
  const at = (i: number, j: number, k: number) => d.data[i + nx * (j + ny * k)];
  const c00 = at(i0, j0, k0) * (1 - fx) + at(i1, j0, k0) * fx, c10 = at(i0, j1, k0) * (1 - fx) + at(i1, j1, k0) * fx;
  const c01 = at(i0, j0, k1) * (1 - fx) + at(i1, j0, k1) * fx, c11 = at(i0, j1, k1) * (1 - fx) + at(i1, j1, k1) * fx;
  return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
}

/**
 * Mean dose per label of a label map: the dose read directly on the same grid, else sampled trilinearly at each
 * structure voxel's centre. Voxels outside the dose grid are counted, not averaged.
 */
export function doseMeansPerStructure(dose: Volume<Float32Array>, labels: Volume<Uint8Array>): StructureDoseMean[] {
  const sums = new Map<number, { sum: number; voxels: number; outside: number }>();
  const acc = (l: number) => { let s = sums.get(l); if (!s) sums.set(l, (s = { sum: 0, voxels: 0, outside: 0 })); return s; };
  const [nx, ny, nz] = labels.dims;
  if (sameGrid(dose, labels)) {
    for (let v = 0; v < labels.data.length; v++) { const l = labels.data[v]; if (l) { const s = acc(l); s.sum += dose.data[v]; s.voxels++; } }
  } else {
    // Label index → dose index is affine: origin and one step per axis.
    const o = worldToIndex(dose, indexToWorld(labels, 0, 0, 0));
    const step = (i: number, j: number, k: number) => worldToIndex(dose, indexToWorld(labels, i, j, k)).map((x, n) => x - o[n]);
    const ei = step(1, 0, 0), ej = step(0, 1, 0), ek = step(0, 0, 1);
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      for (let i = 0; i < nx; i++) {
        const l = labels.data[row + i];
        if (!l) continue;
        const s = acc(l);
        const val = trilinear(dose, o[0] + i * ei[0] + j * ej[0] + k * ek[0], o[1] + i * ei[1] + j * ej[1] + k * ek[1], o[2] + i * ei[2] + j * ej[2] + k * ek[2]);
        if (val === undefined) s.outside++; else { s.sum += val; s.voxels++; }
      }
    }
  }
  return [...sums].sort((x, y) => x[0] - y[0]).map(([label, s]) => ({ label, meanGy: s.voxels ? s.sum / s.voxels : NaN, voxels: s.voxels, outside: s.outside }));
}

/** Share of a structure's voxels that may lie outside the dose grid before it is not measured (edge voxels of a tight crop). */
const MAX_OUTSIDE = 0.05;

/**
 * Measured doses of every dose-predicted structure of a label map from an RT Dose registered to the PET, for the
 * administered activity the user entered; structures outside the dose grid are listed with the reason.
 */
export function measuredFromRtDose(read: RtDoseRead, labels: Volume<Uint8Array>, opts: { name: string; petFrameOfReferenceUid: string; activityGBq: number; cycle: number; petGrid?: Geometry }): { doses: MeasuredDose[]; warnings: string[]; unused: UnusedRow[] } {
  checkDoseFrame(read, opts.petFrameOfReferenceUid, opts.name);
  if (!(opts.activityGBq > 0 && opts.activityGBq <= 30)) throw new MeasuredDoseError(`administered activity "${opts.activityGBq}" GBq: above 0 and at most 30 is needed (RT Dose does not carry it)`);
  if (!(Number.isInteger(opts.cycle) && opts.cycle >= 1 && opts.cycle <= 20)) throw new MeasuredDoseError(`cycle "${opts.cycle}": a whole number from 1 to 20 is needed`);
  const warnings = [...read.warnings];
  if (opts.petGrid && !sameGrid(read.dose, opts.petGrid)) warnings.push(`${opts.name}: the dose grid (${describeGrid(read.dose)}) is not the PET grid; sampled trilinearly at the structure voxels`);
  if (opts.cycle !== 1) warnings.push(`${opts.name}: measured after cycle ${opts.cycle}; the model predicts the first cycle, so the comparison assumes uptake stayed as in cycle 1`);
  const method = `RT Dose${read.summationType ? ` (${read.summationType})` : ''}${read.description ? `: ${read.description}` : ''}`;
  const doses: MeasuredDose[] = [], unused: UnusedRow[] = [];
  const voxelsOf = new Map<string, number>();
  for (const m of doseMeansPerStructure(read.dose, labels)) {
    const def = structureByLabel(m.label);
    if (!def?.dosimetric) continue;
    const total = m.voxels + m.outside;
    if (m.outside / total > MAX_OUTSIDE) {
      unused.push({ row: 0, name: def.name, reason: `${m.outside} of ${total} voxels (${((100 * m.outside) / total).toFixed(0)} %) lie outside the dose grid` });
      continue;
    }
    if (m.outside) warnings.push(`${opts.name}: ${def.name}: ${m.outside} of ${total} voxels outside the dose grid, left out of its mean`);
    doses.push({ structure: def.name, meanDoseGy: m.meanGy, administeredActivityGBq: opts.activityGBq, gyPerGBq: m.meanGy / opts.activityGBq, cycle: opts.cycle, method });
    voxelsOf.set(def.name, m.voxels);
  }
  // Each organ pair also as one VOI (the mean over both: voxel-weighted, i.e. mass-weighted at unit density).
  for (const a of MEASURED_AGGREGATES.filter((x) => x.members.length === 2)) {
    const parts = a.members.map((n) => doses.find((d) => d.structure === n));
    if (parts.some((d) => !d)) continue;
    const w = a.members.map((n) => voxelsOf.get(n)!), total = w[0] + w[1];
    const meanGy = (parts[0]!.meanDoseGy * w[0] + parts[1]!.meanDoseGy * w[1]) / total;
    doses.push({ structure: a.name, members: [...a.members], meanDoseGy: meanGy, administeredActivityGBq: opts.activityGBq, gyPerGBq: meanGy / opts.activityGBq, cycle: opts.cycle, method });
  }
  if (!doses.length) throw new MeasuredDoseError(`${opts.name}: no structure of the structure set lies inside the dose grid (${describeGrid(read.dose)}); nothing was imported`);
  return { doses, warnings, unused };
}
