import { describe, expect, it } from 'vitest';
import { mveeAxes, ombbExtents, ellipsoidArea } from './morphology';
import quickhull from 'quickhull3d';

const hull = (pts: [number, number, number][]) => ((quickhull as unknown as { default?: unknown }).default ?? quickhull) as (p: number[][]) => number[][];

describe('morphology helpers without IBSI reference values', () => {
  it('MVEE of points on an ellipsoid recovers its semi-axes', () => {
    const pts: [number, number, number][] = [];
    for (let i = 0; i < 400; i++) {
      const z = -1 + (2 * (i + 0.5)) / 400, r = Math.sqrt(1 - z * z), t = i * 2.399963;
      pts.push([5 * r * Math.cos(t), 3 * r * Math.sin(t), 2 * z]);
    }
    const [a, b, c] = mveeAxes(pts);
    expect(a).toBeCloseTo(5, 2); expect(b).toBeCloseTo(3, 2); expect(c).toBeCloseTo(2, 2);
  });
  it('OMBB of a rotated box is the box', () => {
    const ang = 0.6, cs = Math.cos(ang), sn = Math.sin(ang);
    const pts: [number, number, number][] = [];
    for (const x of [0, 4]) for (const y of [0, 2]) for (const z of [0, 1]) pts.push([x * cs - y * sn, x * sn + y * cs, z]);
    const ext = ombbExtents(pts, hull(pts)(pts)).sort((p, q) => q - p);
    expect(ext[0]).toBeCloseTo(4, 6); expect(ext[1]).toBeCloseTo(2, 6); expect(ext[2]).toBeCloseTo(1, 6);
  });
  it('the IBSI ellipsoid area series gives the sphere area', () => {
    expect(ellipsoidArea(2, 2, 2)).toBeCloseTo(4 * Math.PI * 4, 1);
    // Non-spherical values follow the IBSI series (checked through morph_area_dens_aee against the references).
  });
});
