// Cornerstone3D rendering setup: initialised once per page, one rendering engine with three fused MPR
// viewports and a PET MIP.
import { init as csInit, RenderingEngine, Enums, type Types } from '@cornerstonejs/core';
import {
  init as toolsInit, addTool, CrosshairsTool, WindowLevelTool, PanTool, ZoomTool, StackScrollTool, VolumeRotateTool,
  MIPJumpToClickTool, BrushTool, LengthTool, EllipticalROITool,
} from '@cornerstonejs/tools';
import { init as dicomLoaderInit } from '@cornerstonejs/dicom-image-loader';

export const VIEWPORTS = {
  axial: 'vp-axial',
  coronal: 'vp-coronal',
  sagittal: 'vp-sagittal',
  mip: 'vp-mip',
} as const;
export type ViewportKey = keyof typeof VIEWPORTS;
export const FUSION_VIEWPORTS = [VIEWPORTS.axial, VIEWPORTS.coronal, VIEWPORTS.sagittal];
export const ENGINE = 'psma-engine';

let ready: Promise<void> | undefined;
/** Initialises Cornerstone once per page (safe under remounts). */
export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    csInit();
    // Registers the codec decode workers (and purges caches): once per page, before any volume exists.
    dicomLoaderInit({ maxWebWorkers: Math.max(1, Math.floor((navigator.hardwareConcurrency || 2) / 2)) });
    toolsInit();
    for (const T of [CrosshairsTool, WindowLevelTool, PanTool, ZoomTool, StackScrollTool, VolumeRotateTool, MIPJumpToClickTool, BrushTool, LengthTool, EllipticalROITool]) addTool(T);
  })();
  return ready;
}

/** The rendering engine with its four orthographic viewports on the given elements. */
export function createEngine(elements: Record<ViewportKey, HTMLDivElement>): RenderingEngine {
  const engine = new RenderingEngine(ENGINE);
  const orient = { axial: Enums.OrientationAxis.AXIAL, coronal: Enums.OrientationAxis.CORONAL, sagittal: Enums.OrientationAxis.SAGITTAL, mip: Enums.OrientationAxis.CORONAL };
  engine.setViewports(
    (Object.keys(VIEWPORTS) as ViewportKey[]).map((k) => ({
      viewportId: VIEWPORTS[k],
      type: Enums.ViewportType.ORTHOGRAPHIC,
      element: elements[k],
      defaultOptions: { orientation: orient[k], background: (k === 'mip' ? [1, 1, 1] : [0, 0, 0]) as Types.Point3 },
    })),
  );
  return engine;
}
