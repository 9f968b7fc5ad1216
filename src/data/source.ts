// What a data source gives the study session: the image series of one study, loaded with progress. The
// demo, local files and a DICOMweb study implement `DataSource`; a DICOMweb server is also a `StudyArchive`
// (search, series list) whose studies are data sources. A new source is one file implementing it.
import type { DicomInstance, DicomSeriesInfo } from '../core/dicom/read';
import type { StructureMeta } from '../core/contours/structureSet';
import type { Volume } from '../core/volume';

/** How a source tells the session what it is doing. */
export interface LoadReport {
  status(text: string): void;
  /** Progress of one part of the load (a series, the chosen files). */
  progress(id: string, label: string, done: number, total: number): void;
}

export interface SeriesSummary {
  seriesUid: string;
  modality: string;
  description: string;
  count: number;
}

/** The archive a study came from: where structure series can be imported from and a SEG stored. */
export interface ArchiveContext {
  url: string;
  name: string;
  studyUid: string;
  /** SEG and RTSTRUCT series of the study. */
  structureSeries: SeriesSummary[];
}

/** A study stored elsewhere that the loaded one can be completed with (a CT stored as its own study). */
export interface PartnerOffer {
  description: string;
  source: DataSource;
}

/**
 * Pixel frames still to come (a PACS study opened progressively): the series' instances carry a shared
 * zero-filled placeholder of the right size until then, so headers are validated and volumes allocated first.
 */
export interface FrameStream {
  /** The instances whose frames are to come. */
  pending: DicomInstance[];
  /**
   * Retrieves the frames in the given order, a bounded number at a time (each lane waits for `onFrame`); the
   * frame comes in the transfer syntax the PACS sent (compressed when it offers it). Rejects on the first failure.
   */
  fetch(order: DicomInstance[], onFrame: (inst: DicomInstance, pixels: ArrayBuffer, transferSyntax: string) => void | Promise<void>, signal: AbortSignal): Promise<void>;
}

export interface SourceStudy {
  /** Series as parsed (compressed pixel data is decoded by the session). */
  series: DicomSeriesInfo[];
  /** Things to tell the user about the load (files skipped…). */
  notices: string[];
  /** A structure set that comes with the study (the demo's truth): shown instead of work saved locally. */
  structures?: { labels: Volume<Uint8Array>; source: string; meta: StructureMeta };
  archive?: ArchiveContext;
  /** Frames still to come (the series' pixels are placeholders until they arrive). */
  frames?: FrameStream;
  /** Looks for a study that holds what this one lacks (its CT), once the study is shown. */
  findPartner?: () => Promise<PartnerOffer | undefined>;
}

export interface DataSource {
  /** Loads the study; throws with a message the user can act on. */
  load(report: LoadReport): Promise<SourceStudy>;
  /** Whether a failed load is worth retrying as is (a PACS, the demo; not files already read). */
  readonly retryable: boolean;
}

export interface StudySummary {
  studyUid: string;
  patientName: string;
  patientId: string;
  date: string;
  description: string;
  modalities: string[];
}
export interface StudyQuery {
  patient?: string;
  date?: string;
  modality?: string;
}

/** A searchable archive (DICOMweb): its studies open as data sources. */
export interface StudyArchive {
  searchStudies(q?: StudyQuery): Promise<StudySummary[]>;
  listSeries(studyUid: string): Promise<SeriesSummary[]>;
  study(summary: StudySummary): DataSource;
}
