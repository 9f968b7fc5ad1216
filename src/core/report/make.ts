// The whole report from what the dose preview produced, the same for the Dose panel and `npm run report`:
// images (SUV and label map on the PET grid, the CT) → structure uptake → report model → figures → PDF and CSV.
import type { Volume } from '../volume';
import type { StructureRef } from '../dose/rows';
import type { OrganLimit, Plan, NotPredicted } from '../dose/plan';
import type { MeasuredDose } from '../dose/measured';
import type { TracerGate } from '../tracer';
import { buildReport, reportPatient, structureInfo, type Report, type ReportCard } from './content';
import { reportFigures, type Figure } from './figures';
import { reportPdf, type PdfFonts } from './pdf';
import { reportCsv } from './csv';

export interface ReportSources {
  /** The PET header (first instance, naturalised): patient and study as in the DICOM. */
  petAttrs: Record<string, unknown>;
  reportDate: string;
  gate: TracerGate;
  tracerConfirmedAt?: string;
  card: ReportCard;
  plan: Plan;
  limits: OrganLimit[];
  notPredicted?: NotPredicted[];
  suv: Volume<Float32Array>;
  /** On the PET grid (vocabulary label numbers). */
  labels: Volume;
  ct?: Volume;
  structures: StructureRef[];
  measured?: MeasuredDose[];
  /** Where the measured doses come from (file and kind). */
  measuredSource?: string;
  measuredWarnings?: string[];
}

export function makeReport(s: ReportSources): { report: Report; figures: Figure[] } {
  const report = buildReport({
    patient: reportPatient(s.petAttrs), reportDate: s.reportDate, gate: s.gate, tracerConfirmedAt: s.tracerConfirmedAt, card: s.card, plan: s.plan,
    structures: structureInfo(s.suv, s.labels, s.structures), notPredicted: s.notPredicted, measured: s.measured, measuredSource: s.measuredSource, measuredWarnings: s.measuredWarnings,
  });
  return { report, figures: reportFigures(report, { suv: s.suv, labels: s.labels, ct: s.ct }, s.limits) };
}

export async function reportFiles(report: Report, figures: Figure[], fonts: PdfFonts): Promise<{ pdf: Uint8Array; csv: string }> {
  return { pdf: await reportPdf(report, figures, fonts), csv: reportCsv(report) };
}
