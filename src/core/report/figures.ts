// The report's figures, drawn by one rasteriser into RGBA pixels (PNG through fast-png), the same in the browser
// and in Node: the coronal PET MIP with the contours, an axial fused PET/CT slice through each tumour's SUVmax with
// its contour, and the dose chart with 90 % intervals and the organ limits. Text is not rasterised: each figure
// lists its labels with pixel positions, and the PDF and the print view set them in the report's font.
import { encode } from 'fast-png';
import { index, indexToWorld, sampleAt, type Volume } from '../volume';
import { structureByName } from '../vocabulary';
import { groupOfType, thresholdGy, TUMOUR_CUMULATIVE_NOTE, type OrganLimit } from '../dose/plan';
import type { Report } from './content';

export type Rgb = [number, number, number];

export interface FigureLabel { x: number; y: number; text: string; align?: 'left' | 'center' | 'right'; color?: Rgb; size?: number }

export interface Figure {
  id: string;
  title: string;
  caption: string;
  width: number;
  height: number;
  rgba: Uint8Array;
  labels: FigureLabel[];
}

/** An RGBA raster with the few primitives the figures need. */
export class Raster {
  readonly rgba: Uint8Array;
  constructor(readonly width: number, readonly height: number, fill: Rgb = [255, 255, 255]) {
    this.rgba = new Uint8Array(width * height * 4);
    for (let n = 0; n < width * height; n++) this.rgba.set([fill[0], fill[1], fill[2], 255], n * 4);
  }
  /** Blends a colour into one pixel (alpha 0–1); outside the raster nothing happens. */
  set(x: number, y: number, c: Rgb, alpha = 1): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4, a = Math.max(0, Math.min(1, alpha));
    for (let n = 0; n < 3; n++) this.rgba[o + n] = Math.round(this.rgba[o + n] * (1 - a) + c[n] * a);
  }
  get(x: number, y: number): Rgb {
    const o = (y * this.width + x) * 4;
    return [this.rgba[o], this.rgba[o + 1], this.rgba[o + 2]];
  }
  rect(x0: number, y0: number, w: number, h: number, c: Rgb, alpha = 1): void {
    for (let y = Math.round(y0); y < Math.round(y0 + h); y++) for (let x = Math.round(x0); x < Math.round(x0 + w); x++) this.set(x, y, c, alpha);
  }
  /** A line (Bresenham), `dash` = [on, off] pixels. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, width = 1, dash?: [number, number]): void {
    x0 = Math.round(x0); y0 = Math.round(y0); x1 = Math.round(x1); y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    let err = dx + dy, step = 0;
    const half = Math.floor((width - 1) / 2);
    for (;;) {
      if (!dash || step % (dash[0] + dash[1]) < dash[0]) {
        for (let a = -half; a < width - half; a++) for (let b = -half; b < width - half; b++) this.set(x0 + a, y0 + b, c);
      }
      step++;
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }
  /** Outlines a binary mask of the raster's size (pixels inside with a 4-neighbour outside). */
  outline(mask: Uint8Array, c: Rgb): number {
    let n = 0;
    const { width: w, height: h } = this;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1 || !mask[y * w + x - 1] || !mask[y * w + x + 1] || !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x]) { this.set(x, y, c); n++; }
    }
    return n;
  }
}

/** PNG bytes of a figure. */
export function figurePng(f: Pick<Figure, 'width' | 'height' | 'rgba'>): Uint8Array {
  return encode({ width: f.width, height: f.height, data: f.rgba, depth: 8, channels: 4 });
}

const colourOf = (name: string): Rgb => (structureByName(name)?.color ?? [0, 160, 255]) as Rgb;

/** The display axes of a volume: index axis and direction (+1/−1) that runs towards patient left (x), posterior (y), superior (z). */
function axes(v: Volume): { x: [number, number]; y: [number, number]; z: [number, number] } {
  const d = v.direction;
  const find = (lps: number): [number, number] => {
    let best = 0;
    for (let a = 0; a < 3; a++) if (Math.abs(d[a * 3 + lps]) > Math.abs(d[best * 3 + lps])) best = a;
    return [best, Math.sign(d[best * 3 + lps]) || 1];
  };
  return { x: find(0), y: find(1), z: find(2) };
}

export const MIP_SUV_MAX = 10;
export const FUSED_SUV_MAX = 10;
export const CT_WINDOW: [number, number] = [-160, 240];

/**
 * Coronal maximum-intensity projection of the SUV (anterior view: patient right on the image left, head up),
 * inverted grey 0–MIP_SUV_MAX, with each structure's projected outline in its colour and its name.
 */
export function mipFigure(suv: Volume<Float32Array>, labels: Volume, names: string[], maxHeight = 520): Figure {
  const ax = axes(suv);
  const [ai, si] = ax.x, [aj] = ax.y, [ak, sk] = ax.z;
  const n = suv.dims, s = suv.spacing;
  const mm = Math.max((n[ak] * s[ak]) / maxHeight, (n[ai] * s[ai]) / 400);
  const width = Math.max(1, Math.round((n[ai] * s[ai]) / mm)), height = Math.max(1, Math.round((n[ak] * s[ak]) / mm));
  // Projection on the volume's own (column, slice) grid first, then nearest-neighbour scaling.
  const mip = new Float32Array(n[ai] * n[ak]);
  const want = new Map(names.flatMap((nm) => { const d = structureByName(nm); return d ? [[d.label, nm] as const] : []; }));
  const proj = new Map<number, Uint8Array>([...want.keys()].map((l) => [l, new Uint8Array(n[ai] * n[ak])]));
  const ijk = [0, 0, 0];
  for (let c = 0; c < n[ai]; c++) for (let r = 0; r < n[ak]; r++) {
    let mx = 0;
    ijk[ai] = c; ijk[ak] = r;
    for (let t = 0; t < n[aj]; t++) {
      ijk[aj] = t;
      const v = index(suv, ijk[0], ijk[1], ijk[2]);
      if (suv.data[v] > mx) mx = suv.data[v];
      const l = labels.data[v];
      if (l) { const pm = proj.get(l); if (pm) pm[c + n[ai] * r] = 1; }
    }
    mip[c + n[ai] * r] = mx;
  }
  const img = new Raster(width, height);
  const colOf = (x: number) => { const c = Math.min(n[ai] - 1, Math.floor(((x + 0.5) / width) * n[ai])); return si > 0 ? c : n[ai] - 1 - c; };
  const rowOf = (y: number) => { const r = Math.min(n[ak] - 1, Math.floor(((y + 0.5) / height) * n[ak])); return sk > 0 ? n[ak] - 1 - r : r; };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const g = 255 - Math.round(255 * Math.min(1, mip[colOf(x) + n[ai] * rowOf(y)] / MIP_SUV_MAX));
    img.set(x, y, [g, g, g]);
  }
  const labelsOut: FigureLabel[] = [];
  for (const [l, nm] of want) {
    const m = proj.get(l)!;
    const scaled = new Uint8Array(width * height);
    let top = -1, right = 0;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      if (!m[colOf(x) + n[ai] * rowOf(y)]) continue;
      scaled[y * width + x] = 1;
      if (top < 0) { top = y; right = x; }
      if (y === top && x > right) right = x;
    }
    if (img.outline(scaled, colourOf(nm)) && top >= 0) labelsOut.push({ x: right + 3, y: top, text: nm, color: colourOf(nm), size: 7 });
  }
  return {
    id: 'mip', title: 'PET maximum-intensity projection', width, height, rgba: img.rgba, labels: labelsOut,
    caption: `Coronal MIP (anterior view, patient right on the left), inverted grey SUVbw 0–${MIP_SUV_MAX}; outlines: the structures of the report.`,
  };
}

/** Hot-iron colour of a value in 0–1 (black → red → yellow → white). */
function hot(t: number): Rgb {
  const c = Math.max(0, Math.min(1, t));
  return [Math.round(255 * Math.min(1, c * 2.5)), Math.round(255 * Math.max(0, Math.min(1, c * 2.5 - 1))), Math.round(255 * Math.max(0, Math.min(1, c * 3 - 2)))];
}

/** Where a structure's SUVmax lies (voxel index on the SUV grid), or undefined when it has no voxel. */
export function suvMaxVoxel(suv: Volume<Float32Array>, labels: Volume, label: number): number | undefined {
  let best = -Infinity, at: number | undefined;
  for (let v = 0; v < labels.data.length; v++) if (labels.data[v] === label && suv.data[v] > best) { best = suv.data[v]; at = v; }
  return at;
}

/**
 * Axial slice through a tumour's SUVmax: CT grey (window −160–240 HU) with the PET in hot iron (SUV 0–FUSED_SUV_MAX,
 * more opaque where hotter), a field of `fovMm` around the SUVmax, the tumour's outline and a cross at its SUVmax.
 * Without a CT the PET alone is shown.
 */
export function axialFusedFigure(suv: Volume<Float32Array>, labels: Volume, ct: Volume | undefined, name: string, fovMm = 160, size = 240): Figure | undefined {
  const def = structureByName(name);
  if (!def) return undefined;
  const at = suvMaxVoxel(suv, labels, def.label);
  if (at === undefined) return undefined;
  const [nx, ny] = suv.dims;
  const i0 = at % nx, j0 = Math.floor(at / nx) % ny, k0 = Math.floor(at / (nx * ny));
  const ax = axes(suv);
  // The axial plane: in-plane axes are the volume's x and y display axes (patient right on the left, anterior up).
  const [ai, si] = ax.x, [aj, sj] = ax.y;
  const centre = [i0, j0, k0];
  const mmPerPx = fovMm / size;
  const img = new Raster(size, size, [0, 0, 0]);
  const mask = new Uint8Array(size * size);
  const ijk = [0, 0, 0];
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    // Pixel → continuous index along each in-plane axis (display directions follow LPS).
    const di = (((x + 0.5) * mmPerPx - fovMm / 2) / suv.spacing[ai]) * si;
    const dj = (((y + 0.5) * mmPerPx - fovMm / 2) / suv.spacing[aj]) * sj;
    ijk[0] = centre[0]; ijk[1] = centre[1]; ijk[2] = centre[2];
    ijk[ai] = centre[ai] + di; ijk[aj] = centre[aj] + dj;
    const world = indexToWorld(suv, ijk[0], ijk[1], ijk[2]);
    let base: Rgb = [0, 0, 0];
    if (ct) {
      const h = sampleAt(ct, world);
      if (h) { const g = Math.round(255 * Math.max(0, Math.min(1, (h.value - CT_WINDOW[0]) / (CT_WINDOW[1] - CT_WINDOW[0])))); base = [g, g, g]; }
    }
    img.set(x, y, base);
    const p = sampleAt(suv, world);
    if (!p) continue;
    const t = p.value / FUSED_SUV_MAX;
    if (ct) { if (t > 0.05) img.set(x, y, hot(t), Math.min(0.85, 0.25 + t)); }
    else img.set(x, y, hot(t));
    if (labels.data[index(labels, p.ijk[0], p.ijk[1], p.ijk[2])] === def.label) mask[y * size + x] = 1;
  }
  img.outline(mask, [0, 255, 128]);
  const c = size / 2;
  img.line(c - 6, c, c - 2, c, [0, 255, 255]); img.line(c + 2, c, c + 6, c, [0, 255, 255]);
  img.line(c, c - 6, c, c - 2, [0, 255, 255]); img.line(c, c + 2, c, c + 6, [0, 255, 255]);
  const z = indexToWorld(suv, i0, j0, k0)[2];
  return {
    id: `axial-${name}`, title: `${name}: axial slice through its SUVmax`, width: size, height: size, rgba: img.rgba,
    labels: [{ x: 4, y: 4, text: `${name}  z = ${z.toFixed(0)} mm`, color: [255, 255, 255], size: 8 }, { x: 4, y: size - 12, text: 'R', color: [255, 255, 255], size: 8 }, { x: size - 4, y: size - 12, text: 'L', align: 'right', color: [255, 255, 255], size: 8 }],
    caption: `${ct ? `CT (${CT_WINDOW[0]} to ${CT_WINDOW[1]} HU) fused with ` : 'PET only (no CT): '}PET SUVbw 0–${FUSED_SUV_MAX} (hot iron), ${fovMm} mm field centred on the SUVmax (cross); green: the contour of ${name}.`,
  };
}

const LIMIT_COLOUR: Rgb = [200, 60, 20], REFERENCE_COLOUR: Rgb = [170, 120, 0], BAR_COLOUR: Rgb = [70, 120, 190], WHISKER: Rgb = [20, 30, 50];

/** A round tick step giving about four ticks up to `max`. */
function ticks(max: number): number[] {
  const raw = max / 4, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw)!;
  return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
}

/**
 * Cumulative dose per structure (bars, point estimate) with the 90 % interval (whiskers), tumours and organs at risk
 * in two plots with their own scales; over each gland type its limit (solid) and references (dashed), as the Dose panel.
 */
export function doseChartFigure(report: Report, limits: OrganLimit[]): Figure {
  const a = report.plan.activityGBq, n = report.plan.cycles;
  const parts = [report.rows.filter((r) => r.type === 'tumour'), report.rows.filter((r) => r.type !== 'tumour')].filter((p) => p.length);
  const STEP = 34, BAR = 20, GAP = 26, LEFT = 40, PLOT_H = 150, TOP = 18, BELOW = 28, SPACE = 24, RIGHT = 44;
  const widthOf = (rows: typeof report.rows) => LEFT + 8 + rows.length * STEP + rows.filter((r, i) => i && r.type !== rows[i - 1].type).length * GAP + RIGHT;
  const width = Math.max(320, ...parts.map(widthOf));
  const height = Math.max(1, parts.length) * (TOP + PLOT_H + BELOW + SPACE);
  const img = new Raster(width, height);
  const labels: FigureLabel[] = [];
  parts.forEach((rows, pi) => {
    const y0 = pi * (TOP + PLOT_H + BELOW + SPACE) + TOP, base = y0 + PLOT_H;
    labels.push({ x: LEFT, y: y0 - 14, text: rows[0].type === 'tumour' ? `Tumours: cumulative Gy (${a} GBq × ${n}), ${TUMOUR_CUMULATIVE_NOTE}` : `Organs at risk: cumulative Gy (${a} GBq × ${n}) with limits and references`, size: 8 });
    let x = LEFT + 8;
    const bars = rows.map((r, i) => { if (i && r.type !== rows[i - 1].type) x += GAP; const b = { r, x }; x += STEP; return b; });
    const lines: { gy: number; l: OrganLimit; x1: number; x2: number; what: string }[] = [];
    for (const l of limits) {
      const t = thresholdGy(l);
      const mine = bars.filter((b) => groupOfType(b.r.type) === l.group);
      if (t === undefined || !(t > 0) || !mine.length) continue;
      const x1 = mine[0].x - 4, x2 = mine.at(-1)!.x + BAR + 4;
      if (l.appliesTo === 'one-or-mean' && (l.spareGy ?? 0) > 0) lines.push({ gy: l.spareGy!, l, x1, x2, what: 'one gland' });
      lines.push({ gy: t, l, x1, x2, what: l.appliesTo === 'each' ? 'per gland' : 'mean' });
    }
    const max = Math.max(1.25 * Math.max(0, ...rows.map((r) => r.gyCumulative).filter(Number.isFinite)), ...lines.map((l) => 1.1 * l.gy), 1);
    const yOf = (v: number) => Math.max(y0, base - (PLOT_H * v) / max);
    for (const t of ticks(max)) {
      const y = yOf(t);
      img.line(LEFT, y, width - RIGHT + 10, y, [225, 225, 225]);
      labels.push({ x: LEFT - 4, y: y - 5, text: String(+t.toPrecision(3)), align: 'right', size: 7 });
    }
    img.line(LEFT, y0, LEFT, base, [0, 0, 0]); img.line(LEFT, base, width - RIGHT + 10, base, [0, 0, 0]);
    for (const b of bars) {
      const r = b.r, top = yOf(r.gyCumulative);
      if (Number.isFinite(r.gyCumulative)) img.rect(b.x, top, BAR, base - top, colourOf(r.name), 0.85);
      const lo = yOf(r.lo * a * n), hi = yOf(r.gyCumulativeHi);
      const cx = b.x + BAR / 2;
      if (Number.isFinite(lo) && Number.isFinite(hi)) {
        img.line(cx, lo, cx, hi, WHISKER); img.line(cx - 4, lo, cx + 4, lo, WHISKER); img.line(cx - 4, hi, cx + 4, hi, WHISKER);
      }
      labels.push({ x: cx, y: base + 3, text: r.name.replace('Submandibular', 'SMG').replace('Lacrimal', 'Lacr.').replace('Parotid', 'Par.').replace('Kidney', 'Kid.'), align: 'center', size: 7 });
    }
    for (const l of lines) {
      const colour = l.l.kind === 'limit' ? LIMIT_COLOUR : REFERENCE_COLOUR;
      const dash: [number, number] | undefined = l.l.kind === 'limit' ? undefined : l.l.appliesTo === 'one-or-mean' ? [2, 3] : [6, 3];
      img.line(l.x1, yOf(l.gy), l.x2, yOf(l.gy), colour, 2, dash);
      labels.push({ x: l.x2 + 2, y: yOf(l.gy) - 5, text: `${l.gy} Gy`, color: colour, size: 7 });
    }
  });
  if (!parts.length) labels.push({ x: 10, y: 10, text: 'No predicted doses', size: 9 });
  return {
    id: 'dose-chart', title: 'Cumulative dose per structure', width, height, rgba: img.rgba, labels,
    caption: 'Bars: cumulative dose from the point estimate; whiskers: 90 % prediction interval; solid lines: limits; dashed: references (QUANTEC parotid dotted; references, not limits).',
  };
}

/** Every figure of a report: the MIP, one axial slice per predicted tumour, the dose chart. */
export function reportFigures(report: Report, images: { suv: Volume<Float32Array>; labels: Volume; ct?: Volume }, limits: OrganLimit[]): Figure[] {
  const names = report.rows.map((r) => r.name);
  const slices = report.rows.filter((r) => r.type === 'tumour').flatMap((r) => axialFusedFigure(images.suv, images.labels, images.ct, r.name) ?? []);
  return [mipFigure(images.suv, images.labels, names), ...slices, doseChartFigure(report, limits)];
}
