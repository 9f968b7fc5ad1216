// Grey level size zone matrix (IBSI family 9SAK): 2D (per slice, averaged), 2.5D (merged over slices), 3D.
import { mean, roiSlices, withSuffix, wants, type Feats } from './texture';
import { findZones, type Zone } from './zones';
import type { DiscretisedRoi, FeatureValues, TextureRequest, TextureSettings } from './types';

/** Features of a zone matrix given as zone list; `value` picks size (GLSZM) or distance (GLDZM). */
export function zoneFeatures(zones: Zone[], ng: number, nv: number, value: (z: Zone) => number): Feats | undefined {
  const nz = zones.length;
  if (!nz) return undefined;
  const byLevel = new Float64Array(ng + 1);
  const byValue = new Map<number, number>();
  const cell = new Map<number, number>();
  let se = 0, le = 0, lg = 0, hg = 0, slg = 0, shg = 0, llg = 0, lhg = 0;
  for (const z of zones) {
    const i = z.level, j = value(z), i2 = i * i, j2 = j * j;
    se += 1 / j2; le += j2; lg += 1 / i2; hg += i2;
    slg += 1 / (i2 * j2); shg += i2 / j2; llg += j2 / i2; lhg += i2 * j2;
    byLevel[i]++;
    byValue.set(j, (byValue.get(j) ?? 0) + 1);
    const key = i * 1e7 + j;
    cell.set(key, (cell.get(key) ?? 0) + 1);
  }
  let glnu = 0, vnu = 0, mi = 0, mj = 0, ent = 0;
  for (let i = 1; i <= ng; i++) { glnu += byLevel[i] ** 2; mi += (i * byLevel[i]) / nz; }
  for (const [j, c] of byValue) { vnu += c * c; mj += (j * c) / nz; }
  let gv = 0, vv = 0;
  for (let i = 1; i <= ng; i++) gv += (i - mi) ** 2 * (byLevel[i] / nz);
  for (const [j, c] of byValue) vv += (j - mj) ** 2 * (c / nz);
  for (const c of cell.values()) { const p = c / nz; ent -= p * Math.log2(p); }
  return {
    se: se / nz, le: le / nz, lg: lg / nz, hg: hg / nz, slg: slg / nz, shg: shg / nz, llg: llg / nz, lhg: lhg / nz,
    glnu: glnu / nz, glnu_norm: glnu / (nz * nz), vnu: vnu / nz, vnu_norm: vnu / (nz * nz),
    perc: nz / nv, gl_var: gv, v_var: vv, entr: ent,
  };
}

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

function count(roi: DiscretisedRoi, k: number): number {
  const [nx, ny, nz] = roi.dims;
  const a = k < 0 ? 0 : nx * ny * k, b = k < 0 ? nx * ny * nz : nx * ny * (k + 1);
  let n = 0;
  for (let i = a; i < b; i++) if (roi.levels[i]) n++;
  return n;
}

export function glszmFeatures(roi: DiscretisedRoi, req: TextureRequest, _s?: TextureSettings): FeatureValues {
  const out: FeatureValues = {};
  const size = (z: Zone) => z.size;
  if (wants(req.dims, '2D') || wants(req.dims, '2.5D')) {
    const slices = roiSlices(roi);
    const per = slices.map((k) => ({ zones: findZones(roi, k), nv: count(roi, k) }));
    if (wants(req.dims, '2D')) {
      const fs = per.map((p) => zoneFeatures(p.zones, roi.ng, p.nv, size)).filter((x): x is Feats => !!x);
      withSuffix('szm_', rename(mean(fs), SZM_NAMES), '_2D', out);
    }
    if (wants(req.dims, '2.5D')) {
      withSuffix('szm_', rename(zoneFeatures(per.flatMap((p) => p.zones), roi.ng, per.reduce((s, p) => s + p.nv, 0), size), SZM_NAMES), '_2_5D', out);
    }
  }
  if (wants(req.dims, '3D')) withSuffix('szm_', rename(zoneFeatures(findZones(roi, -1), roi.ng, count(roi, -1), size), SZM_NAMES), '_3D', out);
  return out;
}
