// Grey level distance zone matrix (IBSI family VMDZ): zones as in GLSZM, each at its smallest
// city-block distance to the ROI border.
import { mean, roiSlices, withSuffix, wants, type Feats } from './texture';
import { borderDistance, findZones, type Zone } from './zones';
import { rename, zoneFeatures } from './glszm';
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
  const mask = distanceMask ?? roi.levels.map((v) => (v ? 1 : 0)) as unknown as Uint8Array;
  const m8 = mask instanceof Uint8Array ? mask : Uint8Array.from(mask);
  const dist = (z: Zone) => z.minDistance;
  const nvOf = (k: number) => {
    const [nx, ny, nz] = roi.dims;
    const a = k < 0 ? 0 : nx * ny * k, b = k < 0 ? nx * ny * nz : nx * ny * (k + 1);
    let n = 0;
    for (let i = a; i < b; i++) if (roi.levels[i]) n++;
    return n;
  };
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const d2 = borderDistance(m8, roi.dims, true);
    const per = roiSlices(roi).map((k) => ({ zones: findZones(roi, k, d2), nv: nvOf(k) }));
    if (wants(req.dims, '2D')) {
      const fs = per.map((p) => zoneFeatures(p.zones, roi.ng, p.nv, dist)).filter((x): x is Feats => !!x);
      withSuffix('dzm_', rename(mean(fs), DZM_NAMES), '_2D', out);
    }
    if (wants(req.dims, '2.5D')) {
      withSuffix('dzm_', rename(zoneFeatures(per.flatMap((p) => p.zones), roi.ng, per.reduce((s, p) => s + p.nv, 0), dist), DZM_NAMES), '_2_5D', out);
    }
  }
  if (wants(req.dims, '3D')) {
    const d3 = borderDistance(m8, roi.dims, false);
    withSuffix('dzm_', rename(zoneFeatures(findZones(roi, -1, d3), roi.ng, nvOf(-1), dist), DZM_NAMES), '_3D', out);
  }
  return out;
}
