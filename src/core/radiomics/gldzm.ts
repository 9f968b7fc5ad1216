// Grey level distance zone matrix (IBSI family VMDZ): zones as in GLSZM, each at its smallest
// city-block distance to the ROI border.
import { withSuffix, wants } from './texture';
import { borderDistance, findZones, zoneFeatures } from './zones';
import { rename, sliceZoneFeatures } from './glszm';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

const DZM_NAMES: Record<string, string> = {
  se: 'sde', // 0GBI
  le: 'lde', // MB4I
  lg: 'lgze', // S1RA
  hg: 'hgze', // K26C
  slg: 'sdlge', // RUVG
  shg: 'sdhge', // DKNJ
  llg: 'ldlge', // A7WM
  lhg: 'ldhge', // KLTH
  glnu: 'glnu', // VFT7
  glnu_norm: 'glnu_norm', // 7HP3
  vnu: 'zdnu', // V294
  vnu_norm: 'zdnu_norm', // IATH
  perc: 'z_perc', // VIWW
  gl_var: 'gl_var', // QK93
  v_var: 'zd_var', // 7WT1
  entr: 'zd_entr', // GBDU
};

/** distanceMask: the mask the border distance is measured from (default: the ROI itself). */
export function gldzmFeatures(roi: DiscretisedRoi, req: TextureRequest, _s?: TextureSettings, distanceMask?: Uint8Array): FeatureValues {
  const out: FeatureValues = {};
  let mask = distanceMask;
  if (!mask) {
    mask = new Uint8Array(roi.levels.length);
    for (let n = 0; n < mask.length; n++) if (roi.levels[n]) mask[n] = 1;
  }
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const z = findZones(roi, true, borderDistance(mask, roi.dims, true));
    const { twoD, merged } = sliceZoneFeatures(z, z.minDistance, roi.ng, DZM_NAMES);
    if (wants(req.dims, '2D')) withSuffix('dzm_', twoD, '_2D', out);
    if (wants(req.dims, '2.5D')) withSuffix('dzm_', merged, '_2_5D', out);
  }
  if (wants(req.dims, '3D')) {
    const z = findZones(roi, false, borderDistance(mask, roi.dims, false));
    withSuffix('dzm_', rename(zoneFeatures(z, z.minDistance, 0, z.count, roi.ng, z.roiVoxels[0]), DZM_NAMES), '_3D', out);
  }
  return out;
}
