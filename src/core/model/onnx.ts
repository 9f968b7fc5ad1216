// A minimal ONNX writer: the ModelProto subset a linear/mixed model needs, encoded as protobuf by hand
// (field numbers from onnx.proto). Float tensors only; opset 13. And the reader of its metadata_props.

class Pb {
  private parts: number[] = [];
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) { this.parts.push(Number(x & 0x7fn) | 0x80); x >>= 7n; }
    this.parts.push(Number(x));
  }
  private key(field: number, wire: number): void { this.varint((field << 3) | wire); }
  int(field: number, v: number): this { this.key(field, 0); this.varint(v); return this; }
  bytes(field: number, b: Uint8Array): this { this.key(field, 2); this.varint(b.length); for (const x of b) this.parts.push(x); return this; }
  str(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }
  msg(field: number, m: Pb): this { return this.bytes(field, m.finish()); }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.parts.push(x);
    return this;
  }
  finish(): Uint8Array { return Uint8Array.from(this.parts); }
}

export type OnnxAttr = number | number[] | string | string[] | Float32Array;
export interface OnnxNode { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, OnnxAttr>; domain?: string }
export interface OnnxTensor { name: string; dims: number[]; data: Float32Array | number[] }
export interface OnnxGraph {
  name: string;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  initializers: OnnxTensor[];
  nodes: OnnxNode[];
  metadata?: Record<string, string>;
  docString?: string;
}

const FLOAT = 1;

function tensor(t: OnnxTensor): Pb {
  const p = new Pb();
  for (const d of t.dims) p.int(1, d);
  p.int(2, FLOAT);
  p.str(8, t.name);
  p.bytes(9, new Uint8Array(Float32Array.from(t.data).buffer));
  return p;
}

function valueInfo(name: string, dims: (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === 'number' ? new Pb().int(1, d) : new Pb().str(2, d));
  const tt = new Pb().int(1, FLOAT).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tt));
}

function node(n: OnnxNode, i: number): Pb {
  const p = new Pb();
  for (const x of n.inputs) p.str(1, x);
  for (const x of n.outputs) p.str(2, x);
  p.str(3, `${n.op}_${i}`);
  p.str(4, n.op);
  for (const [name, v] of Object.entries(n.attrs ?? {})) {
    const a = new Pb().str(1, name);
    if (v instanceof Float32Array) { for (const x of v) a.float(7, x); a.int(20, 6); } // FLOATS
    else if (typeof v === 'string') a.str(4, v).int(20, 3); // STRING
    else if (Array.isArray(v) && typeof v[0] === 'string') { for (const x of v as string[]) a.str(9, x); a.int(20, 8); } // STRINGS
    else if (Array.isArray(v)) { for (const x of v as number[]) a.int(8, x); a.int(20, 7); } // INTS
    else if (Number.isInteger(v)) a.int(3, v).int(20, 2); // INT
    else a.float(2, v).int(20, 1); // FLOAT
    p.msg(5, a);
  }
  if (n.domain) p.str(7, n.domain);
  return p;
}

export function encodeModel(g: OnnxGraph, producerVersion = '0.1.0'): Uint8Array {
  const graph = new Pb();
  g.nodes.forEach((n, i) => graph.msg(1, node(n, i)));
  graph.str(2, g.name);
  for (const t of g.initializers) graph.msg(5, tensor(t));
  if (g.docString) graph.str(10, g.docString);
  for (const x of g.inputs) graph.msg(11, valueInfo(x.name, x.dims));
  for (const x of g.outputs) graph.msg(12, valueInfo(x.name, x.dims));
  const model = new Pb().int(1, 8).str(2, 'psma-dose-preview').str(3, producerVersion).str(4, 'org.psma-dose-preview').int(5, 1);
  model.msg(7, graph);
  model.msg(8, new Pb().str(1, '').int(2, 13));
  if (g.nodes.some((n) => n.domain === 'ai.onnx.ml')) model.msg(8, new Pb().str(1, 'ai.onnx.ml').int(2, 3));
  for (const [k, v] of Object.entries(g.metadata ?? {})) model.msg(14, new Pb().str(1, k).str(2, v));
  return model.finish();
}

/**
 * The metadata_props (ModelProto field 14) of an ONNX file: a top-level protobuf scan that skips every
 * other field. Throws for bytes that are not a protobuf message.
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  let o = 0;
  const varint = (): number => {
    let v = 0, shift = 0, b: number;
    do {
      if (o >= bytes.length) throw new Error('truncated protobuf');
      b = bytes[o++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80 && shift < 64);
    return v;
  };
  const entries = (end: number, fn: (field: number, start: number, len: number) => void) => {
    while (o < end) {
      const key = varint(), field = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) varint();
      else if (wire === 1) o += 8;
      else if (wire === 5) o += 4;
      else if (wire === 2) { const len = varint(); const start = o; o += len; if (o > end) throw new Error('truncated protobuf'); fn(field, start, len); }
      else throw new Error(`unexpected protobuf wire type ${wire}`);
    }
  };
  const text = (start: number, len: number) => new TextDecoder().decode(bytes.subarray(start, start + len));
  const out: Record<string, string> = {};
  entries(bytes.length, (field, start, len) => {
    if (field !== 14) return;
    const saved = o;
    o = start;
    let k = '', v = '';
    entries(start + len, (f, s2, l2) => { if (f === 1) k = text(s2, l2); else if (f === 2) v = text(s2, l2); });
    o = saved;
    out[k] = v;
  });
  return out;
}
