// The one structure vocabulary: names, types, label numbers, colours and DICOM SEG codes.
// Phantom, contours, cohort, feature table and dose model all use these names.

export type StructureType = 'kidney' | 'parotid' | 'submandibular' | 'lacrimal' | 'tumour' | 'reference';
export type Side = 'L' | 'R';
export type TumourSite = 'bone' | 'lymph node' | 'prostate' | 'visceral' | 'other';
export const TUMOUR_SITES: readonly TumourSite[] = ['bone', 'lymph node', 'prostate', 'visceral', 'other'];

/** A coded concept as DICOM SEG wants it (CodeValue, CodingSchemeDesignator, CodeMeaning). */
export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

export interface StructureDef {
  name: string;
  type: StructureType;
  side?: Side;
  /** Fixed label number in label maps written by this project. */
  label: number;
  /** Display colour, sRGB 0–255. */
  color: [number, number, number];
  category: Code;
  typeCode: Code;
  /** DICOM SEG SegmentedPropertyTypeModifierCodeSequence (laterality). */
  modifier?: Code;
  /** True for organs whose absorbed dose the model predicts. */
  dosimetric: boolean;
}

const SCT = 'SCT';
const ANATOMY: Code = { value: '123037004', scheme: SCT, meaning: 'Anatomical Structure' };
const ABNORMAL: Code = { value: '49755003', scheme: SCT, meaning: 'Morphologically Abnormal Structure' };
const LEFT: Code = { value: '7771000', scheme: SCT, meaning: 'Left' };
const RIGHT: Code = { value: '24028007', scheme: SCT, meaning: 'Right' };
const NEOPLASM: Code = { value: '108369006', scheme: SCT, meaning: 'Neoplasm' };

function organ(
  name: string, type: StructureType, side: Side | undefined, label: number,
  color: [number, number, number], typeCode: Code, dosimetric = true,
): StructureDef {
  return {
    name, type, side, label, color, category: ANATOMY, typeCode, dosimetric,
    modifier: side === 'L' ? LEFT : side === 'R' ? RIGHT : undefined,
  };
}

const KIDNEY: Code = { value: '64033007', scheme: SCT, meaning: 'Kidney' };
const PAROTID: Code = { value: '45289007', scheme: SCT, meaning: 'Parotid gland' };
const SUBMANDIBULAR: Code = { value: '54019009', scheme: SCT, meaning: 'Submandibular gland' };
const LACRIMAL: Code = { value: '13561001', scheme: SCT, meaning: 'Lacrimal gland' };

/** Organs, in label order. Liver, spleen and bladder are reference regions (not dose-predicted). */
export const ORGANS: readonly StructureDef[] = [
  organ('Kidney L', 'kidney', 'L', 1, [185, 102, 83], KIDNEY),
  organ('Kidney R', 'kidney', 'R', 2, [205, 122, 103], KIDNEY),
  organ('Parotid L', 'parotid', 'L', 3, [72, 161, 221], PAROTID),
  organ('Parotid R', 'parotid', 'R', 4, [102, 181, 241], PAROTID),
  organ('Submandibular L', 'submandibular', 'L', 5, [60, 200, 160], SUBMANDIBULAR),
  organ('Submandibular R', 'submandibular', 'R', 6, [90, 220, 180], SUBMANDIBULAR),
  organ('Lacrimal L', 'lacrimal', 'L', 7, [230, 200, 60], LACRIMAL),
  organ('Lacrimal R', 'lacrimal', 'R', 8, [250, 220, 90], LACRIMAL),
  organ('Liver', 'reference', undefined, 9, [150, 75, 40], { value: '10200004', scheme: SCT, meaning: 'Liver' }, false),
  organ('Spleen', 'reference', undefined, 10, [160, 60, 140], { value: '78961009', scheme: SCT, meaning: 'Spleen' }, false),
  organ('Bladder', 'reference', undefined, 11, [220, 220, 120], { value: '89837001', scheme: SCT, meaning: 'Urinary bladder' }, false),
];

/** Tumour Tn gets label TUMOUR_LABEL_BASE + n (T1 = 21 …, up to T234 in an 8-bit map). */
export const TUMOUR_LABEL_BASE = 20;
export const MAX_TUMOURS = 255 - TUMOUR_LABEL_BASE;

const TUMOUR_COLORS: [number, number, number][] = [
  [230, 60, 60], [240, 120, 40], [220, 40, 120], [200, 80, 200], [250, 90, 90], [255, 150, 60],
];

export function tumourName(n: number): string {
  return `T${n}`;
}

export function tumourDef(n: number): StructureDef {
  if (!Number.isInteger(n) || n < 1 || n > MAX_TUMOURS) throw new Error(`tumour number ${n} is outside 1…${MAX_TUMOURS}`);
  return {
    name: tumourName(n), type: 'tumour', label: TUMOUR_LABEL_BASE + n,
    color: TUMOUR_COLORS[(n - 1) % TUMOUR_COLORS.length],
    category: ABNORMAL, typeCode: NEOPLASM, dosimetric: true,
  };
}

const BY_NAME = new Map(ORGANS.map((o) => [o.name.toLowerCase(), o]));

/** Looks a name up (case-insensitive; "T7" style tumour names too). Undefined when unknown. */
export function structureByName(name: string): StructureDef | undefined {
  const key = name.trim().toLowerCase();
  const organ = BY_NAME.get(key);
  if (organ) return organ;
  const m = /^t(\d+)$/.exec(key);
  return m ? tumourDef(Number(m[1])) : undefined;
}

export function structureByLabel(label: number): StructureDef | undefined {
  if (label > TUMOUR_LABEL_BASE) return tumourDef(label - TUMOUR_LABEL_BASE);
  return ORGANS.find((o) => o.label === label);
}

/** Common aliases seen in imported SEG/RTSTRUCT files, for name mapping proposals. */
export function suggestStructure(name: string): StructureDef | undefined {
  const exact = structureByName(name);
  if (exact) return exact;
  const s = name.toLowerCase().replace(/[_\-.]+/g, ' ');
  const side: Side | undefined = /\b(l|left|lt|sin)\b/.test(s) ? 'L' : /\b(r|right|rt|dx)\b/.test(s) ? 'R' : undefined;
  const type: StructureType | undefined =
    /kidney|renal|niere/.test(s) ? 'kidney'
    : /parotid/.test(s) ? 'parotid'
    : /submandib|smg/.test(s) ? 'submandibular'
    : /lacrimal|lacrim/.test(s) ? 'lacrimal'
    : undefined;
  if (type && side) return ORGANS.find((o) => o.type === type && o.side === side);
  if (/liver/.test(s)) return ORGANS.find((o) => o.name === 'Liver');
  if (/spleen/.test(s)) return ORGANS.find((o) => o.name === 'Spleen');
  if (/bladder/.test(s)) return ORGANS.find((o) => o.name === 'Bladder');
  return undefined;
}

/** The structure types whose dose the model predicts, as used in structures.csv and feature tables. */
export const DOSIMETRIC_TYPES: readonly StructureType[] = ['kidney', 'parotid', 'submandibular', 'lacrimal', 'tumour'];
