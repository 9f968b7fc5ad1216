// Structure-set import and statistics shared by the Structures and Dose panels.
import { readSeg } from '../core/io/seg';
import { readNifti } from '../core/io/nifti';
import { resampleLabelsNearest } from '../core/mask';
import { structureByName, structureByLabel, type StructureDef } from '../core/vocabulary';
import { sameGrid, indexToWorld, type Vec3, type Volume } from '../core/volume';
import type { LoadedStudy } from '../core/study';

/** Reads a SEG (PET or CT grid) or a NIfTI label map onto the PET grid; nothing changes on error. */
export async function importStructures(file: File, study: LoadedStudy): Promise<Volume> {
  const pet = study.pet?.suv ?? study.pet?.raw;
  if (!pet) throw new Error('load a study with PET first');
  const bytes = await file.arrayBuffer();
  if (/\.nii(\.gz)?$/i.test(file.name)) {
    const labels = readNifti(bytes, file.name);
    if (!sameGrid(labels, pet, 0.01)) throw new Error(`${file.name} is not on the PET grid (${labels.dims.join('×')} vs ${pet.dims.join('×')}); nothing was changed`);
    return labels;
  }
  const labelOf = (name: string) => structureByName(name)?.label ?? 0;
  try {
    return readSeg(bytes, pet, { expectSeriesUid: study.petSeriesUid, name: file.name, labelOf }).labels;
  } catch (e) {
    // Contours drawn on the CT grid: read them there, then apply the one documented CT → PET rule.
    if (!study.ct || !/references series/.test((e as Error).message)) throw e;
    return resampleLabelsNearest(readSeg(bytes, study.ct, { expectSeriesUid: study.ctSeriesUid, name: file.name, labelOf }).labels, pet);
  }
}

export interface StructureStats { def: StructureDef; voxels: number; volumeMl: number; suvMax?: number; suvMean?: number; centre: Vec3 }

export function structureStats(labels: Volume, suv?: Volume<Float32Array>): StructureStats[] {
  const acc = new Map<number, { n: number; sum: number; max: number; c: [number, number, number] }>();
  const [nx, ny] = labels.dims;
  for (let v = 0; v < labels.data.length; v++) {
    const l = labels.data[v];
    if (!l) continue;
    let a = acc.get(l);
    if (!a) acc.set(l, (a = { n: 0, sum: 0, max: -Infinity, c: [0, 0, 0] }));
    a.n++;
    a.c[0] += v % nx; a.c[1] += Math.floor(v / nx) % ny; a.c[2] += Math.floor(v / (nx * ny));
    if (suv) { a.sum += suv.data[v]; a.max = Math.max(a.max, suv.data[v]); }
  }
  const voxMl = (labels.spacing[0] * labels.spacing[1] * labels.spacing[2]) / 1000;
  return [...acc.entries()].flatMap(([l, a]) => {
    const def = structureByLabel(l);
    return def ? [{ def, voxels: a.n, volumeMl: a.n * voxMl, suvMax: suv ? a.max : undefined, suvMean: suv ? a.sum / a.n : undefined, centre: indexToWorld(labels, a.c[0] / a.n, a.c[1] / a.n, a.c[2] / a.n) }] : [];
  }).sort((x, y) => x.def.label - y.def.label);
}
