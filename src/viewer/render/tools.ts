// Cornerstone3D tools: the fused views' tool group (primary tool, wheel scroll, zoom/pan on the other buttons,
// brush, crosshairs) and the MIP's (rotate, click to jump).
import {
  ToolGroupManager, CrosshairsTool, WindowLevelTool, PanTool, ZoomTool, StackScrollTool, VolumeRotateTool,
  MIPJumpToClickTool, BrushTool, LengthTool, EllipticalROITool, Enums as ToolEnums, utilities as toolUtils, annotation,
} from '@cornerstonejs/tools';
import { eventTarget } from '@cornerstonejs/core';
import { ENGINE, FUSION_VIEWPORTS, VIEWPORTS } from './setup';

const FUSION_GROUP = 'fusion-tools';
const MIP_GROUP = 'mip-tools';
const { Primary, Secondary, Auxiliary, Wheel } = ToolEnums.MouseBindings;

export type PrimaryTool = 'crosshairs' | 'windowLevel' | 'pan' | 'zoom' | 'ruler' | 'ellipse' | 'brush' | 'none';
const TOOL_NAMES: Record<Exclude<PrimaryTool, 'none'>, string> = {
  crosshairs: CrosshairsTool.toolName,
  windowLevel: WindowLevelTool.toolName,
  pan: PanTool.toolName,
  zoom: ZoomTool.toolName,
  ruler: LengthTool.toolName,
  ellipse: EllipticalROITool.toolName,
  brush: BrushTool.toolName,
};

/** Brush settings: paint (label > 0) or erase, radius in mm, a disc on the slice or a sphere. */
export interface BrushSettings { label: number; erase: boolean; radiusMm: number; sphere: boolean }

const fusionGroup = () => ToolGroupManager.getToolGroup(FUSION_GROUP)!;

/** (Re)creates both tool groups on the engine's viewports. */
export function createToolGroups(): void {
  ToolGroupManager.destroyToolGroup(FUSION_GROUP);
  ToolGroupManager.destroyToolGroup(MIP_GROUP);
  const fusion = ToolGroupManager.createToolGroup(FUSION_GROUP)!;
  for (const t of [CrosshairsTool, WindowLevelTool, PanTool, ZoomTool, StackScrollTool, BrushTool, LengthTool]) fusion.addTool(t.toolName);
  // The ellipse measures the PET (SUV) under it, not the CT it is fused with.
  fusion.addTool(EllipticalROITool.toolName, { targetsFilter: (candidates: { modality?: string }[]) => candidates.filter((c) => c.modality === 'PT') });
  fusion.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: Wheel }] });
  fusion.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: Secondary }] });
  fusion.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: Auxiliary }] });
  for (const id of FUSION_VIEWPORTS) fusion.addViewport(id, ENGINE);
  const mip = ToolGroupManager.createToolGroup(MIP_GROUP)!;
  mip.addTool(VolumeRotateTool.toolName);
  mip.addTool(MIPJumpToClickTool.toolName, { targetViewportIds: FUSION_VIEWPORTS });
  mip.setToolActive(VolumeRotateTool.toolName, { bindings: [{ mouseButton: Wheel }] });
  mip.setToolActive(MIPJumpToClickTool.toolName, { bindings: [{ mouseButton: Primary }] });
  mip.addViewport(VIEWPORTS.mip, ENGINE);
}

/** The tool on the primary button of the fused views ('none': the contour panel handles it). */
export function setPrimaryTool(tool: PrimaryTool): void {
  const g = fusionGroup();
  for (const name of Object.values(TOOL_NAMES)) {
    if (name === ZoomTool.toolName) g.setToolActive(name, { bindings: [{ mouseButton: Secondary }] });
    else if (name === PanTool.toolName) g.setToolActive(name, { bindings: [{ mouseButton: Auxiliary }] });
    else if (name === BrushTool.toolName) g.setToolDisabled(name);
    else g.setToolPassive(name);
  }
  if (tool === 'none') return;
  g.setToolActive(TOOL_NAMES[tool], {
    bindings: [
      { mouseButton: Primary },
      ...(tool === 'zoom' ? [{ mouseButton: Secondary }] : []),
      ...(tool === 'pan' ? [{ mouseButton: Auxiliary }] : []),
    ],
  });
}

/** Slab thickness from the crosshairs applies to the CT only (the PET stays a plain slice). */
export function crosshairsOnCt(ctVolumeId: string): void {
  fusionGroup().setToolConfiguration(CrosshairsTool.toolName, { filterActorUIDsToSetSlabThickness: [ctVolumeId] });
}

/** Brush strategy (paint or erase, disc or sphere) and radius. */
export function configureBrush(b: BrushSettings): void {
  const strategy = `${b.erase ? 'ERASE' : 'FILL'}_INSIDE_${b.sphere ? 'SPHERE' : 'CIRCLE'}`;
  fusionGroup().setToolConfiguration(BrushTool.toolName, { activeStrategy: strategy });
  toolUtils.segmentation.setBrushSizeForToolGroup(FUSION_GROUP, b.radiusMm);
}

/** A distance (ruler) or an ellipse ROI drawn on the fused views, with its values. */
export interface Measurement {
  uid: string;
  kind: 'ruler' | 'ellipse';
  /** Ruler: length (mm). */
  lengthMm?: number;
  /** Ellipse: PET values inside on the slice (SUV, or stored units) and the area (mm²). */
  max?: number;
  mean?: number;
  areaMm2?: number;
}

function readMeasurements(): Measurement[] {
  const out: Measurement[] = [];
  for (const a of annotation.state.getAllAnnotations()) {
    const name = a.metadata?.toolName, uid = a.annotationUID!;
    const stats = Object.values((a.data as { cachedStats?: Record<string, Record<string, number>> }).cachedStats ?? {})[0];
    if (name === LengthTool.toolName) out.push({ uid, kind: 'ruler', lengthMm: stats?.length });
    else if (name === EllipticalROITool.toolName) out.push({ uid, kind: 'ellipse', max: stats?.max, mean: stats?.mean, areaMm2: stats?.area });
  }
  return out;
}

/** Calls `fn` with every measurement after each change (drawn, moved, removed); returns the detach function. */
export function watchMeasurements(fn: (m: Measurement[]) => void): () => void {
  const E = ToolEnums.Events;
  const events = [E.ANNOTATION_COMPLETED, E.ANNOTATION_MODIFIED, E.ANNOTATION_REMOVED];
  const on = () => fn(readMeasurements());
  for (const e of events) eventTarget.addEventListener(e, on);
  return () => { for (const e of events) eventTarget.removeEventListener(e, on); };
}

/** Removes one measurement, or all when no uid is given. */
export function removeMeasurements(uid?: string): void {
  if (uid) annotation.state.removeAnnotation(uid);
  else for (const a of readMeasurements()) annotation.state.removeAnnotation(a.uid);
}
