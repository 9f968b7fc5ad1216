// The dose preview's results as a DICOM Structured Report: a Comprehensive 3D SR holding a TID 1500 Measurement
// Report with one TID 1411 Volumetric ROI group per structure, each referencing its segment of the SEG written with
// it and the PET series the segment was drawn on; and the reader that walks such a document back by codes.
//
// dcmjs.sr (0.52) was tried first and does not fit: ReferencedSegmentation passes misspelt options to
// ImageContentItem and always throws, and Measurement refuses a TrackingIdentifier. The dataset is therefore
// built as dcmjs naturalized JSON (as io/seg.ts does) and written by the project's Part-10 writer.
//
// Standard concepts (DICOM PS3.16): report title (DCM 126000), Procedure reported (DCM 121058) = PET whole body
// (LN 44139-4, CID 100), Volume (SCT 118565006, ml), SUVbw (DCM 126401) with Derivation (DCM 121401) Maximum
// (SCT 56851009), Mean (SCT 373098007) or Peak Value Within ROI (DCM 126031), unit {SUVbw}g/ml (UCUM).
// No standard concepts exist for predicted absorbed doses: they use the private coding scheme 99PSMADP (declared in
// the Coding Scheme Identification Sequence; PRIVATE_CODES lists every code), units Gy/GBq and Gy in UCUM.
import dcmjs from 'dcmjs';
import { asArray } from '../dicom/read';
import { dicomDateTime, ds, makeUid, sourceInstanceRefs, toPart10, type SourceSeries } from '../dicom/write';
import { structureByName, type Code, type StructureDef, type TumourSite } from '../vocabulary';
import type { Plan, PlanRow } from '../dose/plan';
import { structureExporter } from '../io/structureFormats';
import type { StructureMeta } from '../contours/structureSet';
import type { ModelCard } from '../model/card';
import type { StructureRef } from '../dose/rows';
import { dosimetricStructures, structureTasks } from '../dose/tasks';
import { uptakeMetrics } from '../radiomics/engine';
import type { Volume } from '../volume';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

export const COMPREHENSIVE_3D_SR = '1.2.840.10008.5.1.4.1.1.88.34';
const SR_CLASSES: Record<string, string> = {
  '1.2.840.10008.5.1.4.1.1.88.22': 'Enhanced SR', '1.2.840.10008.5.1.4.1.1.88.33': 'Comprehensive SR', [COMPREHENSIVE_3D_SR]: 'Comprehensive 3D SR',
};
const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

/** The project's private coding scheme for concepts DICOM has no code for. */
export const PRIVATE_SCHEME = '99PSMADP';
export const PRIVATE_SCHEME_INFO = {
  CodingSchemeDesignator: PRIVATE_SCHEME,
  CodingSchemeName: 'psma-dose-preview dose preview concepts',
  CodingSchemeVersion: '1',
  CodingSchemeResponsibleOrganization: 'psma-dose-preview project',
};

const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });
const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning });
const ucum = (value: string, meaning: string): Code => ({ value, scheme: 'UCUM', meaning });
const own = (value: string, meaning: string): Code => ({ value, scheme: PRIVATE_SCHEME, meaning });

/** Every code of the private scheme (99PSMADP), with its meaning: the scheme's documentation. */
export const PRIVATE_CODES = {
  gyPerGbq: own('GYPERGBQ', 'Predicted absorbed dose per administered activity'),
  lower90: own('GYPERGBQLO90', 'Predicted dose per activity, 90% interval lower bound'),
  upper90: own('GYPERGBQHI90', 'Predicted dose per activity, 90% interval upper bound'),
  gyPerCycle: own('GYCYCLE', 'Predicted absorbed dose per cycle at the planned activity'),
  cumulativeGy: own('GYCUM', 'Predicted cumulative absorbed dose of the planned cycles'),
  cumulativeUpper90Gy: own('GYCUMHI90', 'Predicted cumulative absorbed dose, 90% interval upper bound'),
  activityGBq: own('PLANACT', 'Planned administered activity per cycle'),
  cycles: own('PLANCYC', 'Planned number of cycles'),
  plan: own('PLAN', 'Treatment plan of the dose preview'),
  model: own('MODEL', 'Dose prediction model'),
  tracer: own('TRACER', 'PET radiopharmaceutical of the dose preview'),
  statement: own('USE', 'Intended use statement'),
} as const;

const C = {
  report: dcm('126000', 'Imaging Measurement Report'),
  language: dcm('121049', 'Language of Content Item and Descendants'),
  english: { value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' },
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  deviceUid: dcm('121012', 'Device Observer UID'),
  deviceName: dcm('121013', 'Device Observer Name'),
  deviceManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceModel: dcm('121015', 'Device Observer Model Name'),
  procedure: dcm('121058', 'Procedure reported'),
  petWholeBody: { value: '44139-4', scheme: 'LN', meaning: 'PET whole body' },
  imageLibrary: dcm('111028', 'Image Library'),
  imageLibraryGroup: dcm('126200', 'Image Library Group'),
  modality: dcm('121139', 'Modality'),
  pt: dcm('PT', 'Positron emission tomography'),
  frameOfReference: dcm('112227', 'Frame of Reference UID'),
  source: sct('260753009', 'Source'),
  measurements: dcm('126010', 'Imaging Measurements'),
  group: dcm('125007', 'Measurement Group'),
  trackingId: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  findingCategory: sct('276214006', 'Finding category'),
  findingSite: sct('363698007', 'Finding Site'),
  laterality: sct('272741003', 'Laterality'),
  referencedSegment: dcm('121191', 'Referenced Segment'),
  sourceSeries: dcm('121232', 'Source series for segmentation'),
  volume: sct('118565006', 'Volume'),
  suvbw: dcm('126401', 'SUVbw'),
  derivation: dcm('121401', 'Derivation'),
  maximum: sct('56851009', 'Maximum'),
  mean: sct('373098007', 'Mean'),
  peak: dcm('126031', 'Peak Value Within ROI'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  qualitative: { value: 'C0034375', scheme: 'UMLS', meaning: 'Qualitative Evaluations' },
};
const UNITS = {
  ml: ucum('ml', 'milliliter'),
  suv: ucum('{SUVbw}g/ml', 'Standardized Uptake Value body weight'),
  gyPerGbq: ucum('Gy/GBq', 'gray per gigabecquerel'),
  gy: ucum('Gy', 'gray'),
  gbq: ucum('GBq', 'gigabecquerel'),
  none: ucum('1', 'no units'),
};

/** Tumour sites with a SNOMED CT body structure (a tumour's Finding Site); "visceral" and "other" have none. */
const SITE_CODES: Partial<Record<TumourSite, Code>> = {
  bone: sct('272673000', 'Bone structure'),
  'lymph node': sct('59441001', 'Structure of lymph node'),
  prostate: sct('41216001', 'Prostatic structure'),
};

export class SrError extends Error {
  constructor(message: string, readonly reason: 'not-sr' | 'other-template' | 'not-ours' | 'malformed' | 'input') {
    super(message);
  }
}

export interface StructureDose {
  gyPerGbq: number;
  lower90: number;
  upper90: number;
  gyPerCycle: number;
  cumulativeGy: number;
  cumulativeUpper90Gy: number;
}

export interface SrStructure {
  /** Segment number of this structure in the referenced SEG. */
  segmentNumber: number;
  /** Vocabulary name (Kidney L, T1…): it gives the Finding and Finding Site codes. */
  name: string;
  type: string;
  /** A tumour's site (bone, lymph node…). */
  site?: string;
  volumeMl: number;
  suvMax: number;
  suvMean: number;
  /** Undefined when it could not be computed (a single-slice image). */
  suvPeak?: number;
  dose?: StructureDose;
}

export interface MeasurementReportInput {
  /** Naturalized attributes of a PET instance: patient and study attributes are copied from it. */
  petAttrs: Record<string, unknown>;
  /** The PET series the SEG is drawn on (its instances make the Image Library). */
  pet: Pick<SourceSeries, 'studyUid' | 'seriesUid' | 'frameOfReferenceUid' | 'sopClassUid' | 'instanceUids'>;
  seg: { sopClassUid?: string; sopInstanceUid: string; seriesUid: string };
  structures: SrStructure[];
  model: { id: string; version: string };
  tracer?: string;
  /** The model card's NOT FOR CLINICAL USE / research-use statement. */
  statement: string;
  plan?: { activityGBq: number; cycles: number };
  created?: Date;
  /** Seed of the SR's UIDs (default: the SEG instance and the creation time). */
  seed?: string;
}

type Item = Record<string, unknown>;
const codeSeq = (c: Code) => [{ CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning }];

function item(rel: string, valueType: string, concept: Code, value: Item = {}, children?: Item[]): Item {
  return { RelationshipType: rel, ValueType: valueType, ConceptNameCodeSequence: codeSeq(concept), ...value, ...(children?.length ? { ContentSequence: children } : {}) };
}
const codeItem = (rel: string, concept: Code, value: Code, children?: Item[]) => item(rel, 'CODE', concept, { ConceptCodeSequence: codeSeq(value) }, children);
const textItem = (rel: string, concept: Code, text: string) => item(rel, 'TEXT', concept, { TextValue: text });
const uidItem = (rel: string, concept: Code, uid: string) => item(rel, 'UIDREF', concept, { UID: uid });
function numItem(concept: Code, v: number, unit: Code, children?: Item[]): Item {
  return item('CONTAINS', 'NUM', concept, {
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: codeSeq(unit), NumericValue: ds(v), FloatingPointValue: v }],
  }, children);
}
const container = (rel: string, concept: Code, children: Item[], template?: string) => item(rel, 'CONTAINER', concept, {
  ContinuityOfContent: 'SEPARATE', ...(template ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: template }] } : {}),
}, children);

const PATIENT_STUDY_KEYS = ['PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'PatientSex', 'PatientAge', 'PatientWeight', 'PatientSize',
  'StudyInstanceUID', 'StudyDate', 'StudyTime', 'StudyID', 'AccessionNumber', 'ReferringPhysicianName', 'StudyDescription'];
const TYPE2_KEYS = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'StudyID', 'AccessionNumber', 'ReferringPhysicianName'];

function checkInput(input: MeasurementReportInput): Map<SrStructure, StructureDef> {
  const bad = (m: string) => new SrError(`DICOM SR: ${m}`, 'input');
  if (!input.structures.length) throw bad('no structures to report');
  if (!input.pet.instanceUids.length) throw bad('the PET series has no instances to reference');
  if (!input.model.id) throw bad('the model id is empty');
  if (input.plan && !(input.plan.activityGBq > 0 && Number.isInteger(input.plan.cycles) && input.plan.cycles >= 1)) {
    throw bad(`the plan (activity ${input.plan.activityGBq} GBq × ${input.plan.cycles} cycles) needs an activity above 0 and a whole number of cycles ≥ 1`);
  }
  const defs = new Map<SrStructure, StructureDef>();
  const numbers = new Set<number>();
  for (const s of input.structures) {
    const def = structureByName(s.name);
    if (!def) throw bad(`structure "${s.name}" is not in the structure vocabulary (Kidney L/R, Parotid L/R, …, T1, T2 …)`);
    if (!Number.isInteger(s.segmentNumber) || s.segmentNumber < 1) throw bad(`structure ${s.name}: segment number ${s.segmentNumber} is not a whole number ≥ 1`);
    if (numbers.has(s.segmentNumber)) throw bad(`structure ${s.name}: segment number ${s.segmentNumber} is used twice`);
    numbers.add(s.segmentNumber);
    const values: [string, number | undefined][] = [['volume', s.volumeMl], ['SUVmax', s.suvMax], ['SUVmean', s.suvMean], ['SUVpeak', s.suvPeak],
      ...Object.entries(s.dose ?? {}) as [string, number][]];
    for (const [k, v] of values) if (v !== undefined && !Number.isFinite(v)) throw bad(`structure ${s.name}: ${k} is ${v}, not a finite number`);
    defs.set(s, def);
  }
  return defs;
}

/** The TID 1411 group of one structure. */
function structureGroup(input: MeasurementReportInput, s: SrStructure, def: StructureDef, key: string): Item {
  const segClass = input.seg.sopClassUid ?? SEG_SOP_CLASS;
  const lateral = def.modifier ? [codeItem('HAS CONCEPT MOD', C.laterality, def.modifier)] : [];
  const siteCode = def.type === 'tumour' ? SITE_CODES[s.site as TumourSite] : def.typeCode;
  const algorithm = [textItem('HAS CONCEPT MOD', C.algorithmName, input.model.id), textItem('HAS CONCEPT MOD', C.algorithmVersion, input.model.version || 'unknown')];
  const d = s.dose;
  return container('CONTAINS', C.group, [
    textItem('HAS OBS CONTEXT', C.trackingId, s.name),
    uidItem('HAS OBS CONTEXT', C.trackingUid, makeUid(key, 'tracking', s.segmentNumber, s.name)),
    codeItem('CONTAINS', C.findingCategory, def.category),
    codeItem('CONTAINS', C.finding, def.typeCode),
    ...(siteCode ? [codeItem('HAS CONCEPT MOD', C.findingSite, siteCode, def.type === 'tumour' ? [] : lateral)] : []),
    item('CONTAINS', 'IMAGE', C.referencedSegment, {
      ReferencedSOPSequence: [{ ReferencedSOPClassUID: segClass, ReferencedSOPInstanceUID: input.seg.sopInstanceUid, ReferencedSegmentNumber: s.segmentNumber }],
    }),
    uidItem('CONTAINS', C.sourceSeries, input.pet.seriesUid),
    numItem(C.volume, s.volumeMl, UNITS.ml),
    numItem(C.suvbw, s.suvMax, UNITS.suv, [codeItem('HAS CONCEPT MOD', C.derivation, C.maximum)]),
    numItem(C.suvbw, s.suvMean, UNITS.suv, [codeItem('HAS CONCEPT MOD', C.derivation, C.mean)]),
    ...(s.suvPeak !== undefined ? [numItem(C.suvbw, s.suvPeak, UNITS.suv, [codeItem('HAS CONCEPT MOD', C.derivation, C.peak)])] : []),
    ...(d ? [
      numItem(PRIVATE_CODES.gyPerGbq, d.gyPerGbq, UNITS.gyPerGbq, algorithm),
      numItem(PRIVATE_CODES.lower90, d.lower90, UNITS.gyPerGbq),
      numItem(PRIVATE_CODES.upper90, d.upper90, UNITS.gyPerGbq),
      numItem(PRIVATE_CODES.gyPerCycle, d.gyPerCycle, UNITS.gy),
      numItem(PRIVATE_CODES.cumulativeGy, d.cumulativeGy, UNITS.gy),
      numItem(PRIVATE_CODES.cumulativeUpper90Gy, d.cumulativeUpper90Gy, UNITS.gy),
    ] : []),
  ], '1411');
}

/** Writes the dose preview's results as a Comprehensive 3D SR (TID 1500) that references the SEG and the PET. */
export function writeMeasurementReport(input: MeasurementReportInput): ArrayBuffer {
  const defs = checkInput(input);
  const created = input.created ?? new Date();
  const key = input.seed ?? `${input.seg.sopInstanceUid}/${created.getTime()}`;
  const seriesUid = makeUid(key, 'sr-series'), sopUid = makeUid(key, 'sr-instance');
  const when = dicomDateTime(created);
  const pet = input.pet;
  const petRefs = sourceInstanceRefs(pet as SourceSeries) as { ReferencedSOPClassUID: string; ReferencedSOPInstanceUID: string }[];
  const segClass = input.seg.sopClassUid ?? SEG_SOP_CLASS;
  const copied: Item = {};
  for (const k of TYPE2_KEYS) copied[k] = '';
  for (const k of PATIENT_STUDY_KEYS) if (input.petAttrs[k] !== undefined && input.petAttrs[k] !== null) copied[k] = input.petAttrs[k];
  copied.StudyInstanceUID = pet.studyUid;
  const plan = input.plan;
  const content: Item[] = [
    codeItem('HAS CONCEPT MOD', C.language, C.english),
    codeItem('HAS OBS CONTEXT', C.observerType, C.device),
    uidItem('HAS OBS CONTEXT', C.deviceUid, makeUid('psma-dose-preview', 'device')),
    textItem('HAS OBS CONTEXT', C.deviceName, 'psma-dose-preview'),
    textItem('HAS OBS CONTEXT', C.deviceManufacturer, 'psma-dose-preview'),
    textItem('HAS OBS CONTEXT', C.deviceModel, 'psma-dose-preview'),
    codeItem('HAS CONCEPT MOD', C.procedure, C.petWholeBody),
    container('CONTAINS', C.imageLibrary, [container('CONTAINS', C.imageLibraryGroup, [
      codeItem('HAS ACQ CONTEXT', C.modality, C.pt),
      ...(pet.frameOfReferenceUid ? [uidItem('HAS ACQ CONTEXT', C.frameOfReference, pet.frameOfReferenceUid)] : []),
      ...petRefs.map((r) => item('CONTAINS', 'IMAGE', C.source, { ReferencedSOPSequence: [r] })),
    ])]),
    container('CONTAINS', C.measurements, [
      ...input.structures.map((s) => structureGroup(input, s, defs.get(s)!, key)),
      ...(plan ? [container('CONTAINS', C.group, [
        textItem('HAS OBS CONTEXT', C.trackingId, 'Treatment plan'),
        uidItem('HAS OBS CONTEXT', C.trackingUid, makeUid(key, 'tracking', 'plan')),
        codeItem('CONTAINS', C.finding, PRIVATE_CODES.plan),
        numItem(PRIVATE_CODES.activityGBq, plan.activityGBq, UNITS.gbq),
        numItem(PRIVATE_CODES.cycles, plan.cycles, UNITS.none),
      ], '1501')] : []),
    ]),
    container('CONTAINS', C.qualitative, [
      textItem('CONTAINS', PRIVATE_CODES.model, `${input.model.id} ${input.model.version}`.trim()),
      ...(input.tracer ? [textItem('CONTAINS', PRIVATE_CODES.tracer, input.tracer)] : []),
      textItem('CONTAINS', PRIVATE_CODES.statement, input.statement),
    ]),
  ];
  const dataset: Item = {
    SpecificCharacterSet: 'ISO_IR 192',
    Modality: 'SR',
    ...copied,
    SeriesInstanceUID: seriesUid,
    SeriesNumber: '101',
    SeriesDescription: 'Dose preview results (psma-dose-preview)',
    SeriesDate: when.date,
    SeriesTime: when.time,
    ReferencedPerformedProcedureStepSequence: [],
    InstanceNumber: '1',
    Manufacturer: 'psma-dose-preview',
    ManufacturerModelName: 'psma-dose-preview',
    SoftwareVersions: '0.1.0',
    ContentDate: when.date,
    ContentTime: when.time,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PreliminaryFlag: 'PRELIMINARY',
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [{
      StudyInstanceUID: pet.studyUid,
      ReferencedSeriesSequence: [
        { SeriesInstanceUID: pet.seriesUid, ReferencedSOPSequence: petRefs },
        { SeriesInstanceUID: input.seg.seriesUid, ReferencedSOPSequence: [{ ReferencedSOPClassUID: segClass, ReferencedSOPInstanceUID: input.seg.sopInstanceUid }] },
      ],
    }],
    CodingSchemeIdentificationSequence: [PRIVATE_SCHEME_INFO],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: codeSeq(C.report),
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    ContentSequence: content,
  };
  return toPart10(dataset, COMPREHENSIVE_3D_SR, sopUid);
}

// ---- reading ----

export interface ReadStructure extends SrStructure {
  trackingUid: string;
  /** The Finding (the vocabulary's type code: Kidney, Neoplasm…) and Finding Site as coded. */
  finding?: Code;
  findingSite?: Code;
  laterality?: Code;
  /** The referenced segment: SEG instance and segment number; the PET series it was drawn on. */
  segSopInstanceUid: string;
  sourceSeriesUid?: string;
}

export interface MeasurementReport {
  sopInstanceUid: string;
  seriesUid: string;
  studyUid: string;
  /** ContentDate and ContentTime as stored (YYYYMMDD, HHMMSS). */
  contentDate: string;
  contentTime: string;
  patientName: string;
  patientId: string;
  model?: string;
  tracer?: string;
  statement?: string;
  plan?: { activityGBq: number; cycles: number };
  /** PET instances of the Image Library. */
  imageLibrary: { sopClassUid: string; sopInstanceUid: string }[];
  /** The referenced SEG (from the evidence) and the structures of its segments. */
  seg?: { sopClassUid: string; sopInstanceUid: string; seriesUid: string };
  structures: ReadStructure[];
}

type Node = Record<string, any>;
const conceptOf = (n: Node): Code | undefined => {
  const c = asArray<Node>(n.ConceptNameCodeSequence)[0];
  return c ? { value: String(c.CodeValue), scheme: String(c.CodingSchemeDesignator), meaning: String(c.CodeMeaning ?? '') } : undefined;
};
const valueCode = (n: Node): Code | undefined => {
  const c = asArray<Node>(n.ConceptCodeSequence)[0];
  return c ? { value: String(c.CodeValue), scheme: String(c.CodingSchemeDesignator), meaning: String(c.CodeMeaning ?? '') } : undefined;
};
const is = (n: Node, c: Code) => { const k = conceptOf(n); return !!k && k.value === c.value && k.scheme === c.scheme; };
const same = (a: Code | undefined, b: Code) => !!a && a.value === b.value && a.scheme === b.scheme;
const children = (n: Node): Node[] => asArray<Node>(n.ContentSequence);
const find = (items: Node[], c: Code) => items.find((n) => is(n, c));
const text = (n: Node | undefined) => (n?.TextValue !== undefined ? String(n.TextValue) : n?.UID !== undefined ? String(n.UID) : undefined);
const personName = (v: unknown): string => (Array.isArray(v) ? personName(v[0]) : v && typeof v === 'object' && 'Alphabetic' in v ? String((v as { Alphabetic: string }).Alphabetic) : v ? String(v) : '');

/** Windows-1252 characters of bytes 0x80–0x9F (browsers decode "latin1" as Windows-1252). */
const CP1252 = new Map([0x20ac, 0, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0, 0x17d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0, 0x17e, 0x178].flatMap((c, n) => (c ? [[c, 0x80 + n] as [number, number]] : [])));

/**
 * Text that was UTF-8 but decoded one byte per character (Latin-1 in Node, Windows-1252 in browsers), decoded
 * again as UTF-8; the text as it is when it is not such text.
 */
export function recoverUtf8(text: string): string {
  const bytes: number[] = [];
  let high = false;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const b = c <= 0xff ? c : CP1252.get(c);
    if (b === undefined) return text;
    if (b >= 0x80) high = true;
    bytes.push(b);
  }
  if (!high) return text;
  try { return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes)); } catch { return text; }
}

/**
 * dcmjs (0.52) applies SpecificCharacterSet only to top-level elements: text inside sequence items comes back
 * decoded byte by byte. With ISO_IR 192 (UTF-8) that text is decoded again (recoverUtf8).
 */
function fixNestedUtf8(node: unknown, nested = false): unknown {
  if (typeof node === 'string') return nested ? recoverUtf8(node) : node;
  if (Array.isArray(node)) return node.map((v) => fixNestedUtf8(v, nested));
  if (node && typeof node === 'object' && !(node instanceof ArrayBuffer) && !ArrayBuffer.isView(node)) {
    for (const [k, v] of Object.entries(node)) (node as Record<string, unknown>)[k] = fixNestedUtf8(v, nested || (Array.isArray(v) && typeof v[0] === 'object'));
  }
  return node;
}

function numValue(n: Node, what: string): number {
  const mv = asArray<Node>(n.MeasuredValueSequence)[0];
  const v = mv?.FloatingPointValue !== undefined ? Number(asArray(mv.FloatingPointValue)[0]) : Number(asArray(mv?.NumericValue)[0]);
  if (!Number.isFinite(v)) throw new SrError(`${what} has no numeric value`, 'malformed');
  return v;
}

/**
 * Reads a measurement report written by writeMeasurementReport: the structures, their segment references, uptake and
 * doses, the plan, model, tracer and statement. Throws SrError naming the problem for a file that is not an SR
 * (reason not-sr), another document (other-template) or a TID 1500 report of another program (not-ours).
 */
export function readMeasurementReport(bytes: ArrayBuffer, name = 'SR'): MeasurementReport {
  let ds0: Node;
  try {
    ds0 = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(bytes, { ignoreErrors: true }).dict);
  } catch (e) {
    throw new SrError(`${name}: not a readable DICOM file (${(e as Error).message})`, 'not-sr');
  }
  if (/ISO_IR 192/.test(String(ds0.SpecificCharacterSet ?? ''))) fixNestedUtf8(ds0);
  if (ds0.Modality !== 'SR') throw new SrError(`${name}: Modality is ${ds0.Modality ?? 'absent'}, not SR: not a structured report`, 'not-sr');
  if (!SR_CLASSES[ds0.SOPClassUID]) throw new SrError(`${name}: SOP Class ${ds0.SOPClassUID} is not an Enhanced, Comprehensive or Comprehensive 3D SR`, 'other-template');
  const root = conceptOf(ds0);
  const template = asArray<Node>(ds0.ContentTemplateSequence)[0]?.TemplateIdentifier;
  if (!same(root, C.report) || (template !== undefined && String(template) !== '1500')) {
    throw new SrError(`${name}: the document is ${root ? `"${root.meaning}" (${root.scheme} ${root.value})` : 'untitled'}${template ? `, template TID ${template}` : ''}, not a TID 1500 Imaging Measurement Report`, 'other-template');
  }
  const schemes = asArray<Node>(ds0.CodingSchemeIdentificationSequence).map((s) => String(s.CodingSchemeDesignator));
  if (!schemes.includes(PRIVATE_SCHEME)) throw new SrError(`${name}: a TID 1500 report, but not one of psma-dose-preview (no ${PRIVATE_SCHEME} coding scheme)`, 'not-ours');
  const top = children(ds0);
  const library = children(find(children(find(top, C.imageLibrary) ?? {}), C.imageLibraryGroup) ?? {})
    .filter((n) => n.ValueType === 'IMAGE')
    .map((n) => asArray<Node>(n.ReferencedSOPSequence)[0])
    .filter(Boolean)
    .map((r) => ({ sopClassUid: String(r.ReferencedSOPClassUID), sopInstanceUid: String(r.ReferencedSOPInstanceUID) }));
  const measurements = find(top, C.measurements);
  if (!measurements) throw new SrError(`${name}: the report has no Imaging Measurements container`, 'malformed');
  const structures: ReadStructure[] = [];
  let plan: MeasurementReport['plan'];
  for (const g of children(measurements).filter((n) => is(n, C.group))) {
    const items = children(g);
    const id = text(find(items, C.trackingId)) ?? '(no tracking identifier)';
    const what = `${name}: measurement group "${id}"`;
    if (same(valueCode(find(items, C.finding) ?? {}), PRIVATE_CODES.plan)) {
      const act = find(items, PRIVATE_CODES.activityGBq), cyc = find(items, PRIVATE_CODES.cycles);
      if (act && cyc) plan = { activityGBq: numValue(act, `${what}, planned activity`), cycles: numValue(cyc, `${what}, cycles`) };
      continue;
    }
    const segRef = asArray<Node>(find(items, C.referencedSegment)?.ReferencedSOPSequence)[0];
    if (!segRef) throw new SrError(`${what} has no Referenced Segment`, 'malformed');
    const num = (c: Code, derivation?: Code) => {
      const n = items.find((x) => x.ValueType === 'NUM' && is(x, c) && (!derivation || same(valueCode(find(children(x), C.derivation) ?? {}), derivation)));
      return n ? numValue(n, `${what}, ${c.meaning}${derivation ? ` (${derivation.meaning})` : ''}`) : undefined;
    };
    const need = (v: number | undefined, label: string) => {
      if (v === undefined) throw new SrError(`${what} has no ${label}`, 'malformed');
      return v;
    };
    const site = find(items, C.findingSite);
    const dosePoint = num(PRIVATE_CODES.gyPerGbq);
    const s: ReadStructure = {
      name: id, trackingUid: text(find(items, C.trackingUid)) ?? '',
      type: structureByName(id)?.type ?? '',
      segmentNumber: Number(asArray(segRef.ReferencedSegmentNumber)[0]),
      segSopInstanceUid: String(segRef.ReferencedSOPInstanceUID),
      sourceSeriesUid: text(find(items, C.sourceSeries)),
      finding: valueCode(find(items, C.finding) ?? {}),
      findingSite: site ? valueCode(site) : undefined,
      laterality: site ? valueCode(find(children(site), C.laterality) ?? {}) : undefined,
      volumeMl: need(num(C.volume), 'Volume'),
      suvMax: need(num(C.suvbw, C.maximum), 'SUVbw Maximum'),
      suvMean: need(num(C.suvbw, C.mean), 'SUVbw Mean'),
      suvPeak: num(C.suvbw, C.peak),
    };
    if (s.type === 'tumour' && s.findingSite) s.site = Object.entries(SITE_CODES).find(([, c]) => same(s.findingSite, c!))?.[0];
    if (dosePoint !== undefined) {
      s.dose = {
        gyPerGbq: dosePoint,
        lower90: need(num(PRIVATE_CODES.lower90), 'lower 90 % bound'), upper90: need(num(PRIVATE_CODES.upper90), 'upper 90 % bound'),
        gyPerCycle: need(num(PRIVATE_CODES.gyPerCycle), 'dose per cycle'), cumulativeGy: need(num(PRIVATE_CODES.cumulativeGy), 'cumulative dose'),
        cumulativeUpper90Gy: need(num(PRIVATE_CODES.cumulativeUpper90Gy), 'cumulative upper 90 % dose'),
      };
    }
    structures.push(s);
  }
  const qualitative = children(find(top, C.qualitative) ?? {});
  const evidence = asArray<Node>(ds0.CurrentRequestedProcedureEvidenceSequence)[0];
  const segSeries = asArray<Node>(evidence?.ReferencedSeriesSequence).find((x) => asArray<Node>(x.ReferencedSOPSequence).some((r) => String(r.ReferencedSOPClassUID).startsWith('1.2.840.10008.5.1.4.1.1.66')));
  const segItem = asArray<Node>(segSeries?.ReferencedSOPSequence)[0];
  return {
    sopInstanceUid: String(ds0.SOPInstanceUID), seriesUid: String(ds0.SeriesInstanceUID), studyUid: String(ds0.StudyInstanceUID),
    contentDate: String(ds0.ContentDate ?? ''), contentTime: String(ds0.ContentTime ?? ''),
    patientName: personName(ds0.PatientName), patientId: String(ds0.PatientID ?? ''),
    model: text(find(qualitative, PRIVATE_CODES.model)), tracer: text(find(qualitative, PRIVATE_CODES.tracer)), statement: text(find(qualitative, PRIVATE_CODES.statement)),
    plan, imageLibrary: library,
    seg: segItem ? { sopClassUid: String(segItem.ReferencedSOPClassUID), sopInstanceUid: String(segItem.ReferencedSOPInstanceUID), seriesUid: String(segSeries!.SeriesInstanceUID) } : undefined,
    structures,
  };
}

/** The UIDs and segment numbers (by segment label) of a SEG, as an SR referencing it needs them. */
export function segReference(segBytes: ArrayBuffer): { sopClassUid: string; sopInstanceUid: string; seriesUid: string; segments: Map<string, number> } {
  const d = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(segBytes, { ignoreErrors: true }).dict) as Node;
  if (d.Modality !== 'SEG') throw new SrError(`the SEG to reference has Modality ${d.Modality ?? 'absent'}`, 'input');
  return {
    sopClassUid: String(d.SOPClassUID), sopInstanceUid: String(d.SOPInstanceUID), seriesUid: String(d.SeriesInstanceUID),
    segments: new Map(asArray<Node>(d.SegmentSequence).map((s) => [String(s.SegmentLabel), Number(s.SegmentNumber)])),
  };
}

/** A structure's uptake as the feature rows compute it (engine uptake metrics on the PET grid). */
export interface StructureUptake { name: string; type: string; site?: string; volumeMl: number; suvMax: number; suvMean: number; suvPeak?: number }

/**
 * The SR's structures: each structure's uptake, its segment number in the SEG (by segment label) and, when the plan
 * has a row for it, its predicted doses. Throws when a structure has no segment in the SEG.
 */
export function srStructures(uptake: StructureUptake[], segments: Map<string, number>, rows: Pick<PlanRow, 'name' | 'gyPerGBq' | 'lo' | 'hi' | 'gyPerCycle' | 'gyCumulative' | 'gyCumulativeHi'>[] = []): SrStructure[] {
  return uptake.map((u) => {
    const segmentNumber = segments.get(u.name);
    if (segmentNumber === undefined) throw new SrError(`DICOM SR: structure ${u.name} has no segment in the SEG it references (segments: ${[...segments.keys()].join(', ') || 'none'})`, 'input');
    const r = rows.find((x) => x.name === u.name);
    const suvPeak = u.suvPeak !== undefined && Number.isFinite(u.suvPeak) ? u.suvPeak : undefined;
    return {
      segmentNumber, name: u.name, type: u.type, ...(u.site ? { site: u.site } : {}), volumeMl: u.volumeMl, suvMax: u.suvMax, suvMean: u.suvMean, suvPeak,
      ...(r ? { dose: { gyPerGbq: r.gyPerGBq, lower90: r.lo, upper90: r.hi, gyPerCycle: r.gyPerCycle, cumulativeGy: r.gyCumulative, cumulativeUpper90Gy: r.gyCumulativeHi } } : {}),
    };
  });
}

/** Uptake of each structure (vocabulary names) of a label map on the SUV grid, as the feature rows compute it. */
export function structureUptake(suv: Volume<Float32Array>, labels: Volume, structures: StructureRef[]): StructureUptake[] {
  const { refs, tasks } = structureTasks(suv, labels, structures);
  return refs.map((s, n) => {
    const u = uptakeMetrics(tasks[n].image, tasks[n].mask, {}, []);
    return { name: s.name, type: s.type, site: s.site, volumeMl: u.volume_ml ?? NaN, suvMax: u.suvmax ?? NaN, suvMean: u.suvmean ?? NaN, suvPeak: u.suvpeak ?? undefined };
  });
}

/** The SR's intended-use statement from the model card (NOT FOR CLINICAL USE when the card says so). */
export function resultsStatement(card: Pick<ModelCard, 'notForClinicalUse' | 'intendedUse' | 'trainingData'>): string {
  const trained = `— trained on ${card.trainingData.name}.`;
  const use = card.intendedUse ?? '';
  if (!card.notForClinicalUse) return `Research use. ${use} ${trained}`.replace(/\s+/g, ' ').trim();
  return (/NOT FOR CLINICAL USE/i.test(use) ? `${use} ${trained}` : `NOT FOR CLINICAL USE — research use only. ${use} ${trained}`).replace(/\s+/g, ' ').trim();
}

/** What the SEG + SR pair is made from (the viewer and `npm run report` pass the same). */
export interface DoseResultsInput {
  /** Structure label map on the PET grid and its metadata (tumour sites). */
  labels: Volume<Uint8Array>;
  meta: StructureMeta;
  suv: Volume<Float32Array>;
  /** The PET series (the SEG is drawn on it) and a PET instance's attributes (patient and study are copied). */
  pet: SourceSeries;
  petAttrs: Record<string, unknown>;
  plan: Pick<Plan, 'rows' | 'activityGBq' | 'cycles'>;
  model: { id: string; version: string };
  tracer?: string;
  statement: string;
  created?: Date;
  seed?: string;
}

/** The SEG of the dosimetric structures and the SR of their results that references it. */
export function writeDoseResults(input: DoseResultsInput): { seg: ArrayBuffer; sr: ArrayBuffer } {
  const created = input.created ?? new Date();
  const seed = input.seed ?? `${input.pet.studyUid}/${created.getTime()}`;
  const segBytes = structureExporter('SEG').write({ labels: input.labels, meta: input.meta, source: input.pet, seed });
  const seg = segReference(segBytes);
  const structures = srStructures(structureUptake(input.suv, input.labels, dosimetricStructures(input.labels, input.meta)), seg.segments, input.plan.rows);
  const sr = writeMeasurementReport({
    petAttrs: input.petAttrs, pet: input.pet, seg, structures, model: input.model, tracer: input.tracer, statement: input.statement,
    plan: { activityGBq: input.plan.activityGBq, cycles: input.plan.cycles }, created, seed,
  });
  return { seg: segBytes, sr };
}
