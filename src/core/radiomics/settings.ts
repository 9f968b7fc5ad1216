// Processing settings of the IBSI 1 configurations (digital phantom, CT configs A–E) and the clinical
// PET profile. Field names follow ibsi1_processing_configurations.csv; the README documents the JSON form.
import type { Vec3 } from '../volume';

export type Discretisation =
  | { method: 'none' }
  | { method: 'FBN'; bins: number }
  | { method: 'FBS'; width: number; /** lower bound; default: re-segmentation lower bound, else ROI minimum */ min?: number };

export interface RadiomicsSettings {
  name: string;
  /** '2D' computes texture per slice (2D and 2.5D aggregations), '3D' in 3D. */
  sliceWise: '2D' | '3D';
  interpolation?: {
    /** New spacing (mm). For 2D (in-plane) interpolation the third value is ignored. */
    spacing: Vec3;
    inPlaneOnly: boolean;
    method: 'nearest' | 'linear' | 'cubic';
    roundIntensities: boolean;
    roiThreshold: number;
  };
  resegmentation?: { range?: [number, number]; outliers3sd?: boolean };
  discretisation: Discretisation;
  /** IVH: 'none' uses intensities as they are, on a grid of `step` (1 for HU). */
  ivh: { method: 'none'; step: number } | { method: 'FBS-centres'; width: number; min: number } | { method: 'FBN-bins'; bins: number };
  texture: { distance: number; ngldmAlpha: number };
  /** Texture dimensionalities to compute; default: 2D + 2.5D for sliceWise 2D, 3D otherwise. */
  textureDims?: ('2D' | '2.5D' | '3D')[];
  /**
   * Moran's I (N365) and Geary's C (NPT7). Exact, but the costliest morphology features by far: a 3-D FFT of
   * a box 8× the ROI's (half the morphology time at 1,000 mL). Computed only when true (IBSI configurations);
   * off in the clinical PET profile, whose dose model does not use them.
   */
  moranGeary?: boolean;
}

const common = { texture: { distance: 1, ngldmAlpha: 0 } };
/** The IBSI configurations compute every feature the standard defines. */
const ibsi = { ...common, moranGeary: true };

export const IBSI_CONFIGS: Record<'DP' | 'A' | 'B' | 'C' | 'D' | 'E', RadiomicsSettings> = {
  DP: { name: 'IBSI digital phantom', sliceWise: '3D', textureDims: ['2D', '2.5D', '3D'], discretisation: { method: 'none' }, ivh: { method: 'none', step: 1 }, ...ibsi },
  A: {
    name: 'IBSI config A', sliceWise: '2D', resegmentation: { range: [-500, 400] },
    discretisation: { method: 'FBS', width: 25 }, ivh: { method: 'none', step: 1 }, ...ibsi,
  },
  B: {
    name: 'IBSI config B', sliceWise: '2D',
    interpolation: { spacing: [2, 2, 0], inPlaneOnly: true, method: 'linear', roundIntensities: true, roiThreshold: 0.5 },
    resegmentation: { range: [-500, 400] }, discretisation: { method: 'FBN', bins: 32 }, ivh: { method: 'none', step: 1 }, ...ibsi,
  },
  C: {
    name: 'IBSI config C', sliceWise: '3D',
    interpolation: { spacing: [2, 2, 2], inPlaneOnly: false, method: 'linear', roundIntensities: true, roiThreshold: 0.5 },
    resegmentation: { range: [-1000, 400] }, discretisation: { method: 'FBS', width: 25 },
    ivh: { method: 'FBS-centres', width: 2.5, min: -1000 }, ...ibsi,
  },
  D: {
    name: 'IBSI config D', sliceWise: '3D',
    interpolation: { spacing: [2, 2, 2], inPlaneOnly: false, method: 'linear', roundIntensities: true, roiThreshold: 0.5 },
    resegmentation: { outliers3sd: true }, discretisation: { method: 'FBN', bins: 32 }, ivh: { method: 'none', step: 1 }, ...ibsi,
  },
  E: {
    name: 'IBSI config E', sliceWise: '3D',
    interpolation: { spacing: [2, 2, 2], inPlaneOnly: false, method: 'cubic', roundIntensities: true, roiThreshold: 0.5 },
    resegmentation: { range: [-1000, 400], outliers3sd: true }, discretisation: { method: 'FBN', bins: 32 },
    ivh: { method: 'FBN-bins', bins: 1000 }, ...ibsi,
  },
};

/**
 * Clinical PET profile (default for PSMA work): features on the PET grid as acquired (no interpolation,
 * so no resampling artefacts at the 4 mm scale of PET), SUV intensities, 3D texture, fixed bin size
 * 0.25 SUV from SUV 0 (comparable across patients), IVH on 0.1 SUV bin centres, no Moran's I / Geary's C.
 * Contours drawn on the CT grid are resampled to the PET grid first (nearest neighbour of the PET voxel centre).
 */
export const CLINICAL_PET: RadiomicsSettings = {
  name: 'clinical PET',
  sliceWise: '3D',
  discretisation: { method: 'FBS', width: 0.25, min: 0 },
  ivh: { method: 'FBS-centres', width: 0.1, min: 0 },
  ...common,
  moranGeary: false,
};

/** Reads a settings JSON (README "Settings file"); throws with the field that is wrong. */
export function parseSettings(json: unknown): RadiomicsSettings {
  const s = json as Partial<RadiomicsSettings>;
  const bad = (m: string) => { throw new Error(`settings: ${m}`); };
  if (!s || typeof s !== 'object') bad('must be a JSON object');
  if (s.sliceWise !== '2D' && s.sliceWise !== '3D') bad('"sliceWise" must be "2D" or "3D"');
  const d = s.discretisation as Discretisation | undefined;
  if (!d || !['none', 'FBN', 'FBS'].includes(d.method)) bad('"discretisation.method" must be none, FBN or FBS');
  if (d!.method === 'FBN' && !(Number.isInteger(d!.bins) && d!.bins > 0)) bad('"discretisation.bins" must be a positive integer');
  if (d!.method === 'FBS' && !(d!.width > 0)) bad('"discretisation.width" must be positive');
  if (s.interpolation && !['nearest', 'linear', 'cubic'].includes(s.interpolation.method)) bad('"interpolation.method" must be nearest, linear or cubic');
  if (s.moranGeary !== undefined && typeof s.moranGeary !== 'boolean') bad(`"moranGeary" must be true or false (found ${JSON.stringify(s.moranGeary)})`);
  return {
    ...(s as RadiomicsSettings),
    name: s.name ?? 'custom',
    ivh: s.ivh ?? { method: 'none', step: 1 },
    texture: { distance: s.texture?.distance ?? 1, ngldmAlpha: s.texture?.ngldmAlpha ?? 0 },
    moranGeary: s.moranGeary ?? false,
  };
}
