// Malformed DICOM for tests: a series with each file's dataset changed (what a scanner, an anonymiser or a
// colleague's script might send), written back as Part-10 files.
import dcmjs from 'dcmjs';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

export type DicomFiles = { name: string; data: ArrayBuffer }[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Dataset = Record<string, any>;

/** The files with each naturalized dataset changed by `fn` (k = file index). */
export function rewriteDicom(files: DicomFiles, fn: (ds: Dataset, k: number) => void): DicomFiles {
  return files.map((f, k) => {
    const d = DicomMessage.readFile(f.data);
    const ds = DicomMetaDictionary.naturalizeDataset(d.dict);
    ds._meta = DicomMetaDictionary.naturalizeDataset(d.meta);
    fn(ds, k);
    return { name: f.name, data: dcmjs.data.datasetToDict(ds).write() };
  });
}
