// Cornerstone3D volumes: core Volume objects (CT stays Int16) as local volumes, fused into the MPR views and
// shown as a MIP, with the display settings (CT window, PET range, colour map, opacity, inverted grey).
import { volumeLoader, setVolumesForViewports, Enums, type RenderingEngine, type Types } from '@cornerstonejs/core';
import type { Volume } from '../../core/volume';
import { FUSION_VIEWPORTS, VIEWPORTS } from './setup';

export interface DisplaySettings {
  ctWindow: { center: number; width: number };
  petRange: { lower: number; upper: number };
  petColormap: string;
  petOpacity: number;
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
export const PET_COLORMAPS = ['hsv', 'jet', 'Black-Body Radiation', 'Grayscale', 'Cool to Warm'];

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

export function applyDisplay(engine: RenderingEngine, ctId: string | undefined, ptId: string, d: DisplaySettings): void {
  const upper = d.petRange.upper;
  for (const id of FUSION_VIEWPORTS) {
    const vp = engine.getViewport(id) as Types.IVolumeViewport;
    if (ctId) {
      vp.setProperties({ voiRange: { lower: d.ctWindow.center - d.ctWindow.width / 2, upper: d.ctWindow.center + d.ctWindow.width / 2 } }, ctId);
      // Transparent below ~8 % of the window so background uptake does not tint the CT.
      const threshold = d.petRange.lower + 0.08 * (upper - d.petRange.lower);
      vp.setProperties({ colormap: { name: d.petColormap, opacity: d.petOpacity, threshold }, voiRange: d.petRange }, ptId);
    } else {
      vp.setProperties({ colormap: { name: d.petColormap }, voiRange: d.petRange, invert: d.petInverted }, ptId);
    }
  }
  const mip = engine.getViewport(VIEWPORTS.mip) as Types.IVolumeViewport;
  mip.setProperties({ colormap: { name: 'Grayscale' }, voiRange: { lower: 0, upper: Math.max(upper, 1) }, invert: true }, ptId);
  engine.render();
}
