// DICOMweb archive through dicomweb-client: QIDO-RS search, WADO-RS series metadata and pixel frames, STOW-RS.
// Its studies are data sources: the instances are then read by the same code as local files and the demo.
import { api } from 'dicomweb-client';
import dcmjs from 'dcmjs';
import { groupSeries, type DicomInstance, type DicomSeriesInfo } from '../core/dicom/read';
import { ENHANCED_VOLUME_SOP_CLASSES, framesOf } from '../core/dicom/multiframe';
import { checkVolumeSize } from '../core/dicom/validate';
import { StudyError } from '../core/study';
import type { DataSource, FrameStream, LoadReport, PartnerOffer, SeriesSummary, SourceStudy, StudyArchive, StudyQuery, StudySummary } from './source';

const { DicomMetaDictionary } = dcmjs.data;

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

/** WADO-RS frames (one part each) as one buffer. */
function concatFrames(parts: (ArrayBuffer | Uint8Array)[]): ArrayBuffer {
  const views = parts.map((f) => (f instanceof ArrayBuffer ? new Uint8Array(f) : f));
  if (views.length === 1) {
    const v = views[0];
    // A part that is its own buffer (dicomweb-client slices each part out of the response) is used as it is.
    if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer) return v.buffer;
    return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer;
  }
  const out = new Uint8Array(views.reduce((n, v) => n + v.byteLength, 0));
  let at = 0;
  for (const v of views) { out.set(v, at); at += v.byteLength; }
  return out.buffer;
}

/** Frame requests in flight at once (what a browser allows per host over HTTP/1.1). */
const FRAME_REQUESTS = 6;
/**
 * Streamed frames are asked for in lossless JPEG-LS (Debian's Orthanc with orthanc-dicomweb 1.7 transcodes to it;
 * RLE and JPEG 2000 it refuses), decoded in dicom-image-loader's worker; else uncompressed.
 */
const COMPRESSED_TS = '1.2.840.10008.1.2.4.80', UNCOMPRESSED_TS = '1.2.840.10008.1.2.1';
const FRAME_MEDIA: Record<string, string> = { [COMPRESSED_TS]: 'image/jls', [UNCOMPRESSED_TS]: 'application/octet-stream' };

export class DicomWebSource implements StudyArchive {
  private client: api.DICOMwebClient;
  constructor(readonly url: string, readonly name = url, private timeoutMs = 30000) {
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
    // StudyDescription is optional in QIDO-RS study results (PS3.18 Table 10.6.3-3): ask for it.
    const queryParams: Record<string, string> = { includefield: '00081030' };
    if (q.patient) {
      // Partial matches with DICOM wildcards (PS3.4 C.2.2.2.4), which Orthanc and most archives support.
      const p = q.patient.trim().replace(/[*?\\]/g, '');
      if (/^[\w.-]+$/.test(p) && /\d/.test(p)) queryParams.PatientID = `*${p}*`;
      else if (p) queryParams.PatientName = `*${p}*`;
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

  /** A study of this archive as a data source: its PET and CT series, with the structure series to import. */
  study(s: StudySummary): DataSource {
    return { retryable: true, load: (report) => this.loadStudy(s, report) };
  }

  private async loadStudy(s: StudySummary, report: LoadReport): Promise<SourceStudy> {
    report.status('Listing series…');
    const all = await this.listSeries(s.studyUid);
    const wanted = all.filter((x) => x.modality === 'PT' || x.modality === 'CT');
    if (!wanted.some((x) => x.modality === 'PT')) throw new StudyError(`Study of ${s.patientName || s.patientId} has no PET series (modalities: ${[...new Set(all.map((x) => x.modality))].join(', ')}).`);
    const archive = { url: this.url, name: this.name, studyUid: s.studyUid, structureSeries: all.filter((x) => x.modality === 'SEG' || x.modality === 'RTSTRUCT') };
    if (wanted.some((x) => x.modality === 'CT')) {
      // PET and CT: headers first, frames streamed in the order the session asks for (nearest the first view first).
      report.status('Loading image headers…');
      const streamed = await this.headersOf(s.studyUid, wanted);
      if (streamed) return { series: streamed.series, frames: streamed.frames, notices: [], archive };
    }
    report.status('Loading images…');
    const series = await this.loadReported(s.studyUid, wanted, report, (x) => `${x.modality} ${x.description}`);
    return {
      series, notices: [],
      archive: { url: this.url, name: this.name, studyUid: s.studyUid, structureSeries: all.filter((x) => x.modality === 'SEG' || x.modality === 'RTSTRUCT') },
      findPartner: wanted.some((x) => x.modality === 'CT') ? undefined : () => this.findCt(s),
    };
  }

  /** Some scanners store the PET and the CT of one session as two studies: a CT study of the same patient and date. */
  private async findCt(pet: StudySummary): Promise<PartnerOffer | undefined> {
    const same = await this.searchStudies({ patient: pet.patientId, date: pet.date, modality: 'CT' });
    const ct = same.find((x) => x.studyUid !== pet.studyUid && x.patientId === pet.patientId && x.date === pet.date);
    if (!ct) return undefined;
    const load = async (report: LoadReport): Promise<SourceStudy> => {
      report.status('Loading the CT of the paired study…');
      const ctSeries = (await this.listSeries(ct.studyUid)).filter((x) => x.modality === 'CT');
      return { series: await this.loadReported(ct.studyUid, ctSeries, report, () => 'CT (paired study)'), notices: [] };
    };
    return { description: ct.description || ct.studyUid, source: { retryable: true, load } };
  }

  private loadReported(studyUid: string, series: SeriesSummary[], report: LoadReport, label: (s: SeriesSummary) => string): Promise<DicomSeriesInfo[]> {
    const labels = new Map(series.map((x) => [x.seriesUid, label(x)]));
    for (const x of series) report.progress(x.seriesUid, labels.get(x.seriesUid)!, 0, x.count);
    return this.loadSeries(studyUid, series, (uid, done, total) => report.progress(uid, labels.get(uid)!, done, total));
  }

  /**
   * Retrieves the chosen series with WADO-RS: series metadata (DICOM JSON) once, then the pixel frames of every
   * instance as uncompressed octet-stream (the PACS transcodes), four requests at a time, with progress.
   */
  async loadSeries(studyUid: string, series: SeriesSummary[], onProgress: (seriesUid: string, done: number, total: number) => void): Promise<DicomSeriesInfo[]> {
    const out: DicomInstance[] = [];
    for (const s of series) {
      const retrieveMeta = this.client.retrieveSeriesMetadata as unknown as (o: object) => Promise<Json[]>;
      const meta = await this.guard(`Metadata of the ${s.modality} series`, () => retrieveMeta.call(this.client, { studyInstanceUID: studyUid, seriesInstanceUID: s.seriesUid }));
      let done = 0;
      onProgress(s.seriesUid, 0, meta.length);
      const queue = [...meta];
      const retrieveFrames = this.client.retrieveInstanceFrames as unknown as (o: object) => Promise<ArrayBuffer[]>;
      const worker = async () => {
        for (let json = queue.shift(); json; json = queue.shift()) {
          const uid = val(json, '00080018');
          const attrs = DicomMetaDictionary.naturalizeDataset(json) as Record<string, any>;
          delete attrs.PixelData;
          let pixels: ArrayBuffer | undefined;
          const name = `${s.modality} instance ${uid}`;
          if (json['7FE00010']) {
            // Enhanced (multi-frame) PET/CT: every frame, in order, in one buffer; framesOf checks its length.
            const count = ENHANCED_VOLUME_SOP_CLASSES[String(attrs.SOPClassUID)] ? Number(attrs.NumberOfFrames) || 1 : 1;
            checkVolumeSize(name, Number(attrs.Columns), Number(attrs.Rows), count);
            const frames = await this.guard(`${s.modality} frames of ${uid}`, () => retrieveFrames.call(this.client, {
              studyInstanceUID: studyUid, seriesInstanceUID: s.seriesUid, sopInstanceUID: uid, frameNumbers: Array.from({ length: count }, (_, f) => f + 1),
            }));
            pixels = concatFrames(frames as (ArrayBuffer | Uint8Array)[]);
          }
          out.push(...framesOf({ name, attrs, pixels, transferSyntax: '1.2.840.10008.1.2.1' }));
          onProgress(s.seriesUid, ++done, meta.length);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    }
    return groupSeries(out);
  }

  /**
   * The series' instances from their WADO-RS metadata, each single-frame image with a zero placeholder of its
   * frame's size (one buffer per size, shared), and the stream that retrieves the real frames; undefined when
   * an instance is multi-frame (Enhanced PET/CT is loaded whole).
   */
  private async headersOf(studyUid: string, series: SeriesSummary[]): Promise<{ series: DicomSeriesInfo[]; frames: FrameStream } | undefined> {
    const retrieveMeta = this.client.retrieveSeriesMetadata as unknown as (o: object) => Promise<Json[]>;
    const metas = await Promise.all(series.map((s) => this.guard(`Metadata of the ${s.modality} series`, () => retrieveMeta.call(this.client, { studyInstanceUID: studyUid, seriesInstanceUID: s.seriesUid }))));
    const placeholders = new Map<number, ArrayBuffer>();
    const instances: DicomInstance[] = [];
    const where = new Map<DicomInstance, { seriesUid: string; sopUid: string; modality: string }>();
    for (const [n, meta] of metas.entries()) {
      for (const json of meta) {
        const attrs = DicomMetaDictionary.naturalizeDataset(json) as Record<string, any>;
        delete attrs.PixelData;
        const uid = val(json, '00080018');
        const inst: DicomInstance = { name: `${series[n].modality} instance ${uid}`, attrs, transferSyntax: '1.2.840.10008.1.2.1' };
        if (json['7FE00010']) {
          if ((Number(attrs.NumberOfFrames) || 1) > 1) return undefined;
          checkVolumeSize(inst.name, Number(attrs.Columns), Number(attrs.Rows), 1);
          const bytes = Number(attrs.Rows) * Number(attrs.Columns) * Math.ceil((Number(attrs.BitsAllocated) || 16) / 8) * (Number(attrs.SamplesPerPixel) || 1);
          if (!placeholders.has(bytes)) placeholders.set(bytes, new ArrayBuffer(bytes));
          inst.pixels = placeholders.get(bytes);
          where.set(inst, { seriesUid: series[n].seriesUid, sopUid: uid, modality: series[n].modality });
        }
        instances.push(inst);
      }
    }
    const retrieveFrames = this.client.retrieveInstanceFrames as unknown as (o: object) => Promise<ArrayBuffer[]>;
    const get = (w: { seriesUid: string; sopUid: string; modality: string }, ts: string) => this.guard(`${w.modality} frame of ${w.sopUid}`, () => retrieveFrames.call(this.client, {
      studyInstanceUID: studyUid, seriesInstanceUID: w.seriesUid, sopInstanceUID: w.sopUid, frameNumbers: [1],
      mediaTypes: [{ mediaType: FRAME_MEDIA[ts], transferSyntaxUID: ts }],
    }));
    const frames: FrameStream = {
      pending: [...where.keys()],
      fetch: async (order, onFrame, signal) => {
        let next = 0;
        // The first frame asks for lossless JPEG-LS; a PACS that cannot send it is asked for uncompressed frames.
        let ts: Promise<string> | undefined;
        const lane = async () => {
          while (next < order.length && !signal.aborted) {
            const inst = order[next++];
            const w = where.get(inst)!;
            let got: ArrayBuffer[], used: string;
            if (!ts) {
              const probe = get(w, COMPRESSED_TS).then((g) => ({ g, t: COMPRESSED_TS }), async (e: unknown) => {
                if (!(e instanceof PacsError) || /unreachable|in time/.test(e.message)) throw e;
                return { g: await get(w, UNCOMPRESSED_TS), t: UNCOMPRESSED_TS };
              });
              ts = probe.then((r) => r.t, () => UNCOMPRESSED_TS);
              ({ g: got, t: used } = await probe);
            } else {
              used = await ts;
              got = await get(w, used);
            }
            if (!signal.aborted) await onFrame(inst, concatFrames(got as (ArrayBuffer | Uint8Array)[]), used);
          }
        };
        await Promise.all(Array.from({ length: FRAME_REQUESTS }, lane));
      },
    };
    return { series: groupSeries(instances), frames };
  }

  /** The Part-10 files of a series (e.g. a SEG or RTSTRUCT to import), by WADO-RS instance retrieval. */
  async retrieveSeriesFiles(studyUid: string, seriesUid: string): Promise<ArrayBuffer[]> {
    const instances = await this.guard('Instance list', async () => (await this.client.searchForInstances({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid })) as Json[]);
    const retrieve = this.client.retrieveInstance as unknown as (o: object) => Promise<ArrayBuffer | ArrayBuffer[]>;
    const out: ArrayBuffer[] = [];
    for (const i of instances) {
      const r = await this.guard('Instance retrieval', () => retrieve.call(this.client, { studyInstanceUID: studyUid, seriesInstanceUID: seriesUid, sopInstanceUID: val(i, '00080018') }));
      out.push(Array.isArray(r) ? r[0] : r);
    }
    return out;
  }

  /** Stores Part-10 files on the PACS with STOW-RS (only ever called from an explicit user action). */
  async store(files: ArrayBuffer[], studyUid: string): Promise<void> {
    await this.guard('Storing on the PACS (STOW-RS)', () => this.client.storeInstances({ datasets: files, studyInstanceUID: studyUid } as never));
  }
}
