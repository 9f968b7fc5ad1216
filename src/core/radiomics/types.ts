// Shared shapes of the IBSI 1 engine. Feature values are keyed by the IBSI workbook tag
// (the `tag` column of the reference CSVs, e.g. `cm_joint_max_2D_avg`, `morph_volume`).
import type { Vec3 } from '../volume';

/** Feature tag → value. NaN means "could not be computed"; the reason goes into warnings. */
export type FeatureValues = Record<string, number>;

/**
 * A discretised ROI, cropped to the bounding box of its intensity mask.
 * levels[i + dims[0] * (j + dims[1] * k)] is the grey level 1…ng inside the ROI and 0 outside.
 */
export interface DiscretisedRoi {
  dims: Vec3;
  spacing: Vec3;
  levels: Uint16Array;
  /** Number of grey levels Ng (the highest level that may occur; some may be absent). */
  ng: number;
}

/** Settings shared by the texture families (IBSI defaults as in every IBSI 1 configuration). */
export interface TextureSettings {
  /** GLCM, NGTDM, NGLDM neighbourhood distance δ (Chebyshev). Default 1. */
  distance: number;
  /** NGLDM coarseness α. Default 0. */
  ngldmAlpha: number;
}

/**
 * Texture dimensionalities. Feature tags end in the IBSI aggregation: GLCM and GLRLM `_2D_avg` (BTW3),
 * `_2D_comb` (SUJT), `_2_5D_avg` (JJUI), `_2_5D_comb` (ZW7Z), `_3D_avg` (ITBB), `_3D_comb` (IAZD); GLSZM,
 * GLDZM, NGTDM and NGLDM `_2D` (8QNN), `_2_5D` (62GR), `_3D` (KOBO).
 */
export type TextureDims = '2D' | '2.5D' | '3D';

/** Which texture dimensionalities to compute (2D needs ≥1 slice, 3D needs ≥2 slices to be meaningful). */
export interface TextureRequest {
  dims: TextureDims[];
}

/**
 * Input of the morphology family (and local intensity), cropped to the bounding box of the
 * morphological mask plus a margin as the caller decides. All arrays share `dims`.
 */
export interface MorphologyInput {
  dims: Vec3;
  spacing: Vec3;
  /** ROI after interpolation, before re-segmentation (1 = inside). */
  morphMask: Uint8Array;
  /** ROI after re-segmentation (1 = inside); a subset of morphMask. */
  intensityMask: Uint8Array;
  /** Physical intensities (after interpolation and rounding), same grid. */
  intensities: Float32Array;
  /** Compute Moran's I and Geary's C (settings `moranGeary`); without it both are left out. */
  moranGeary: boolean;
}

// Family entry points (one file each; families.ts lists them, the engine dispatches through that table):
//   morphology.ts      morphologyFeatures(input: MorphologyInput): FeatureValues
//   glcm.ts            glcmFeatures(roi, req, settings): FeatureValues   (six aggregations)
//   glrlm.ts           glrlmFeatures(roi, req, settings): FeatureValues  (six aggregations)
//   glszm.ts           glszmFeatures(roi, req, settings): FeatureValues  (2D, 2.5D, 3D)
//   gldzm.ts           gldzmFeatures(roi, req, settings, distanceMask?: Uint8Array): FeatureValues
//   ngtdm.ts           ngtdmFeatures(roi, req, settings): FeatureValues
//   ngldm.ts           ngldmFeatures(roi, req, settings): FeatureValues
