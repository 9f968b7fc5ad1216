// Local files: a folder dropped on the page or chosen with the file picker, parsed in the browser.
import { readDicomFiles, type DicomSeriesInfo } from '../core/dicom/read';
import { StudyError } from '../core/study';
import type { DataSource } from './source';

interface LocalRead {
  series: DicomSeriesInfo[];
  /** Files that are not DICOM or could not be parsed, with the reason. */
  skipped: string[];
}

async function readLocalFiles(files: File[], onProgress?: (done: number, total: number) => void): Promise<LocalRead> {
  const buffers: { name: string; data: ArrayBuffer }[] = [];
  let done = 0;
  for (const f of files) {
    buffers.push({ name: f.webkitRelativePath || f.name, data: await f.arrayBuffer() });
    onProgress?.(++done, files.length);
  }
  const { series, errors } = readDicomFiles(buffers);
  return { series, skipped: errors };
}

/** Chosen files as a data source; files that are not DICOM are reported in a notice. */
export function localFilesSource(files: File[]): DataSource {
  return {
    retryable: false,
    async load(report) {
      const { series, skipped } = await readLocalFiles(files, (done, total) => report.progress('local', 'Local files', done, total));
      if (!series.length) throw new StudyError(skipped.length ? `No DICOM images in the chosen files. ${skipped.slice(0, 3).join('; ')}` : 'No files were chosen.');
      const notices = skipped.length ? [`${skipped.length} file(s) skipped: ${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? ' …' : ''}`] : [];
      return { series, notices };
    },
  };
}

/** Files of a drop event, walking dropped folders. */
export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean) as FileSystemEntry[];
  if (!entries.length) return [...dt.files];
  const out: File[] = [];
  const walk = async (e: FileSystemEntry): Promise<void> => {
    if (e.isFile) {
      out.push(await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej)));
    } else if (e.isDirectory) {
      const reader = (e as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const c of batch) await walk(c);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}
