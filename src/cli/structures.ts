// npm run --silent structures -- --image DIR --labels FILE --format seg|rtstruct|nifti --out FILE
//   [--skip-unmapped] [--accept-other-series] [--force]
// Converts a structure set between DICOM SEG, RTSTRUCT and a NIfTI label map on the image series in DIR (as
// dcmqi's converters do), mapping segment names to the vocabulary as the viewer's import does. Prints one JSON
// object: {format, out, structures: [{name, label, voxels, from}], warnings}. Errors: stderr, non-zero exit.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { readArrayBuffer } from './files';
import { readDicomSeries } from '../core/dicom/read';
import { CT_SOP_CLASS, PT_SOP_CLASS } from '../core/dicom/write';
import { readStructureFile, structureExporter, type StructureFormatId } from '../core/io/structureFormats';
import { applySegments, proposeTarget, sourceSeriesOf, vocabularyTarget, type Target } from '../core/io/structureMapping';
import { emptyMeta } from '../core/contours/structureSet';
import { structureByLabel } from '../core/vocabulary';
import { geometryOf } from '../core/volume';
import { labelStats } from '../core/labelStats';

const USAGE = 'npm run --silent structures -- --image DIR --labels FILE --format seg|rtstruct|nifti --out FILE [--skip-unmapped] [--accept-other-series] [--force]';
const FORMATS: Record<string, StructureFormatId> = { seg: 'SEG', rtstruct: 'RTSTRUCT', nifti: 'NIfTI' };

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['image', 'labels', 'format', 'out'], flags: ['skip-unmapped', 'accept-other-series', 'force'] });
  const one = (k: string) => {
    const v = a[k];
    if (!v) throw new UsageError(`--${k} is required`);
    if (v.length > 1) throw new UsageError(`--${k} given ${v.length} times`);
    return v[0];
  };
  const image = one('image'), labelsPath = one('labels'), out = one('out'), format = FORMATS[one('format').toLowerCase()];
  if (!format) throw new UsageError(`--format must be seg, rtstruct or nifti (got "${a.format[0]}")`);
  if (!existsSync(image) || !statSync(image).isDirectory()) throw new UsageError(`--image ${image} is not a folder of DICOM files`);
  if (!existsSync(labelsPath)) throw new UsageError(`--labels ${labelsPath} does not exist`);
  if (existsSync(out) && !a.force) throw new UsageError(`${out} exists (use --force to overwrite it)`);

  const files = readdirSync(image).filter((f) => !f.startsWith('.')).map((f) => join(image, f)).filter((f) => statSync(f).isFile());
  const { volume, series, sorted } = readDicomSeries(files.map((f) => ({ name: f, data: readArrayBuffer(f) })));
  const grid = geometryOf(volume);
  const source = sourceSeriesOf(series, sorted, series.modality === 'CT' ? CT_SOP_CLASS : PT_SOP_CLASS);

  const read = readStructureFile(labelsPath, readArrayBuffer(labelsPath), [{ name: `${series.modality || 'image'} series`, geometry: grid, seriesUid: series.seriesUid, frameOfReferenceUid: series.frameOfReferenceUid || undefined }], { acceptOtherSeries: !!a['accept-other-series'] });
  const map = read.labelMap();
  const warnings = [...read.warnings, ...map.warnings];
  const segments = read.segments.map((s) => ({ ...s, voxels: map.voxels.get(s.id) ?? 0 }));
  const mapping = new Map<number, Target>(segments.map((s) => [s.id, read.kind === 'NIfTI' ? vocabularyTarget(s.id) : proposeTarget(s.name)]));
  const unmapped = segments.filter((s) => mapping.get(s.id) === 'skip');
  if (unmapped.length) {
    const list = unmapped.map((s) => `"${s.name}"`).join(', ');
    if (!a['skip-unmapped']) throw new Error(`${labelsPath}: no vocabulary structure for ${list} (rename them, or pass --skip-unmapped to leave them out)`);
    warnings.push(`left out (no vocabulary structure): ${list}`);
  }
  for (const s of segments) if (!s.voxels && mapping.get(s.id) !== 'skip') warnings.push(`segment "${s.name}" has no voxel on the image grid and was left out`);

  const labels = { ...grid, data: new Uint8Array(volume.data.length) };
  const meta = emptyMeta();
  const { assigned } = applySegments(labels, meta, { labels: map.labels, segments }, mapping);
  const written = labelStats(labels);
  if (!written.size) throw new Error(`${labelsPath}: no structure with voxels on the image grid; nothing written`);
  const bytes = structureExporter(format).write({ labels, meta, source, seed: `${source.seriesUid}/${Date.now()}` });
  writeFileSync(out, new Uint8Array(bytes));

  const from = new Map([...assigned].map(([id, label]) => [label, segments.find((s) => s.id === id)!.name]));
  const structures = [...written.entries()].map(([label, r]) => ({ name: structureByLabel(label)?.name ?? `Label ${label}`, label, voxels: r.voxels, from: from.get(label) }));
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(`${JSON.stringify({ format, out, structures, warnings }, null, 2)}\n`);
}, USAGE);
