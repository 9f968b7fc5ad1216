// Which PET radiopharmaceutical a study was acquired with, and whether a 177Lu-PSMA dose model may be applied
// to it. Evidence, strongest first: the Radiopharmaceutical Code Sequence, the Radiopharmaceutical free text,
// the series description, the study description (last resort). The gate compares the result with the agent(s)
// a model card names. Codes are those of DICOM PS3.16 CID 4021 (PET Radiopharmaceutical) and CID 4020 (PET
// Radionuclide), as listed in dcmtk's tables; agents without a standard code are matched by text only.

export type TracerClass = 'psma' | 'other' | 'unknown';

export interface TracerIdentity {
  /** Canonical agent id ('18F-DCFPyL'); absent when the ligand is not named or the tracer is not identified. */
  agent?: string;
  label: string;
  class: TracerClass;
  nuclide?: string;
  /** What identified it, e.g. 'Radiopharmaceutical Code Sequence (NCIt C116352)'; 'none' when nothing did. */
  evidence: string;
  caveat?: string;
  /** Filled when the sources disagree. */
  conflict?: string;
}

export type TracerGate =
  | { status: 'ok'; tracer: TracerIdentity; message: string }
  | { status: 'confirm'; tracer: TracerIdentity; message: string; caveat: string }
  | { status: 'blocked'; tracer: TracerIdentity; message: string };

export interface Code { value: string; scheme: string; meaning: string }

export interface Nuclide {
  id: string;
  halfLifeS: number;
  positronFraction: number;
  /** CID 4020 codes (SNOMED RT and SNOMED CT). */
  codes: Code[];
  /** How the nuclide is written in free text (normalised: lower case, no ^ markup). */
  text: RegExp;
}

// Half-lives and positron fractions: NNDC / DDEP nuclear data (18F 109.77 min, 68Ga 67.71 min, 11C 20.36 min,
// 13N 9.97 min, 64Cu 12.70 h, 82Rb 75.5 s, 89Zr 78.41 h).
const nuc = (id: string, halfLifeS: number, positronFraction: number, codes: [string, string, string][], text: string): Nuclide => ({
  id, halfLifeS, positronFraction, codes: codes.map(([value, scheme, meaning]) => ({ value, scheme, meaning })), text: new RegExp(`(?<![a-z0-9])(?:${text})(?![0-9])`),
});
export const NUCLIDES: Nuclide[] = [
  nuc('18F', 6586.2, 0.9686, [['C-111A1', 'SRT', '^18^Fluorine'], ['77004003', 'SCT', '^18^Fluorine']], '18 ?-?f(?![a-z])|f ?-?18|fluorine ?-?18|18 ?fluorine|al ?18 ?f'),
  nuc('68Ga', 4062.6, 0.8891, [['C-131A3', 'SRT', '^68^Gallium'], ['35337001', 'SCT', '^68^Gallium']], '68 ?-?ga|ga ?-?68|gallium ?-?68|68 ?gallium'),
  nuc('11C', 1221.8, 0.9976, [['C-105A1', 'SRT', '^11^Carbon'], ['40565003', 'SCT', '^11^Carbon']], '11 ?-?c(?![a-z])|c ?-?11|carbon ?-?11|11 ?carbon'),
  nuc('13N', 597.9, 0.998, [['C-107A1', 'SRT', '^13^Nitrogen'], ['21576001', 'SCT', '^13^Nitrogen']], '13 ?-?n(?![a-z])|n ?-?13|nitrogen ?-?13|13 ?nitrogen'),
  nuc('64Cu', 45724, 0.1752, [['C-127A2', 'SRT', '^64^Copper'], ['3932008', 'SCT', '^64^Copper']], '64 ?-?cu|cu ?-?64|copper ?-?64|64 ?copper'),
  nuc('82Rb', 75.5, 0.9545, [['C-159A2', 'SRT', '^82^Rubidium'], ['79197006', 'SCT', '^82^Rubidium']], '82 ?-?rb|rb ?-?82|rubidium ?-?82|82 ?rubidium'),
  nuc('89Zr', 282276, 0.2274, [['C-168A4', 'SRT', '^89^Zirconium'], ['63360001', 'SCT', '^89^Zirconium']], '89 ?-?zr|zr ?-?89|zirconium ?-?89|89 ?zirconium'),
];

export function nuclideById(id: string): Nuclide | undefined {
  return NUCLIDES.find((n) => n.id === id);
}

export interface Agent {
  id: string;
  label: string;
  class: 'psma' | 'other';
  nuclide: string;
  /** CID 4021 codes; empty when the agent has none we are sure of. */
  codes: Code[];
  /** Brand and generic names in free text (matched on the normalised text). */
  patterns: RegExp[];
  /** What a scanner typically writes as Radiopharmaceutical (the phantom writes it). */
  headerText: string;
  /** Agents that are one molecule family with another nuclide (11C-choline / 18F-fluorocholine). */
  family?: string;
  caveat?: string;
}

/** A word of the normalised text: no letter directly before or after (digits may touch: "f18fdg"). */
const word = (s: string) => new RegExp(`(?<![a-z])(?:${s})(?![a-z])`);
const code = (value: string, scheme: string, meaning: string): Code => ({ value, scheme, meaning });

const HEPATOBILIARY = '18F-PSMA-1007 has predominantly hepatobiliary rather than urinary clearance, with higher liver and spleen background: biodistribution and organ SUVs differ from renally cleared ligands such as 18F-DCFPyL or 68Ga-PSMA-11.';

// PSMA ligands first: a text naming a specific ligand is matched before the generic "PSMA".
export const AGENTS: Agent[] = [
  { id: '18F-DCFPyL', label: '18F-DCFPyL (piflufolastat F 18)', class: 'psma', nuclide: '18F', codes: [code('C116352', 'NCIt', 'DCFPyL F^18^')],
    patterns: [word('dcfpyl|piflufolastat|pylarify|pyl')], headerText: 'F-18 DCFPyL' },
  { id: '18F-PSMA-1007', label: '18F-PSMA-1007', class: 'psma', nuclide: '18F', codes: [code('126758', 'DCM', 'PSMA-1007 F^18^')],
    patterns: [word('psma ?-?1007|radelumin')], headerText: 'F-18 PSMA-1007', caveat: HEPATOBILIARY },
  { id: '18F-rhPSMA-7.3', label: '18F-rhPSMA-7.3 (flotufolastat F 18)', class: 'psma', nuclide: '18F', codes: [],
    patterns: [word('rh ?-?psma(?: ?-?7(?:\\.3)?)?|flotufolastat|posluma')], headerText: 'F-18 rhPSMA-7.3',
    caveat: '18F-rhPSMA-7.3 is a radiohybrid ligand with low urinary excretion (little bladder activity); its organ uptake and kinetics differ from other ligands.' },
  { id: '18F-DCFBC', label: '18F-DCFBC', class: 'psma', nuclide: '18F', codes: [code('C96234', 'NCIt', 'DCFBC F^18^')],
    patterns: [word('dcfbc')], headerText: 'F-18 DCFBC', caveat: '18F-DCFBC is a first-generation ligand with high blood-pool activity and lower lesion contrast than later ligands.' },
  { id: '68Ga-PSMA-11', label: '68Ga-PSMA-11 (gozetotide)', class: 'psma', nuclide: '68Ga', codes: [code('C118961', 'NCIt', 'PSMA-11 Ga^68^')],
    patterns: [word('psma ?-?11(?![0-9])|gozetotide|locametz|illuccix|hbed ?-?cc|psma ?-?hbed')], headerText: 'Ga-68 PSMA-11' },
  { id: '68Ga-PSMA-617', label: '68Ga-PSMA-617', class: 'psma', nuclide: '68Ga', codes: [code('126759', 'DCM', 'PSMA-617 Ga^68^')],
    patterns: [word('psma ?-?617')], headerText: 'Ga-68 PSMA-617' },
  { id: '68Ga-PSMA-I&T', label: '68Ga-PSMA-I&T', class: 'psma', nuclide: '68Ga', codes: [],
    patterns: [word('psma ?-?i ?(?:&|and) ?t')], headerText: 'Ga-68 PSMA-I&T' },
  { id: '64Cu-SAR-bisPSMA', label: '64Cu-SAR-bisPSMA', class: 'psma', nuclide: '64Cu', codes: [],
    patterns: [word('sar ?-?bis ?-?psma|bis ?-?psma')], headerText: 'Cu-64 SAR-bisPSMA' },

  { id: '18F-FDG', label: '18F-FDG (fluorodeoxyglucose)', class: 'other', nuclide: '18F',
    codes: [code('C-B1031', 'SRT', 'Fluorodeoxyglucose F^18^'), code('35321007', 'SCT', 'Fluorodeoxyglucose F^18^')],
    patterns: [word('fdg|fluoro ?-?de[os]?oxy ?-?d?-?glucose|deoxy ?-?(?:d ?-?)?glucose|2 ?-?fluoro ?-?2 ?-?deoxy')], headerText: 'Fluorodeoxyglucose' },
  { id: '18F-FLT', label: '18F-FLT (fluorothymidine)', class: 'other', nuclide: '18F', codes: [code('C-B1036', 'SRT', 'Thymidine (FLT) F^18^')],
    patterns: [word('flt|fluoro ?-?thymidine|thymidine')], headerText: 'F-18 FLT' },
  { id: '18F-FES', label: '18F-FES (fluoroestradiol)', class: 'other', nuclide: '18F', codes: [code('C1831937', 'UMLS', 'Fluoroestradiol (FES) F^18^')],
    patterns: [word('fes|fluoro ?-?o?estradiol|cerianna')], headerText: 'F-18 FES' },
  { id: '68Ga-DOTATATE', label: '68Ga-DOTATATE', class: 'other', nuclide: '68Ga', family: 'dotatate', codes: [code('C1742831', 'UMLS', 'tyrosine-3-octreotate Ga^68^')],
    patterns: [word('dota ?-?tate|netspot|tyrosine ?-?3 ?-?octreotate|oxodotreotide')], headerText: 'Ga-68 DOTATATE' },
  { id: '64Cu-DOTATATE', label: '64Cu-DOTATATE', class: 'other', nuclide: '64Cu', family: 'dotatate', codes: [],
    patterns: [word('detectnet')], headerText: 'Cu-64 DOTATATE' },
  { id: '68Ga-DOTATOC', label: '68Ga-DOTATOC (edotreotide)', class: 'other', nuclide: '68Ga', codes: [code('C2713594', 'UMLS', 'Edotreotide Ga^68^')],
    patterns: [word('dota ?-?toc|edotreotide|somakit')], headerText: 'Ga-68 DOTATOC' },
  { id: '68Ga-DOTANOC', label: '68Ga-DOTANOC', class: 'other', nuclide: '68Ga', codes: [], patterns: [word('dota ?-?noc')], headerText: 'Ga-68 DOTANOC' },
  { id: '68Ga-FAPI', label: '68Ga-FAPI', class: 'other', nuclide: '68Ga', codes: [], patterns: [word('fapi(?: ?-?[0-9]+)?')], headerText: 'Ga-68 FAPI-46' },
  { id: '18F-fluciclovine', label: '18F-fluciclovine (FACBC)', class: 'other', nuclide: '18F', codes: [code('C-E026A', 'SRT', 'Fluciclovine F^18^')],
    patterns: [word('fluciclovine|axumin|facbc')], headerText: 'F-18 Fluciclovine' },
  { id: '18F-fluorocholine', label: '18F-fluorocholine', class: 'other', nuclide: '18F', family: 'choline', codes: [code('C-E0273', 'SRT', 'Fluorocholine F^18^')],
    patterns: [word('fluoro ?-?(?:methyl ?-?)?choline|fch|fmch')], headerText: 'F-18 Fluorocholine' },
  { id: '11C-choline', label: '11C-choline', class: 'other', nuclide: '11C', family: 'choline', codes: [code('126703', 'DCM', 'Choline C^11^')],
    patterns: [word('choline')], headerText: 'C-11 Choline' },
  { id: '18F-NaF', label: '18F-NaF (sodium fluoride)', class: 'other', nuclide: '18F', codes: [code('C-B1032', 'SRT', 'Sodium fluoride F^18^')],
    patterns: [word('naf|sodium ?-?fluoride|fluoride')], headerText: 'Sodium fluoride' },
  { id: '18F-FET', label: '18F-FET (fluoroethyltyrosine)', class: 'other', nuclide: '18F', codes: [code('C-B07E0', 'SRT', 'Fluorethyltyrosin F^18^')],
    patterns: [word('fet|fluoro ?-?ethyl ?-?(?:l ?-?)?tyrosine?|fluorethyltyrosine?')], headerText: 'F-18 FET' },
  { id: '18F-DOPA', label: '18F-DOPA (fluorodopa)', class: 'other', nuclide: '18F', codes: [code('C-B1034', 'SRT', 'Fluoro-L-dopa F^18^')],
    patterns: [word('f? ?-?dopa|fluoro ?-?(?:l ?-?)?dopa')], headerText: 'F-18 DOPA' },
  { id: '18F-FMISO', label: '18F-FMISO (fluoromisonidazole)', class: 'other', nuclide: '18F', codes: [code('C-B07E1', 'SRT', 'Fluoromisonidazole F^18^')],
    patterns: [word('fmiso|fluoromisonidazole')], headerText: 'F-18 FMISO' },
  { id: '11C-methionine', label: '11C-methionine', class: 'other', nuclide: '11C', codes: [code('C-B103E', 'SRT', 'Methionine C^11^')],
    patterns: [word('methionine')], headerText: 'C-11 Methionine' },
  { id: '11C-acetate', label: '11C-acetate', class: 'other', nuclide: '11C', codes: [code('C-B1043', 'SRT', 'Acetate C^11^')],
    patterns: [word('acetate')], headerText: 'C-11 Acetate' },
  { id: '13N-ammonia', label: '13N-ammonia', class: 'other', nuclide: '13N', codes: [code('C-B103C', 'SRT', 'Ammonia N^13^')],
    patterns: [word('ammonia|nh3')], headerText: 'N-13 Ammonia' },
  { id: '82Rb', label: '82Rb (rubidium chloride)', class: 'other', nuclide: '82Rb', codes: [code('C-B1037', 'SRT', 'Rubidium chloride Rb^82^')],
    patterns: [word('rubidium(?: chloride)?|rb ?-?82|82 ?-?rb|cardiogen|ruby ?-?fill')], headerText: 'Rubidium chloride Rb-82' },
  { id: '18F-flurpiridaz', label: '18F-flurpiridaz', class: 'other', nuclide: '18F', codes: [code('126718', 'DCM', 'Flurpiridaz F^18^')],
    patterns: [word('flurpiridaz|flyrcado')], headerText: 'F-18 Flurpiridaz' },
  { id: '18F-florbetapir', label: '18F-florbetapir (amyloid)', class: 'other', nuclide: '18F', codes: [code('C-E0269', 'SRT', 'Florbetapir F^18^')],
    patterns: [word('florbetapir|amyvid|av ?-?45')], headerText: 'F-18 Florbetapir' },
  { id: '18F-florbetaben', label: '18F-florbetaben (amyloid)', class: 'other', nuclide: '18F',
    codes: [code('C-D6858', 'SRT', 'Florbetaben F^18^'), code('126501', 'DCM', 'Florbetaben F^18^')],
    patterns: [word('florbetaben|neuraceq')], headerText: 'F-18 Florbetaben' },
  { id: '18F-flutemetamol', label: '18F-flutemetamol (amyloid)', class: 'other', nuclide: '18F', codes: [code('C-E0267', 'SRT', 'Flutemetamol F^18^')],
    patterns: [word('flutemetamol|vizamyl')], headerText: 'F-18 Flutemetamol' },
  { id: '11C-PiB', label: '11C-PiB (Pittsburgh compound B, amyloid)', class: 'other', nuclide: '11C', codes: [code('126500', 'DCM', 'Pittsburgh compound B C^11^')],
    patterns: [word('pib|pittsburgh compound ?-?b?')], headerText: 'C-11 PiB' },
  { id: '18F-flortaucipir', label: '18F-flortaucipir (tau)', class: 'other', nuclide: '18F',
    codes: [code('C4547429', 'UMLS', 'Flortaucipir F^18^'), code('126502', 'DCM', 'T807 F^18^')],
    patterns: [word('flortaucipir|tauvid|av ?-?1451|t ?-?807')], headerText: 'F-18 Flortaucipir' },
  { id: '18F-MK-6240', label: '18F-MK-6240 (tau)', class: 'other', nuclide: '18F', codes: [code('C4506764', 'UMLS', 'MK-6240 F^18^')],
    patterns: [word('mk ?-?6240|florquinitau')], headerText: 'F-18 MK-6240' },
];

/** "PSMA" without a specific ligand. */
const GENERIC_PSMA = word('psma|prostate ?-?specific membrane antigen');

export function agentById(id: string): Agent | undefined {
  const k = key(id);
  return AGENTS.find((a) => key(a.id) === k);
}

export const KNOWN_AGENTS = AGENTS.map((a) => a.id);

/** Lower case, DICOM ^ markup removed ("DCFPyL F^18^" → "dcfpyl f18"), runs of blanks and underscores as one space. */
function norm(s: string): string {
  return s.toLowerCase().replace(/\^/g, '').replace(/[\s_]+/g, ' ').trim();
}
const key = (s: string) => norm(s).replace(/[\s\-[\]()]/g, '');

const items = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []) as Record<string, unknown>[];
const str = (v: unknown): string => (Array.isArray(v) ? v.join('\\') : v === undefined || v === null ? '' : String(v)).trim();

function nuclideInText(text: string): string | undefined {
  return NUCLIDES.find((n) => n.text.test(text))?.id;
}

/** The agent of a family with the given nuclide (11C-choline named with "F-18" is 18F-fluorocholine). */
function withNuclide(a: Agent, nuclide: string | undefined): Agent {
  if (!a.family || !nuclide || a.nuclide === nuclide) return a;
  return AGENTS.find((b) => b.family === a.family && b.nuclide === nuclide) ?? a;
}

/** What one piece of evidence says: a specific agent, or a PSMA ligand not named. */
interface Finding { evidence: string; agent?: Agent; psma?: true; nuclide?: string }

function fromText(text: string, evidence: string, headerNuclide?: string): Finding | undefined {
  const n = norm(text);
  if (!n) return undefined;
  const nuclide = nuclideInText(n);
  const agent = AGENTS.find((a) => a.patterns.some((p) => p.test(n)));
  if (agent) return { evidence, agent: withNuclide(agent, nuclide ?? headerNuclide), nuclide };
  if (GENERIC_PSMA.test(n)) return { evidence, psma: true, nuclide };
  return undefined;
}

const sameScheme = (a: string, b: string) => {
  const canon = (s: string) => (s.toUpperCase() === 'SNM3' ? 'SRT' : s.toUpperCase()); // SNM3: older designator of the same SNOMED codes
  return canon(a) === canon(b);
};

function fromCode(c: Record<string, unknown>, headerNuclide?: string): Finding | { unrecognised: string } | undefined {
  const value = str(c.CodeValue), scheme = str(c.CodingSchemeDesignator), meaning = str(c.CodeMeaning);
  if (!value && !meaning) return undefined;
  const agent = AGENTS.find((a) => a.codes.some((k) => k.value.toUpperCase() === value.toUpperCase() && sameScheme(k.scheme, scheme)));
  if (agent) return { evidence: `Radiopharmaceutical Code Sequence (${scheme} ${value})`, agent };
  const byMeaning = meaning ? fromText(meaning, `Radiopharmaceutical Code Sequence meaning "${meaning}" (${scheme} ${value})`, headerNuclide) : undefined;
  return byMeaning ?? { unrecognised: `Radiopharmaceutical Code Sequence (${scheme} ${value} "${meaning}") not recognised` };
}

/** The radionuclide the header states: RadionuclideCodeSequence, else the half-life (within 2 %). */
function headerNuclide(rp: Record<string, unknown>): { nuclide?: string; problem?: string } {
  const c = items(rp.RadionuclideCodeSequence)[0];
  let byCode: string | undefined;
  if (c) {
    const value = str(c.CodeValue), scheme = str(c.CodingSchemeDesignator);
    byCode = NUCLIDES.find((n) => n.codes.some((k) => k.value === value && sameScheme(k.scheme, scheme)))?.id ?? nuclideInText(norm(str(c.CodeMeaning)));
  }
  const t = Number(str(rp.RadionuclideHalfLife));
  const byHalfLife = t > 0 ? NUCLIDES.find((n) => Math.abs(t / n.halfLifeS - 1) < 0.02)?.id : undefined;
  if (byCode && byHalfLife && byCode !== byHalfLife) return { nuclide: byCode, problem: `the Radionuclide Code Sequence says ${byCode} but the half-life ${t} s is that of ${byHalfLife}` };
  return { nuclide: byCode ?? byHalfLife };
}

const findingName = (f: Finding) => (f.agent ? f.agent.id : `${f.nuclide ? `${f.nuclide} ` : ''}PSMA`);
const findingClass = (f: Finding): 'psma' | 'other' => f.agent?.class ?? 'psma';
const genericLabel = (nuclide?: string) => `${nuclide ? `${nuclide} ` : ''}PSMA ligand (ligand not named)`;

/** Combines the findings (strongest first) with the header's nuclide into one identity. */
function combine(findings: Finding[], nuclide: { nuclide?: string; problem?: string }, none: string): TracerIdentity {
  const conflicts: string[] = nuclide.problem ? [nuclide.problem] : [];
  const withConflict = (t: TracerIdentity): TracerIdentity => (conflicts.length ? { ...t, conflict: conflicts.join('; ') } : t);
  if (!findings.length) return withConflict({ label: nuclide.nuclide ? `unidentified ${nuclide.nuclide} tracer` : 'unidentified tracer', class: 'unknown', nuclide: nuclide.nuclide, evidence: none });
  const primary = findings[0];
  const disagreeing = findings.find((f) => findingClass(f) !== findingClass(primary));
  if (disagreeing) {
    conflicts.unshift(`the ${primary.evidence} says ${findingName(primary)} but the ${disagreeing.evidence} says ${findingName(disagreeing)}`);
    return withConflict({ label: `${findingName(primary)} or ${findingName(disagreeing)} (the header disagrees)`, class: 'unknown', nuclide: nuclide.nuclide, evidence: `${primary.evidence}; ${disagreeing.evidence}` });
  }
  const specific = findings.filter((f) => f.agent);
  const named = specific[0];
  const other = specific.find((f) => f.agent!.id !== named?.agent!.id);
  if (named && other) conflicts.push(`the ${named.evidence} says ${named.agent!.id} but the ${other.evidence} says ${other.agent!.id}`);
  const agent = named?.agent;
  // A generic "PSMA" refined by a weaker source naming the ligand keeps both as evidence.
  const evidence = named && named !== primary ? `${primary.evidence}; ${named.evidence}` : primary.evidence;
  const textNuclide = findings.find((f) => f.nuclide)?.nuclide;
  const stated = agent?.nuclide ?? textNuclide;
  if (agent && textNuclide && textNuclide !== agent.nuclide) conflicts.push(`${agent.id} is a ${agent.nuclide} agent but the text names ${textNuclide}`);
  else if (stated && nuclide.nuclide && stated !== nuclide.nuclide) conflicts.push(`${agent ? `${agent.id} is a ${stated} agent` : `the text names ${stated}`} but the header's radionuclide is ${nuclide.nuclide}`);
  if (!agent) return withConflict({ label: genericLabel(stated ?? nuclide.nuclide), class: 'psma', nuclide: stated ?? nuclide.nuclide, evidence });
  return withConflict({ agent: agent.id, label: agent.label, class: agent.class, nuclide: agent.nuclide, evidence, ...(agent.caveat ? { caveat: agent.caveat } : {}) });
}

/**
 * The tracer of a naturalized PET instance: Radiopharmaceutical Code Sequence > Radiopharmaceutical text >
 * series description; the study description only when none of them says anything.
 */
export function identifyTracer(attrs: Record<string, unknown>): TracerIdentity {
  const rp = items(attrs.RadiopharmaceuticalInformationSequence)[0] ?? {};
  const nuclide = headerNuclide(rp);
  const findings: Finding[] = [];
  const unrecognised: string[] = [];
  for (const c of items(rp.RadiopharmaceuticalCodeSequence)) {
    const f = fromCode(c, nuclide.nuclide);
    if (f && 'unrecognised' in f) unrecognised.push(f.unrecognised);
    else if (f) findings.push(f);
  }
  const text = str(rp.Radiopharmaceutical);
  const series = str(attrs.SeriesDescription);
  for (const f of [fromText(text, `Radiopharmaceutical "${text}"`, nuclide.nuclide), fromText(series, `series description "${series}"`, nuclide.nuclide)]) if (f) findings.push(f);
  if (!findings.length) {
    const study = str(attrs.StudyDescription);
    const f = fromText(study, `study description "${study}"`, nuclide.nuclide);
    if (f) findings.push(f);
  }
  const said = [...unrecognised, ...(text ? [`Radiopharmaceutical "${text}" not recognised`] : [])];
  return combine(findings, nuclide, said.length ? said.join('; ') : 'none');
}

/** The tracer a name gives (`--tracer NAME`, a model card's tracer): an agent id, a brand or generic name. */
export function tracerFromName(name: string): TracerIdentity {
  const n = name.trim();
  if (!n) return { label: 'unidentified tracer', class: 'unknown', evidence: 'no tracer name' };
  const evidence = `name "${n}"`;
  const exact = agentById(n);
  const f: Finding | undefined = exact ? { evidence, agent: exact } : fromText(n, evidence);
  const nuclide = nuclideInText(norm(n));
  return combine(f ? [f] : [], { nuclide }, `name "${n}" not recognised`);
}

/** How a tracer is written in a table column: the agent id, "18F PSMA ligand" when not named, "unknown" otherwise. */
export function tracerColumn(t: TracerIdentity): string {
  if (t.conflict || t.class === 'unknown') return 'unknown';
  return t.agent ?? `${t.nuclide ? `${t.nuclide} ` : ''}PSMA ligand`;
}

/** The model-independent part of the gate: a tracer that is not a PSMA ligand blocks any 177Lu-PSMA prediction. */
export function nonPsmaBlock(t: TracerIdentity): Extract<TracerGate, { status: 'blocked' }> | undefined {
  if (t.class !== 'other') return undefined;
  const conflict = t.conflict ? ` Note: ${t.conflict}.` : '';
  return { status: 'blocked', tracer: t, message: `The PET was acquired with ${t.label}, not a PSMA ligand: 177Lu-PSMA doses cannot be predicted from it. Identified from the ${t.evidence}.${conflict}` };
}

function nuclideCaveat(study: string | undefined, trained: string[]): string | undefined {
  const a = study ? nuclideById(study) : undefined;
  const other = trained.map(nuclideById).filter((n) => n && n.id !== study);
  if (!a || !other.length || trained.includes(a.id)) return undefined;
  const b = other[0]!;
  const min = (n: Nuclide) => (n.halfLifeS / 60).toFixed(0);
  return `${a.id} PET differs from ${b.id} PET in half-life (${min(a)} vs ${min(b)} min), usual uptake time and spatial resolution (positron range): organ and lesion SUVs are not directly comparable.`;
}

/**
 * The gate between a PET's tracer and a model card's `tracer` (agent ids separated by ';'): non-PSMA → blocked;
 * the model's agent → ok; another PSMA ligand, a ligand not named, an unidentified tracer or disagreeing
 * sources → confirm, with the caveat to record.
 */
export function tracerGate(tracer: TracerIdentity, modelTracer: string): TracerGate {
  const blocked = nonPsmaBlock(tracer);
  if (blocked) return blocked;
  const models = String(modelTracer ?? '').split(';').map((s) => s.trim()).filter(Boolean).map(tracerFromName); // a card may lack the field
  const agents = models.flatMap((m) => (m.agent ? [m.agent] : []));
  const trained = models.length ? models.map((m) => m.agent ?? m.label).join(' / ') : 'a tracer the model card does not name';
  const trainedNuclides = [...new Set(models.flatMap((m) => (m.nuclide ? [m.nuclide] : [])))];
  const nuc = nuclideCaveat(tracer.nuclide, trainedNuclides);
  const valid = `The predicted doses are only as valid as the assumption that this PET behaves like ${trained} PET.`;
  const join = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(' ');
  if (tracer.class === 'unknown') {
    return {
      status: 'confirm', tracer,
      message: tracer.conflict ? `The PET header disagrees about the tracer: ${tracer.conflict}. The model was trained on ${trained} PET.` : `The PET's tracer is not identified (${tracer.evidence}). The model was trained on ${trained} PET.`,
      caveat: join(tracer.conflict ? `Conflicting tracer information (${tracer.conflict}).` : 'The tracer could not be identified from the PET header.', 'Predict only if you know the PET was acquired with a PSMA ligand; doses predicted from the PET of another tracer are meaningless.', valid),
    };
  }
  if (tracer.conflict) {
    return { status: 'confirm', tracer, message: `The PET header disagrees about the tracer: ${tracer.conflict}. The model was trained on ${trained} PET.`, caveat: join(`Conflicting tracer information (${tracer.conflict}); check the PET header.`, tracer.caveat, nuc, valid) };
  }
  if (!tracer.agent) {
    return {
      status: 'confirm', tracer,
      message: `The PET names a PSMA ligand but not which one (${tracer.evidence}). The model was trained on ${trained} PET.`,
      caveat: join(`The PSMA ligand is not named: ligands differ in biodistribution (e.g. 18F-PSMA-1007 is cleared mainly through the liver, not the kidneys).`, nuc, valid),
    };
  }
  if (agents.includes(tracer.agent)) return { status: 'ok', tracer, message: `The PET was acquired with ${tracer.agent}, the tracer the model was trained on (${tracer.evidence}).` };
  if (!agents.length) {
    return { status: 'confirm', tracer, message: `The model card does not name the PSMA ligand it was trained on (${modelTracer ? `"${modelTracer}"` : 'no tracer given'}); the PET was acquired with ${tracer.label}.`, caveat: join(`The model's ligand is unknown, so it may differ from ${tracer.agent}.`, tracer.caveat, nuc, valid) };
  }
  return {
    status: 'confirm', tracer,
    message: `The PET was acquired with ${tracer.label}; the model was trained on ${trained} PET.`,
    caveat: join(`${tracer.agent} is not the tracer the model was trained on (${trained}).`, tracer.caveat, nuc, valid),
  };
}

export const PSMA_AGENTS = AGENTS.filter((a) => a.class === 'psma').map((a) => a.id);

/**
 * The agent(s) a model trained on a table is valid for (the card's `tracer`, ids joined by '; '): the names stated
 * for the data (`--tracer`, the cohort's agent) and the table's tracer column must agree, and each must be a
 * named PSMA ligand. A column value that names no ligand ("unknown", "18F PSMA ligand") needs a stated name.
 */
export function trainingTracer(column: string[], stated: { name: string; from: string }[]): { tracer: string } | { problem: string } {
  const known = `known PSMA ligands: ${PSMA_AGENTS.join(', ')}`;
  const named = (t: TracerIdentity, what: string): string | undefined => {
    if (t.class === 'other') return `${what} names ${t.label}, not a PSMA ligand: a 177Lu-PSMA dose model must be trained on PSMA PET`;
    if (!t.agent || t.conflict) return `${what} does not name a known PSMA ligand (${known})`;
    return undefined;
  };
  const says = stated.map((s) => ({ ...s, t: tracerFromName(s.name) }));
  for (const s of says) {
    const p = named(s.t, `${s.from} "${s.name}"`);
    if (p) return { problem: p };
  }
  const first = says[0];
  const other = says.find((s) => s.t.agent !== first?.t.agent);
  if (first && other) return { problem: `${first.from} says ${first.t.agent} but ${other.from} says ${other.t.agent}` };
  const values = [...new Set(column.map((v) => v.trim()).filter(Boolean))];
  if (first) {
    for (const v of values) {
      const t = tracerFromName(v);
      if (t.class === 'other' || (t.agent && t.agent !== first.t.agent)) return { problem: `the table's tracer column names "${v}" but ${first.from} says ${first.t.agent}` };
    }
    return { tracer: first.t.agent! };
  }
  if (!values.length) return { problem: `the training data does not name its PET tracer: give --tracer NAME (${known})` };
  const agents: string[] = [];
  for (const v of values) {
    const p = named(tracerFromName(v), `the table's tracer column ("${v}")`);
    if (p) return { problem: `${p}; name the agent with --tracer NAME` };
    agents.push(tracerFromName(v).agent!);
  }
  return { tracer: [...new Set(agents)].join('; ') };
}

/** The gate of each distinct tracer name of a table's rows against a model card's tracer, with the rows it covers. */
export function rowGates(names: string[], modelTracer: string): { name: string; rows: number[]; gate: TracerGate }[] {
  const groups = new Map<string, number[]>();
  names.forEach((n, i) => {
    const k = n.trim();
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  return [...groups].map(([name, rows]) => ({ name, rows, gate: tracerGate(tracerFromName(name), modelTracer) }));
}

/**
 * A PET header's tracer with the one a user states for it (`--tracer`): the statement fills in what the header
 * leaves open (no tracer, or a PSMA ligand not named); a header that names something else is a problem.
 */
export function withStatedTracer(header: TracerIdentity, stated: TracerIdentity | undefined): { tracer: TracerIdentity } | { problem: string } {
  if (!stated) return { tracer: header };
  const name = (t: TracerIdentity) => t.agent ?? t.label;
  const differ = `the PET header says ${name(header)} (${header.evidence}) but ${stated.evidence} says ${name(stated)}`;
  if (stated.nuclide && header.nuclide && stated.nuclide !== header.nuclide) return { problem: differ };
  if (header.conflict) return { tracer: header };
  if (header.class === 'unknown') return { tracer: { ...stated, nuclide: stated.nuclide ?? header.nuclide, evidence: `${stated.evidence}; ${header.evidence === 'none' ? 'the header names no tracer' : header.evidence}` } };
  if (header.class !== stated.class || (header.agent && stated.agent && header.agent !== stated.agent)) return { problem: differ };
  if (!header.agent && stated.agent) return { tracer: { ...stated, evidence: `${header.evidence}; ${stated.evidence}` } };
  return { tracer: header };
}
