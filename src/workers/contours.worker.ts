// Web Worker: whole-body lesion candidates and organ proposals, off the main thread (the SUV volume and the
// structure map arrive as copies; the candidate voxel lists come back transferred).
import { expose, transfer } from 'comlink';
import { lesionCandidates, type Candidate } from '../core/contours/ops';
import { physiologicalUptake, proposeKidneys, proposeReferenceOrgans, proposeSalivary, type OrganProposal } from '../core/contours/organs';
import { alreadyContoured } from '../core/contours/review';
import type { Volume } from '../core/volume';

const buffers = (xs: { indices: Uint32Array }[]) => xs.map((x) => x.indices.buffer as ArrayBuffer);

const api = {
  /** Lesion candidates outside physiological uptake (the set's organs on the PET grid, completed by proposals) and not already contoured. */
  lesions(suv: Volume<Float32Array>, structures: Volume | undefined, ct: Volume | undefined, o: { threshold: number; minVolumeMl: number }): Candidate[] {
    const found = lesionCandidates(suv, physiologicalUptake(suv, structures, ct), o).filter((c) => !structures || !alreadyContoured(c, suv, structures));
    return transfer(found, buffers(found));
  },
  /** Organ proposals from uptake, anatomy and (when given) CT density. */
  organs(suv: Volume<Float32Array>, ct: Volume | undefined, kind: 'kidneys' | 'salivary' | 'reference'): { proposals: OrganProposal[]; note: string } {
    const r = kind === 'kidneys' ? proposeKidneys(suv, ct) : kind === 'salivary' ? proposeSalivary(suv, ct) : proposeReferenceOrgans(suv, { ct });
    return transfer(r, buffers(r.proposals));
  },
};

export type ContoursApi = typeof api;
expose(api);
