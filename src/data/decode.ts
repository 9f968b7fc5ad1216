// Compressed transfer syntaxes (RLE, JPEG lossless, JPEG-LS, JPEG 2000, HTJ2K, JPEG baseline) are decoded in
// the browser by the Cornerstone codecs (dicom-image-loader's decoders), then read like uncompressed data.
// Deflated transfer syntax is inflated by dcmjs when the file is parsed.
import { decoders } from '@cornerstonejs/dicom-image-loader';
import type { DicomInstance } from '../core/dicom/read';

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

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
