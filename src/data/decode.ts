// Compressed transfer syntaxes (RLE, JPEG lossless, JPEG-LS, JPEG 2000, HTJ2K, JPEG baseline) are decoded in
// the browser by the Cornerstone codecs (dicom-image-loader's decoders), then read like uncompressed data.
// Deflated transfer syntax is inflated by dcmjs when the file is parsed.
import { decoders } from '@cornerstonejs/dicom-image-loader';
import { getWebWorkerManager } from '@cornerstonejs/core';
import type { DicomInstance } from '../core/dicom/read';

export const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

export async function decodeCompressed(instances: DicomInstance[], onProgress?: (done: number, total: number) => void): Promise<void> {
  const todo = instances.filter((i) => i.pixels && !NATIVE.has(i.transferSyntax));
  if (!todo.length) return;
  let done = 0;
  for (const inst of todo) {
    const a = inst.attrs;
    const frame = {
      samplesPerPixel: Number(a.SamplesPerPixel ?? 1), photometricInterpretation: a.PhotometricInterpretation, planarConfiguration: a.PlanarConfiguration,
      rows: Number(a.Rows), columns: Number(a.Columns), bitsAllocated: Number(a.BitsAllocated), bitsStored: Number(a.BitsStored),
      pixelRepresentation: Number(a.PixelRepresentation), smallestPixelValue: undefined, largestPixelValue: undefined,
    };
    const bad = notEncoded(inst.transferSyntax, new Uint8Array(inst.pixels!), frame.samplesPerPixel * Math.ceil(frame.bitsAllocated / 8));
    if (bad) throw new Error(`${inst.name}: the header says transfer syntax ${inst.transferSyntax}, but ${bad}: the header is wrong or the data are not compressed; export the series again`);
    let out: { pixelData: ArrayBufferView };
    try {
      out = await decodeFrame(frame, inst.transferSyntax, new Uint8Array(inst.pixels!));
    } catch (e) {
      throw new Error(`${inst.name}: pixel data in transfer syntax ${inst.transferSyntax} could not be decoded (${(e as Error)?.message ?? e})`);
    }
    const px = out.pixelData;
    inst.pixels = px.buffer.slice(px.byteOffset, px.byteOffset + px.byteLength) as ArrayBuffer;
    inst.transferSyntax = '1.2.840.10008.1.2.1';
    onProgress?.(++done, todo.length);
  }
}

/**
 * One compressed frame decoded in dicom-image-loader's decode worker (Cornerstone must be initialised), as the
 * uncompressed frame its header describes (the codec's own array type may be narrower).
 */
export async function decodeFrameInWorker(name: string, attrs: Record<string, any>, ts: string, data: Uint8Array): Promise<ArrayBuffer> {
  const frame = frameOf(attrs);
  const bad = notEncoded(ts, data, frame.samplesPerPixel * Math.ceil(frame.bitsAllocated / 8));
  if (bad) throw new Error(`${name}: the PACS sent transfer syntax ${ts}, but ${bad}`);
  let out: { pixelData: ArrayLike<number> };
  try {
    out = await getWebWorkerManager().executeTask('dicomImageLoader', 'decodeTask', {
      imageFrame: frame, transferSyntax: ts, pixelData: data, options: { preScale: { enabled: false } }, decodeConfig: {},
    }) as { pixelData: ArrayLike<number> };
  } catch (e) {
    throw new Error(`${name}: pixel data in transfer syntax ${ts} could not be decoded (${(e as Error)?.message ?? e})`);
  }
  const n = frame.rows * frame.columns * frame.samplesPerPixel, signed = frame.pixelRepresentation === 1;
  const typed = frame.bitsAllocated <= 8 ? (signed ? new Int8Array(n) : new Uint8Array(n))
    : frame.bitsAllocated <= 16 ? (signed ? new Int16Array(n) : new Uint16Array(n)) : (signed ? new Int32Array(n) : new Uint32Array(n));
  if (out.pixelData.length !== n) throw new Error(`${name}: the decoded frame has ${out.pixelData.length} values, ${n} expected`);
  typed.set(out.pixelData);
  return typed.buffer as ArrayBuffer;
}

const frameOf = (a: Record<string, any>) => ({
  samplesPerPixel: Number(a.SamplesPerPixel ?? 1), photometricInterpretation: a.PhotometricInterpretation, planarConfiguration: a.PlanarConfiguration,
  rows: Number(a.Rows), columns: Number(a.Columns), bitsAllocated: Number(a.BitsAllocated), bitsStored: Number(a.BitsStored),
  pixelRepresentation: Number(a.PixelRepresentation), smallestPixelValue: undefined, largestPixelValue: undefined,
});

/**
 * Why compressed pixel data do not start as their transfer syntax requires (a codec fed anything else may
 * return garbage or never finish), or undefined. RLE: a 64-byte header of segment count and offsets (PS3.5
 * G.5); JPEG family: the SOI marker FF D8; JPEG 2000 / HTJ2K: a codestream (FF 4F) or a JP2 signature box.
 */
function notEncoded(ts: string, data: Uint8Array, segments: number): string | undefined {
  if (ts === '1.2.840.10008.1.2.5') {
    if (data.length < 64) return `its pixel data (${data.length} bytes) are shorter than an RLE header`;
    const v = new DataView(data.buffer, data.byteOffset, 64);
    const count = v.getUint32(0, true), first = v.getUint32(4, true);
    const offsets = Array.from({ length: Math.min(count, 15) }, (_, n) => v.getUint32(4 + 4 * n, true));
    if (count !== segments || first !== 64 || offsets.some((o, n) => o >= data.length || (n > 0 && o <= offsets[n - 1]))) {
      return `its pixel data have no valid RLE header (${count} segments, first at byte ${first}; ${segments} segments at byte 64 expected)`;
    }
    return undefined;
  }
  const jpeg = ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'];
  if (jpeg.includes(ts) && !(data[0] === 0xff && data[1] === 0xd8)) return 'its pixel data do not start with a JPEG marker (FF D8)';
  const j2k = ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '3.2.840.10008.1.2.4.96', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'];
  const jp2 = data[4] === 0x6a && data[5] === 0x50 && data[6] === 0x20 && data[7] === 0x20;
  if (j2k.includes(ts) && !(data[0] === 0xff && data[1] === 0x4f) && !jp2) return 'its pixel data are neither a JPEG 2000 codestream (FF 4F) nor a JP2 file';
  return undefined;
}

type Frame = Record<string, unknown> & { pixelRepresentation: number; bitsAllocated: number };
const D = decoders as unknown as Record<string, (...a: unknown[]) => Promise<{ pixelData: ArrayBufferView }>>;

/** The Cornerstone codec for a transfer syntax (the same switch dicom-image-loader's decode worker uses). */
function decodeFrame(frame: Frame, ts: string, data: Uint8Array): Promise<{ pixelData: ArrayBufferView }> {
  const ls = { signed: frame.pixelRepresentation === 1, bytesPerPixel: frame.bitsAllocated <= 8 ? 1 : 2, ...frame };
  switch (ts) {
    case '1.2.840.10008.1.2.5': return D.RLE(frame, data);
    case '1.2.840.10008.1.2.4.57': case '1.2.840.10008.1.2.4.70': return D.JPEGLossless(frame, data);
    case '1.2.840.10008.1.2.4.80': case '1.2.840.10008.1.2.4.81': return D.JPEGLS(data, ls);
    case '1.2.840.10008.1.2.4.90': case '1.2.840.10008.1.2.4.91': return D.JPEG2000(data, { ...frame });
    case '3.2.840.10008.1.2.4.96': case '1.2.840.10008.1.2.4.201': case '1.2.840.10008.1.2.4.202': case '1.2.840.10008.1.2.4.203': return D.HTJ2K(data, { ...frame });
    case '1.2.840.10008.1.2.4.50': return D.JPEGBaseline8Bit(data, { ...frame });
    case '1.2.840.10008.1.2.4.51': return D.JPEGBaseline12Bit(frame, data);
    default: return Promise.reject(new Error(`no decoder for transfer syntax ${ts}`));
  }
}
