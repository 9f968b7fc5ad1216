// The measured (post-therapy) doses of the open study: imported from a site's dosimetry CSV or from a DICOM RT Dose
// registered to the PET, kept per PET series and saved in this browser with the study's dose state (doseRecord.ts,
// field `measured`; the file name is not saved). A new study replaces them (its own saved ones, or none). Every
// import is read and checked completely before anything changes: a bad file leaves the doses already imported.
//
// API for other parts of the viewer (stable):
//   measuredDoses(): MeasuredDose[]          the measured doses of the open study ([] when none)
//   measuredImport(): MeasuredImport | undefined   the same with their source file, kind, warnings and unused rows
import { viewer } from './state.svelte';
import { autosaveKey } from './storage';
import type { SavedMeasured } from './doseRecord';
import type { LoadedStudy } from '../../core/study';
import {
  MeasuredDoseError, measuredFromRows, readMeasuredCsv, type MeasuredCsvRow, type MeasuredDose, type MeasuredImport,
} from '../../core/dose/measured';
import { measuredFromRtDose, readRtDose, checkDoseFrame, type RtDoseRead } from '../../core/dose/measuredRtDose';
import { geometryOf } from '../../core/volume';

export type { MeasuredDose, MeasuredImport };

/** An import waiting for the user: names to map (CSV) or the administered activity (RT Dose). */
export type PendingMeasured =
  | { kind: 'csv'; file: string; rows: MeasuredCsvRow[]; warnings: string[]; unit: 'Gy' | 'mGy'; mapping: Record<number, string> }
  | { kind: 'rtdose'; file: string; read: RtDoseRead; activity: string; cycle: string; problem?: string };

export const measured = $state<{
  /** The open study's import (undefined: none). */
  current?: MeasuredImport;
  /** The PET series (key id) `current` belongs to. */
  owner?: string;
  pending?: PendingMeasured;
  /** The last refusal or result, for the panel. */
  message?: string;
}>({});

const idOf = (study: LoadedStudy | undefined) => {
  if (!study?.pet || !study.petSeriesUid) return undefined;
  const k = autosaveKey(study);
  return `${k.petSeriesUid}|${k.frameOfReferenceUid}`;
};

/** The open study's import, undefined when there is none (or it belongs to another study). */
export function measuredImport(): MeasuredImport | undefined {
  const c = measured.current;
  return c && measured.owner && measured.owner === idOf(viewer.study) ? c : undefined;
}

/** The measured doses of the open study (Gy/GBq per structure or aggregate, see MeasuredDose); [] when none. */
export function measuredDoses(): MeasuredDose[] {
  return measuredImport()?.doses ?? [];
}

/** Called when a study's dose state opens: its saved measured doses, or none. */
export function openMeasuredState(study: LoadedStudy, saved: SavedMeasured | undefined): void {
  measured.pending = undefined;
  measured.message = undefined;
  measured.owner = idOf(study);
  measured.current = saved ? { ...structuredClone(saved), file: `${saved.kind === 'csv' ? 'CSV' : 'RT Dose'} imported ${new Date(saved.importedAt).toLocaleString()} (restored from this browser)` } : undefined;
}

/** What is saved with the dose state (no file name). */
export function savedMeasured(): SavedMeasured | undefined {
  const c = measuredImport();
  if (!c) return undefined;
  return {
    kind: c.kind, importedAt: c.importedAt, warnings: [...c.warnings], unused: c.unused.map((u) => ({ ...u })),
    doses: c.doses.map((d) => ({ ...d, ...(d.members ? { members: [...d.members] } : {}) })),
  };
}

function commit(kind: MeasuredImport['kind'], file: string, r: { doses: MeasuredDose[]; warnings: string[]; unused: MeasuredImport['unused'] }) {
  measured.current = { kind, file, doses: r.doses, warnings: r.warnings, unused: r.unused, importedAt: Date.now() };
  measured.owner = idOf(viewer.study);
  measured.pending = undefined;
  const n = r.doses.length;
  measured.message = `Imported ${n} measured dose${n === 1 ? '' : 's'} from ${file}${r.unused.length ? `; ${r.unused.length} row(s) not used (listed below)` : ''}.`;
}

const isDicom = (b: ArrayBuffer) => {
  const h = new Uint8Array(b, 0, Math.min(132, b.byteLength));
  return h.length >= 132 && h[128] === 0x44 && h[129] === 0x49 && h[130] === 0x43 && h[131] === 0x4d;
};

/**
 * Reads a measured-dose file (a CSV, or a DICOM RT Dose: told apart by the DICM marker). Nothing changes until it
 * is complete: names that are not vocabulary names open the mapping dialog, an RT Dose asks for the activity.
 */
export async function readMeasuredFile(name: string, bytes: ArrayBuffer): Promise<void> {
  measured.message = undefined;
  const study = viewer.study;
  if (!study?.pet) { measured.message = 'Open a study with a PET first.'; return; }
  try {
    if (isDicom(bytes)) {
      const read = readRtDose(bytes, name);
      checkDoseFrame(read, autosaveKey(study).frameOfReferenceUid, name);
      if (!viewer.structures) throw new MeasuredDoseError(`${name}: the mean dose per structure needs the structures: draw or import them first`);
      measured.pending = { kind: 'rtdose', file: name, read, activity: '', cycle: '1' };
      return;
    }
    const text = new TextDecoder().decode(bytes);
    const r = readMeasuredCsv(text, name);
    const mapping = Object.fromEntries(r.rows.map((x) => [x.row, x.proposal?.target ?? 'skip']));
    if (r.rows.every((x) => x.proposal?.how === 'exact')) {
      commit('csv', name, withWarnings(measuredFromRows(r.rows, new Map(Object.entries(mapping).map(([k, v]) => [Number(k), v])), name), r.warnings));
      return;
    }
    measured.pending = { kind: 'csv', file: name, rows: r.rows, warnings: r.warnings, unit: r.unit, mapping };
  } catch (e) {
    measured.pending = undefined;
    measured.message = `${(e as Error).message}${e instanceof MeasuredDoseError ? '' : ` (${name})`}. Nothing was changed${measuredImport() ? ': the measured doses imported before stay' : ''}.`;
  }
}

const withWarnings = <T extends { warnings: string[] }>(r: T, first: string[]): T => ({ ...r, warnings: [...first, ...r.warnings] });

/** Imports the pending CSV with the mapping chosen in the dialog. */
export function confirmMeasuredMapping(): void {
  const p = measured.pending;
  if (p?.kind !== 'csv') return;
  try {
    const r = measuredFromRows(p.rows, new Map(Object.entries(p.mapping).map(([k, v]) => [Number(k), v])), p.file);
    if (!r.doses.length) throw new MeasuredDoseError(`${p.file}: every row is mapped to nothing; map at least one row to a structure`);
    commit('csv', p.file, withWarnings(r, p.warnings));
  } catch (e) {
    measured.message = `${(e as Error).message}. Nothing was changed.`;
  }
}

/** Imports the pending RT Dose with the entered administered activity (GBq) and cycle. */
export function confirmRtDose(): void {
  const p = measured.pending, study = viewer.study, st = viewer.structures;
  if (p?.kind !== 'rtdose' || !study?.pet) return;
  const activity = Number(String(p.activity).replace(',', '.')), cycle = Number(p.cycle);
  if (String(p.activity).trim() === '' || !(activity > 0 && activity <= 30)) { p.problem = `Administered activity: enter the GBq given in the cycle the dose was measured after, above 0 and at most 30 (got "${p.activity}"; MBq? divide by 1000).`; return; }
  if (!(Number.isInteger(cycle) && cycle >= 1 && cycle <= 20)) { p.problem = `Cycle: a whole number from 1 to 20 (got "${p.cycle}").`; return; }
  if (!st) { p.problem = 'The structures are gone: draw or import them, then import the RT Dose again.'; return; }
  try {
    const r = measuredFromRtDose(p.read, st.labels, { name: p.file, petFrameOfReferenceUid: autosaveKey(study).frameOfReferenceUid, activityGBq: activity, cycle, petGrid: geometryOf(study.pet.raw) });
    commit('rtdose', p.file, r);
  } catch (e) {
    measured.pending = undefined;
    measured.message = `${(e as Error).message}. Nothing was changed.`;
  }
}

export function cancelMeasuredImport(): void {
  measured.pending = undefined;
}

/** Removes the open study's measured doses (the user's choice). */
export function removeMeasuredDoses(): void {
  measured.current = undefined;
  measured.pending = undefined;
  measured.message = 'Measured doses removed.';
}
