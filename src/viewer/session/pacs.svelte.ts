// The PACS side of the session: the deployment's endpoints, the chosen one, the study browser's search,
// results and series lists (kept while the browser is closed), and opening a study from it.
import { loadConfig, chooseEndpoint, rememberEndpoint, endpointUrl, type AppConfig, type PacsEndpoint } from '../../data/config';
import { DicomWebSource, PacsError } from '../../data/dicomweb';
import type { SeriesSummary, StudySummary } from '../../data/source';
import { fail, notify, openStudy, session } from './study.svelte';

export const pacs = $state({
  config: undefined as AppConfig | undefined,
  endpoint: undefined as PacsEndpoint | undefined,
  /** The study browser is shown. */
  open: false,
  query: { patient: '', date: '', modality: 'PT' },
  studies: undefined as StudySummary[] | undefined,
  searching: false,
  /** Series of the studies whose list is expanded, or why it could not be read. */
  seriesOf: {} as Record<string, SeriesSummary[] | string>,
});

const archive = (): DicomWebSource | undefined => pacs.endpoint && new DicomWebSource(endpointUrl(pacs.endpoint), pacs.endpoint.name);

export async function loadPacsConfig(): Promise<void> {
  try {
    pacs.config = await loadConfig();
    const { endpoint, warning } = chooseEndpoint(pacs.config);
    pacs.endpoint = endpoint;
    if (warning) notify(warning);
  } catch (e) {
    notify((e as Error).message);
  }
}

export function selectEndpoint(id: string): void {
  pacs.endpoint = pacs.config?.pacs.find((p) => p.id === id);
  rememberEndpoint(id);
}

export async function search(): Promise<void> {
  const a = archive();
  if (!a) return;
  session.error = undefined;
  pacs.searching = true;
  try {
    pacs.studies = await a.searchStudies($state.snapshot(pacs.query));
  } catch (e) {
    pacs.studies = undefined;
    fail(e, (e as PacsError).retryable === false ? undefined : search);
  } finally {
    pacs.searching = false;
  }
}

export async function toggleSeries(s: StudySummary): Promise<void> {
  if (pacs.seriesOf[s.studyUid]) { const { [s.studyUid]: _, ...rest } = pacs.seriesOf; pacs.seriesOf = rest; return; }
  const a = archive();
  if (!a) return;
  try {
    pacs.seriesOf = { ...pacs.seriesOf, [s.studyUid]: await a.listSeries(s.studyUid) };
  } catch (e) {
    pacs.seriesOf = { ...pacs.seriesOf, [s.studyUid]: (e as Error).message };
  }
}

/** Opens a study of the browser; the browser closes once its images have arrived. */
export function openPacsStudy(s: StudySummary): void {
  const a = archive();
  if (a) void openStudy(a.study(s), () => (pacs.open = false));
}
