// DICOMweb source (QIDO-RS search, WADO-RS retrieval) through dicomweb-client. Whole Part-10 instances are
// retrieved and read by the same in-browser reader as local files and the demo; a compressed transfer
// syntax is reported by name (see README: decoding compressed PACS data is not implemented yet).
import { api } from 'dicomweb-client';
import { parseDicom, groupSeries, type DicomInstance, type DicomSeriesInfo } from '../core/dicom/read';

export interface StudySummary {
  studyUid: string;
  patientName: string;
  patientId: string;
  date: string;
  description: string;
  modalities: string[];
}
export interface SeriesSummary {
  seriesUid: string;
  modality: string;
  description: string;
  count: number;
}
export interface StudyQuery {
  patient?: string;
  date?: string;
  modality?: string;
}

export class PacsError extends Error {
  constructor(message: string, readonly retryable = true) {
    super(message);
  }
}

type Json = Record<string, { vr: string; Value?: unknown[] }>;
const val = (o: Json, tag: string): string => {
  const v = o[tag]?.Value?.[0];
  if (v && typeof v === 'object' && 'Alphabetic' in (v as object)) return String((v as { Alphabetic: string }).Alphabetic);
  return v === undefined ? '' : String(v);
};

function describe(e: unknown, url: string, what: string): PacsError {
  const err = e as { status?: number; message?: string; name?: string };
  if (err?.name === 'AbortError' || /timeout/i.test(err?.message ?? '')) return new PacsError(`${what}: the PACS at ${url} did not answer in time (timeout)`);
  if (err?.status === 0 || (err?.status === undefined && /network|fetch|load|xhr|request/i.test(err?.message ?? 'network'))) {
    return new PacsError(`${what}: the PACS at ${url} is unreachable (${err?.message || 'network error'})`);
  }
  if (err?.status === undefined) return new PacsError(`${what}: ${err?.message ?? String(e)}`, false);
  if (err.status === 404) return new PacsError(`${what}: not found on the PACS (HTTP 404)`, false);
  if (err.status === 401 || err.status === 403) return new PacsError(`${what}: the PACS refused access (HTTP ${err.status})`, false);
  return new PacsError(`${what}: the PACS answered HTTP ${err.status}`);
}

export class DicomWebSource {
  private client: api.DICOMwebClient;
  constructor(readonly url: string, private timeoutMs = 30000) {
    this.client = new api.DICOMwebClient({ url, singlepart: 'bulkdata,video,image', headers: {} });
  }

  private async guard<T>(what: string, p: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(Object.assign(new Error('timeout'), { name: 'AbortError' })), this.timeoutMs); });
    try {
      return await Promise.race([p(), timeout]);
    } catch (e) {
      throw describe(e, this.url, what);
    } finally {
      clearTimeout(timer);
    }
  }

  async searchStudies(q: StudyQuery = {}): Promise<StudySummary[]> {
    const queryParams: Record<string, string> = {};
    if (q.patient) {
      const p = q.patient.trim();
      if (/^[\w.-]+$/.test(p) && /\d/.test(p)) queryParams.PatientID = p;
      else queryParams.PatientName = `*${p}*`;
    }
    if (q.date) queryParams.StudyDate = q.date.replace(/-/g, '');
    if (q.modality) queryParams.ModalitiesInStudy = q.modality;
    const rows = (await this.guard('Study search', async () => (await this.client.searchForStudies({ queryParams })) as Json[]));
    return rows.map((r) => ({
      studyUid: val(r, '0020000D'), patientName: val(r, '00100010'), patientId: val(r, '00100020'),
      date: val(r, '00080020'), description: val(r, '00081030'),
      modalities: (r['00080061']?.Value ?? []).map(String),
    }));
  }

  async listSeries(studyUid: string): Promise<SeriesSummary[]> {
    const rows = (await this.guard('Series list', async () => (await this.client.searchForSeries({ studyInstanceUID: studyUid })) as Json[]));
    return rows.map((r) => ({
      seriesUid: val(r, '0020000E'), modality: val(r, '00080060'), description: val(r, '0008103E'),
      count: Number(val(r, '00201209')) || 0,
    }));
  }

  /** Retrieves every instance of the chosen series, reporting progress per series. */
  async loadSeries(studyUid: string, series: SeriesSummary[], onProgress: (seriesUid: string, done: number, total: number) => void): Promise<DicomSeriesInfo[]> {
    const out: DicomInstance[] = [];
    for (const s of series) {
      const insts = await this.guard(`Instance list of ${s.modality} series`, async () =>
        (await this.client.searchForInstances({ studyInstanceUID: studyUid, seriesInstanceUID: s.seriesUid })) as Json[]);
      const uids = insts.map((r) => val(r, '00080018'));
      let done = 0;
      onProgress(s.seriesUid, 0, uids.length);
      const queue = [...uids];
      const worker = async () => {
        for (let uid = queue.shift(); uid; uid = queue.shift()) {
          // Default media type: the whole Part-10 instance (dicomweb-client parses the multipart answer).
          const retrieve = this.client.retrieveInstance as unknown as (o: object) => Promise<ArrayBuffer>;
          const buf = await this.guard(`${s.modality} image ${uid}`, () => retrieve.call(this.client, {
            studyInstanceUID: studyUid, seriesInstanceUID: s.seriesUid, sopInstanceUID: uid,
          }));
          out.push(parseDicom(buf, `${s.modality} instance ${uid}`));
          onProgress(s.seriesUid, ++done, uids.length);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    }
    return groupSeries(out);
  }
}
