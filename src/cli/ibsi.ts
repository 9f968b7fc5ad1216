// npm run ibsi -- --data ../shared/ibsi [--strict] [--json] [--configs DP,A,B,C,D,E]
// Runs the IBSI 1 digital phantom and CT phantom configurations and reports reference-value matches.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, run, UsageError } from './args';
import { readNifti } from '../core/io/nifti';
import { toFloat32, type Volume } from '../core/volume';
import { computeFeatures, labelMask } from '../core/radiomics/engine';
import { IBSI_CONFIGS } from '../core/radiomics/settings';
import { compare, diagnosticRows, featureRows, type Comparison } from '../core/radiomics/conformance';

const USAGE = 'npm run ibsi -- --data DIR [--configs DP,A,B,C,D,E] [--strict] [--json]';

run(async () => {
  const a = parseArgs(process.argv.slice(2), { values: ['data', 'configs'], flags: ['strict', 'json'] });
  const data = a.data?.[0];
  if (!data) throw new UsageError('--data is required (the IBSI reference folder, e.g. ../shared/ibsi)');
  if (!existsSync(join(data, 'reference_values'))) throw new Error(`${data} does not look like the IBSI folder (no reference_values/)`);
  const configs = (a.configs?.[0] ?? 'DP,A,B,C,D,E').split(',') as (keyof typeof IBSI_CONFIGS)[];
  for (const c of configs) if (!(c in IBSI_CONFIGS)) throw new UsageError(`unknown configuration "${c}"`);
  const rv = (f: string) => readFileSync(join(data, 'reference_values', f), 'utf8');
  const report: Record<string, { features: Comparison; diagnostics?: Comparison; seconds: number; error?: string }> = {};
  let ct: { image: Volume; mask: Uint8Array } | undefined;
  for (const c of configs) {
    const t0 = performance.now();
    const rows = c === 'DP' ? featureRows(rv('ibsi1_digital_phantom_reference_values.csv'), 'digital_phantom') : featureRows(rv('ibsi1_ct_phantom_reference_values_configs_A-E.csv'), c);
    const diag = c === 'DP' ? undefined : diagnosticRows(rv('ibsi1_ct_phantom_diagnostic_features_configs_A-E.csv'), c);
    let image, mask;
    if (c === 'DP') {
      image = readNifti(readFileSync(join(data, 'ibsi_1_digital_phantom/nifti/image/phantom.nii.gz')));
      mask = labelMask(readNifti(readFileSync(join(data, 'ibsi_1_digital_phantom/nifti/mask/mask.nii.gz'))), 1);
    } else {
      if (!ct) {
        const img = readNifti(readFileSync(join(data, 'ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz')));
        // Upstream advice: intensities as 32-bit float rounded to the nearest integer.
        const f = toFloat32(img);
        f.data.forEach((v, n) => (f.data[n] = Math.round(v)));
        ct = { image: f, mask: labelMask(readNifti(readFileSync(join(data, 'ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz')))) };
      }
      image = ct.image; mask = ct.mask;
    }
    try {
      const r = computeFeatures(image, mask, IBSI_CONFIGS[c]);
      report[c] = { features: compare(rows, r.features), diagnostics: diag && compare(diag, r.diagnostics), seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      report[c] = { features: compare(rows, {}), diagnostics: diag && compare(diag, {}), seconds: (performance.now() - t0) / 1000, error: (e as Error).message };
    }
  }
  const total = Object.values(report).reduce((s, r) => s + r.features.total + (r.diagnostics?.total ?? 0), 0);
  const matched = Object.values(report).reduce((s, r) => s + r.features.matched + (r.diagnostics?.matched ?? 0), 0);
  if (a.json) {
    console.log(JSON.stringify({ matched, total, report }, null, 2));
  } else {
    for (const [c, r] of Object.entries(report)) {
      const f = r.features, d = r.diagnostics;
      console.log(`\n${c === 'DP' ? 'digital phantom' : `CT phantom config ${c}`}: features ${f.matched}/${f.total}${d ? `, diagnostics ${d.matched}/${d.total}` : ''} (${r.seconds.toFixed(1)} s)${r.error ? `  ERROR: ${r.error}` : ''}`);
      console.log('  ' + Object.entries(f.byFamily).map(([k, v]) => `${k} ${v.matched}/${v.total}`).join(' · '));
      for (const m of [...f.mismatches, ...(d?.mismatches ?? [])]) console.log(`  mismatch ${m.tag}: ${m.yours === null ? 'null' : +m.yours.toPrecision(6)} vs ${m.reference} ± ${m.tolerance}`);
    }
    console.log(`\nIBSI conformance: ${matched}/${total} reference values match (${((100 * matched) / total).toFixed(1)} %)`);
  }
  if (a.strict && matched < total) process.exit(1);
}, USAGE);
