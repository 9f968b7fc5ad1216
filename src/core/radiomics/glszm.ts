// Grey level size zone matrix (IBSI family 9SAK): 2D (per slice, averaged), 2.5D (merged over slices), 3D.
import { mean, withSuffix, wants, type Feats } from './texture';
import { findZones, zoneFeatures, type Zones } from './zones';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

const SZM_NAMES: Record<string, string> = {
  se: 'sze', // 5QRC
  le: 'lze', // 48P8
  lg: 'lgze', // XMSY
  hg: 'hgze', // 5GN9
  slg: 'szlge', // 5RAI
  shg: 'szhge', // HW1V
  llg: 'lzlge', // YH51
  lhg: 'lzhge', // J17V
  glnu: 'glnu', // JNSA
  glnu_norm: 'glnu_norm', // Y1RO
  vnu: 'zsnu', // 4JP3
  vnu_norm: 'zsnu_norm', // VB3A
  perc: 'z_perc', // P30P
  gl_var: 'gl_var', // BYLV
  v_var: 'zs_var', // 3NSA
  entr: 'zs_entr', // GU8N
};

export function rename(f: Feats | undefined, names: Record<string, string>): Feats {
  const out: Feats = {};
  if (f) for (const [k, v] of Object.entries(f)) out[names[k]] = v;
  return out;
}

/** Mean zone features over the slices (2D, 8QNN) and those of all slices' zones together (2.5D, 62GR). */
export function sliceZoneFeatures(z: Zones, value: Int32Array, ng: number, names: Record<string, string>): { twoD: Feats; merged: Feats } {
  const fs: Feats[] = [];
  let nv = 0;
  for (let k = 0; k < z.roiVoxels.length; k++) {
    nv += z.roiVoxels[k];
    const f = z.roiVoxels[k] ? zoneFeatures(z, value, z.sliceStart[k], z.sliceStart[k + 1], ng, z.roiVoxels[k]) : undefined;
    if (f) fs.push(f);
  }
  return { twoD: rename(mean(fs), names), merged: rename(zoneFeatures(z, value, 0, z.count, ng, nv), names) };
}

export function glszmFeatures(roi: DiscretisedRoi, req: TextureRequest, _s?: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const z = findZones(roi, true);
    const { twoD, merged } = sliceZoneFeatures(z, z.size, roi.ng, SZM_NAMES);
    if (wants(req.dims, '2D')) withSuffix('szm_', twoD, '_2D', out);
    if (wants(req.dims, '2.5D')) withSuffix('szm_', merged, '_2_5D', out);
  }
  if (wants(req.dims, '3D')) {
    const z = findZones(roi, false);
    withSuffix('szm_', rename(zoneFeatures(z, z.size, 0, z.count, roi.ng, z.roiVoxels[0]), SZM_NAMES), '_3D', out);
  }
  return out;
}
