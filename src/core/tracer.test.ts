import { describe, expect, it } from 'vitest';
import { AGENTS, identifyTracer, nonPsmaBlock, tracerColumn, tracerFromName, tracerGate, trainingTracer, withStatedTracer } from './tracer';

const F18 = { RadionuclideCodeSequence: [{ CodeValue: 'C-111A1', CodingSchemeDesignator: 'SRT', CodeMeaning: '^18^Fluorine' }], RadionuclideHalfLife: '6586.2' };
const GA68 = { RadionuclideCodeSequence: [{ CodeValue: 'C-131A3', CodingSchemeDesignator: 'SRT', CodeMeaning: '^68^Gallium' }], RadionuclideHalfLife: '4057.74' };
const pet = (rp: Record<string, unknown>, more: Record<string, unknown> = {}) => ({ Modality: 'PT', RadiopharmaceuticalInformationSequence: [rp], ...more });
const coded = (CodeValue: string, CodingSchemeDesignator: string, CodeMeaning: string) => ({ RadiopharmaceuticalCodeSequence: [{ CodeValue, CodingSchemeDesignator, CodeMeaning }] });

describe('identifyTracer: real-world header variants', () => {
  it('GE: Radiopharmaceutical "PSMA" only → a PSMA ligand, not named, nuclide from the header', () => {
    const t = identifyTracer(pet({ Radiopharmaceutical: 'PSMA', ...F18 }, { SeriesDescription: 'WB 3D MAC' }));
    expect(t).toMatchObject({ class: 'psma', nuclide: '18F', evidence: 'Radiopharmaceutical "PSMA"' });
    expect(t.agent).toBeUndefined();
    expect(t.conflict).toBeUndefined();
  });
  it('GE: "F-18 DCFPyL" text', () => {
    expect(identifyTracer(pet({ Radiopharmaceutical: 'F-18 DCFPyL', ...F18 }))).toMatchObject({ agent: '18F-DCFPyL', class: 'psma', nuclide: '18F', evidence: 'Radiopharmaceutical "F-18 DCFPyL"' });
  });
  it('Siemens: "Fluorodeoxyglucose" with the SRT code → FDG from the code', () => {
    const t = identifyTracer(pet({ Radiopharmaceutical: 'Fluorodeoxyglucose', ...coded('C-B1031', 'SRT', 'Fluorodeoxyglucose F^18^'), ...F18 }, { SeriesDescription: 'PET WB' }));
    expect(t).toMatchObject({ agent: '18F-FDG', class: 'other', evidence: 'Radiopharmaceutical Code Sequence (SRT C-B1031)' });
    expect(t.conflict).toBeUndefined();
  });
  it('code only: SNOMED CT FDG, SNM3 as an alias of SRT, NCIt DCFPyL, DCM PSMA-1007', () => {
    expect(identifyTracer(pet(coded('35321007', 'SCT', 'Fluorodeoxyglucose F^18^'))).agent).toBe('18F-FDG');
    expect(identifyTracer(pet(coded('C-B1031', 'SNM3', 'FDG'))).agent).toBe('18F-FDG');
    expect(identifyTracer(pet({ ...coded('C116352', 'NCIt', 'DCFPyL F^18^'), ...F18 }))).toMatchObject({ agent: '18F-DCFPyL', evidence: 'Radiopharmaceutical Code Sequence (NCIt C116352)' });
    expect(identifyTracer(pet(coded('126758', 'DCM', 'PSMA-1007 F^18^'))).agent).toBe('18F-PSMA-1007');
  });
  it('an unlisted code is read through its meaning (^ markup removed)', () => {
    const t = identifyTracer(pet({ ...coded('99999', '99LOCAL', 'Fluorocholine F^18^'), ...F18 }));
    expect(t).toMatchObject({ agent: '18F-fluorocholine', class: 'other' });
    expect(t.evidence).toContain('meaning "Fluorocholine F^18^"');
  });
  it('sequences as a single object, lower case, bracket notation, brand and generic names', () => {
    expect(identifyTracer({ RadiopharmaceuticalInformationSequence: { Radiopharmaceutical: '[18f]dcfpyl', RadionuclideHalfLife: 6586 } }).agent).toBe('18F-DCFPyL');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Pylarify' })).agent).toBe('18F-DCFPyL');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'piflufolastat F 18' })).agent).toBe('18F-DCFPyL');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Ga68 Gozetotide (Illuccix)', ...GA68 })).agent).toBe('68Ga-PSMA-11');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Locametz' })).agent).toBe('68Ga-PSMA-11');
    expect(identifyTracer(pet({ Radiopharmaceutical: '[68Ga]Ga-PSMA-11', ...GA68 })).agent).toBe('68Ga-PSMA-11');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Posluma' })).agent).toBe('18F-rhPSMA-7.3');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'flotufolastat' })).agent).toBe('18F-rhPSMA-7.3');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'rhPSMA-7.3' })).agent).toBe('18F-rhPSMA-7.3');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'PSMA1007' })).agent).toBe('18F-PSMA-1007');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Ga-68 PSMA-I&T', ...GA68 })).agent).toBe('68Ga-PSMA-I&T');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'FDG -- fluorodeoxyglucose' })).agent).toBe('18F-FDG');
    expect(identifyTracer(pet({ Radiopharmaceutical: '18FDG' })).agent).toBe('18F-FDG');
    expect(identifyTracer(pet({ Radiopharmaceutical: '2-fluoro-2-deoxy-D-glucose' })).agent).toBe('18F-FDG');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'FLT' })).agent).toBe('18F-FLT');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Fluorothymidine' })).agent).toBe('18F-FLT');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Cerianna' })).agent).toBe('18F-FES');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Ga68-DOTA-TATE', ...GA68 })).agent).toBe('68Ga-DOTATATE');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'DOTATOC' })).agent).toBe('68Ga-DOTATOC');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Axumin' })).agent).toBe('18F-fluciclovine');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'NaF' })).agent).toBe('18F-NaF');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'FAPI-46', ...GA68 })).agent).toBe('68Ga-FAPI');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Amyvid' })).agent).toBe('18F-florbetapir');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Rb-82' })).agent).toBe('82Rb');
  });
  it('choline: the nuclide picks 11C-choline or 18F-fluorocholine', () => {
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Choline', RadionuclideHalfLife: '1223' })).agent).toBe('11C-choline');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Choline', ...F18 })).agent).toBe('18F-fluorocholine');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'F-18 choline' })).agent).toBe('18F-fluorocholine');
  });
  it('series description when the Radiopharmaceutical says nothing; study description as the last resort', () => {
    expect(identifyTracer(pet({ Radiopharmaceutical: '', ...F18 }, { SeriesDescription: 'PET PSMA AC' }))).toMatchObject({ class: 'psma', evidence: 'series description "PET PSMA AC"' });
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Solution' }, { SeriesDescription: 'PET AC', StudyDescription: 'PET-CT FDG Ganzkörper' }))).toMatchObject({ agent: '18F-FDG', evidence: 'study description "PET-CT FDG Ganzkörper"' });
    // The study description does not contradict a stronger source.
    expect(identifyTracer(pet({ Radiopharmaceutical: 'F-18 DCFPyL' }, { StudyDescription: 'PET/CT FDG' }))).toMatchObject({ agent: '18F-DCFPyL' });
  });
  it('a generic "PSMA" text is refined by a series description naming the ligand', () => {
    const t = identifyTracer(pet({ Radiopharmaceutical: 'PSMA', ...F18 }, { SeriesDescription: 'PET DCFPyL 90 min' }));
    expect(t).toMatchObject({ agent: '18F-DCFPyL', evidence: 'Radiopharmaceutical "PSMA"; series description "PET DCFPyL 90 min"' });
    expect(t.conflict).toBeUndefined();
  });
  it('nothing recognisable → unknown, saying what was there', () => {
    const t = identifyTracer(pet({ Radiopharmaceutical: 'Solution', ...F18 }, { SeriesDescription: 'WB MAC' }));
    expect(t).toMatchObject({ class: 'unknown', nuclide: '18F' });
    expect(t.evidence).toContain('"Solution" not recognised');
    expect(identifyTracer({})).toMatchObject({ class: 'unknown', evidence: 'none' });
  });
  it('FDG code with PSMA text: a conflict, class unknown (the code is not overridden by the text)', () => {
    const t = identifyTracer(pet({ Radiopharmaceutical: 'PSMA', ...coded('C-B1031', 'SRT', 'Fluorodeoxyglucose F^18^'), ...F18 }));
    expect(t.class).toBe('unknown');
    expect(t.agent).toBeUndefined();
    expect(t.conflict).toMatch(/Code Sequence \(SRT C-B1031\) says 18F-FDG but the Radiopharmaceutical "PSMA" says 18F PSMA|says PSMA/);
  });
  it('two PSMA ligands or a nuclide that does not fit: conflict, the stronger source names the agent', () => {
    const two = identifyTracer(pet({ Radiopharmaceutical: 'PSMA-1007', ...coded('C116352', 'NCIt', 'DCFPyL F^18^'), ...F18 }));
    expect(two).toMatchObject({ agent: '18F-DCFPyL', class: 'psma' });
    expect(two.conflict).toContain('18F-PSMA-1007');
    const nuclide = identifyTracer(pet({ Radiopharmaceutical: 'PSMA-11', ...F18 }));
    expect(nuclide).toMatchObject({ agent: '68Ga-PSMA-11' });
    expect(nuclide.conflict).toMatch(/68Ga agent but the header's radionuclide is 18F/);
    expect(identifyTracer(pet({ Radiopharmaceutical: 'Ga-68 PSMA', ...F18 })).conflict).toMatch(/68Ga/);
  });
  it('the nuclide from the half-life alone, and a code/half-life mismatch', () => {
    expect(identifyTracer(pet({ Radiopharmaceutical: 'PSMA', RadionuclideHalfLife: '4062' })).nuclide).toBe('68Ga');
    expect(identifyTracer(pet({ Radiopharmaceutical: 'PSMA', RadionuclideCodeSequence: F18.RadionuclideCodeSequence, RadionuclideHalfLife: '4062' })).conflict).toMatch(/half-life/);
  });
  it('every agent is found by its id, its header text and each of its codes', () => {
    for (const a of AGENTS) {
      expect(tracerFromName(a.id).agent, a.id).toBe(a.id);
      const nuclide = a.nuclide === '18F' ? F18 : a.nuclide === '68Ga' ? GA68 : {};
      expect(identifyTracer(pet({ Radiopharmaceutical: a.headerText, ...nuclide })).agent, a.headerText).toBe(a.id);
      for (const c of a.codes) expect(identifyTracer(pet(coded(c.value, c.scheme, c.meaning))).agent, c.value).toBe(a.id);
    }
  });
});

describe('tracerFromName', () => {
  it('ids, brand names and the old generic card name', () => {
    expect(tracerFromName('18f-dcfpyl').agent).toBe('18F-DCFPyL');
    expect(tracerFromName('Pylarify')).toMatchObject({ agent: '18F-DCFPyL', evidence: 'name "Pylarify"' });
    expect(tracerFromName('FDG')).toMatchObject({ agent: '18F-FDG', class: 'other' });
    const old = tracerFromName('18F-PSMA');
    expect(old).toMatchObject({ class: 'psma', nuclide: '18F' });
    expect(old.agent).toBeUndefined();
    expect(tracerFromName('banana')).toMatchObject({ class: 'unknown' });
    expect(tracerFromName('')).toMatchObject({ class: 'unknown' });
  });
  it('the table column round-trips', () => {
    for (const t of [tracerFromName('18F-PSMA-1007'), tracerFromName('18F-PSMA'), tracerFromName('banana')]) {
      const back = tracerFromName(tracerColumn(t));
      expect([back.agent, back.class, back.nuclide]).toEqual([t.agent, t.class, t.nuclide]);
    }
  });
});

describe('tracerGate', () => {
  const card = '18F-DCFPyL';
  it('non-PSMA → blocked with a plain message', () => {
    const g = tracerGate(identifyTracer(pet({ Radiopharmaceutical: 'Fluorodeoxyglucose', ...coded('C-B1031', 'SRT', 'Fluorodeoxyglucose F^18^') })), card);
    expect(g.status).toBe('blocked');
    expect(g.message).toMatch(/^The PET was acquired with 18F-FDG \(fluorodeoxyglucose\), not a PSMA ligand: 177Lu-PSMA doses cannot be predicted from it\./);
    expect(nonPsmaBlock(g.tracer)?.status).toBe('blocked');
    expect(tracerGate(tracerFromName('68Ga-DOTATATE'), card).status).toBe('blocked');
  });
  it('the model agent → ok', () => {
    const g = tracerGate(identifyTracer(pet({ ...coded('C116352', 'NCIt', 'DCFPyL F^18^'), ...F18 })), card);
    expect(g.status).toBe('ok');
    expect(nonPsmaBlock(g.tracer)).toBeUndefined();
    // A card naming several agents.
    expect(tracerGate(tracerFromName('68Ga-PSMA-11'), '18F-DCFPyL; 68Ga-PSMA-11').status).toBe('ok');
  });
  it('another PSMA ligand → confirm with its caveat', () => {
    const g = tracerGate(tracerFromName('18F-PSMA-1007'), card);
    expect(g.status).toBe('confirm');
    if (g.status !== 'confirm') return;
    expect(g.caveat).toMatch(/hepatobiliary/);
    expect(g.message).toMatch(/trained on 18F-DCFPyL/);
    const ga = tracerGate(tracerFromName('68Ga-PSMA-11'), card);
    expect(ga.status === 'confirm' && ga.caveat).toMatch(/68Ga PET differs from 18F PET in half-life \(68 vs 110 min\)/);
  });
  it('a ligand not named, an unknown tracer, disagreeing sources → confirm saying so', () => {
    const generic = tracerGate(identifyTracer(pet({ Radiopharmaceutical: 'PSMA', ...F18 })), card);
    expect(generic.status === 'confirm' && generic.caveat).toMatch(/not named/);
    const unknown = tracerGate(identifyTracer(pet({ Radiopharmaceutical: 'Solution' })), card);
    expect(unknown.status === 'confirm' && unknown.caveat).toMatch(/could not be identified/);
    const conflict = tracerGate(identifyTracer(pet({ Radiopharmaceutical: 'PSMA', ...coded('C-B1031', 'SRT', 'Fluorodeoxyglucose F^18^') })), card);
    expect(conflict.status).toBe('confirm');
    expect(conflict.status === 'confirm' && conflict.caveat).toMatch(/Conflicting tracer information.*18F-FDG/);
    const twoLigands = tracerGate(identifyTracer(pet({ Radiopharmaceutical: 'PSMA-1007', ...coded('C116352', 'NCIt', 'DCFPyL F^18^') })), card);
    expect(twoLigands.status).toBe('confirm');
  });
  it('a card that names no ligand (the old "18F-PSMA") → confirm even for DCFPyL', () => {
    const g = tracerGate(tracerFromName('18F-DCFPyL'), '18F-PSMA');
    expect(g.status).toBe('confirm');
    expect(g.message).toMatch(/does not name the PSMA ligand/);
    const none = tracerGate(tracerFromName('18F-DCFPyL'), undefined as unknown as string); // a site card without the field
    expect(none.status === 'confirm' && none.message).toMatch(/no tracer given/);
  });
});

describe('trainingTracer: what a model card names', () => {
  const tracerFrom = (column: string[], stated: { name: string; from: string }[] = []) => trainingTracer(column, stated);
  it('the stated name, the cohort and the tracer column', () => {
    expect(tracerFrom([], [{ name: 'Pylarify', from: '--tracer' }])).toEqual({ tracer: '18F-DCFPyL' });
    expect(tracerFrom(['18F-DCFPyL', '18F-DCFPyL'])).toEqual({ tracer: '18F-DCFPyL' });
    expect(tracerFrom(['18F-DCFPyL', '68Ga-PSMA-11'])).toEqual({ tracer: '18F-DCFPyL; 68Ga-PSMA-11' });
    expect(tracerFrom(['unknown', '18F PSMA ligand'], [{ name: '18F-DCFPyL', from: '--tracer' }])).toEqual({ tracer: '18F-DCFPyL' });
  });
  it('refuses a missing, non-PSMA, unnamed or contradictory tracer with a message', () => {
    expect(tracerFrom([])).toEqual({ problem: expect.stringMatching(/does not name its PET tracer: give --tracer NAME \(known PSMA ligands: 18F-DCFPyL/) });
    expect(tracerFrom([], [{ name: 'FDG', from: '--tracer' }])).toEqual({ problem: expect.stringMatching(/--tracer "FDG" names 18F-FDG \(fluorodeoxyglucose\), not a PSMA ligand/) });
    expect(tracerFrom([], [{ name: '18F-PSMA', from: '--tracer' }])).toEqual({ problem: expect.stringMatching(/does not name a known PSMA ligand/) });
    expect(tracerFrom(['unknown'])).toEqual({ problem: expect.stringMatching(/tracer column \("unknown"\).*--tracer NAME/) });
    expect(tracerFrom(['18F-PSMA-1007'], [{ name: '18F-DCFPyL', from: '--tracer' }])).toEqual({ problem: expect.stringMatching(/names "18F-PSMA-1007" but --tracer says 18F-DCFPyL/) });
    expect(tracerFrom([], [{ name: '18F-DCFPyL', from: '--tracer' }, { name: '68Ga-PSMA-11', from: 'cohort.json' }])).toEqual({ problem: '--tracer says 18F-DCFPyL but cohort.json says 68Ga-PSMA-11' });
  });
});

describe('withStatedTracer (--tracer for a PET header)', () => {
  const stated = tracerFromName('18F-DCFPyL');
  it('fills in a header that names no tracer or no ligand', () => {
    expect(withStatedTracer(identifyTracer({}), stated)).toEqual({ tracer: expect.objectContaining({ agent: '18F-DCFPyL', evidence: 'name "18F-DCFPyL"; the header names no tracer' }) });
    expect(withStatedTracer(identifyTracer(pet({ Radiopharmaceutical: 'PSMA', ...F18 })), stated)).toEqual({ tracer: expect.objectContaining({ agent: '18F-DCFPyL', evidence: 'Radiopharmaceutical "PSMA"; name "18F-DCFPyL"' }) });
    expect(withStatedTracer(identifyTracer(pet({ Radiopharmaceutical: 'F-18 DCFPyL' })), stated)).toEqual({ tracer: expect.objectContaining({ agent: '18F-DCFPyL', evidence: 'Radiopharmaceutical "F-18 DCFPyL"' }) });
  });
  it('a header naming another agent or nuclide is a problem, not overridden', () => {
    expect(withStatedTracer(identifyTracer(pet(coded('C-B1031', 'SRT', 'Fluorodeoxyglucose F^18^'))), stated)).toEqual({ problem: expect.stringMatching(/the PET header says 18F-FDG .* but name "18F-DCFPyL" says 18F-DCFPyL/) });
    expect(withStatedTracer(identifyTracer(pet({ Radiopharmaceutical: 'PSMA-1007' })), stated)).toHaveProperty('problem');
    expect(withStatedTracer(identifyTracer(pet({ Radiopharmaceutical: 'PSMA', ...GA68 })), stated)).toHaveProperty('problem');
  });
});
