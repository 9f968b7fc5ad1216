// Feature-pool tasks of the structures of one patient: each structure's ROI cropped from the SUV volume
// (clinical PET profile, uptake metrics on), with the reference the feature rows name it by.
import { cropToRoi, type RoiTask } from '../radiomics/task';
import { CLINICAL_PET } from '../radiomics/settings';
import { labelMask } from '../radiomics/engine';
import { structureByLabel, structureByName } from '../vocabulary';
import type { Volume } from '../volume';
import type { StructureMeta } from '../contours/structureSet';
import type { SkippedStructure, StructureRef } from './rows';

export interface StructureTasks {
  refs: StructureRef[];
  tasks: RoiTask[];
  /** Structures left out, with the reason. */
  skipped: SkippedStructure[];
}

/** A task for one structure (label `label` of `labels`), or the reason it has none. */
function task(suv: Volume<Float32Array>, labels: Volume, label: number, id: string): RoiTask | string {
  const mask = labelMask(labels, label);
  if (!mask.some((v) => v)) return 'no voxels in the label map';
  const c = cropToRoi(suv, mask);
  return { id, image: c.image, mask: c.mask, settings: CLINICAL_PET, options: { uptake: true } };
}

const skip = (s: StructureRef, reason: string): SkippedStructure => ({ id: s.id, name: s.name, type: s.type, reason });

/** Tasks for the given structures (vocabulary names) of a label map on the SUV grid. */
export function structureTasks(suv: Volume<Float32Array>, labels: Volume, structures: StructureRef[]): StructureTasks {
  const out: StructureTasks = { refs: [], tasks: [], skipped: [] };
  for (const s of structures) {
    const def = structureByName(s.name);
    if (!def) { out.skipped.push(skip(s, 'name not in the vocabulary')); continue; }
    const t = task(suv, labels, def.label, s.id);
    if (typeof t === 'string') { out.skipped.push(skip(s, t)); continue; }
    out.refs.push(s);
    out.tasks.push(t);
  }
  return out;
}

/** The dosimetric structures present in a label map (organs at risk and tumours, in order of first voxel), named by the vocabulary. */
export function dosimetricStructures(labels: Volume, meta: Pick<StructureMeta, 'tumours'>): StructureRef[] {
  const present = new Set<number>();
  for (const l of labels.data) if (l) present.add(l);
  return [...present].flatMap((l) => {
    const def = structureByLabel(l);
    return def?.dosimetric ? [{ id: def.name, name: def.name, type: def.type, site: meta.tumours[l]?.site }] : [];
  });
}
