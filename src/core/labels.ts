// Text for values read from DICOM headers: PET units and dates as a reader expects them.

/** PET Units (0054,1001) codes (PS3.3 C.8.9.1.1.3) as shown next to a value. */
const PET_UNITS: Record<string, string> = {
  BQML: 'Bq/mL', KBQML: 'kBq/mL', MBQML: 'MBq/mL', CNTS: 'counts', GML: 'g/mL (SUVbw)', CM2ML: 'cm²/mL (SUVbsa)',
  PCNT: '% ID', CPS: 'counts/s', NONE: '', MGMINML: 'mg/min/mL', UMOLMINML: 'µmol/min/mL', MLMING: 'mL/min/g', MLG: 'mL/g',
  '1CM': '1/cm', UMOLML: 'µmol/mL', PROPCNTS: 'proportional counts', PROPCPS: 'proportional counts/s',
  MLMINML: 'mL/min/mL', MLML: 'mL/mL', PCNTML: '% ID/mL',
};

/** The unit a PET series' stored values are in, for labels; an unknown code is shown as it is. */
export function petUnitLabel(units: string): string {
  const code = units.trim().toUpperCase();
  if (!code) return 'stored value';
  return PET_UNITS[code] ?? units.trim();
}

/** A DICOM DA value (YYYYMMDD, or the old YYYY.MM.DD) as YYYY-MM-DD; anything else unchanged. */
export function formatDicomDate(da: string | undefined): string {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec((da ?? '').trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : (da ?? '');
}

/** A DICOM PN value (Family^Given^Middle^Prefix^Suffix) as "Family, Given Middle"; empty components dropped. */
export function formatPersonName(pn: string | undefined): string {
  const [family = '', ...rest] = (pn ?? '').split('=')[0].split('^').map((p) => p.trim());
  const given = rest.filter(Boolean).join(' ');
  return family && given ? `${family}, ${given}` : family || given;
}
