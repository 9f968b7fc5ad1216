// Polygons on one slice of a voxel grid: scanline fill (voxel centres inside a polygon, even–odd rule) and
// its inverse (closed contours around a slice's voxels). Used by RTSTRUCT reading/writing and the editing tools.

/** Visits the grid points (u, v) whose centres lie inside a polygon (flat u,v pairs; even–odd rule). */
export function scanPolygon(uv: number[], w: number, h: number, visit: (u: number, v: number) => void): void {
  const n = uv.length / 2;
  let vMin = Infinity, vMax = -Infinity;
  for (let p = 0; p < n; p++) { vMin = Math.min(vMin, uv[2 * p + 1]); vMax = Math.max(vMax, uv[2 * p + 1]); }
  for (let v = Math.max(0, Math.ceil(vMin)); v <= Math.min(h - 1, Math.floor(vMax)); v++) {
    const xs: number[] = [];
    for (let p = 0; p < n; p++) {
      const q = (p + 1) % n;
      const y0 = uv[2 * p + 1], y1 = uv[2 * q + 1];
      if ((y0 <= v && y1 > v) || (y1 <= v && y0 > v)) xs.push(uv[2 * p] + ((v - y0) / (y1 - y0)) * (uv[2 * q] - uv[2 * p]));
    }
    xs.sort((x, y) => x - y);
    for (let t = 0; t + 1 < xs.length; t += 2) {
      for (let u = Math.max(0, Math.ceil(xs[t])); u <= Math.min(w - 1, Math.floor(xs[t + 1])); u++) visit(u, v);
    }
  }
}

/**
 * Closed contours (index coordinates i, j of one slice) around the voxel centres where `inside` is 1, by
 * marching squares at the half-way iso-line: rasterising them again (voxel centre inside) gives the same
 * voxels. Holes come out as separate contours (even–odd readers subtract them); diagonal-only contacts
 * stay separate (4-connected inside).
 */
export function sliceContours(inside: Uint8Array, nx: number, ny: number): number[][] {
  const W = nx + 1; // edge keys on the padded lattice: cell (i, j) for i, j in -1 … n-1
  const key = (i: number, j: number, vertical: number) => (((j + 1) * (W + 1) + (i + 1)) << 1) | vertical;
  const at = (i: number, j: number) => (i >= 0 && j >= 0 && i < nx && j < ny ? inside[i + nx * j] : 0);
  const links = new Map<number, number[]>();
  const pos = new Map<number, [number, number]>();
  const link = (a: number, b: number) => {
    (links.get(a) ?? links.set(a, []).get(a)!).push(b);
    (links.get(b) ?? links.set(b, []).get(b)!).push(a);
  };
  // Segment table per case (corner bits v0 = (i,j), v1 = (i+1,j), v2 = (i+1,j+1), v3 = (i,j+1)); edges
  // e0 bottom, e1 right, e2 top, e3 left.
  const TABLE: number[][] = [[], [3, 0], [0, 1], [3, 1], [1, 2], [3, 0, 1, 2], [0, 2], [3, 2], [2, 3], [0, 2], [0, 1, 2, 3], [1, 2], [1, 3], [0, 1], [0, 3], []];
  for (let j = -1; j < ny; j++) for (let i = -1; i < nx; i++) {
    const c = at(i, j) | (at(i + 1, j) << 1) | (at(i + 1, j + 1) << 2) | (at(i, j + 1) << 3);
    const segs = TABLE[c];
    if (!segs.length) continue;
    const edges = [key(i, j, 0), key(i + 1, j, 1), key(i, j + 1, 0), key(i, j, 1)];
    const pts: [number, number][] = [[i + 0.5, j], [i + 1, j + 0.5], [i + 0.5, j + 1], [i, j + 0.5]];
    for (let s = 0; s < segs.length; s += 2) {
      const a = edges[segs[s]], b = edges[segs[s + 1]];
      pos.set(a, pts[segs[s]]); pos.set(b, pts[segs[s + 1]]);
      link(a, b);
    }
  }
  const seen = new Set<number>();
  const loops: number[][] = [];
  for (const start of links.keys()) {
    if (seen.has(start)) continue;
    const loop: [number, number][] = [];
    let prev = -1, cur = start;
    while (!seen.has(cur)) {
      seen.add(cur);
      loop.push(pos.get(cur)!);
      const next = links.get(cur)!.find((x) => x !== prev && !seen.has(x)) ?? links.get(cur)!.find((x) => x !== prev)!;
      prev = cur; cur = next;
    }
    // Drop points on straight runs.
    const out: number[] = [];
    for (let p = 0; p < loop.length; p++) {
      const a = loop[(p + loop.length - 1) % loop.length], b = loop[p], c = loop[(p + 1) % loop.length];
      if (Math.abs((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])) > 1e-9) out.push(b[0], b[1]);
    }
    if (out.length >= 6) loops.push(out);
  }
  return loops;
}
