// The IBSI 1 feature families the engine computes, in computation (and output) order. A new family is one
// entry here plus its own file: the engine prepares what the entry says it needs and calls `compute`.
import type { Vec3 } from '../volume';
import type { RadiomicsSettings } from './settings';
import type { DiscretisedRoi, FeatureValues, TextureRequest } from './types';
import { statisticsFeatures } from './statistics';
import { histogramFeatures } from './histogram';
import { ivhWithSettings } from './ivh';
import { localIntensityFeatures, PEAK_RADIUS_MM } from './localIntensity';
import { morphologyFeatures } from './morphology';
import { glcmFeatures } from './glcm';
import { glrlmFeatures } from './glrlm';
import { glszmFeatures } from './glszm';
import { gldzmFeatures } from './gldzm';
import { ngtdmFeatures } from './ngtdm';
import { ngldmFeatures } from './ngldm';

export type Family = 'morphology' | 'local' | 'statistics' | 'histogram' | 'ivh' | 'glcm' | 'glrlm' | 'glszm' | 'gldzm' | 'ngtdm' | 'ngldm';

/** The ROI as every family sees it: cropped to the morphological mask box (plus the peak-sphere margin). */
export interface FamilyInput {
  settings: RadiomicsSettings;
  dims: Vec3;
  spacing: Vec3;
  /** Physical intensities after interpolation (and rounding). */
  image: Float32Array;
  /** ROI after interpolation (1 = inside). */
  morphMask: Uint8Array;
  /** ROI after re-segmentation (1 = inside). */
  intensityMask: Uint8Array;
  /** Intensities of the re-segmented ROI voxels, in voxel order. */
  values: Float64Array;
  /** Lower bound of the re-segmentation range, if any (the fixed-bin-size origin). */
  rangeMin?: number;
  /** The image (not only the ROI) has a single slice. */
  singleSlice: boolean;
  warnings: string[];
}

interface FamilyInfo {
  id: Family;
  /** IBSI family name, as in the reference tables (`ibsi_family`). */
  ibsiName: string;
  /** IBSI family identifier (`family_code`). */
  ibsiCode: string;
}

/**
 * `discretised`: needs the grey levels of the settings' discretisation (the IVH has its own grid);
 * `texture`: needs the texture dimensionalities and the texture settings (distance, NGLDM α).
 */
export type FeatureFamily = FamilyInfo & (
  | { discretised: false; texture: false; compute(input: FamilyInput): FeatureValues }
  | { discretised: true; texture: false; compute(input: FamilyInput, roi: DiscretisedRoi): FeatureValues }
  | { discretised: true; texture: true; compute(input: FamilyInput, roi: DiscretisedRoi, request: TextureRequest): FeatureValues }
);

/** Grey levels of the re-segmented ROI voxels (the histogram family's input). */
function roiLevels(input: FamilyInput, roi: DiscretisedRoi): Float64Array {
  const lv = new Float64Array(input.values.length);
  let t = 0;
  for (let n = 0; n < input.intensityMask.length; n++) if (input.intensityMask[n]) lv[t++] = roi.levels[n];
  return lv;
}

export const FEATURE_FAMILIES: readonly FeatureFamily[] = [
  { id: 'statistics', ibsiName: 'Intensity-based statistics', ibsiCode: 'UHIW', discretised: false, texture: false, compute: (i) => statisticsFeatures(i.values) },
  {
    id: 'morphology', ibsiName: 'Morphology', ibsiCode: 'HCUG', discretised: false, texture: false,
    compute(i) {
      if (!i.singleSlice) return morphologyFeatures({ dims: i.dims, spacing: i.spacing, morphMask: i.morphMask, intensityMask: i.intensityMask, intensities: i.image, moranGeary: i.settings.moranGeary ?? false });
      i.warnings.push('morphology: the image has a single slice; 3D morphology is not defined (null)');
      return {};
    },
  },
  {
    id: 'local', ibsiName: 'Local intensity', ibsiCode: '9ST6', discretised: false, texture: false,
    compute(i) {
      if (i.singleSlice && i.spacing[2] < 2 * PEAK_RADIUS_MM) i.warnings.push('local intensity: computed within the single slice present; a 1 cm³ sphere needs neighbouring slices');
      return localIntensityFeatures(i.image, i.intensityMask, i.dims, i.spacing);
    },
  },
  { id: 'histogram', ibsiName: 'Intensity histogram', ibsiCode: 'ZVCW', discretised: true, texture: false, compute: (i, roi) => histogramFeatures(roiLevels(i, roi), roi.ng) },
  { id: 'ivh', ibsiName: 'Intensity-volume histogram', ibsiCode: 'P88C', discretised: false, texture: false, compute: (i) => ivhWithSettings(i.values, i.settings, i.rangeMin) },
  { id: 'glcm', ibsiName: 'GLCM', ibsiCode: 'LFYI', discretised: true, texture: true, compute: (i, roi, req) => glcmFeatures(roi, req, i.settings.texture) },
  { id: 'glrlm', ibsiName: 'GLRLM', ibsiCode: 'TP0I', discretised: true, texture: true, compute: (i, roi, req) => glrlmFeatures(roi, req, i.settings.texture) },
  { id: 'glszm', ibsiName: 'GLSZM', ibsiCode: '9SAK', discretised: true, texture: true, compute: (i, roi, req) => glszmFeatures(roi, req, i.settings.texture) },
  // Distances to the ROI border are measured in the morphological mask.
  { id: 'gldzm', ibsiName: 'GLDZM', ibsiCode: 'VMDZ', discretised: true, texture: true, compute: (i, roi, req) => gldzmFeatures(roi, req, i.settings.texture, i.morphMask) },
  { id: 'ngtdm', ibsiName: 'NGTDM', ibsiCode: 'IPET', discretised: true, texture: true, compute: (i, roi, req) => ngtdmFeatures(roi, req, i.settings.texture) },
  { id: 'ngldm', ibsiName: 'NGLDM', ibsiCode: 'REK0', discretised: true, texture: true, compute: (i, roi, req) => ngldmFeatures(roi, req, i.settings.texture) },
];
