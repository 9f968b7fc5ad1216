// Neighbourhood offsets shared by NGTDM and NGLDM (Chebyshev distance δ, centre excluded).
export function neighbourOffsets(delta: number, twoD: boolean): [number, number, number][] {
  const out: [number, number, number][] = [];
  const dzr = twoD ? 0 : delta;
  for (let c = -dzr; c <= dzr; c++) for (let b = -delta; b <= delta; b++) for (let a = -delta; a <= delta; a++) {
    if (a || b || c) out.push([a, b, c]);
  }
  return out;
}

/** The offsets above as flat arrays for a box nx × ny: linear index offset and components. */
export interface FlatOffsets { lin: Int32Array; dx: Int32Array; dy: Int32Array; dz: Int32Array; delta: number; twoD: boolean }

export function flatOffsets(delta: number, twoD: boolean, nx: number, ny: number): FlatOffsets {
  const offs = neighbourOffsets(delta, twoD);
  return {
    lin: Int32Array.from(offs, ([a, b, c]) => a + nx * (b + ny * c)),
    dx: Int32Array.from(offs, (o) => o[0]), dy: Int32Array.from(offs, (o) => o[1]), dz: Int32Array.from(offs, (o) => o[2]),
    delta, twoD,
  };
}

/** Whether every neighbour of (x, y, z) lies in the box (slices k0…k1), so no bounds checks are needed. */
export function interior(f: FlatOffsets, x: number, y: number, z: number, nx: number, ny: number, k0: number, k1: number): boolean {
  const d = f.delta;
  return x >= d && y >= d && x < nx - d && y < ny - d && (f.twoD || (z - k0 >= d && k1 - z >= d));
}
