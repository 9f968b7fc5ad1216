// Scoring lesion candidates against a truth label map (tests): a candidate is true when its voxels overlap a
// tumour label; each tumour it touches counts as found.
import { TUMOUR_LABEL_BASE } from '../src/core/vocabulary';

export function scoreCandidates(cands: { indices: Uint32Array }[], truth: ArrayLike<number>): { found: Set<number>; falsePositives: number } {
  const found = new Set<number>();
  let falsePositives = 0;
  for (const c of cands) {
    const tumours = new Set([...c.indices].map((n) => truth[n]).filter((l) => l > TUMOUR_LABEL_BASE));
    for (const l of tumours) found.add(l);
    if (!tumours.size) falsePositives++;
  }
  return { found, falsePositives };
}
