// The tumour-board report of the open study, made in this browser from the dose session's current plan with the
// core report code (the same as `npm run report`): the PDF and the CSV to download, and the print view. The font is
// served by the app itself (DejaVu Sans from the dejavu-fonts-ttf package); nothing is uploaded.
import regularFontUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf?url';
import boldFontUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf?url';
import { viewer } from './state.svelte';
import { dose, currentPlan } from './dose.svelte';
import { tracerCheck } from './tracer.svelte';
import { onPetGrid } from './grids';
import { exportFileName } from './structures';
import { measuredImport } from './measured.svelte';
import { dosimetricStructures } from '../../core/dose/tasks';
import type { Figure } from '../../core/report/figures';
import type { Report } from '../../core/report/content';
import type { MeasuredDose } from '../../core/dose/measured';
import type { Volume } from '../../core/volume';

/** The report code (pdf-lib, fontkit, the rasteriser) is loaded on first use, not with the page. */
const reportCore = () => import('./reportCore');

/** The option the Structures panel's export also reads ("ID in export file names"). */
export const EXPORT_NAMES_WITH_ID_KEY = 'psma-dose-preview.exportNamesWithPatientId';

export interface ReportFile { name: string; bytes: Uint8Array | string; mime: string }

export const reportState = $state<{
  busy: boolean;
  message?: string;
  /** The print view's report, its table as text and its figures as object URLs (revoked when it closes). */
  print?: { report: Report; table: { titles: string[]; rows: string[][] }; aggregateLines: string[]; figures: (Figure & { url: string })[] };
}>({ busy: false });

let fonts: Promise<{ regular: Uint8Array; bold: Uint8Array }> | undefined;
function loadFonts() {
  return (fonts ??= Promise.all([regularFontUrl, boldFontUrl].map(async (u) => {
    const r = await fetch(u);
    if (!r.ok) throw new Error(`the report font could not be loaded (HTTP ${r.status})`);
    return new Uint8Array(await r.arrayBuffer());
  })).then(([regular, bold]) => ({ regular, bold })).catch((e) => { fonts = undefined; throw e; }));
}

/**
 * A volume whose geometry is plain arrays again (the session's state is deeply reactive: reading its dims in the
 * rasteriser's loops through proxies takes seconds); the voxel data (typed arrays are not proxied) is shared.
 */
function plain<T extends Volume>(v: T): T {
  return { ...v, dims: [...v.dims], spacing: [...v.spacing], origin: [...v.origin], direction: [...v.direction] };
}

/** Why no report can be made now (undefined when it can). */
export function reportProblem(): string | undefined {
  if (!viewer.study?.pet?.suv) return 'A report needs the PET in SUV.';
  if (!dose.card) return 'A report needs a loaded dose model.';
  if (!viewer.structures) return 'A report needs structures.';
  if (!currentPlan()) return 'Compute the doses first (the report is made from the current results and plan).';
  const gate = tracerCheck();
  if (!gate || gate.status === 'blocked') return 'No report: the tracer check refuses this PET.';
  return undefined;
}

/** The report model and its figures from the current state. */
export async function currentReport(now = new Date()): Promise<{ report: Report; figures: Figure[] }> {
  const problem = reportProblem();
  if (problem) throw new Error(problem);
  const study = viewer.study!, st = viewer.structures!, card = dose.card!, gate = tracerCheck()!;
  const labels = plain(onPetGrid(st.labels, study));
  const { makeReport } = await reportCore();
  return makeReport({
    petAttrs: $state.snapshot(study.pet!.instances[0].attrs), reportDate: now.toISOString(), gate, tracerConfirmedAt: gate.status === 'confirm' ? dose.tracerConfirmation?.confirmedAt : undefined,
    card: $state.snapshot(card) as typeof card, plan: currentPlan()!, limits: $state.snapshot(dose.limits), notPredicted: $state.snapshot(dose.skipped),
    suv: plain(study.pet!.suv!), labels, ct: study.ct && plain(study.ct), structures: dosimetricStructures(labels, $state.snapshot(st.meta)),
    ...measuredForReport(),
  });
}

/** The open study's measured doses for the report, with the import's warnings and unused rows. */
function measuredForReport(): { measured?: MeasuredDose[]; measuredSource?: string; measuredWarnings?: string[] } {
  const m = measuredImport();
  if (!m) return {};
  const snap = $state.snapshot(m) as typeof m;
  return {
    measured: snap.doses, measuredSource: `${snap.file} (${snap.kind === 'csv' ? 'CSV' : 'DICOM RT Dose'})`,
    measuredWarnings: [...snap.warnings, ...snap.unused.map((u) => `${u.row ? `row ${u.row} ` : ''}"${u.name}" not used: ${u.reason}`)],
  };
}

/** The PDF and the CSV of the current report, named after the study date (the Patient ID only when asked for). */
export async function reportDownloads(withPatientId: boolean): Promise<ReportFile[]> {
  const t0 = performance.now();
  const { report, figures } = await currentReport();
  performance.measure('report-model', { start: t0 });
  const { reportFiles } = await reportCore();
  const t1 = performance.now();
  const { pdf, csv } = await reportFiles(report, figures, await loadFonts());
  performance.measure('report-files', { start: t1 });
  performance.measure('report-made', { start: t0 }); // read by the e2e (figures for the README), never asserted
  const study = viewer.study!;
  return [
    { name: exportFileName(study, 'dose-report', '.pdf', withPatientId), bytes: pdf, mime: 'application/pdf' },
    { name: exportFileName(study, 'dose-report', '.csv', withPatientId), bytes: csv, mime: 'text/csv' },
  ];
}

export async function openPrintView(): Promise<void> {
  const { report, figures } = await currentReport();
  const { figurePng, TABLE_COLUMNS, aggregatePredictedText, measuredText } = await reportCore();
  closePrintView();
  reportState.print = {
    report, table: { titles: TABLE_COLUMNS.map((c) => c.title), rows: report.rows.map((r) => TABLE_COLUMNS.map((c) => c.cell(r))) },
    aggregateLines: report.measuredAggregates.map((a) => `${a.name} (aggregate): predicted ${aggregatePredictedText(a)} Gy/GBq; measured ${measuredText(a.measured)}`),
    figures: figures.map((f) => ({ ...f, url: URL.createObjectURL(new Blob([figurePng(f) as BlobPart], { type: 'image/png' })) })),
  };
}

export function closePrintView(): void {
  for (const f of reportState.print?.figures ?? []) URL.revokeObjectURL(f.url);
  reportState.print = undefined;
}
