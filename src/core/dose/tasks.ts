// Feature-pool tasks of the structures of one patient: each structure's ROI cropped from the SUV volume
// (clinical PET profile, uptake metrics on), with the reference the feature rows name it by. One pass over the
// label map finds every structure's box and a signature of its voxels (what a feature cache is keyed on); each
// structure is then cropped from its box alone.
import type { RoiTask } from '../radiomics/task';
import { CLINICAL_PET } from '../radiomics/settings';
import { PEAK_RADIUS_MM } from '../radiomics/localIntensity';
import { structureByLabel, structureByName } from '../vocabulary';
import { indexToWorld, valueAt, type Vec3, type Volume } from '../volume';
import type { StructureMeta } from '../contours/structureSet';
import type { SkippedStructure, StructureRef } from './rows';

export interface StructureTasks {
  refs: StructureRef[];
  tasks: RoiTask[];
  /** Structures left out, with the reason. */
  skipped: SkippedStructure[];
}

/** The voxels of one label: bounding box (voxel indices, inclusive), count and a 64-bit hash of their indices. */
export interface LabelBox { lo: Vec3; hi: Vec3; count: number; hash: string }

/** Settings and options every dose task uses (part of the feature-cache key). */
export const DOSE_TASK_OPTIONS = { uptake: true } as const;
export const DOSE_SETTINGS_KEY = JSON.stringify([CLINICAL_PET, DOSE_TASK_OPTIONS]);

/** Crop margin around a structure's box: the SUVpeak sphere plus interpolation support (as cropToRoi). */
const MARGIN_MM = PEAK_RADIUS_MM + 8;

/** Every non-zero label's box, count and hash, in order of first voxel (one pass over the label map). */
export function labelBoxes(labels: Volume): Map<number, LabelBox> {
  const [nx, ny, nz] = labels.dims, d = labels.data;
  const size = d instanceof Uint8Array ? 256 : 65536; // vocabulary labels are small whole numbers
  const lo = new Int32Array(size * 3).fill(2 ** 30), hi = new Int32Array(size * 3).fill(-1);
  const count = new Float64Array(size), h1 = new Uint32Array(size).fill(2166136261), h2 = new Uint32Array(size).fill(5381);
  const order: number[] = [];
  let n = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    const l = d[n];
    if (!l || !(l > 0 && l < size && l === (l | 0))) continue;
    if (!count[l]) order.push(l);
    count[l]++;
    h1[l] = Math.imul(h1[l] ^ n, 16777619);
    h2[l] = (Math.imul(h2[l], 33) + n) >>> 0;
    const b = l * 3;
    if (i < lo[b]) lo[b] = i;
    if (i > hi[b]) hi[b] = i;
    if (j < lo[b + 1]) lo[b + 1] = j;
    if (j > hi[b + 1]) hi[b + 1] = j;
    if (k < lo[b + 2]) lo[b + 2] = k;
    hi[b + 2] = k;
  }
  return new Map(order.map((l) => [l, {
    lo: [lo[l * 3], lo[l * 3 + 1], lo[l * 3 + 2]], hi: [hi[l * 3], hi[l * 3 + 1], hi[l * 3 + 2]], count: count[l],
    hash: h1[l].toString(16).padStart(8, '0') + h2[l].toString(16).padStart(8, '0'),
  }]));
}

/** The SUV and the label's mask in the label's box plus the margin (the same crop as cropToRoi of its mask). */
export function cropStructure(suv: Volume<Float32Array>, labels: Volume, label: number, box: LabelBox): { image: Volume<Float32Array>; mask: Uint8Array } {
  const [nx, ny] = suv.dims;
  const lo = [...box.lo] as Vec3, hi = [...box.hi] as Vec3;
  for (let a = 0; a < 3; a++) {
    const m = Math.ceil(MARGIN_MM / suv.spacing[a]);
    lo[a] = Math.max(0, lo[a] - m); hi[a] = Math.min(suv.dims[a] - 1, hi[a] + m);
  }
  const d: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const data = new Float32Array(d[0] * d[1] * d[2]), mask = new Uint8Array(data.length);
  let o = 0;
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) {
    const row = nx * (j + ny * k);
    for (let i = lo[0]; i <= hi[0]; i++, o++) {
      data[o] = valueAt(suv, row + i);
      mask[o] = labels.data[row + i] === label ? 1 : 0;
    }
  }
  return {
    image: { dims: d, spacing: [...suv.spacing], origin: indexToWorld(suv, lo[0], lo[1], lo[2]), direction: [...suv.direction], data, unit: suv.unit },
    mask,
  };
}

/** The task of one structure from its box. */
export function structureTask(suv: Volume<Float32Array>, labels: Volume, label: number, box: LabelBox, id: string): RoiTask {
  const c = cropStructure(suv, labels, label, box);
  return { id, image: c.image, mask: c.mask, settings: CLINICAL_PET, options: { ...DOSE_TASK_OPTIONS } };
}

const skip = (s: StructureRef, reason: string): SkippedStructure => ({ id: s.id, name: s.name, type: s.type, reason });

/** The vocabulary label of each structure with voxels, or the reason it has none. */
export function structureLabels(boxes: Map<number, LabelBox>, structures: StructureRef[]): { found: { ref: StructureRef; label: number; box: LabelBox }[]; skipped: SkippedStructure[] } {
  const found: { ref: StructureRef; label: number; box: LabelBox }[] = [], skipped: SkippedStructure[] = [];
  for (const s of structures) {
    const def = structureByName(s.name);
    if (!def) { skipped.push(skip(s, 'name not in the vocabulary')); continue; }
    const box = boxes.get(def.label);
    if (!box) { skipped.push(skip(s, 'no voxels in the label map')); continue; }
    found.push({ ref: s, label: def.label, box });
  }
  return { found, skipped };
}

/** Tasks for the given structures (vocabulary names) of a label map on the SUV grid. */
export function structureTasks(suv: Volume<Float32Array>, labels: Volume, structures: StructureRef[], boxes = labelBoxes(labels)): StructureTasks {
  const { found, skipped } = structureLabels(boxes, structures);
  return { refs: found.map((f) => f.ref), tasks: found.map((f) => structureTask(suv, labels, f.label, f.box, f.ref.id)), skipped };
}

/** The dosimetric structures present in a label map (organs at risk and tumours, in order of first voxel), named by the vocabulary. */
export function dosimetricStructures(labels: Volume, meta: Pick<StructureMeta, 'tumours'>, boxes = labelBoxes(labels)): StructureRef[] {
  return [...boxes.keys()].flatMap((l) => {
    const def = structureByLabel(l);
    return def?.dosimetric ? [{ id: def.name, name: def.name, type: def.type, site: meta.tumours[l]?.site }] : [];
  });
}

/** Radii (voxels) of the warm-up spheres: small, lesion-sized and organ-sized ROIs take different code paths. */
const WARM_UP_RADII = [5, 8, 13];

/**
 * The `index`-th synthetic ROI (a sphere of noisy uptake, radii cycling through WARM_UP_RADII) whose task runs every
 * family once: loads a worker's code and lets the JIT compile the paths of small and large ROIs before the first Compute.
 */
export function warmUpTask(index = 0): RoiTask {
  const r = WARM_UP_RADII[index % WARM_UP_RADII.length], n = 2 * r + 8, spacing: Vec3 = [4, 4, 4];
  const id = `warm-up-${index}`;
  const data = new Float32Array(n ** 3), mask = new Uint8Array(n ** 3);
  let seed = 1 + index;
  for (let k = 0, o = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, o++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const d = Math.hypot(i - n / 2, j - n / 2, k - n / 2);
    mask[o] = d <= r ? 1 : 0;
    data[o] = 1 + (d <= r ? 6 - (6 * d) / r : 0) + (seed / 2 ** 32) * 0.5;
  }
  return { id, image: { dims: [n, n, n], spacing, origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data, unit: 'SUV' }, mask, settings: CLINICAL_PET, options: { ...DOSE_TASK_OPTIONS } };
}
