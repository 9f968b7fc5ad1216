// Reference anatomy of the synthetic patient: simple analytic shapes in LPS millimetres
// (x → patient left, y → posterior, z → superior; z = 0 at the pelvic floor).
// Everything scales with PatientSpec.anatomyScale.
import type { Vec3 } from '../volume';

export interface Ellipsoid {
  kind: 'ellipsoid';
  c: Vec3;
  r: Vec3;
}
/** Elliptical cylinder along z between z0 and z1. */
export interface Cylinder {
  kind: 'cylinder';
  c: [number, number];
  r: [number, number];
  z0: number;
  z1: number;
}
/** Elliptical shell (rib-like hoop) of given thickness and height around a z level. */
export interface Hoop {
  kind: 'hoop';
  c: [number, number];
  r: [number, number];
  z: number;
  thickness: number;
  height: number;
  /** Only the posterior/lateral part: points with y < yMin are excluded. */
  yMin: number;
}
export type Shape = Ellipsoid | Cylinder | Hoop;

export function shapeBox(s: Shape): { lo: Vec3; hi: Vec3 } {
  switch (s.kind) {
    case 'ellipsoid':
      return { lo: [s.c[0] - s.r[0], s.c[1] - s.r[1], s.c[2] - s.r[2]], hi: [s.c[0] + s.r[0], s.c[1] + s.r[1], s.c[2] + s.r[2]] };
    case 'cylinder':
      return { lo: [s.c[0] - s.r[0], s.c[1] - s.r[1], s.z0], hi: [s.c[0] + s.r[0], s.c[1] + s.r[1], s.z1] };
    case 'hoop':
      return {
        lo: [s.c[0] - s.r[0] - s.thickness, Math.max(s.yMin, s.c[1] - s.r[1] - s.thickness), s.z - s.height / 2],
        hi: [s.c[0] + s.r[0] + s.thickness, s.c[1] + s.r[1] + s.thickness, s.z + s.height / 2],
      };
  }
}

export function inside(s: Shape, x: number, y: number, z: number): boolean {
  switch (s.kind) {
    case 'ellipsoid': {
      const a = (x - s.c[0]) / s.r[0], b = (y - s.c[1]) / s.r[1], c = (z - s.c[2]) / s.r[2];
      return a * a + b * b + c * c <= 1;
    }
    case 'cylinder': {
      if (z < s.z0 || z > s.z1) return false;
      const a = (x - s.c[0]) / s.r[0], b = (y - s.c[1]) / s.r[1];
      return a * a + b * b <= 1;
    }
    case 'hoop': {
      if (y < s.yMin || Math.abs(z - s.z) > s.height / 2) return false;
      const a = (x - s.c[0]) / s.r[0], b = (y - s.c[1]) / s.r[1];
      const rho = Math.sqrt(a * a + b * b);
      const mean = (s.r[0] + s.r[1]) / 2;
      return Math.abs(rho - 1) * mean <= s.thickness / 2;
    }
  }
}

export type Tissue = 'air' | 'fat' | 'soft' | 'lung' | 'bone' | 'marrow' | 'bowel' | 'prostate' | 'organ';

export interface AnatomyPart {
  /** Vocabulary name for structures that get a label; a tissue name otherwise. */
  name: string;
  tissue: Tissue;
  shape: Shape;
  hu: number;
}

function scaled(s: Shape, k: number): Shape {
  switch (s.kind) {
    case 'ellipsoid':
      return { kind: 'ellipsoid', c: [s.c[0] * k, s.c[1] * k, s.c[2] * k], r: [s.r[0] * k, s.r[1] * k, s.r[2] * k] };
    case 'cylinder':
      return { kind: 'cylinder', c: [s.c[0] * k, s.c[1] * k], r: [s.r[0] * k, s.r[1] * k], z0: s.z0 * k, z1: s.z1 * k };
    case 'hoop':
      return { ...s, c: [s.c[0] * k, s.c[1] * k], r: [s.r[0] * k, s.r[1] * k], z: s.z * k, yMin: s.yMin * k };
  }
}

function resize(s: Shape, f: number): Shape {
  if (s.kind !== 'ellipsoid' || f === 1) return s;
  const g = Math.cbrt(f);
  return { ...s, r: [s.r[0] * g, s.r[1] * g, s.r[2] * g] };
}

const E = (c: Vec3, r: Vec3): Ellipsoid => ({ kind: 'ellipsoid', c, r });

/**
 * Parts in painting order: later parts overwrite earlier ones (body first, organs and bone after).
 * `organScale` multiplies organ volumes; `missingKidney` drops one kidney.
 */
export function referenceAnatomy(scale: number, organScale: Record<string, number> = {}, missingKidney?: 'L' | 'R'): AnatomyPart[] {
  const parts: AnatomyPart[] = [
    // Outline: head, neck, trunk (skin/fat layer then muscle/soft tissue).
    { name: 'head', tissue: 'fat', shape: E([0, 0, 800], [78, 98, 112]), hu: -90 },
    { name: 'head', tissue: 'soft', shape: E([0, 0, 800], [70, 90, 104]), hu: 35 },
    { name: 'neck', tissue: 'soft', shape: { kind: 'cylinder', c: [0, 10], r: [58, 58], z0: 620, z1: 720 }, hu: 40 },
    { name: 'trunk', tissue: 'fat', shape: { kind: 'cylinder', c: [0, 0], r: [172, 112], z0: -30, z1: 640 }, hu: -100 },
    { name: 'trunk', tissue: 'soft', shape: { kind: 'cylinder', c: [0, 0], r: [156, 97], z0: -30, z1: 630 }, hu: 45 },
    { name: 'shoulders', tissue: 'soft', shape: E([0, 5, 630], [190, 80, 40]), hu: 45 },
    { name: 'lung', tissue: 'lung', shape: E([-82, 10, 500], [62, 78, 120]), hu: -830 },
    { name: 'lung', tissue: 'lung', shape: E([82, 10, 500], [62, 78, 120]), hu: -830 },
    { name: 'heart', tissue: 'soft', shape: E([15, -25, 450], [55, 50, 60]), hu: 40 },
    { name: 'bowel', tissue: 'bowel', shape: E([0, -35, 210], [95, 50, 70]), hu: 25 },
    { name: 'prostate', tissue: 'prostate', shape: E([0, -12, 22], [20, 17, 17]), hu: 45 },
    // Bone.
    { name: 'spine', tissue: 'bone', shape: { kind: 'cylinder', c: [0, 68], r: [19, 17], z0: 90, z1: 690 }, hu: 420 },
    { name: 'spine', tissue: 'marrow', shape: { kind: 'cylinder', c: [0, 66], r: [14, 12], z0: 90, z1: 690 }, hu: 220 },
    { name: 'pelvis', tissue: 'bone', shape: E([-95, 35, 150], [52, 24, 62]), hu: 450 },
    { name: 'pelvis', tissue: 'bone', shape: E([95, 35, 150], [52, 24, 62]), hu: 450 },
    { name: 'pelvis', tissue: 'bone', shape: E([0, 60, 110], [35, 18, 40]), hu: 450 },
    { name: 'femur', tissue: 'bone', shape: E([-88, 5, 25], [26, 26, 45]), hu: 500 },
    { name: 'femur', tissue: 'bone', shape: E([88, 5, 25], [26, 26, 45]), hu: 500 },
    { name: 'skull', tissue: 'bone', shape: E([0, 8, 830], [66, 84, 72]), hu: 900 },
    { name: 'brain', tissue: 'soft', shape: E([0, 8, 835], [58, 76, 62]), hu: 32 },
  ];
  for (let z = 360; z <= 620; z += 26) {
    parts.push({ name: 'rib', tissue: 'bone', shape: { kind: 'hoop', c: [0, 0], r: [146, 92], z, thickness: 9, height: 10, yMin: -70 }, hu: 650 });
  }
  const organ = (name: string, c: Vec3, r: Vec3, hu: number) => {
    parts.push({ name, tissue: 'organ', shape: resize(E(c, r), organScale[name] ?? 1), hu });
  };
  organ('Liver', [-72, 0, 395], [86, 74, 70], 58);
  organ('Spleen', [98, 42, 392], [38, 34, 55], 48);
  if (missingKidney !== 'L') organ('Kidney L', [76, 55, 300], [28, 25, 50], 32);
  if (missingKidney !== 'R') organ('Kidney R', [-76, 55, 285], [28, 25, 50], 32);
  organ('Bladder', [0, -25, 62], [44, 38, 34], 8);
  organ('Parotid L', [56, 12, 742], [14, 22, 28], 5);
  organ('Parotid R', [-56, 12, 742], [14, 22, 28], 5);
  organ('Submandibular L', [38, -22, 702], [11, 14, 11], 40);
  organ('Submandibular R', [-38, -22, 702], [11, 14, 11], 40);
  organ('Lacrimal L', [31, -68, 806], [9, 6, 5], 40);
  organ('Lacrimal R', [-31, -68, 806], [9, 6, 5], 40);
  return parts.map((p) => ({ ...p, shape: scaled(p.shape, scale) }));
}

/** Where lesions of each site may sit (centres, LPS mm at scale 1), with a jitter radius. */
export const LESION_SITES: Record<string, { c: Vec3; jitter: Vec3 }[]> = {
  bone: [
    { c: [0, 66, 380], jitter: [4, 4, 280] }, // vertebral bodies
    { c: [-95, 35, 150], jitter: [25, 8, 30] }, // iliac wings
    { c: [95, 35, 150], jitter: [25, 8, 30] },
    { c: [0, 60, 110], jitter: [12, 5, 15] }, // sacrum
    { c: [-88, 5, 25], jitter: [8, 8, 20] }, // femoral heads
    { c: [88, 5, 25], jitter: [8, 8, 20] },
    { c: [-130, 55, 450], jitter: [10, 20, 110] }, // posterior ribs
    { c: [130, 55, 450], jitter: [10, 20, 110] },
  ],
  'lymph node': [
    { c: [-50, 5, 100], jitter: [15, 15, 30] }, // external/internal iliac
    { c: [50, 5, 100], jitter: [15, 15, 30] },
    { c: [-22, 30, 280], jitter: [6, 8, 50] }, // para-aortic
    { c: [22, 30, 280], jitter: [6, 8, 50] },
    { c: [0, -5, 510], jitter: [15, 15, 40] }, // mediastinal
    { c: [-55, -5, 650], jitter: [12, 10, 15] }, // supraclavicular
    { c: [55, -5, 650], jitter: [12, 10, 15] },
  ],
  prostate: [{ c: [0, -12, 22], jitter: [8, 6, 6] }],
  visceral: [
    { c: [-80, 0, 390], jitter: [45, 35, 35] }, // liver
    { c: [-82, 10, 500], jitter: [25, 30, 60] }, // lungs
    { c: [82, 10, 500], jitter: [25, 30, 60] },
  ],
  other: [{ c: [0, 20, 160], jitter: [40, 30, 40] }],
};
