// Marching-cubes mesh of a binary mask (iso-level 0.5 on a zero-padded grid: vertices at edge midpoints),
// on typed arrays with one vertex per grid edge. Same case table as Lorensen & Cline / Paul Bourke's
// polygonisation (the table of the isosurface package, which this replaces), so the same triangles.

/** Triangles per cube case: edge numbers (hex digits), three per triangle; cases separated by spaces. */
const TRI = ' 083 019 183981 12a 08312a 92a029 2832a8a98 3b2 0b28b0 19023b 1b219b98b 3a1ba3 0a108a8ba 3903b9ba9 98aa8b 478 430734 019847 419471731 12a847 34730412a 92a902847 2a9297273794 8473b2 b47b24204 90184723b 47b94b9b2921 3a13ba784 1ba14b1047b4 47890b9bab03 47b4b99ba 954 954083 054150 854835315 12a954 30812a495 52a542402 2a5325354348 95423b 0b208b495 05401523b 21525828b485 a3ba13954 4950818a18ba 54050b5bab03 54858aa8b 978579 930953573 078017157 153357 978957a12 a12950530573 802825857a52 2a5253357 7957893b2 95797292027b 23b018178157 b21b17715 958857a13a3b 5705097b010aba0 ba0b03a50807570 ba57b5 a65 0835a6 9015a6 1831985a6 165261 165126308 965906026 598582526328 23ba65 b08b20a65 01923b5a6 5a61929b298b 63b653513 08b0b50515b6 3b6036065059 65969bb98 5a6478 43047365a 1905a6847 a65197173794 612651478 125526304347 847905065026 739794329596269 3b2784a65 5a647242027b 01947823b5a6 9219b294b7b45a6 8473b53515b6 51b5b610b7b404b 059065036b63847 65969b4797b9 a4964a 4a649a083 a01a60640 83181686461a 149124264 308129249264 024426 832824426 a49a64b23 08228b49a4a6 3b201606461a 64161a48121b8b1 964936913b63 8b1810b61914641 3b6360064 648b68 7a678a89a 0730a709a67a a671a7178180 a67a71173 126168189867 269291679093739 780706602 732672 23ba68a89867 20727b09767a9a7 1801781a767a23b b21b17a61671 896867916b63136 091b67 7807063b0b60 7b6 76b 308b76 019b76 819831b76 a126b7 12a3086b7 2902a96b7 6b72a3a83a98 723627 708760620 276237019 162186198876 a76a17137 a7617a187108 03707a0a96a7 76a7a88a9 684b86 36b306046 86b846901 946963931b36 6846b82a1 12a30b06b046 4b846b0292a9 a93a32943b36463 823842462 042462 190234246438 194142246 8138618466a1 a10a06604 4634386a3039a93 a946a4 49576b 083495b76 50154076b b76834354315 954a1276b 6b712a083495 76b54a42a402 348354325a52b76 723762549 954086062687 362376150540 628687218485158 954a16176137 16a176107870954 40a4a503a6a737a 76a7a854a48a 6956b9b89 36b063056095 0b805b01556b 6b3635531 12a95b9b8b56 0b306b09656912a b85b56805a52025 6b36352a3a53 589528562382 956960062 158180568382628 156216 13616a386569896 a10a06950560 03856a a56 b5a75b b5ab75830 5b75ab190 a75ab7981831 b12b71751 08312717572b 9759279022b7 75272b592328982 25a235375 820852875a25 9015a35373a2 982921872a25752 135375 087071175 903935537 987597 5845a8ab8 5045b05abb30 01984a8aba45 ab4a45b34941314 2512852b8458 04b0b345b2b151b 0250592b5458b85 9452b3 25a352345384 5a2524420 3a235a385458019 5a2524192942 845853351 045105 845853905035 945 4b749b9ab 0834979b79ab 1ab1b414074b 3143481a474bab4 4b79b492b912 9749b791b2b1083 b74b42240 b74b42834324 29a279237749 9a7974a27870207 37a3a274a1a040a 1a2874 491417713 491417081871 403743 487 9a8ab8 30939bb9a 01a0a88ab 31ab3a 12b1b99b8 30939b1292b9 02b80b 32b 23828aa89 9a2092 23828a0181a8 1a2 138918 091 038 '.split(' ');
const TRI_TABLE: Uint8Array[] = TRI.map((c) => Uint8Array.from(c, (h) => parseInt(h, 16)));

export interface MaskMesh {
  /** Vertex positions (mm, relative to the box corner), xyz per vertex. */
  positions: Float64Array;
  /** Vertex positions in half-voxel units on the padded grid (integers ≥ 0), xyz per vertex. */
  half: Int32Array;
  /** Triangles: three vertex indices each. */
  cells: Int32Array;
  vertexCount: number;
  triangleCount: number;
}

// Cube edge e joins two corners; its vertex lies on grid edge (axis, corner offset dx, dy, dz) of the cube.
const EDGE_AXIS = Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 2, 2, 2, 2]);
const EDGE_D = Int32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
/** Edges each case uses (its triangles' corners), once each. */
const EDGES_USED: Uint8Array[] = TRI_TABLE.map((t) => Uint8Array.from(new Set(t)));

/** Mesh of `mask` (dims nx × ny × nz). Positions in mm with voxel centres at index × spacing. */
export function maskMesh(mask: Uint8Array, dims: readonly [number, number, number], spacing: readonly [number, number, number]): MaskMesh {
  const [nx, ny, nz] = dims;
  const gx = nx + 2, gy = ny + 2, gz = nz + 2, gxy = gx * gy;
  const occ = new Uint8Array(gx * gy * gz);
  // Per padded row: first and last occupied x (rows without voxels: first > last).
  const rowLo = new Int32Array(gy * gz).fill(gx), rowHi = new Int32Array(gy * gz).fill(-1);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
    const src = nx * (j + ny * k), row = j + 1 + gy * (k + 1), dst = 1 + gx * row;
    for (let i = 0; i < nx; i++) if (mask[src + i]) { occ[dst + i] = 1; if (i + 1 < rowLo[row]) rowLo[row] = i + 1; rowHi[row] = i + 1; }
  }
  // Vertex id per grid edge (axis a at grid point g), -1 until made.
  const edgeVertex = new Int32Array(3 * occ.length).fill(-1);
  let half = new Int32Array(3 * 1024), cells = new Int32Array(3 * 2048);
  let nv = 0, nt = 0;
  const ids = new Int32Array(12);
  for (let z = 0; z < gz - 1; z++) for (let y = 0; y < gy - 1; y++) {
    // Only cubes between the first and last voxel of the four rows they touch can cut the surface.
    const r0 = y + gy * z, r1 = r0 + 1, r2 = r0 + gy, r3 = r2 + 1;
    const lo = Math.min(rowLo[r0], rowLo[r1], rowLo[r2], rowLo[r3]), hi = Math.max(rowHi[r0], rowHi[r1], rowHi[r2], rowHi[r3]);
    if (hi < 0) continue;
    const rowBase = gx * r0;
    for (let x = lo - 1; x <= hi; x++) {
      const g = rowBase + x;
      const inside = occ[g] | (occ[g + 1] << 1) | (occ[g + 1 + gx] << 2) | (occ[g + gx] << 3)
        | (occ[g + gxy] << 4) | (occ[g + 1 + gxy] << 5) | (occ[g + 1 + gx + gxy] << 6) | (occ[g + gx + gxy] << 7);
      if (inside === 0 || inside === 255) continue;
      const c = ~inside & 255; // a corner's bit is set when it lies outside the mask
      const used = EDGES_USED[c];
      for (let u = 0; u < used.length; u++) {
        const e = used[u], axis = EDGE_AXIS[e], ex = EDGE_D[3 * e], ey = EDGE_D[3 * e + 1], ez = EDGE_D[3 * e + 2];
        const key = 3 * (g + ex + gx * ey + gxy * ez) + axis;
        let v = edgeVertex[key];
        if (v < 0) {
          v = edgeVertex[key] = nv++;
          if (3 * nv > half.length) { const h = new Int32Array(half.length * 2); h.set(half); half = h; }
          half[3 * v] = 2 * (x + ex) + (axis === 0 ? 1 : 0);
          half[3 * v + 1] = 2 * (y + ey) + (axis === 1 ? 1 : 0);
          half[3 * v + 2] = 2 * (z + ez) + (axis === 2 ? 1 : 0);
        }
        ids[e] = v;
      }
      const tri = TRI_TABLE[c];
      if (3 * nt + tri.length > cells.length) { const cc = new Int32Array(cells.length * 2); cc.set(cells); cells = cc; }
      for (let t = 0; t < tri.length; t++) cells[3 * nt + t] = ids[tri[t]];
      nt += tri.length / 3;
    }
  }
  const positions = new Float64Array(3 * nv);
  for (let v = 0; v < nv; v++) for (let a = 0; a < 3; a++) positions[3 * v + a] = (half[3 * v + a] / 2 - 1) * spacing[a];
  return { positions, half: half.subarray(0, 3 * nv), cells: cells.subarray(0, 3 * nt), vertexCount: nv, triangleCount: nt };
}

/** Enclosed volume (divergence theorem) and area of a closed triangle mesh. */
export function meshVolumeArea(pos: Float64Array, cells: Int32Array): { volume: number; area: number } {
  let v = 0, a = 0;
  for (let t = 0; t < cells.length; t += 3) {
    const i = 3 * cells[t], j = 3 * cells[t + 1], k = 3 * cells[t + 2];
    const px = pos[i], py = pos[i + 1], pz = pos[i + 2];
    const qx = pos[j], qy = pos[j + 1], qz = pos[j + 2];
    const rx = pos[k], ry = pos[k + 1], rz = pos[k + 2];
    v += px * (qy * rz - qz * ry) - py * (qx * rz - qz * rx) + pz * (qx * ry - qy * rx);
    const ux = qx - px, uy = qy - py, uz = qz - pz, wx = rx - px, wy = ry - py, wz = rz - pz;
    const cx = uy * wz - uz * wy, cy = uz * wx - ux * wz, cz = ux * wy - uy * wx;
    a += Math.sqrt(cx * cx + cy * cy + cz * cz) / 2;
  }
  return { volume: Math.abs(v) / 6, area: a };
}
