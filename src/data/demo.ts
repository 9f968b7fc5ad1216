// The built-in demo patient: the synthetic PSMA PET/CT generated in the browser and written as DICOM in
// memory, then read through the same path as local files.
import { defaultPatientSpec, generatePatient, type SyntheticPatient } from '../core/phantom/generate';
import { writeCtSeries, writePtSeries } from '../core/phantom/dicom';
import { readDicomFiles, type DicomSeriesInfo } from '../core/dicom/read';

export const DEMO_SEED = 1;

export function demoPatient(seed = DEMO_SEED): SyntheticPatient {
  return generatePatient(defaultPatientSpec(seed));
}

export function demoFiles(p: SyntheticPatient): { name: string; data: ArrayBuffer }[] {
  return [...writeCtSeries(p).files, ...writePtSeries(p).files];
}

export function demoSeries(seed = DEMO_SEED): { patient: SyntheticPatient; series: DicomSeriesInfo[] } {
  const patient = demoPatient(seed);
  const files = demoFiles(patient);
  performance.mark('demo-files-ready');
  const { series } = readDicomFiles(files);
  performance.mark('demo-parsed');
  return { patient, series };
}
