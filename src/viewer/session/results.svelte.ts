// The dose results as DICOM objects: a SEG of the structures (on the PET grid) and the measurement report (SR) that
// references it, written together from the current plan (core/report/sr.ts); downloaded, or stored in the study on
// its PACS with STOW-RS after a confirmation. The SRs of this project already in a PACS study are listed when the
// study opens (read back with the core reader through WADO-RS) so their results can be shown again.
import { viewer } from './state.svelte';
import { dose, currentPlan } from './dose.svelte';
import { tracerCheck } from './tracer.svelte';
import { onPetGrid } from './grids';
import { exportFileName } from './structures';
import { sourceSeriesOf } from '../../core/io/structureMapping';
import { PT_SOP_CLASS } from '../../core/dicom/write';
import { readMeasurementReport, resultsStatement, writeDoseResults, SrError, type MeasurementReport } from '../../core/report/sr';
import { DicomWebSource } from '../../data/dicomweb';

export interface StoredResult {
  seriesUid: string;
  description: string;
  /** The report read back, or why it could not be read. */
  report?: MeasurementReport;
  problem?: string;
}

export const results = $state<{
  busy: boolean;
  message?: string;
  /** The result of the last store (shown after the confirmation). */
  stored?: string;
  /** SRs of this project in the open PACS study; `listing` while they are read. */
  list: StoredResult[];
  listing: boolean;
  listProblem?: string;
  /** Other SR series of the study (other programs' reports), not listed. */
  otherReports: number;
  /** The listed report whose results are shown. */
  shown?: string;
}>({ busy: false, list: [], listing: false, otherReports: 0 });

export interface ResultFile { name: string; bytes: ArrayBuffer; mime: string }

/** Why no SR can be written now (undefined when it can). */
export function resultsProblem(): string | undefined {
  const s = viewer.study;
  if (!s?.pet?.suv || !s.petSeriesUid) return 'A DICOM SR needs the PET in SUV.';
  if (!viewer.structures) return 'A DICOM SR needs structures.';
  if (!dose.card) return 'A DICOM SR needs a loaded dose model.';
  if (!currentPlan()) return 'Compute the doses first (the SR holds the current results and plan).';
  if (tracerCheck()?.status === 'blocked') return 'No DICOM SR: the tracer check refuses this PET.';
  return undefined;
}

/** The SEG (on the PET grid) and the SR referencing it, from the current structures and plan. */
export function currentResultFiles(withPatientId = false, now = new Date()): ResultFile[] {
  const problem = resultsProblem();
  if (problem) throw new Error(problem);
  const study = viewer.study!, st = viewer.structures!, card = dose.card!, thePlan = currentPlan()!;
  const pet = sourceSeriesOf({ studyUid: study.studyUid, seriesUid: study.petSeriesUid!, patientName: study.patientName, patientId: study.patientId, studyDate: study.studyDate }, study.pet!.instances, PT_SOP_CLASS);
  const { seg, sr } = writeDoseResults({
    labels: onPetGrid(st.labels, study), meta: st.meta, suv: study.pet!.suv!, pet, petAttrs: study.pet!.instances[0].attrs, plan: thePlan,
    model: { id: card.id, version: card.version }, tracer: tracerCheck()?.tracer.label, statement: resultsStatement(card), created: now,
  });
  return [
    { name: exportFileName(study, 'dose-structures', '-seg.dcm', withPatientId), bytes: seg, mime: 'application/dicom' },
    { name: exportFileName(study, 'dose-results', '-sr.dcm', withPatientId), bytes: sr, mime: 'application/dicom' },
  ];
}

/** Stores the SEG and the SR in the open study on its PACS (STOW-RS), then lists the stored results again. */
export async function storeResults(): Promise<void> {
  const pacs = viewer.pacs, study = viewer.study;
  results.message = undefined;
  results.stored = undefined;
  if (!pacs || !study) { results.message = 'Storing needs a study opened from a PACS.'; return; }
  results.busy = true;
  try {
    const files = currentResultFiles();
    await new DicomWebSource(pacs.url, pacs.name).store(files.map((f) => f.bytes), pacs.studyUid);
    results.stored = `Stored the structures (SEG) and the dose results (SR) as two new series in this study on ${pacs.name}.`;
    await listStoredResults();
  } catch (e) {
    results.message = `The results were not stored: ${(e as Error).message}`;
  } finally {
    results.busy = false;
  }
}

let listing = 0;

/** Lists the SR series of the open PACS study that this project wrote (others are counted, not listed). */
export async function listStoredResults(): Promise<void> {
  const token = ++listing;
  const pacs = viewer.pacs;
  results.list = [];
  results.otherReports = 0;
  results.listProblem = undefined;
  results.shown = undefined;
  if (!pacs) return;
  results.listing = true;
  try {
    const src = new DicomWebSource(pacs.url, pacs.name);
    const series = (await src.listSeries(pacs.studyUid)).filter((x) => x.modality === 'SR');
    const list: StoredResult[] = [];
    let others = 0;
    for (const x of series) {
      const files = await src.retrieveSeriesFiles(pacs.studyUid, x.seriesUid);
      for (const f of files) {
        try {
          list.push({ seriesUid: x.seriesUid, description: x.description, report: readMeasurementReport(f, `SR series "${x.description || x.seriesUid}"`) });
        } catch (e) {
          if (e instanceof SrError && (e.reason === 'not-ours' || e.reason === 'other-template')) others++;
          else list.push({ seriesUid: x.seriesUid, description: x.description, problem: (e as Error).message });
        }
      }
    }
    if (token !== listing) return;
    list.sort((a, b) => `${b.report?.contentDate}${b.report?.contentTime}`.localeCompare(`${a.report?.contentDate}${a.report?.contentTime}`));
    results.list = list;
    results.otherReports = others;
  } catch (e) {
    if (token === listing) results.listProblem = `Stored results could not be listed: ${(e as Error).message}`;
  } finally {
    if (token === listing) results.listing = false;
  }
}

export function showStoredResult(sopInstanceUid: string | undefined): void {
  results.shown = results.shown === sopInstanceUid ? undefined : sopInstanceUid;
}
