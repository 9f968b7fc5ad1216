// npm run --silent features -- --image IMG --mask MASK [--label N] [--reference NAME]…
//   [--ibsi-config DP|A|B|C|D|E | --settings FILE] [--suv bw|lbm|none]
// Prints one JSON object: {settings, diagnostics, features[, uptake], warnings}. Errors: stderr, non-zero exit.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { readNifti } from '../core/io/nifti';
import { readSeg } from '../core/io/seg';
import { readRtstruct, rasteriseRoi, findRoi } from '../core/io/rtstruct';
import { readDicomSeries } from '../core/dicom/read';
import { petSeriesSuv, type SuvKind } from '../core/study';
import { computeFeatures, checkSameGrid, labelMask, FeatureError } from '../core/radiomics/engine';
import { IBSI_CONFIGS, CLINICAL_PET, parseSettings, type RadiomicsSettings } from '../core/radiomics/settings';
import { structureByName } from '../core/vocabulary';
import type { Volume } from '../core/volume';

const USAGE = 'npm run --silent features -- --image IMG --mask MASK [--label N] [--reference NAME]… [--ibsi-config DP|A|B|C|D|E | --settings FILE] [--suv bw|lbm|none]';

const buf = (path: string) => {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};
const isNifti = (p: string) => /\.nii(\.gz)?$/i.test(p);

interface Image { volume: Volume; modality?: string; seriesUid?: string; suvType?: string; warnings?: string[] }

function readImage(path: string, suv: string): Image {
  if (!existsSync(path)) throw new UsageError(`--image ${path} does not exist`);
  if (statSync(path).isFile() && isNifti(path)) return { volume: readNifti(buf(path), path) };
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => !f.startsWith('.')).map((f) => join(path, f)).filter((f) => statSync(f).isFile())
    : [path];
  const { volume, series, sorted } = readDicomSeries(files.map((f) => ({ name: f, data: buf(f) })));
  if (series.modality !== 'PT' || suv === 'none') return { volume, modality: series.modality, seriesUid: series.seriesUid, suvType: series.modality === 'PT' ? 'none' : undefined };
  const r = petSeriesSuv(volume, sorted, suv as SuvKind);
  if (!r.ok) throw new FeatureError(suv === 'bw' ? `${r.reason} (use --suv none for raw values)` : r.reason);
  return { volume: r.volume, modality: 'PT', seriesUid: series.seriesUid, suvType: r.label, warnings: r.warnings.map((w) => `SUV: ${w}`) };
}

/** A region of the mask file by label number or name. */
type MaskReader = (label: string | undefined, what: string) => Uint8Array;

function maskReader(path: string, image: Image): MaskReader {
  if (!existsSync(path)) throw new UsageError(`--mask ${path} does not exist`);
  if (isNifti(path)) {
    const m = readNifti(buf(path), path);
    checkSameGrid(image.volume, m);
    return (label, what) => {
      const present = new Set<number>();
      for (const v of m.data) if (v) present.add(v);
      let n: number | undefined;
      if (label === undefined) {
        if (present.size > 1) throw new UsageError(`the mask has ${present.size} labels (${[...present].join(', ')}); choose one with --label`);
        n = [...present][0];
      } else n = /^\d+$/.test(label) ? Number(label) : structureByName(label)?.label;
      if (n === undefined || !present.has(n)) throw new FeatureError(`${what} "${label}" does not exist in the mask (labels present: ${[...present].join(', ') || 'none'})`);
      return labelMask(m, n);
    };
  }
  const data = buf(path);
  const head = new Uint8Array(data, 128, 4);
  if (String.fromCharCode(...head) !== 'DICM') throw new UsageError(`--mask ${path} is neither NIfTI nor DICOM`);
  const text = new TextDecoder('latin1').decode(new Uint8Array(data, 0, Math.min(data.byteLength, 4096)));
  if (text.includes('RTSTRUCT')) {
    const rt = readRtstruct(data, path);
    return (label) => {
      const { mask, warnings } = rasteriseRoi(findRoi(rt.rois, label), image.volume);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      return mask;
    };
  }
  const seg = readSeg(data, image.volume, { expectSeriesUid: image.seriesUid, name: path });
  return (label, what) => {
    const s = label === undefined
      ? seg.segments.length === 1 ? seg.segments[0] : undefined
      : seg.segments.find((x) => String(x.number) === label || x.name.toLowerCase() === label.toLowerCase());
    if (!s) throw new FeatureError(label === undefined ? `the SEG has ${seg.segments.length} segments (${seg.segments.map((x) => x.name).join(', ')}); choose one with --label` : `${what} "${label}" is not a segment of the SEG (${seg.segments.map((x) => `${x.number} ${x.name}`).join(', ')})`);
    return labelMask(seg.labels, s.label);
  };
}

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['image', 'mask', 'label', 'reference', 'ibsi-config', 'settings', 'suv'] });
  if (!a.image) throw new UsageError('--image is required');
  if (!a.mask) throw new UsageError('--mask is required');
  if (a['ibsi-config'] && a.settings) throw new UsageError('give either --ibsi-config or --settings, not both');
  const suv = a.suv?.[0] ?? 'bw';
  if (!['bw', 'lbm', 'none'].includes(suv)) throw new UsageError(`--suv must be bw, lbm or none (got "${suv}")`);
  let settings: RadiomicsSettings = CLINICAL_PET;
  if (a['ibsi-config']) {
    const c = a['ibsi-config'][0].toUpperCase() as keyof typeof IBSI_CONFIGS;
    if (!(c in IBSI_CONFIGS)) throw new UsageError(`--ibsi-config must be one of DP, A, B, C, D, E (got "${a['ibsi-config'][0]}")`);
    settings = IBSI_CONFIGS[c];
  } else if (a.settings) {
    let json: unknown;
    try { json = JSON.parse(readFileSync(a.settings[0], 'utf8')); } catch (e) { throw new UsageError(`--settings ${a.settings[0]}: ${(e as Error).message}`); }
    settings = parseSettings(json);
  }
  const image = readImage(a.image[0], suv);
  const masks = maskReader(a.mask[0], image);
  const roi = masks(a.label?.[0], 'label');
  const references: Record<string, Uint8Array> = {};
  for (const r of a.reference ?? []) references[r.replace(/\s+/g, '_')] = masks(r, 'reference region');
  const isPet = image.modality === 'PT';
  const result = computeFeatures(image.volume, roi, settings, { uptake: isPet || Object.keys(references).length > 0, references });
  const out = {
    settings: { ...result.settings, profile: settings.name, ...(image.suvType ? { suv: image.suvType } : {}), image: a.image[0], mask: a.mask[0], label: a.label?.[0] ?? null },
    diagnostics: result.diagnostics,
    features: result.features,
    ...(result.uptake ? { uptake: result.uptake } : {}),
    warnings: [...(image.warnings ?? []), ...result.warnings],
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}, USAGE);
