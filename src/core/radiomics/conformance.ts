// IBSI reference comparison with the workbook rule: the difference is truncated at the 3rd significant
// digit of the reference and must be ≤ the tolerance.
import { parseCsv } from '../csv';

export interface ReferenceRow {
  dataset: string;
  family: string;
  tag: string;
  reference: number;
  tolerance: number;
}

function truncate(x: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.trunc(x * f) / f;
}

/** Workbook check: |ROUNDDOWN(ref − yours, 3 − (1 + INT(LOG10(|ref|))))| ≤ tolerance. */
export function matches(reference: number, yours: number | null | undefined, tolerance: number): boolean {
  if (yours === null || yours === undefined || !Number.isFinite(yours)) return false;
  const digits = reference === 0 ? 3 : 3 - (1 + Math.floor(Math.log10(Math.abs(reference))));
  return Math.abs(truncate(reference - yours, digits)) <= tolerance + 1e-12;
}

export interface Comparison {
  total: number;
  matched: number;
  mismatches: { tag: string; family: string; reference: number; tolerance: number; yours: number | null }[];
  byFamily: Record<string, { total: number; matched: number }>;
}

export function compare(rows: ReferenceRow[], values: Record<string, number | null | undefined>): Comparison {
  const out: Comparison = { total: 0, matched: 0, mismatches: [], byFamily: {} };
  for (const r of rows) {
    const fam = (out.byFamily[r.family] ??= { total: 0, matched: 0 });
    out.total++; fam.total++;
    const v = values[r.tag];
    if (matches(r.reference, v, r.tolerance)) { out.matched++; fam.matched++; }
    else out.mismatches.push({ tag: r.tag, family: r.family, reference: r.reference, tolerance: r.tolerance, yours: v ?? null });
  }
  return out;
}

/** Rows with a reference value from the feature CSVs (family column `ibsi_family`). */
export function featureRows(csv: string, dataset: string): ReferenceRow[] {
  return parseCsv(csv)
    .filter((r) => (r.dataset ?? r.config) === dataset || r.config === dataset)
    .filter((r) => r.reference_value !== '' && r.has_reference !== 'no')
    .map((r) => ({ dataset, family: r.ibsi_family, tag: r.tag, reference: Number(r.reference_value), tolerance: Number(r.tolerance || 0) }));
}

export function diagnosticRows(csv: string, config: string): ReferenceRow[] {
  return parseCsv(csv)
    .filter((r) => r.config === config && r.reference_value !== '')
    .map((r) => ({ dataset: config, family: 'diagnostics', tag: r.tag, reference: Number(r.reference_value), tolerance: Number(r.tolerance || 0) }));
}
