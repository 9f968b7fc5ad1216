// The built-in demo patient: the synthetic PSMA PET/CT generated in the browser and written as DICOM in
// memory, then read through the same path as local files. Its generator truth comes as the structure set.
import { defaultPatientSpec, generatePatient } from '../core/phantom/generate';
import { writeCtSeries, writePtSeries } from '../core/phantom/dicom';
import { readDicomFiles } from '../core/dicom/read';
import { emptyMeta } from '../core/contours/structureSet';
import type { DataSource } from './source';

/** Source name of the demo's untouched truth structures (not saved locally until edited). */
export const DEMO_TRUTH = 'demo patient (generator truth)';

export function demoSource(seed = 1): DataSource {
  return {
    retryable: true,
    async load(report) {
      report.status('Generating the demo patient…');
      await new Promise((r) => setTimeout(r, 20)); // lets the status paint before the generator blocks
      performance.mark('demo-start');
      const patient = generatePatient(defaultPatientSpec(seed));
      const files = [...writeCtSeries(patient).files, ...writePtSeries(patient).files];
      performance.mark('demo-files-ready');
      const { series } = readDicomFiles(files);
      performance.mark('demo-parsed');
      const meta = emptyMeta();
      for (const t of patient.truth.structures) if (t.type === 'tumour' && t.site) meta.tumours[t.label] = { site: t.site };
      return { series, notices: [], structures: { labels: patient.labels, source: DEMO_TRUTH, meta } };
    },
  };
}
