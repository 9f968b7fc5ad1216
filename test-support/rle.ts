// RLE Lossless (1.2.840.10008.1.2.5) encoder for 16-bit single-frame test images (PackBits per byte plane).
function packBits(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let run = 1;
    while (i + run < bytes.length && run < 128 && bytes[i + run] === bytes[i]) run++;
    if (run > 1) { out.push(257 - run, bytes[i]); i += run; continue; }
    let lit = 1;
    while (i + lit < bytes.length && lit < 128 && !(i + lit + 1 < bytes.length && bytes[i + lit] === bytes[i + lit + 1])) lit++;
    out.push(lit - 1, ...bytes.subarray(i, i + lit));
    i += lit;
  }
  return out;
}

export function rleEncode16(pixels: Int16Array | Uint16Array): ArrayBuffer {
  const n = pixels.length;
  const hi = new Uint8Array(n), lo = new Uint8Array(n);
  for (let i = 0; i < n; i++) { const v = pixels[i] & 0xffff; hi[i] = v >> 8; lo[i] = v & 0xff; }
  const segs = [packBits(hi), packBits(lo)].map((s) => (s.length % 2 ? [...s, 0] : s));
  const header = new Uint32Array(16);
  header[0] = 2; header[1] = 64; header[2] = 64 + segs[0].length;
  const out = new Uint8Array(64 + segs[0].length + segs[1].length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(segs[0], 64);
  out.set(segs[1], 64 + segs[0].length);
  return out.buffer;
}

/** Appends encapsulated Pixel Data (empty offset table, one fragment per frame) to a Part-10 file without it. */
export function appendEncapsulatedPixelData(part10: ArrayBuffer, frames: ArrayBuffer[], transferSyntax = '1.2.840.10008.1.2.5'): ArrayBuffer {
  // dcmjs writes Explicit VR Little Endian; patch the (same-length) transfer syntax UID in the file meta.
  const bytes = new Uint8Array(part10.slice(0));
  const from = new TextEncoder().encode('1.2.840.10008.1.2.1\0'), to = new TextEncoder().encode(`${transferSyntax}\0`);
  if (from.length !== to.length) throw new Error('transfer syntax UID must have the length of 1.2.840.10008.1.2.1');
  for (let i = 132; i < Math.min(bytes.length, 1024); i++) {
    if (from.every((b, k) => bytes[i + k] === b)) { bytes.set(to, i); break; }
  }
  part10 = bytes.buffer;
  const parts: number[] = [];
  const u16 = (v: number) => parts.push(v & 0xff, (v >> 8) & 0xff);
  const u32 = (v: number) => { u16(v & 0xffff); u16((v >>> 16) & 0xffff); };
  u16(0x7fe0); u16(0x0010); parts.push(0x4f, 0x42, 0, 0); u32(0xffffffff); // (7FE0,0010) OB, undefined length
  u16(0xfffe); u16(0xe000); u32(0); // basic offset table
  const head = Uint8Array.from(parts);
  const items = frames.map((f) => {
    const h = new Uint8Array(8);
    new DataView(h.buffer).setUint16(0, 0xfffe, true); new DataView(h.buffer).setUint16(2, 0xe000, true); new DataView(h.buffer).setUint32(4, f.byteLength, true);
    return [h, new Uint8Array(f)];
  }).flat();
  const end = new Uint8Array(8);
  new DataView(end.buffer).setUint16(0, 0xfffe, true); new DataView(end.buffer).setUint16(2, 0xe0dd, true);
  const chunks = [new Uint8Array(part10), head, ...items, end];
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out.buffer;
}
