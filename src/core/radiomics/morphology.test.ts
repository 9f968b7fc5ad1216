import { describe, expect, it } from 'vitest';
import { mveeAxes, ombbExtents, ellipsoidArea, hullCandidates } from './morphology';
import { maskMesh } from './mesh';
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
  it('hull candidates keep every convex-hull vertex of the mesh (same hull as from all mesh vertices)', () => {
    const n = 14, mask = new Uint8Array(n ** 3);
    for (let k = 1; k < n - 1; k++) for (let j = 1; j < n - 1; j++) for (let i = 1; i < n - 1; i++) {
      const x = i - 6.3, y = j - 7.1, z = k - 6.6;
      if ((x * 0.8 + y * 0.6) ** 2 / 30 + (y * 0.8 - x * 0.6) ** 2 / 9 + z * z / 16 <= 1 || (i * 31 + j * 17 + k * 7) % 97 === 0) mask[i + n * (j + n * k)] = 1;
    }
    const mesh = maskMesh(mask, [n, n, n], [1.5, 2, 2.5]);
    const all: [number, number, number][] = [];
    for (let v = 0; v < mesh.vertexCount; v++) all.push([mesh.positions[3 * v], mesh.positions[3 * v + 1], mesh.positions[3 * v + 2]]);
    const cand = hullCandidates(mesh, [n, n, n], [1.5, 2, 2.5]);
    const key = (p: number[]) => p.map((x) => x.toFixed(6)).join(',');
    const vertsOf = (pts: [number, number, number][]) => new Set(hull(pts)(pts).flat().map((i) => key(pts[i])));
    const full = vertsOf(all), fromCand = vertsOf(cand);
    expect(cand.length).toBeLessThan(all.length / 4);
    expect([...full].every((p) => fromCand.has(p))).toBe(true);
    expect(fromCand.size).toBe(full.size);
  });
  it('the IBSI ellipsoid area series gives the sphere area', () => {
    expect(ellipsoidArea(2, 2, 2)).toBeCloseTo(4 * Math.PI * 4, 1);
    // Non-spherical values follow the IBSI series (checked through morph_area_dens_aee against the references).
  });
});
