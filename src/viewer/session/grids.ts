// A structure set lives on the PET grid or on the CT grid (chosen when it is created). The dose model, the
// candidates and the statistics work on the PET's SUV: these helpers move label maps and SUV between grids
// with the one nearest-neighbour rule (src/core/mask.ts).
import { resampleNearest, resampleLabelsNearest } from '../../core/mask';
import { geometryOf, sameGrid, type Geometry, type Volume } from '../../core/volume';
import type { LoadedStudy } from '../../core/study';

export type GridKind = 'PET' | 'CT';

export function gridOf(labels: Geometry, study: LoadedStudy | undefined): GridKind {
  return study?.ct && !(study.pet && sameGrid(labels, study.pet.raw)) && sameGrid(labels, study.ct) ? 'CT' : 'PET';
}

export function gridGeometry(study: LoadedStudy, kind: GridKind): Geometry {
  const g = kind === 'CT' ? study.ct : study.pet?.raw;
  if (!g) throw new Error(kind === 'CT' ? 'this study has no CT: structures can only be drawn on the PET grid' : 'open a study with PET first');
  return geometryOf(g);
}

let suvCache: { suv: Volume<Float32Array>; key: string; out: Volume<Float32Array> } | undefined;

/** The SUV on the structure set's grid (the PET itself, or resampled once per study onto the CT grid). */
export function suvOn(grid: Geometry, study: LoadedStudy | undefined): Volume<Float32Array> | undefined {
  const suv = study?.pet?.suv;
  if (!suv || sameGrid(grid, suv)) return suv;
  const key = JSON.stringify([grid.dims, grid.spacing, grid.origin, grid.direction]);
  if (suvCache?.suv !== suv || suvCache.key !== key) suvCache = { suv, key, out: resampleNearest(suv, grid, (n) => new Float32Array(n)) };
  return suvCache.out;
}

/** The structure label map on the PET grid (itself when it is drawn there). */
export function onPetGrid(labels: Volume<Uint8Array>, study: LoadedStudy | undefined): Volume<Uint8Array> {
  const pet = study?.pet?.raw;
  return !pet || sameGrid(labels, pet) ? labels : resampleLabelsNearest(labels, pet);
}
