// Cornerstone3D glue: one rendering engine, three fused MPR viewports and a PET MIP, tools and presets.
// Volumes come from core Volume objects (CT stays Int16); nothing here keeps Svelte state.
import {
  init as csInit, RenderingEngine, Enums, volumeLoader, setVolumesForViewports, cache, eventTarget, type Types,
} from '@cornerstonejs/core';
import {
  init as toolsInit, addTool, ToolGroupManager, CrosshairsTool, WindowLevelTool, PanTool, ZoomTool,
  StackScrollTool, VolumeRotateTool, MIPJumpToClickTool, BrushTool, Enums as ToolEnums, segmentation,
  utilities as toolUtils,
} from '@cornerstonejs/tools';
import { structureByLabel } from '../../core/vocabulary';
import { init as dicomLoaderInit } from '@cornerstonejs/dicom-image-loader';
import type { Volume } from '../../core/volume';
import { worldToIndex } from '../../core/volume';

export const VIEWPORTS = {
  axial: 'vp-axial',
  coronal: 'vp-coronal',
  sagittal: 'vp-sagittal',
  mip: 'vp-mip',
} as const;
const ENGINE = 'psma-engine';
const FUSION_GROUP = 'fusion-tools';
const MIP_GROUP = 'mip-tools';

let ready: Promise<void> | undefined;
/** Initialises Cornerstone once per page (safe under remounts). */
export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    csInit();
    // Registers the codec decode workers (and purges caches): once per page, before any volume exists.
    dicomLoaderInit({ maxWebWorkers: Math.max(1, Math.floor((navigator.hardwareConcurrency || 2) / 2)) });
    toolsInit();
    for (const T of [CrosshairsTool, WindowLevelTool, PanTool, ZoomTool, StackScrollTool, VolumeRotateTool, MIPJumpToClickTool, BrushTool]) addTool(T);
  })();
  return ready;
}

export type PrimaryTool = 'crosshairs' | 'windowLevel' | 'pan' | 'zoom' | 'brush' | 'none';
const TOOL_NAMES: Record<Exclude<PrimaryTool, 'none'>, string> = {
  crosshairs: CrosshairsTool.toolName,
  windowLevel: WindowLevelTool.toolName,
  pan: PanTool.toolName,
  zoom: ZoomTool.toolName,
  brush: BrushTool.toolName,
};

/** Brush settings: paint (label > 0) or erase, radius in mm, a disc on the slice or a sphere. */
export interface BrushSettings { label: number; erase: boolean; radiusMm: number; sphere: boolean }

const SEGMENTATION = 'psma-structures';
const LABELMAP = ToolEnums.SegmentationRepresentations.Labelmap;
const CANDIDATES = 'psma-candidates';
const FUSION_VIEWPORTS = [VIEWPORTS.axial, VIEWPORTS.coronal, VIEWPORTS.sagittal];

/** Colour table of the label map: vocabulary colours, label 0 transparent. */
function labelColors(): Types.Color[] {
  return Array.from({ length: 256 }, (_, l) => {
    const d = l ? structureByLabel(l) : undefined;
    return (d ? [...d.color, 255] : [0, 0, 0, 0]) as Types.Color;
  });
}

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

export class ViewerScene {
  private engine: RenderingEngine;
  private ctId?: string;
  private ptId?: string;
  private generation = 0;
  private elements: Record<string, HTMLDivElement>;

  constructor(elements: Record<keyof typeof VIEWPORTS, HTMLDivElement>) {
    this.elements = elements;
    this.engine = new RenderingEngine(ENGINE);
    const orient = { axial: Enums.OrientationAxis.AXIAL, coronal: Enums.OrientationAxis.CORONAL, sagittal: Enums.OrientationAxis.SAGITTAL, mip: Enums.OrientationAxis.CORONAL };
    this.engine.setViewports(
      (Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[]).map((k) => ({
        viewportId: VIEWPORTS[k],
        type: Enums.ViewportType.ORTHOGRAPHIC,
        element: elements[k],
        defaultOptions: { orientation: orient[k], background: (k === 'mip' ? [1, 1, 1] : [0, 0, 0]) as Types.Point3 },
      })),
    );
    ToolGroupManager.destroyToolGroup(FUSION_GROUP);
    ToolGroupManager.destroyToolGroup(MIP_GROUP);
    const fusion = ToolGroupManager.createToolGroup(FUSION_GROUP)!;
    for (const t of [CrosshairsTool, WindowLevelTool, PanTool, ZoomTool, StackScrollTool, BrushTool]) fusion.addTool(t.toolName);
    fusion.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
    fusion.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    fusion.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    for (const k of ['axial', 'coronal', 'sagittal'] as const) fusion.addViewport(VIEWPORTS[k], ENGINE);
    const mip = ToolGroupManager.createToolGroup(MIP_GROUP)!;
    mip.addTool(VolumeRotateTool.toolName);
    mip.addTool(MIPJumpToClickTool.toolName, { targetViewportIds: [VIEWPORTS.axial, VIEWPORTS.coronal, VIEWPORTS.sagittal] });
    mip.setToolActive(VolumeRotateTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
    mip.setToolActive(MIPJumpToClickTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
    mip.addViewport(VIEWPORTS.mip, ENGINE);
  }

  setPrimaryTool(tool: PrimaryTool): void {
    const g = ToolGroupManager.getToolGroup(FUSION_GROUP)!;
    for (const name of Object.values(TOOL_NAMES)) {
      if (name === ZoomTool.toolName) g.setToolActive(name, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
      else if (name === PanTool.toolName) g.setToolActive(name, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
      else if (name === BrushTool.toolName) g.setToolDisabled(name);
      else g.setToolPassive(name);
    }
    if (tool === 'none') return; // the contour panel handles the primary button (grow, freehand)
    g.setToolActive(TOOL_NAMES[tool], {
      bindings: [
        { mouseButton: ToolEnums.MouseBindings.Primary },
        ...(tool === 'zoom' ? [{ mouseButton: ToolEnums.MouseBindings.Secondary }] : []),
        ...(tool === 'pan' ? [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] : []),
      ],
    });
  }

  private makeVolume(id: string, v: Volume, modality: 'CT' | 'PT'): string {
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

  /** Shows CT (optional) and PET; resolves after the first render. */
  async show(ct: Volume | undefined, pet: Volume, display: DisplaySettings): Promise<void> {
    const gen = ++this.generation;
    const previous = [this.ctId, this.ptId];
    this.ctId = ct ? this.makeVolume(`ct_${gen}`, ct, 'CT') : undefined;
    this.ptId = this.makeVolume(`pt_${gen}`, pet, 'PT');
    for (const id of [this.ctId, this.ptId]) if (id) cache.getVolume(id)?.invalidate?.();
    const fusionIds = [VIEWPORTS.axial, VIEWPORTS.coronal, VIEWPORTS.sagittal];
    const inputs = [...(this.ctId ? [{ volumeId: this.ctId }] : []), { volumeId: this.ptId }];
    await setVolumesForViewports(this.engine, inputs, fusionIds);
    await setVolumesForViewports(this.engine, [{ volumeId: this.ptId }], [VIEWPORTS.mip]);
    const mip = this.engine.getViewport(VIEWPORTS.mip) as Types.IVolumeViewport;
    const diag = Math.hypot(...pet.dims.map((d, n) => d * pet.spacing[n]));
    mip.setBlendMode(Enums.BlendModes.MAXIMUM_INTENSITY_BLEND);
    mip.setProperties({ slabThickness: diag } as never);
    const fusion = ToolGroupManager.getToolGroup(FUSION_GROUP)!;
    if (this.ctId) {
      fusion.setToolConfiguration(CrosshairsTool.toolName, { filterActorUIDsToSetSlabThickness: [this.ctId] });
    }
    this.setPrimaryTool('crosshairs');
    this.applyDisplay(display);
    for (const id of Object.values(VIEWPORTS)) this.engine.getViewport(id).resetCamera();
    this.engine.render();
    // Drop the previous study's volumes only after the viewports show the new ones.
    for (const id of previous) if (id) cache.removeVolumeLoadObject(id);
  }

  applyDisplay(d: DisplaySettings): void {
    if (!this.ptId) return;
    const upper = d.petRange.upper;
    const fusionIds = [VIEWPORTS.axial, VIEWPORTS.coronal, VIEWPORTS.sagittal];
    for (const id of fusionIds) {
      const vp = this.engine.getViewport(id) as Types.IVolumeViewport;
      if (this.ctId) {
        vp.setProperties({ voiRange: { lower: d.ctWindow.center - d.ctWindow.width / 2, upper: d.ctWindow.center + d.ctWindow.width / 2 } }, this.ctId);
        // Transparent below ~8 % of the window so background uptake does not tint the CT.
        const threshold = d.petRange.lower + 0.08 * (upper - d.petRange.lower);
        vp.setProperties({ colormap: { name: d.petColormap, opacity: d.petOpacity, threshold }, voiRange: d.petRange }, this.ptId);
      } else {
        vp.setProperties({ colormap: { name: d.petColormap }, voiRange: d.petRange, invert: d.petInverted }, this.ptId);
      }
    }
    const mip = this.engine.getViewport(VIEWPORTS.mip) as Types.IVolumeViewport;
    mip.setProperties({ colormap: { name: 'Grayscale' }, voiRange: { lower: 0, upper: Math.max(upper, 1) }, invert: true }, this.ptId);
    this.engine.render();
  }

  private labelmapId?: string;
  private candidatesId?: string;

  /** A local labelmap volume sharing `labels.data`, on the grid of the CT or the PET volume it matches. */
  private addLabelmap(segmentationId: string, labels: Volume<Uint8Array>, colorLUT: Types.Color[]): string {
    const id = `${segmentationId}_${++this.generation}`;
    const ct = this.ctId ? cache.getVolume(this.ctId) : undefined;
    const onCt = !!ct && ct.dimensions.every((d, n) => d === labels.dims[n]) && ct.spacing.every((s, n) => Math.abs(s - labels.spacing[n]) < 1e-3);
    const refId = onCt ? this.ctId! : this.ptId!;
    volumeLoader.createLocalVolume(id, {
      dimensions: [...labels.dims] as Types.Point3, spacing: [...labels.spacing] as Types.Point3,
      origin: [...labels.origin] as Types.Point3, direction: [...labels.direction] as Types.Mat3,
      scalarData: labels.data, metadata: { ...cache.getVolume(refId)!.metadata, BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 0, Modality: 'SEG' } as never,
      referencedVolumeId: refId,
    });
    segmentation.addSegmentations([{ segmentationId, representation: { type: LABELMAP, data: { volumeId: id } } }]);
    segmentation.addLabelmapRepresentationToViewportMap(Object.fromEntries(FUSION_VIEWPORTS.map((v) => [v, [{ segmentationId, config: { colorLUTOrIndex: colorLUT } }]])));
    return id;
  }

  private removeLabelmap(segmentationId: string, volumeId: string | undefined): void {
    if (!volumeId) return;
    segmentation.removeSegmentation(segmentationId);
    cache.removeVolumeLoadObject(volumeId);
  }

  /**
   * Shows the structure label map (PET or CT grid) over the fused views. Cornerstone paints straight into
   * `labels.data` (the local volume shares its memory), so brush strokes are edits of the structure set.
   */
  showLabels(labels: Volume<Uint8Array> | undefined): void {
    this.removeLabelmap(SEGMENTATION, this.labelmapId);
    this.labelmapId = undefined;
    if (labels && this.ptId) {
      this.labelmapId = this.addLabelmap(SEGMENTATION, labels, labelColors());
      segmentation.segmentationStyle.setStyle({ type: LABELMAP, segmentationId: SEGMENTATION }, { fillAlpha: 0.45, fillAlphaInactive: 0.45, renderOutline: true, outlineWidth: 2 } as never);
      if (this.brush) this.setBrush(this.brush);
    }
    this.keepStructuresActive();
    this.engine.render();
  }

  /** Candidates under review (PET grid, non-zero = candidate): a yellow outline, never part of the structures. */
  showCandidates(mask: Volume<Uint8Array> | undefined): void {
    this.removeLabelmap(CANDIDATES, this.candidatesId);
    this.candidatesId = undefined;
    if (mask && this.ptId) {
      this.candidatesId = this.addLabelmap(CANDIDATES, mask, Array.from({ length: 256 }, (_, l) => (l ? [255, 212, 0, 255] : [0, 0, 0, 0]) as Types.Color));
      segmentation.segmentationStyle.setStyle({ type: LABELMAP, segmentationId: CANDIDATES }, { fillAlpha: 0.12, fillAlphaInactive: 0.12, renderOutline: true, renderOutlineInactive: true, outlineWidth: 1, outlineWidthInactive: 1 } as never);
    }
    this.keepStructuresActive();
    this.engine.render();
  }

  /** The brush always paints the structure set, never the candidate overlay. */
  private keepStructuresActive(): void {
    if (!this.labelmapId) return;
    for (const vp of FUSION_VIEWPORTS) segmentation.activeSegmentation.setActiveSegmentation(vp, SEGMENTATION);
  }

  /** Redraws the label map after an edit made outside Cornerstone (slice indices k, or all). */
  refreshLabels(slices?: number[]): void {
    if (!this.labelmapId) return;
    segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(SEGMENTATION, slices);
    this.engine.render();
  }

  /** Calls `fn` (debounced) after Cornerstone's tools changed the label map, e.g. at the end of a brush stroke. */
  onLabelsEdited(fn: () => void, waitMs = 200): () => void {
    let t: ReturnType<typeof setTimeout> | undefined;
    const listener = (e: Event) => {
      if ((e as CustomEvent).detail?.segmentationId !== SEGMENTATION) return;
      clearTimeout(t);
      t = setTimeout(fn, waitMs);
    };
    eventTarget.addEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, listener);
    return () => { clearTimeout(t); eventTarget.removeEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, listener); };
  }

  /** Hidden structures are not drawn; locked ones are not changed by the brush. */
  setLabelState(hidden: number[], locked: number[]): void {
    if (!this.labelmapId) return;
    for (const vp of FUSION_VIEWPORTS) {
      for (const l of segmentation.config.visibility.getHiddenSegmentIndices(vp, { segmentationId: SEGMENTATION, type: LABELMAP }) ?? []) {
        if (!hidden.includes(l)) segmentation.config.visibility.setSegmentIndexVisibility(vp, { segmentationId: SEGMENTATION, type: LABELMAP }, l, true);
      }
      for (const l of hidden) segmentation.config.visibility.setSegmentIndexVisibility(vp, { segmentationId: SEGMENTATION, type: LABELMAP }, l, false);
    }
    for (const l of segmentation.segmentLocking.getLockedSegmentIndices(SEGMENTATION)) if (!locked.includes(l)) segmentation.segmentLocking.setSegmentIndexLocked(SEGMENTATION, l, false);
    for (const l of locked) segmentation.segmentLocking.setSegmentIndexLocked(SEGMENTATION, l, true);
    this.engine.render();
  }

  private brush?: BrushSettings;

  setBrush(b: BrushSettings): void {
    this.brush = b;
    const g = ToolGroupManager.getToolGroup(FUSION_GROUP)!;
    const strategy = `${b.erase ? 'ERASE' : 'FILL'}_INSIDE_${b.sphere ? 'SPHERE' : 'CIRCLE'}`;
    g.setToolConfiguration(BrushTool.toolName, { activeStrategy: strategy });
    toolUtils.segmentation.setBrushSizeForToolGroup(FUSION_GROUP, b.radiusMm);
    if (this.labelmapId && b.label > 0) segmentation.segmentIndex.setActiveSegmentIndex(SEGMENTATION, b.label);
  }

  /** Index axis normal to a fused view (2 axial, 1 coronal, 0 sagittal). */
  static axisOf(key: keyof typeof VIEWPORTS): 0 | 1 | 2 {
    return key === 'sagittal' ? 0 : key === 'coronal' ? 1 : 2;
  }

  resetCameras(): void {
    for (const id of Object.values(VIEWPORTS)) this.engine.getViewport(id).resetCamera();
    this.engine.render();
  }

  /** Follows layout changes (a notice appearing) without losing the user's slice, zoom and pan. */
  resize(): void {
    this.engine.resize(true, true);
  }

  /** LPS point under a canvas position (CSS pixels relative to the viewport element). */
  worldAt(viewportKey: keyof typeof VIEWPORTS, x: number, y: number): Types.Point3 | undefined {
    const vp = this.engine.getViewport(VIEWPORTS[viewportKey]);
    if (!vp) return undefined;
    return vp.canvasToWorld([x, y]);
  }

  /** Canvas position (CSS pixels in the element) of an LPS point in a viewport. */
  canvasOf(viewportKey: keyof typeof VIEWPORTS, p: [number, number, number]): [number, number] {
    const c = this.engine.getViewport(VIEWPORTS[viewportKey]).worldToCanvas(p);
    return [c[0], c[1]];
  }

  /** Moves all fused views to an LPS point. */
  jumpTo(p: [number, number, number]): void {
    for (const id of [VIEWPORTS.axial, VIEWPORTS.coronal, VIEWPORTS.sagittal]) {
      const vp = this.engine.getViewport(id) as Types.IVolumeViewport;
      const cam = vp.getCamera();
      const fp = cam.focalPoint!, pos = cam.position!;
      const n = cam.viewPlaneNormal!;
      const shift = (p[0] - fp[0]) * n[0] + (p[1] - fp[1]) * n[1] + (p[2] - fp[2]) * n[2];
      const d: Types.Point3 = [n[0] * shift, n[1] * shift, n[2] * shift];
      vp.setCamera({ focalPoint: [fp[0] + d[0], fp[1] + d[1], fp[2] + d[2]], position: [pos[0] + d[0], pos[1] + d[1], pos[2] + d[2]] });
    }
    this.engine.render();
  }

  destroy(): void {
    this.showLabels(undefined);
    this.showCandidates(undefined);
    this.engine.destroy();
  }
}
