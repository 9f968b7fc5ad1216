// Cornerstone3D volumes: core Volume objects (CT stays Int16) as local volumes, fused into the MPR views and
// shown as a MIP, with the display settings (CT window, PET range, colour map, opacity, inverted grey).
import { volumeLoader, setVolumesForViewports, Enums, utilities, type RenderingEngine, type Types } from '@cornerstonejs/core';
import type { Volume } from '../../core/volume';
import { FUSION_VIEWPORTS, VIEWPORTS } from './setup';

export interface DisplaySettings {
  ctWindow: { center: number; width: number };
  petRange: { lower: number; upper: number };
  petColormap: string;
  petOpacity: number;
  /** PET values below this (SUV, or stored units without SUV) are not drawn over the CT. */
  petThreshold: number;
  /** The MIP (and a PET shown without CT) in inverted grey: hot spots dark on white. */
  petInverted: boolean;
}

export const CT_PRESETS: Record<string, { center: number; width: number }> = {
  'Soft tissue': { center: 40, width: 400 },
  Lung: { center: -600, width: 1500 },
  Bone: { center: 400, width: 1800 },
};
export const PET_PRESETS: Record<string, { lower: number; upper: number }> = {
  'SUV 0–5': { lower: 0, upper: 5 },
  'SUV 0–10': { lower: 0, upper: 10 },
  'SUV 0–20': { lower: 0, upper: 20 },
};
/**
 * DICOM's Hot Iron palette (PS3.6 Annex B, well-known colour palettes): red rises over the first half, green over
 * the second, blue over the last quarter. Dark at low uptake, so the CT under faint uptake stays readable.
 */
export const HOT_IRON = 'Hot Iron';
export const INVERTED_GREY = 'Inverted grey';
const OWN_COLORMAPS = [
  { Name: HOT_IRON, ColorSpace: 'RGB', RGBPoints: [0, 0, 0, 0, 0.5, 1, 0, 0, 0.75, 1, 0.5, 0, 1, 1, 1, 1] },
  { Name: INVERTED_GREY, ColorSpace: 'RGB', RGBPoints: [0, 1, 1, 1, 1, 0, 0, 0] },
];
export const PET_COLORMAPS = [HOT_IRON, 'Black-Body Radiation', 'hsv', 'jet', 'Grayscale', INVERTED_GREY];
/** Default PET threshold (SUV): background tissue (muscle, fat, blood pool around 1) is not tinted. */
export const PET_THRESHOLD_SUV = 1.5;

/** Registers the palettes Cornerstone/vtk do not ship (once per page). */
export function registerColormaps(): void {
  const known = new Set(utilities.colormap.getColormapNames());
  for (const c of OWN_COLORMAPS) if (!known.has(c.Name)) utilities.colormap.registerColormap(c as never);
}

/** A Cornerstone local volume sharing the core volume's voxel array. */
export function makeVolume(id: string, v: Volume, modality: 'CT' | 'PT'): string {
  const data = v.data as Types.PixelDataTypedArray;
  const bits = data instanceof Int16Array || data instanceof Uint16Array ? 16 : 32;
  volumeLoader.createLocalVolume(id, {
    dimensions: [...v.dims] as Types.Point3,
    spacing: [...v.spacing] as Types.Point3,
    origin: [...v.origin] as Types.Point3,
    direction: [...v.direction] as Types.Mat3,
    scalarData: data,
    metadata: {
      BitsAllocated: bits, BitsStored: bits, SamplesPerPixel: 1, HighBit: bits - 1,
      PhotometricInterpretation: 'MONOCHROME2', PixelRepresentation: data instanceof Uint16Array ? 0 : 1,
      Modality: modality, ImageOrientationPatient: [...v.direction.slice(0, 6)],
      PixelSpacing: [v.spacing[1], v.spacing[0]], FrameOfReferenceUID: 'psma-for',
      Columns: v.dims[0], Rows: v.dims[1], voiLut: [], VOILUTFunction: 'LINEAR',
    },
  });
  return id;
}

/** Fuses CT (when there is one) and PET in the MPR views; the PET alone as a MIP through the whole body. */
export async function fuseVolumes(engine: RenderingEngine, ctId: string | undefined, ptId: string, pet: Volume): Promise<void> {
  const inputs = [...(ctId ? [{ volumeId: ctId }] : []), { volumeId: ptId }];
  await setVolumesForViewports(engine, inputs, FUSION_VIEWPORTS);
  await setVolumesForViewports(engine, [{ volumeId: ptId }], [VIEWPORTS.mip]);
  const mip = engine.getViewport(VIEWPORTS.mip) as Types.IVolumeViewport;
  const diag = Math.hypot(...pet.dims.map((d, n) => d * pet.spacing[n]));
  mip.setBlendMode(Enums.BlendModes.MAXIMUM_INTENSITY_BLEND);
  mip.setProperties({ slabThickness: diag } as never);
}

// Inversion is a palette here, never Cornerstone's `invert` flag (setting a colour map afterwards undoes the flag).
export function applyDisplay(engine: RenderingEngine, ctId: string | undefined, ptId: string, d: DisplaySettings): void {
  const upper = d.petRange.upper;
  for (const id of FUSION_VIEWPORTS) {
    const vp = engine.getViewport(id) as Types.IVolumeViewport;
    if (ctId) {
      vp.setProperties({ voiRange: { lower: d.ctWindow.center - d.ctWindow.width / 2, upper: d.ctWindow.center + d.ctWindow.width / 2 } }, ctId);
      // Transparent below the threshold so background uptake does not tint the CT.
      vp.setProperties({ colormap: { name: d.petColormap, opacity: d.petOpacity, threshold: d.petThreshold }, voiRange: d.petRange }, ptId);
    } else {
      vp.setProperties({ colormap: { name: d.petInverted ? INVERTED_GREY : d.petColormap }, voiRange: d.petRange }, ptId);
      setBackground(vp, d.petInverted ? [1, 1, 1] : [0, 0, 0]);
    }
  }
  const mip = engine.getViewport(VIEWPORTS.mip) as Types.IVolumeViewport;
  mip.setProperties({ colormap: { name: d.petInverted ? INVERTED_GREY : d.petColormap }, voiRange: { lower: 0, upper: Math.max(upper, 1) } }, ptId);
  setBackground(mip, d.petInverted ? [1, 1, 1] : [0, 0, 0]);
  engine.render();
}

/** White behind inverted grey, black behind a colour map (the vtk renderer's background). */
function setBackground(vp: Types.IVolumeViewport, rgb: [number, number, number]): void {
  vp.getRenderer().setBackground(rgb[0], rgb[1], rgb[2], 1);
}
