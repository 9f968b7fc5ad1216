// npm run --silent features -- --image IMG --mask MASK [--label N] [--reference NAME]…
//   [--ibsi-config DP|A|B|C|D|E | --settings FILE] [--suv bw|lbm|none]
// Prints one JSON object: {settings, diagnostics, features[, uptake], warnings}; the warnings also go to stderr.
// Errors: stderr, non-zero exit.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { readArrayBuffer } from './files';
import { readNifti } from '../core/io/nifti';
import { sniffStructureFile } from '../core/io/structureFormats';
import { readDicomSeries } from '../core/dicom/read';
import { petSeriesSuv, type SuvKind } from '../core/study';
import { computeFeatures, FeatureError } from '../core/radiomics/engine';
import { IBSI_CONFIGS, CLINICAL_PET, parseSettings, type RadiomicsSettings } from '../core/radiomics/settings';
import type { Volume } from '../core/volume';

const USAGE = 'npm run --silent features -- --image IMG --mask MASK [--label N] [--reference NAME]… [--ibsi-config DP|A|B|C|D|E | --settings FILE] [--suv bw|lbm|none]';

const buf = readArrayBuffer;
const isNifti = (p: string) => /\.nii(\.gz)?$/i.test(p);

interface Image { volume: Volume; modality?: string; seriesUid?: string; frameOfReferenceUid?: string; suvType?: string; warnings?: string[] }

function readImage(path: string, suv: string): Image {
  if (!existsSync(path)) throw new UsageError(`--image ${path} does not exist`);
  if (statSync(path).isFile() && isNifti(path)) return { volume: readNifti(buf(path), path) };
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => !f.startsWith('.')).map((f) => join(path, f)).filter((f) => statSync(f).isFile())
    : [path];
  const { volume, series, sorted } = readDicomSeries(files.map((f) => ({ name: f, data: buf(f) })));
  const ids = { seriesUid: series.seriesUid, frameOfReferenceUid: series.frameOfReferenceUid || undefined };
  if (series.modality !== 'PT' || suv === 'none') return { volume, modality: series.modality, ...ids, suvType: series.modality === 'PT' ? 'none' : undefined };
  const r = petSeriesSuv(volume, sorted, suv as SuvKind);
  if (!r.ok) throw new FeatureError(suv === 'bw' ? `${r.reason} (use --suv none for raw values)` : r.reason);
  return { volume: r.volume, modality: 'PT', ...ids, suvType: r.label, warnings: r.warnings.map((w) => `SUV: ${w}`) };
}

/** A region of the mask file by label number or name. */
type MaskReader = (label: string | undefined, what: string) => Uint8Array;

function maskReader(path: string, image: Image): MaskReader {
  if (!existsSync(path)) throw new UsageError(`--mask ${path} does not exist`);
  const data = buf(path);
  let format;
  try { format = sniffStructureFile(path, data); } catch (e) { throw new UsageError(`--mask ${(e as Error).message}`); }
  // Contours drawn on another series of the frame of reference (e.g. RTSTRUCT on the CT, image the PET) are
  // rasterised onto the image by patient coordinates, with a warning; another frame of reference is refused.
  const file = format.read(path, data, [{ name: 'image', geometry: image.volume, seriesUid: image.seriesUid, frameOfReferenceUid: image.frameOfReferenceUid }], { acceptOtherSeries: true });
  for (const w of file.warnings) process.stderr.write(`warning: ${w}\n`);
  const list = file.segments.map((x) => `${x.number} ${x.name}`).join(', ') || 'none';
  return (label, what) => {
    const s = label === undefined
      ? file.segments.length === 1 ? file.segments[0] : undefined
      : file.segments.find((x) => String(x.number) === label || x.name.toLowerCase() === label.trim().toLowerCase());
    if (!s && label === undefined) throw new UsageError(`the ${file.kind} has ${file.segments.length} segments (${list}); choose one with --label`);
    if (!s) throw new FeatureError(`${what} "${label}" does not exist in the ${file.kind} (it has ${list})`);
    const { mask, warnings } = file.mask(s.id);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    return mask;
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
  for (const w of out.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(JSON.stringify(out) + '\n');
}, USAGE);
