// The Dose panel's structure features, cached between Computes: the SUV image is sent to the dose worker once,
// the worker crops only the structures whose key (SUV image, settings, voxels) is not cached, and the feature
// pool extracts those. Held for one SUV image at a time (a new study or SUV values start it empty).
import type { Remote } from 'comlink';
import type { InferenceApi } from '../../workers/inference.worker';
import type { FeaturePool } from '../../workers/featurePool';
import type { RoiResult } from '../../core/radiomics/task';
import type { Volume } from '../../core/volume';
import type { StructureMeta } from '../../core/contours/structureSet';

/** At most this many cached results (oldest first out). */
const CACHE_SIZE = 400;
const featureCache = new Map<string, RoiResult>();
let cacheImage: string | undefined;
/** Image keys by SUV voxel array (a new study or new SUV values make a new array). */
const imageKeys = new WeakMap<Float32Array, string>();
let imageCount = 0;
let imageInWorker: string | undefined;

const imageKeyOf = (suv: Volume<Float32Array>): string => {
  let k = imageKeys.get(suv.data);
  if (!k) imageKeys.set(suv.data, (k = `suv${++imageCount}`));
  return k;
};

/** A plain volume (no state proxy) that can be posted to a worker; the voxel array is the same. */
const plain = <T extends Volume>(v: T): T => ({
  dims: [...v.dims], spacing: [...v.spacing], origin: [...v.origin], direction: [...v.direction], data: v.data,
  slope: v.slope, intercept: v.intercept, unit: v.unit,
}) as T;

/** For the bench: the next Compute extracts every structure (with warm workers). */
export const clearFeatureCache = (): void => featureCache.clear();

/** Sends an SUV image to the dose worker ahead of the first Compute (off its path). */
export function offerImage(w: Remote<InferenceApi>, suv: Volume<Float32Array>): void {
  const image = imageKeyOf(suv);
  if (imageInWorker === image) return;
  imageInWorker = image;
  w.setImage(image, plain(suv)).catch(() => { if (imageInWorker === image) imageInWorker = undefined; });
}

/**
 * The features of every dosimetric structure of `labels` on `suv`: cached ones reused, the others cropped in the
 * worker and extracted by the pool. Undefined when cancelled while the worker prepared.
 */
export async function structureFeatures(
  w: Remote<InferenceApi>, pool: FeaturePool, suv: Volume<Float32Array>, labels: Volume, tumours: StructureMeta['tumours'],
  o: { signal: AbortSignal; onProgress: (done: number, total: number) => void },
) {
  const t0 = performance.now();
  const image = imageKeyOf(suv);
  if (cacheImage !== image) { featureCache.clear(); cacheImage = image; }
  if (imageInWorker !== image) { await w.setImage(image, plain(suv)); imageInWorker = image; }
  // The worker gets a copy of the label map as it is now (edits made meanwhile make the results stale).
  const prep = await w.prepare(image, plain(labels), tumours, [...featureCache.keys()]);
  if (o.signal.aborted) return undefined;
  const prepareMs = performance.now() - t0;
  o.onProgress(0, prep.tasks.length);
  const fresh = await pool.run(prep.tasks, o);
  for (const r of fresh) featureCache.set(prep.keys[r.id], r);
  while (featureCache.size > CACHE_SIZE) featureCache.delete(featureCache.keys().next().value!);
  return { prep, results: prep.refs.map((s) => featureCache.get(prep.keys[s.id])!), extracted: prep.tasks.length, prepareMs };
}
