// Synthetic PSMA PET/CT patient: CT (HU, Int16) and PET (Bq/mL, Float32) on different grids sharing one
// frame of reference, a truth label map on the PET grid, and the truth of what was actually stored.
import { Rng } from '../random';
import type { Geometry, Vec3, Volume } from '../volume';
import { IDENTITY, index } from '../volume';
import { ORGANS, TUMOUR_LABEL_BASE, structureByName, type StructureType, type Side, type TumourSite } from '../vocabulary';
import { LESION_SITES, inside, referenceAnatomy, shapeBox, type AnatomyPart, type Shape } from './anatomy';
import type { LesionSpec, PatientSpec } from './spec';
import { agentById, KNOWN_AGENTS, nuclideById, type Agent, type Nuclide } from '../tracer';

/**
 * The agent of the demo patient and the virtual cohort. The seed study (Southampton, SNMMI 2026) used "18F-PSMA"
 * PET without naming the ligand; 18F-DCFPyL (piflufolastat F 18), a widely used 18F PSMA ligand, stands in for it.
 */
export const DEMO_TRACER = '18F-DCFPyL';
export const F18_HALF_LIFE_S = nuclideById('18F')!.halfLifeS;

/** The spec's PET agent and its nuclide; throws naming the known agents when the id is not one of them. */
export function phantomTracer(spec: Pick<PatientSpec, 'tracer'>): { agent: Agent; nuclide: Nuclide } {
  const id = spec.tracer ?? DEMO_TRACER;
  const agent = agentById(id);
  if (!agent) throw new Error(`unknown tracer "${id}" (known: ${KNOWN_AGENTS.join(', ')})`);
  const nuclide = nuclideById(agent.nuclide);
  if (!nuclide) throw new Error(`tracer ${agent.id}: no half-life known for ${agent.nuclide}`);
  return { agent, nuclide };
}

export interface StructureTruth {
  name: string;
  type: StructureType;
  side?: Side;
  site?: TumourSite;
  label: number;
  /** Voxels on the PET grid and their volume. */
  voxels: number;
  volumeMl: number;
  /** SUVbw statistics of the stored PET voxels inside the structure. */
  suvMax: number;
  suvMean: number;
  suvSd: number;
  /** Highest mean SUV in a 1 cm³ sphere centred on a structure voxel (IBSI global peak). */
  suvPeak: number;
  /** PET voxel (i, j, k) holding suvMax, its LPS centre, and the SUV stored there. */
  maxVoxel: Vec3;
  maxVoxelLps: Vec3;
  /** Lesions only: what the spec asked for. */
  specVolumeMl?: number;
  specSuvMean?: number;
  heterogeneity?: number;
  centreLps?: Vec3;
}

export interface PatientTruth {
  id: string;
  seed: number;
  /** SUVbw = Bq/mL × suvbwPerBqml (decay-corrected to scan start). */
  suvbwPerBqml: number;
  injectedMBq: number;
  uptakeMinutes: number;
  weightKg: number;
  heightCm: number;
  sex: 'M' | 'F';
  structures: StructureTruth[];
}

export interface SyntheticPatient {
  spec: PatientSpec;
  ct: Volume<Int16Array>;
  /** Bq/mL, already quantised exactly as the DICOM writer stores it (see quantiseSlices). */
  pet: Volume<Float32Array>;
  /** Per-slice RescaleSlope of the PET as stored (Bq/mL per stored unit). */
  petSlopes: Float64Array;
  /** Truth label map on the PET grid (vocabulary label numbers; tumours TUMOUR_LABEL_BASE + n). */
  labels: Volume<Uint8Array>;
  truth: PatientTruth;
}

/** Grid covering the body at the given spacing, square-ish FOV centred on x = y = 0, identity orientation. */
function makeGrid(spacing: Vec3, fov: [number, number], zBottom: number, zTop: number): Geometry {
  const nx = Math.ceil(fov[0] / spacing[0]);
  const ny = Math.ceil(fov[1] / spacing[1]);
  const nz = Math.max(1, Math.round((zTop - zBottom) / spacing[2]) + 1);
  return {
    dims: [nx, ny, nz],
    spacing: [...spacing],
    origin: [-((nx - 1) * spacing[0]) / 2, -((ny - 1) * spacing[1]) / 2, zBottom],
    direction: [...IDENTITY],
  };
}

interface LesionShape {
  spec: LesionSpec;
  label: number;
  parts: Shape[];
  centre: Vec3;
  radius: number;
  /** Random smooth texture: three plane waves. */
  waves: { k: Vec3; phase: number; amp: number }[];
}

function buildLesions(spec: PatientSpec, rng: Rng, parts: AnatomyPart[]): LesionShape[] {
  const scale = spec.anatomyScale;
  const placed: LesionShape[] = [];
  const organ = (name: string) => parts.find((p) => p.name === name);
  spec.lesions.forEach((ls, n) => {
    const def = structureByName(ls.name);
    const label = def && def.type === 'tumour' ? def.label : TUMOUR_LABEL_BASE + n + 1;
    const r = Math.cbrt((3 * Math.max(ls.volumeMl, 0.05) * 1000) / (4 * Math.PI));
    let centre: Vec3 | undefined = ls.centre ? [...ls.centre] : undefined;
    for (let attempt = 0; !centre && attempt < 40; attempt++) {
      const sites = LESION_SITES[ls.site] ?? LESION_SITES.other;
      const s = rng.pick(sites);
      const c: Vec3 = [0, 1, 2].map((a) => (s.c[a] + rng.uniform(-1, 1) * s.jitter[a]) * scale) as Vec3;
      const clash = placed.some((p) => Math.hypot(p.centre[0] - c[0], p.centre[1] - c[1], p.centre[2] - c[2]) < p.radius + r + 6);
      const inKidney = ['Kidney L', 'Kidney R'].some((k) => {
        const o = organ(k);
        return o ? inside(o.shape, c[0], c[1], c[2]) : false;
      });
      if (!clash && !inKidney) centre = c;
    }
    if (!centre) centre = [rng.uniform(-40, 40) * scale, 20 * scale, rng.uniform(100, 600) * scale];
    // Irregular shape: a main ellipsoid plus up to two lobes, volume-preserving on average.
    const elong = rng.uniform(0.75, 1.3);
    const flat = rng.uniform(0.75, 1.2);
    const k = 1 / Math.cbrt(elong * flat);
    const shapes: Shape[] = [{ kind: 'ellipsoid', c: centre, r: [r * k * elong, r * k, r * k * flat] }];
    const lobes = r > 6 ? rng.int(0, 2) : 0;
    for (let l = 0; l < lobes; l++) {
      const dir = [rng.normal(), rng.normal(), rng.normal()];
      const len = Math.hypot(dir[0], dir[1], dir[2]) || 1;
      const off = r * rng.uniform(0.45, 0.7);
      const rr = r * rng.uniform(0.45, 0.65);
      shapes.push({ kind: 'ellipsoid', c: [centre[0] + (dir[0] / len) * off, centre[1] + (dir[1] / len) * off, centre[2] + (dir[2] / len) * off], r: [rr, rr, rr] });
    }
    const waves = [0, 1, 2].map(() => {
      const d = [rng.normal(), rng.normal(), rng.normal()];
      const len = Math.hypot(d[0], d[1], d[2]) || 1;
      const wl = Math.max(6, r * rng.uniform(0.6, 1.2));
      return { k: d.map((v) => ((v / len) * 2 * Math.PI) / wl) as Vec3, phase: rng.uniform(0, 2 * Math.PI), amp: rng.uniform(0.5, 1) };
    });
    placed.push({ spec: ls, label, parts: shapes, centre, radius: r, waves });
  });
  return placed;
}

/** Uptake multiplier inside a lesion: smooth texture plus a cold core in large heterogeneous lesions. */
function lesionMultiplier(l: LesionShape, x: number, y: number, z: number): number {
  const h = Math.min(1, Math.max(0, l.spec.heterogeneity));
  let tex = 0;
  for (const w of l.waves) tex += w.amp * Math.sin(w.k[0] * x + w.k[1] * y + w.k[2] * z + w.phase);
  tex /= l.waves.length;
  const d = Math.hypot(x - l.centre[0], y - l.centre[1], z - l.centre[2]) / l.radius;
  const core = l.radius > 8 && d < 0.45 ? 1 - 0.75 * h : 1;
  return Math.max(0.05, (1 + 0.55 * h * tex) * core);
}

function boxIndices(g: Geometry, lo: Vec3, hi: Vec3): [number, number, number, number, number, number] {
  const a = [0, 1, 2].map((d) => Math.max(0, Math.ceil((lo[d] - g.origin[d]) / g.spacing[d])));
  const b = [0, 1, 2].map((d) => Math.min(g.dims[d] - 1, Math.floor((hi[d] - g.origin[d]) / g.spacing[d])));
  return [a[0], b[0], a[1], b[1], a[2], b[2]];
}

/** Calls fn for every voxel of grid g whose centre lies inside shape s. */
function forEachInside(g: Geometry, s: Shape, fn: (n: number, x: number, y: number, z: number) => void): void {
  const { lo, hi } = shapeBox(s);
  const [i0, i1, j0, j1, k0, k1] = boxIndices(g, lo, hi);
  const [ox, oy, oz] = g.origin, [sx, sy, sz] = g.spacing, [nx, ny] = g.dims;
  for (let k = k0; k <= k1; k++) {
    const z = oz + k * sz;
    for (let j = j0; j <= j1; j++) {
      const y = oy + j * sy;
      const row = nx * (j + ny * k);
      for (let i = i0; i <= i1; i++) {
        const x = ox + i * sx;
        if (inside(s, x, y, z)) fn(row + i, x, y, z);
      }
    }
  }
}

const TISSUE_SUV_KEY: Record<string, string> = { soft: 'background', fat: 'fat', bone: 'bone', marrow: 'bone', lung: 'lung', bowel: 'bowel', prostate: 'prostate' };
const DEFAULT_TISSUE_SUV: Record<string, number> = { background: 0.6, fat: 0.25, bone: 1.0, lung: 0.3, bowel: 3.0, prostate: 1.8, blood: 1.6 };

/** Separable Gaussian blur in place (σ in voxels per axis). */
export function gaussianBlur(data: Float32Array, dims: Vec3, sigma: Vec3): void {
  const [nx, ny, nz] = dims;
  const line = new Float32Array(Math.max(nx, ny, nz));
  for (let axis = 0; axis < 3; axis++) {
    const s = sigma[axis];
    if (s < 0.05) continue;
    const rad = Math.max(1, Math.ceil(3 * s));
    const ker = new Float32Array(2 * rad + 1);
    let sum = 0;
    for (let t = -rad; t <= rad; t++) sum += ker[t + rad] = Math.exp((-t * t) / (2 * s * s));
    for (let t = 0; t < ker.length; t++) ker[t] /= sum;
    const len = dims[axis];
    const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
    const [na, nb] = axis === 0 ? [ny, nz] : axis === 1 ? [nx, nz] : [nx, ny];
    for (let b = 0; b < nb; b++) {
      for (let a = 0; a < na; a++) {
        const base = axis === 0 ? nx * (a + ny * b) : axis === 1 ? a + nx * ny * b : a + nx * b;
        for (let t = 0; t < len; t++) line[t] = data[base + t * stride];
        for (let t = 0; t < len; t++) {
          let acc = 0;
          for (let q = -rad; q <= rad; q++) {
            const u = Math.min(len - 1, Math.max(0, t + q));
            acc += ker[q + rad] * line[u];
          }
          data[base + t * stride] = acc;
        }
      }
    }
  }
}

/**
 * Per-slice 16-bit quantisation as the DICOM writer stores PET: slope = max|v| / 32767,
 * stored = round(v / slope). Replaces values by what a reader will get back; returns the slopes.
 */
function quantiseSlices(vol: Volume<Float32Array>): Float64Array {
  const [nx, ny, nz] = vol.dims;
  const per = nx * ny;
  const slopes = new Float64Array(nz);
  for (let k = 0; k < nz; k++) {
    let m = 0;
    for (let n = k * per; n < (k + 1) * per; n++) m = Math.max(m, Math.abs(vol.data[n]));
    const slope = m > 0 ? m / 32767 : 1;
    // Keep the slope exactly representable as the DICOM DS string the writer emits.
    const ds = Number(slope.toPrecision(10));
    slopes[k] = ds;
    for (let n = k * per; n < (k + 1) * per; n++) vol.data[n] = Math.fround(Math.round(vol.data[n] / ds) * ds);
  }
  return slopes;
}

/** SUVbw per Bq/mL with decay correction to scan start (DecayCorrection START), with the agent's nuclide half-life. */
export function suvbwFactor(spec: Pick<PatientSpec, 'weightKg' | 'injectedMBq' | 'uptakeMinutes' | 'tracer'>): number {
  const decayed = spec.injectedMBq * 1e6 * Math.pow(2, (-spec.uptakeMinutes * 60) / phantomTracer(spec).nuclide.halfLifeS);
  return (spec.weightKg * 1000) / decayed;
}

export function generatePatient(spec: PatientSpec): SyntheticPatient {
  validateSpec(spec);
  const rng = new Rng(spec.seed);
  const im = spec.imaging;
  const scale = spec.anatomyScale;
  const fov: [number, number] = [420 * scale + 20, 300 * scale + 20];
  const ctGrid = makeGrid(im.ctSpacing, fov, im.zBottomMm, im.zTopMm);
  const petGrid = makeGrid(im.petSpacing, fov, im.zBottomMm, im.zTopMm);
  const nCt = ctGrid.dims[0] * ctGrid.dims[1] * ctGrid.dims[2];

  const parts = referenceAnatomy(scale, spec.organScale, spec.missingKidney);
  const lesions = buildLesions(spec, rng.fork(1), parts);

  // Paint tissue HU, SUV and structure labels on the CT grid.
  const hu = new Float32Array(nCt).fill(-1000);
  const suv = new Float32Array(nCt);
  const label = new Uint8Array(nCt);
  const suvOf = (key: string) => spec.organSuv[key] ?? DEFAULT_TISSUE_SUV[key] ?? 0.6;
  for (const p of parts) {
    const def = p.tissue === 'organ' ? structureByName(p.name) : undefined;
    const s = def ? suvOf(p.name) : suvOf(TISSUE_SUV_KEY[p.tissue] ?? 'background');
    const lab = def?.label ?? 0;
    forEachInside(ctGrid, p.shape, (n) => {
      hu[n] = p.hu;
      suv[n] = s;
      label[n] = lab;
    });
  }
  for (const l of lesions) {
    for (const s of l.parts) {
      forEachInside(ctGrid, s, (n, x, y, z) => {
        if (hu[n] <= -990) return; // never outside the body
        const bone = l.spec.site === 'bone';
        hu[n] = bone ? Math.max(hu[n], 350) + 250 : 38;
        suv[n] = l.spec.suvMean * lesionMultiplier(l, x, y, z);
        label[n] = l.label;
      });
    }
  }

  // CT: noise, clamp, Int16.
  const ctRng = rng.fork(2);
  const ct = new Int16Array(nCt);
  for (let n = 0; n < nCt; n++) {
    const v = hu[n] <= -1000 ? -1000 + ctRng.normal(0, 3) : hu[n] + ctRng.normal(0, im.ctNoiseHu);
    ct[n] = Math.max(-1024, Math.min(3071, Math.round(v)));
  }

  // PET: box-average the CT-grid SUV into PET voxels (partial volume), nearest label, blur, noise.
  const nPet = petGrid.dims[0] * petGrid.dims[1] * petGrid.dims[2];
  const acc = new Float32Array(nPet);
  const cnt = new Uint16Array(nPet);
  const pLabel = new Uint8Array(nPet);
  const [cx, cy, cz] = ctGrid.dims;
  const [px, py, pz] = petGrid.dims;
  const pi = new Int32Array(cx), pj = new Int32Array(cy), pk = new Int32Array(cz);
  const mapAxis = (out: Int32Array, d: 0 | 1 | 2) => {
    for (let t = 0; t < out.length; t++) {
      const w = ctGrid.origin[d] + t * ctGrid.spacing[d];
      out[t] = Math.round((w - petGrid.origin[d]) / petGrid.spacing[d]);
    }
  };
  mapAxis(pi, 0); mapAxis(pj, 1); mapAxis(pk, 2);
  for (let k = 0; k < cz; k++) {
    const K = pk[k];
    if (K < 0 || K >= pz) continue;
    for (let j = 0; j < cy; j++) {
      const J = pj[j];
      if (J < 0 || J >= py) continue;
      const row = cx * (j + cy * k);
      for (let i = 0; i < cx; i++) {
        const I = pi[i];
        if (I < 0 || I >= px) continue;
        const m = I + px * (J + py * K);
        acc[m] += suv[row + i];
        cnt[m]++;
      }
    }
  }
  // Label of the CT voxel nearest each PET voxel centre.
  for (let K = 0; K < pz; K++) {
    const k = Math.round((petGrid.origin[2] + K * petGrid.spacing[2] - ctGrid.origin[2]) / ctGrid.spacing[2]);
    for (let J = 0; J < py; J++) {
      const j = Math.round((petGrid.origin[1] + J * petGrid.spacing[1] - ctGrid.origin[1]) / ctGrid.spacing[1]);
      for (let I = 0; I < px; I++) {
        const i = Math.round((petGrid.origin[0] + I * petGrid.spacing[0] - ctGrid.origin[0]) / ctGrid.spacing[0]);
        const m = I + px * (J + py * K);
        if (cnt[m]) acc[m] /= cnt[m];
        if (i >= 0 && j >= 0 && k >= 0 && i < cx && j < cy && k < cz) pLabel[m] = label[index(ctGrid, i, j, k)];
      }
    }
  }
  const fwhmToSigma = im.petFwhmMm / 2.3548;
  gaussianBlur(acc, petGrid.dims, [fwhmToSigma / petGrid.spacing[0], fwhmToSigma / petGrid.spacing[1], fwhmToSigma / petGrid.spacing[2]]);
  const noiseRng = rng.fork(3);
  const factor = suvbwFactor(spec);
  const petData = new Float32Array(nPet);
  for (let m = 0; m < nPet; m++) {
    const v = acc[m];
    const sd = im.petNoise * Math.sqrt(Math.max(v, 0.05));
    petData[m] = Math.max(0, v + noiseRng.normal(0, sd)) / factor;
  }
  const pet: Volume<Float32Array> = { ...petGrid, data: petData, unit: 'BQML' };
  const petSlopes = quantiseSlices(pet);
  const labels: Volume<Uint8Array> = { ...structuredClone(petGrid), data: pLabel };
  const ctVol: Volume<Int16Array> = { ...structuredClone(ctGrid), data: ct, unit: 'HU' };

  const truth: PatientTruth = {
    id: spec.id, seed: spec.seed, suvbwPerBqml: factor, injectedMBq: spec.injectedMBq, uptakeMinutes: spec.uptakeMinutes,
    weightKg: spec.weightKg, heightCm: spec.heightCm, sex: spec.sex,
    structures: structureTruth(pet, labels, factor, lesions),
  };
  return { spec, ct: ctVol, pet, petSlopes, labels, truth };
}

function structureTruth(pet: Volume<Float32Array>, labels: Volume<Uint8Array>, factor: number, lesions: LesionShape[]): StructureTruth[] {
  const out: StructureTruth[] = [];
  const present = new Set<number>();
  for (let n = 0; n < labels.data.length; n++) if (labels.data[n]) present.add(labels.data[n]);
  const defs = [
    ...ORGANS.filter((o) => present.has(o.label)).map((o) => ({ name: o.name, type: o.type, side: o.side, label: o.label, lesion: undefined as LesionShape | undefined })),
    ...lesions.filter((l) => present.has(l.label)).map((l) => ({ name: l.spec.name, type: 'tumour' as StructureType, side: undefined, label: l.label, lesion: l })),
  ];
  const voxMl = (pet.spacing[0] * pet.spacing[1] * pet.spacing[2]) / 1000;
  for (const d of defs) {
    let count = 0, sum = 0, sum2 = 0, max = -Infinity, arg = -1;
    for (let n = 0; n < labels.data.length; n++) {
      if (labels.data[n] !== d.label) continue;
      const v = pet.data[n] * factor;
      count++; sum += v; sum2 += v * v;
      if (v > max) { max = v; arg = n; }
    }
    const mean = sum / count;
    const [nx, ny] = pet.dims;
    const ijk: Vec3 = [arg % nx, Math.floor(arg / nx) % ny, Math.floor(arg / (nx * ny))];
    out.push({
      name: d.name, type: d.type, side: d.side, site: d.lesion?.spec.site, label: d.label,
      voxels: count, volumeMl: count * voxMl,
      suvMax: max, suvMean: mean, suvSd: Math.sqrt(Math.max(0, sum2 / count - mean * mean)),
      suvPeak: globalPeak(pet, labels, d.label) * factor,
      maxVoxel: ijk,
      maxVoxelLps: [pet.origin[0] + ijk[0] * pet.spacing[0], pet.origin[1] + ijk[1] * pet.spacing[1], pet.origin[2] + ijk[2] * pet.spacing[2]],
      specVolumeMl: d.lesion?.spec.volumeMl, specSuvMean: d.lesion?.spec.suvMean, heterogeneity: d.lesion?.spec.heterogeneity,
      centreLps: d.lesion?.centre,
    });
  }
  return out;
}

/** Highest mean value in a 1 cm³ sphere (radius 6.2 mm) centred on any voxel of `label` (axis-aligned grid). */
function globalPeak(vol: Volume, labels: Volume<Uint8Array>, label: number): number {
  const r = 6.2035; // (3 / 4π)^(1/3) cm
  const [nx, ny, nz] = vol.dims, [sx, sy, sz] = vol.spacing;
  const offs: [number, number, number][] = [];
  const ri = Math.floor(r / sx), rj = Math.floor(r / sy), rk = Math.floor(r / sz);
  for (let c = -rk; c <= rk; c++) for (let b = -rj; b <= rj; b++) for (let a = -ri; a <= ri; a++) {
    if ((a * sx) ** 2 + (b * sy) ** 2 + (c * sz) ** 2 <= r * r) offs.push([a, b, c]);
  }
  let best = -Infinity;
  for (let n = 0; n < labels.data.length; n++) {
    if (labels.data[n] !== label) continue;
    const i = n % nx, j = Math.floor(n / nx) % ny, k = Math.floor(n / (nx * ny));
    let s = 0, c = 0;
    for (const [a, b, d] of offs) {
      const I = i + a, J = j + b, K = k + d;
      if (I < 0 || J < 0 || K < 0 || I >= nx || J >= ny || K >= nz) continue;
      s += vol.data[I + nx * (J + ny * K)]; c++;
    }
    if (c && s / c > best) best = s / c;
  }
  return best;
}

function validateSpec(spec: PatientSpec): void {
  const bad = (m: string) => { throw new Error(`patient ${spec.id}: ${m}`); };
  try { phantomTracer(spec); } catch (e) { bad((e as Error).message); }
  if (!(spec.weightKg > 20 && spec.weightKg < 300)) bad(`weight ${spec.weightKg} kg is outside 20–300 kg`);
  if (!(spec.heightCm > 100 && spec.heightCm < 250)) bad(`height ${spec.heightCm} cm is outside 100–250 cm`);
  if (!(spec.injectedMBq > 0)) bad(`injected activity must be positive (got ${spec.injectedMBq} MBq)`);
  if (!(spec.anatomyScale > 0.6 && spec.anatomyScale < 1.5)) bad(`anatomyScale ${spec.anatomyScale} is outside 0.6–1.5`);
  if (spec.lesions.length > 255 - TUMOUR_LABEL_BASE) bad(`too many lesions (${spec.lesions.length})`);
  const im = spec.imaging;
  for (const s of [...im.ctSpacing, ...im.petSpacing]) if (!(s > 0.3 && s < 20)) bad(`voxel spacing ${s} mm is outside 0.3–20 mm`);
  if (!(im.zTopMm > im.zBottomMm)) bad('zTopMm must be above zBottomMm');
}

/** The default (demo) patient: head to pelvis, ~12 lesions, DEMO_TRACER (18F-DCFPyL) at 90 min. */
export function defaultPatientSpec(seed: number, opts: { lesions?: number; id?: string; tracer?: string; imaging?: Partial<PatientSpec['imaging']> } = {}): PatientSpec {
  const rng = new Rng(seed ^ 0x5eed);
  const nLesions = opts.lesions ?? 12;
  const heightCm = Math.round(rng.normal(176, 6));
  const weightKg = Math.round(rng.normal(82, 10));
  const anatomyScale = Math.min(1.15, Math.max(0.9, heightCm / 176));
  const sites: TumourSite[] = ['bone', 'bone', 'bone', 'lymph node', 'lymph node', 'prostate', 'visceral'];
  const lesions: LesionSpec[] = [];
  for (let n = 1; n <= nLesions; n++) {
    const site = n === 1 ? 'bone' : rng.pick(sites);
    lesions.push({
      name: `T${n}`, site,
      volumeMl: Math.min(60, 0.5 + rng.heavyTail(3, 1.6)),
      suvMean: rng.lognormal(site === 'bone' ? 14 : 11, 0.45),
      heterogeneity: rng.uniform(0.1, 0.8),
    });
  }
  return {
    id: opts.id ?? `DEMO${String(seed).padStart(4, '0')}`,
    seed, sex: 'M', ageYears: Math.round(rng.normal(71, 7)), weightKg, heightCm, tracer: opts.tracer ?? DEMO_TRACER,
    injectedMBq: Math.round(rng.normal(250, 30)), uptakeMinutes: Math.round(rng.uniform(80, 110)),
    anatomyScale,
    organSuv: {
      'Kidney L': rng.lognormal(22, 0.2), 'Kidney R': rng.lognormal(22, 0.2),
      'Parotid L': rng.lognormal(16, 0.2), 'Parotid R': rng.lognormal(16, 0.2),
      'Submandibular L': rng.lognormal(17, 0.2), 'Submandibular R': rng.lognormal(17, 0.2),
      'Lacrimal L': rng.lognormal(9, 0.25), 'Lacrimal R': rng.lognormal(9, 0.25),
      Liver: rng.lognormal(7, 0.2), Spleen: rng.lognormal(6, 0.25), Bladder: rng.lognormal(25, 0.4),
      background: 0.6, bone: 1.0, bowel: 3.0,
    },
    lesions,
    imaging: {
      ctSpacing: [2, 2, 3], petSpacing: [4, 4, 4],
      zBottomMm: -40 * anatomyScale, zTopMm: 920 * anatomyScale,
      petFwhmMm: 6, petNoise: 0.12, ctNoiseHu: 12,
      ...opts.imaging,
    },
  };
}
