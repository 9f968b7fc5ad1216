// Neighbourhood offsets shared by NGTDM and NGLDM (Chebyshev distance δ, centre excluded).
export function neighbourOffsets(delta: number, twoD: boolean): [number, number, number][] {
  const out: [number, number, number][] = [];
  const dzr = twoD ? 0 : delta;
  for (let c = -dzr; c <= dzr; c++) for (let b = -delta; b <= delta; b++) for (let a = -delta; a <= delta; a++) {
    if (a || b || c) out.push([a, b, c]);
  }
  return out;
}
