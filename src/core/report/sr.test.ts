// The dose preview's DICOM SR: dciodvfy 0 errors, read back by our reader and by pydicom to the same numbers, and
// its content tree checked against TID 1500 / TID 1411 (dciodvfy does not check templates), references resolving
// to the SEG's segments and the PET's instances.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import dcmjs from 'dcmjs';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { ptReference, writePtSeries } from '../phantom/dicom';
import { writeSeg } from '../io/seg';
import { parseDicom } from '../dicom/read';
import { toPart10 } from '../dicom/write';
import { dosimetricStructures } from '../dose/tasks';
import { plan } from '../dose/plan';
import { emptyMeta } from '../contours/structureSet';
import { TUMOUR_LABEL_BASE } from '../vocabulary';
import {
  COMPREHENSIVE_3D_SR, PRIVATE_CODES, PRIVATE_SCHEME, readMeasurementReport, segReference, srStructures, structureUptake, writeMeasurementReport,
  recoverUtf8, resultsStatement, writeDoseResults, SrError, type MeasurementReportInput,
} from './sr';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
const DCIODVFY = '/usr/bin/dciodvfy';
const PYTHON = '/usr/bin/python3';
const WALKER = join(import.meta.dirname, '../../../test-support/sr_walk.py');

const p = generatePatient(defaultPatientSpec(7, { lesions: 3, imaging: { ctSpacing: [6, 6, 8], petSpacing: [8, 8, 8], zBottomMm: 250, zTopMm: 420 } }));
const dir = mkdtempSync(join(tmpdir(), 'psma-sr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The slab holds kidneys, liver and spleen; two tumours are added (T1 bone, T2 lymph node) and the parotid's label
// is used for a block so that one organ has no prediction below.
const [nx, ny, nz] = p.labels.dims;
const paint = (label: number, i0: number, j0: number, k0: number) => {
  for (let k = k0; k < k0 + 2; k++) for (let j = j0; j < j0 + 3; j++) for (let i = i0; i < i0 + 3; i++) p.labels.data[i + nx * (j + ny * k)] = label;
};
paint(TUMOUR_LABEL_BASE + 1, Math.floor(nx / 2), Math.floor(ny / 2), Math.floor(nz / 2));
paint(TUMOUR_LABEL_BASE + 2, Math.floor(nx / 2) - 6, Math.floor(ny / 2) + 4, 2);
paint(3, 2, 2, nz - 3);
const source = ptReference(p);
const petAttrs = parseDicom(writePtSeries(p).files[0].data).attrs;
const segBytes = writeSeg(p.labels, source);
const seg = segReference(segBytes);
const meta = emptyMeta();
meta.tumours[TUMOUR_LABEL_BASE + 1] = { site: 'bone' };
meta.tumours[TUMOUR_LABEL_BASE + 2] = { site: 'lymph node' };
// Uptake as the feature rows compute it (the phantom's PET in Bq/mL stands in for SUV: any values are fine here).
const uptake = structureUptake(p.pet, p.labels, dosimetricStructures(p.labels, meta));
// Predictions for all but the last structure (so one structure is reported without a dose).
const predicted = uptake.slice(0, -1).map((u, i) => ({ name: u.name, type: u.type, gyPerGBq: 0.4 + 0.37 * i, lo: 0.2 + 0.1 * i, hi: 0.9 + 0.5 * i, volumeMl: u.volumeMl }));
const thePlan = plan(predicted, { activityGBq: 7.4, cycles: 6 });
const created = new Date(2026, 11, 1, 23, 59, 7);

function input(over: Partial<MeasurementReportInput> = {}): MeasurementReportInput {
  return {
    petAttrs, pet: source, seg, structures: srStructures(uptake, seg.segments, thePlan.rows),
    model: { id: 'psma-lmm-synthetic', version: '1.0.0' }, tracer: '18F-DCFPyL', statement: 'NOT FOR CLINICAL USE — research use only; trained on synthetic patients.',
    plan: { activityGBq: 7.4, cycles: 6 }, created, seed: 'test', ...over,
  };
}
const sr = writeMeasurementReport(input());

function save(name: string, data: ArrayBuffer): string {
  const file = join(dir, name);
  writeFileSync(file, new Uint8Array(data));
  return file;
}

function dciodvfyErrors(name: string, data: ArrayBuffer): string[] {
  const r = spawnSync(DCIODVFY, [save(name, data)], { encoding: 'utf8' });
  if (r.error) throw new Error(`${DCIODVFY} could not run (${r.error.message}): install Debian's dicom3tools`);
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
}

type Node = Record<string, any>;
const dataset = (bytes: ArrayBuffer): Node => DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(bytes).dict);
const kids = (n: Node): Node[] => (n.ContentSequence ?? []) as Node[];
const conceptKey = (n: Node) => `${n.ConceptNameCodeSequence?.[0]?.CodingSchemeDesignator}:${n.ConceptNameCodeSequence?.[0]?.CodeValue}`;
const byConcept = (items: Node[], key: string) => items.filter((n) => conceptKey(n) === key);
const one = (items: Node[], key: string, rel?: string, type?: string) => {
  const found = byConcept(items, key);
  expect(found, key).toHaveLength(1);
  if (rel) expect(found[0].RelationshipType, `${key} relationship`).toBe(rel);
  if (type) expect(found[0].ValueType, `${key} value type`).toBe(type);
  return found[0];
};

describe('writeMeasurementReport', () => {
  it('passes dciodvfy with 0 errors (full report, and one without doses, plan or SUVpeak)', () => {
    expect(dciodvfyErrors('sr.dcm', sr)).toEqual([]);
    const bare = input({ plan: undefined, tracer: undefined, structures: srStructures(uptake, seg.segments).map((s) => ({ ...s, suvPeak: undefined })) });
    expect(dciodvfyErrors('sr-bare.dcm', writeMeasurementReport(bare))).toEqual([]);
  });

  it('is a Comprehensive 3D SR of the PET study, with patient and study attributes copied from the PET', () => {
    const d = dataset(sr);
    expect(d.SOPClassUID).toBe(COMPREHENSIVE_3D_SR);
    expect(d.Modality).toBe('SR');
    for (const k of ['StudyInstanceUID', 'PatientID', 'StudyDate', 'PatientBirthDate', 'PatientSex']) expect(d[k], k).toEqual(petAttrs[k]);
    expect(d.PatientName).toEqual(petAttrs.PatientName);
    expect(d.SeriesInstanceUID).not.toBe(source.seriesUid);
    expect([d.ContentDate, d.ContentTime]).toEqual(['20261201', '235907']);
    expect(d.CodingSchemeIdentificationSequence[0].CodingSchemeDesignator).toBe(PRIVATE_SCHEME);
  });

  it('holds a TID 1500 content tree: required items, one TID 1411 group per structure, references resolving to the SEG and the PET', () => {
    const d = dataset(sr);
    expect([conceptKey(d), d.ValueType, d.ContentTemplateSequence[0].TemplateIdentifier, d.ContentTemplateSequence[0].MappingResource]).toEqual(['DCM:126000', 'CONTAINER', '1500', 'DCMR']);
    const top = kids(d);
    expect(one(top, 'DCM:121049', 'HAS CONCEPT MOD', 'CODE').ConceptCodeSequence[0].CodeValue).toBe('en-US');
    expect(one(top, 'DCM:121005', 'HAS OBS CONTEXT', 'CODE').ConceptCodeSequence[0].CodeValue).toBe('121007'); // Device
    one(top, 'DCM:121012', 'HAS OBS CONTEXT', 'UIDREF');
    expect(one(top, 'DCM:121058', 'HAS CONCEPT MOD', 'CODE').ConceptCodeSequence[0].CodeValue).toBe('44139-4');
    // TID 1500 order: language, observation context, procedure, image library, measurements, qualitative evaluations.
    const order = top.map(conceptKey);
    expect(order.indexOf('DCM:121049')).toBe(0);
    expect(order.indexOf('DCM:121058')).toBeLessThan(order.indexOf('DCM:111028'));
    expect(order.indexOf('DCM:111028')).toBeLessThan(order.indexOf('DCM:126010'));
    // Image Library: every PET instance once, nothing else.
    const group = one(kids(one(top, 'DCM:111028', 'CONTAINS', 'CONTAINER')), 'DCM:126200', 'CONTAINS', 'CONTAINER');
    const images = kids(group).filter((n) => n.ValueType === 'IMAGE').map((n) => n.ReferencedSOPSequence[0]);
    expect(images.map((r) => r.ReferencedSOPInstanceUID).sort()).toEqual([...new Set(source.instanceUids)].sort());
    expect(new Set(images.map((r) => r.ReferencedSOPClassUID))).toEqual(new Set([source.sopClassUid]));
    // Evidence: the PET instances and the SEG.
    const evidence = d.CurrentRequestedProcedureEvidenceSequence[0];
    expect(evidence.StudyInstanceUID).toBe(source.studyUid);
    const evSeries = Object.fromEntries(evidence.ReferencedSeriesSequence.map((s: Node) => [s.SeriesInstanceUID, s.ReferencedSOPSequence.map((r: Node) => r.ReferencedSOPInstanceUID)]));
    expect(evSeries[source.seriesUid].sort()).toEqual([...source.instanceUids].sort());
    expect(evSeries[seg.seriesUid]).toEqual([seg.sopInstanceUid]);
    // Measurement groups: TID 1411 per structure, each resolving to the SEG segment labelled with its tracking identifier.
    const groups = byConcept(kids(one(top, 'DCM:126010', 'CONTAINS', 'CONTAINER')), 'DCM:125007');
    const roiGroups = groups.filter((g) => g.ContentTemplateSequence[0].TemplateIdentifier === '1411');
    expect(roiGroups).toHaveLength(uptake.length);
    const segLabels = new Map([...seg.segments].map(([label, n]) => [n, label]));
    const trackingUids = new Set<string>();
    for (const g of roiGroups) {
      const items = kids(g);
      const name = one(items, 'DCM:112039', 'HAS OBS CONTEXT', 'TEXT').TextValue;
      trackingUids.add(one(items, 'DCM:112040', 'HAS OBS CONTEXT', 'UIDREF').UID);
      one(items, 'DCM:121071', 'CONTAINS', 'CODE');
      const ref = one(items, 'DCM:121191', 'CONTAINS', 'IMAGE').ReferencedSOPSequence[0];
      expect([ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID]).toEqual([seg.sopClassUid, seg.sopInstanceUid]);
      expect(segLabels.get(ref.ReferencedSegmentNumber), `${name}: segment ${ref.ReferencedSegmentNumber}`).toBe(name);
      expect(one(items, 'DCM:121232', 'CONTAINS', 'UIDREF').UID).toBe(source.seriesUid);
      const vol = one(items, 'SCT:118565006', 'CONTAINS', 'NUM');
      expect(vol.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue).toBe('ml');
      const suv = byConcept(items, 'DCM:126401');
      expect(suv.map((n) => kids(n)[0].ConceptCodeSequence[0].CodeValue).sort()).toEqual(['126031', '373098007', '56851009'].sort());
      for (const n of suv) expect([conceptKey(kids(n)[0]), kids(n)[0].RelationshipType, n.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue]).toEqual(['DCM:121401', 'HAS CONCEPT MOD', '{SUVbw}g/ml']);
      const predictedHere = predicted.some((x) => x.name === name);
      const doseItems = items.filter((n) => n.ConceptNameCodeSequence[0].CodingSchemeDesignator === PRIVATE_SCHEME);
      expect(doseItems.length, name).toBe(predictedHere ? 6 : 0);
      for (const n of doseItems) expect(n.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue).toBe(n.ConceptNameCodeSequence[0].CodeValue.startsWith('GYPERGBQ') ? 'Gy/GBq' : 'Gy');
      if (predictedHere) expect(kids(one(items, `${PRIVATE_SCHEME}:GYPERGBQ`)).map((n) => n.TextValue)).toEqual(['psma-lmm-synthetic', '1.0.0']);
    }
    expect(trackingUids.size).toBe(roiGroups.length);
    // The plan group and the qualitative evaluations (model, tracer, statement).
    expect(groups.filter((g) => g.ContentTemplateSequence[0].TemplateIdentifier === '1501')).toHaveLength(1);
    const qualitative = kids(one(top, 'UMLS:C0034375', 'CONTAINS', 'CONTAINER'));
    expect(one(qualitative, `${PRIVATE_SCHEME}:USE`).TextValue).toMatch(/NOT FOR CLINICAL USE/);
  });

  it('uses only documented private codes, each meaning fitting LO (64 characters)', () => {
    const documented = new Map(Object.values(PRIVATE_CODES).map((c) => [c.value, c.meaning]));
    const used: Node[] = [];
    const walk = (n: Node) => { for (const c of kids(n)) { used.push(c.ConceptNameCodeSequence[0], ...(c.ConceptCodeSequence ?? [])); walk(c); } };
    walk(dataset(sr));
    const own = used.filter((c) => c.CodingSchemeDesignator === PRIVATE_SCHEME);
    expect(own.length).toBeGreaterThan(10);
    for (const c of own) expect(documented.get(c.CodeValue), c.CodeValue).toBe(c.CodeMeaning);
    for (const c of used) expect(String(c.CodeMeaning).length, c.CodeMeaning).toBeLessThanOrEqual(64);
  });
});

describe('readMeasurementReport', () => {
  const expected = input().structures;

  it('reads back the same structures, doses, plan, model and references', () => {
    const r = readMeasurementReport(sr);
    expect(r.structures.map(({ segmentNumber, name, type, site, volumeMl, suvMax, suvMean, suvPeak, dose }) => ({ segmentNumber, name, type, ...(site ? { site } : {}), volumeMl, suvMax, suvMean, suvPeak, ...(dose ? { dose } : {}) })))
      .toEqual(expected);
    expect(r.structures.filter((s) => s.dose)).toHaveLength(predicted.length);
    expect(r.structures.find((s) => s.name === 'Kidney L')?.laterality?.meaning).toBe('Left');
    expect(r.structures.find((s) => s.name === 'T1')?.site).toBe('bone');
    expect(r.plan).toEqual({ activityGBq: 7.4, cycles: 6 });
    expect([r.model, r.tracer, r.statement]).toEqual(['psma-lmm-synthetic 1.0.0', '18F-DCFPyL', input().statement]);
    expect(r.seg).toEqual({ sopClassUid: seg.sopClassUid, sopInstanceUid: seg.sopInstanceUid, seriesUid: seg.seriesUid });
    expect(r.imageLibrary.map((i) => i.sopInstanceUid).sort()).toEqual([...source.instanceUids].sort());
    expect(new Set(r.structures.map((s) => s.sourceSeriesUid))).toEqual(new Set([source.seriesUid]));
    expect(r.studyUid).toBe(source.studyUid);
  });

  it('gives the same numbers as pydicom walking the content tree', () => {
    const run = spawnSync(PYTHON, [WALKER, save('sr-py.dcm', sr)], { encoding: 'utf8' });
    if (run.error) throw new Error(`${PYTHON} could not run (${run.error.message}): install Debian's python3-pydicom`);
    expect(run.stderr).toBe('');
    const py = JSON.parse(run.stdout);
    const ours = readMeasurementReport(sr);
    expect(py.structures).toEqual(ours.structures.map((s) => ({
      name: s.name, segmentNumber: s.segmentNumber, segSopInstanceUid: s.segSopInstanceUid, sourceSeriesUid: s.sourceSeriesUid, finding: [s.finding!.scheme, s.finding!.value],
      volumeMl: s.volumeMl, suvMax: s.suvMax, suvMean: s.suvMean, suvPeak: s.suvPeak, ...(s.dose ? { dose: s.dose } : {}),
    })));
    expect(py.plan).toEqual(ours.plan);
    expect([py.model, py.statement, py.sopInstanceUid]).toEqual([ours.model, ours.statement, ours.sopInstanceUid]);
    expect(py.imageLibrary.sort()).toEqual([...source.instanceUids].sort());
  });

  it('refuses what is not an SR, another template and a TID 1500 report of another program, by name', () => {
    const reason = (bytes: ArrayBuffer) => { try { readMeasurementReport(bytes, 'x.dcm'); return 'read'; } catch (e) { return `${(e as SrError).reason}: ${(e as Error).message}`; } };
    expect(reason(segBytes)).toMatch(/^not-sr: x\.dcm: Modality is SEG, not SR/);
    expect(reason(new ArrayBuffer(200))).toMatch(/^not-sr: x\.dcm: not a readable DICOM file/);
    const edited = (fn: (d: Node) => void) => { const d = dataset(sr); fn(d); return toPart10(d, d.SOPClassUID, d.SOPInstanceUID); };
    expect(reason(edited((d) => { d.ConceptNameCodeSequence = [{ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic imaging report' }]; d.ContentTemplateSequence = [{ MappingResource: 'DCMR', TemplateIdentifier: '2000' }]; })))
      .toMatch(/^other-template: x\.dcm: the document is "Diagnostic imaging report" \(LN 18748-4\), template TID 2000, not a TID 1500/);
    expect(reason(edited((d) => { d.CodingSchemeIdentificationSequence = []; }))).toMatch(/^not-ours: .*no 99PSMADP coding scheme/);
    expect(reason(edited((d) => { d.SOPClassUID = '1.2.840.10008.5.1.4.1.1.88.11'; }))).toMatch(/^other-template: .*not an Enhanced, Comprehensive or Comprehensive 3D SR/);
  });
});

describe('writeDoseResults (what the viewer and the report CLI write)', () => {
  it('a SEG and an SR referencing it: both pass dciodvfy, every dosimetric structure with its plan row', () => {
    const card = { notForClinicalUse: true, intendedUse: 'NOT FOR CLINICAL USE. Synthetic.', trainingData: { name: 'virtual-cohort', rows: 1, patients: 1, synthetic: true } };
    const out = writeDoseResults({ labels: p.labels, meta, suv: p.pet, pet: source, petAttrs, plan: thePlan, model: { id: 'm', version: '1' }, statement: resultsStatement(card), created, seed: 'pair' });
    expect(dciodvfyErrors('pair-seg.dcm', out.seg)).toEqual([]);
    expect(dciodvfyErrors('pair-sr.dcm', out.sr)).toEqual([]);
    const r = readMeasurementReport(out.sr);
    const ref = segReference(out.seg);
    expect(r.seg?.sopInstanceUid).toBe(ref.sopInstanceUid);
    expect(r.structures.map((s) => [s.name, s.segmentNumber])).toEqual(uptake.map((u) => [u.name, ref.segments.get(u.name)]));
    expect(r.structures.filter((s) => s.dose).map((s) => [s.name, s.dose!.gyPerGbq])).toEqual(uptake.flatMap((u) => { const row = thePlan.rows.find((x) => x.name === u.name); return row ? [[u.name, row.gyPerGBq]] : []; }));
    expect(r.statement).toBe('NOT FOR CLINICAL USE. Synthetic. — trained on virtual-cohort.');
  });
});

describe('recoverUtf8 (dcmjs decodes text in sequence items byte by byte)', () => {
  const utf8 = (t: string) => [...new TextEncoder().encode(t)];
  it.each([
    ['Latin-1 (Node)', (b: number[]) => String.fromCharCode(...b)],
    ['Windows-1252 (browsers)', (b: number[]) => new TextDecoder('windows-1252').decode(Uint8Array.from(b))],
  ])('%s', (_, decode) => {
    for (const t of ['NOT FOR CLINICAL USE — research use', 'Müller^Jörg', '北京 ≤ 23 Gy']) expect(recoverUtf8(decode(utf8(t)))).toBe(t);
    expect(recoverUtf8('plain ASCII')).toBe('plain ASCII');
    expect(recoverUtf8('already right: — ≤')).toBe('already right: — ≤');
  });
});

describe('bad input is refused before anything is written', () => {
  const structures = input().structures;
  it.each([
    ['an unknown name', { structures: [{ ...structures[0], name: 'Tumour left' }] }, /structure "Tumour left" is not in the structure vocabulary/],
    ['a segment number used twice', { structures: [structures[0], { ...structures[1], segmentNumber: structures[0].segmentNumber }] }, /segment number \d+ is used twice/],
    ['a value that is not a number', { structures: [{ ...structures[0], suvMax: NaN }] }, /SUVmax is NaN, not a finite number/],
    ['no structures', { structures: [] }, /no structures to report/],
    ['a plan with 0 cycles', { plan: { activityGBq: 7.4, cycles: 0 } }, /needs an activity above 0 and a whole number of cycles/],
  ] as [string, Partial<MeasurementReportInput>, RegExp][])('%s', (_, over, message) => {
    expect(() => writeMeasurementReport(input(over))).toThrow(message);
  });
  it('a structure without a segment in the SEG', () => {
    expect(() => srStructures(uptake, new Map([['Kidney L', 1]]))).toThrow(/structure Kidney R has no segment in the SEG it references \(segments: Kidney L\)/);
  });
});
