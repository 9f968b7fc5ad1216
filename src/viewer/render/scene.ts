// The viewer's scene: one rendering engine with three fused MPR viewports and a PET MIP, the study's
// volumes, the label-map overlays and the tools. Nothing here keeps Svelte state.
import { cache, utilities as csUtils, type RenderingEngine, type Types } from '@cornerstonejs/core';
import type { Volume } from '../../core/volume';
import { createEngine, FUSION_VIEWPORTS, VIEWPORTS, type ViewportKey } from './setup';
import { applyDisplay, fuseVolumes, makeVolume, registerColormaps, type DisplaySettings } from './volumes';
import { configureBrush, createToolGroups, crosshairsOnCt, setPrimaryTool, type BrushSettings, type PrimaryTool } from './tools';
import { LabelOverlays } from './overlays';

export { VIEWPORTS, initCornerstone, type ViewportKey } from './setup';
export { CT_PRESETS, PET_PRESETS, PET_COLORMAPS, PET_THRESHOLD_SUV, HOT_IRON, type DisplaySettings } from './volumes';
export { watchMeasurements, removeMeasurements, type BrushSettings, type PrimaryTool, type Measurement } from './tools';

export class ViewerScene {
  private engine: RenderingEngine;
  private ctId?: string;
  private ptId?: string;
  private generation = 0;
  private overlays: LabelOverlays;
  private brush?: BrushSettings;

  constructor(elements: Record<ViewportKey, HTMLDivElement>) {
    this.engine = createEngine(elements);
    registerColormaps();
    createToolGroups();
    this.overlays = new LabelOverlays(this.engine, () => ({ ctId: this.ctId, ptId: this.ptId }));
  }

  setPrimaryTool(tool: PrimaryTool): void {
    setPrimaryTool(tool);
  }

  /** Shows CT (optional) and PET; resolves after the first render. */
  async show(ct: Volume | undefined, pet: Volume, display: DisplaySettings): Promise<void> {
    const gen = ++this.generation;
    const previous = [this.ctId, this.ptId];
    this.ctId = ct ? makeVolume(`ct_${gen}`, ct, 'CT') : undefined;
    this.ptId = makeVolume(`pt_${gen}`, pet, 'PT');
    for (const id of [this.ctId, this.ptId]) if (id) cache.getVolume(id)?.invalidate?.();
    await fuseVolumes(this.engine, this.ctId, this.ptId, pet);
    if (this.ctId) crosshairsOnCt(this.ctId);
    setPrimaryTool('crosshairs');
    this.applyDisplay(display);
    this.resetCameras();
    // Drop the previous study's volumes only after the viewports show the new ones.
    for (const id of previous) if (id) cache.removeVolumeLoadObject(id);
  }

  /** Re-uploads the given slices of the CT and PET volumes (filled in place while a study streams in) and renders. */
  slicesUpdated(ct: number[], pet: number[], all = false): void {
    for (const [id, slices] of [[this.ctId, ct], [this.ptId, pet]] as const) {
      const v = id ? cache.getVolume(id) : undefined;
      if (!v) continue;
      if (all) { v.invalidate(); continue; }
      if (!slices.length) continue;
      for (const k of slices) v.vtkOpenGLTexture.setUpdatedFrame(k);
      v.imageData?.modified();
    }
    this.engine.render();
  }

  applyDisplay(d: DisplaySettings): void {
    if (this.ptId) applyDisplay(this.engine, this.ctId, this.ptId, d);
  }

  /**
   * Shows the structure label map (PET or CT grid) over the fused views. Cornerstone paints straight into
   * `labels.data` (the local volume shares its memory), so brush strokes are edits of the structure set.
   */
  showLabels(labels: Volume<Uint8Array> | undefined): void {
    this.overlays.showLabels(labels);
    if (labels && this.brush) this.setBrush(this.brush);
  }

  /** Candidates under review (PET grid, non-zero = candidate): a yellow outline, never part of the structures. */
  showCandidates(mask: Volume<Uint8Array> | undefined): void {
    this.overlays.showCandidates(mask);
  }

  /** Redraws the label map after an edit made outside Cornerstone (slice indices k, or all). */
  refreshLabels(slices?: number[]): void {
    this.overlays.refresh(slices);
  }

  /** Calls `fn` (debounced) after Cornerstone's tools changed the label map, e.g. at the end of a brush stroke. */
  onLabelsEdited(fn: () => void, waitMs = 200): () => void {
    return this.overlays.onEdited(fn, waitMs);
  }

  /** Hidden structures are not drawn; locked ones are not changed by the brush. */
  setLabelState(hidden: number[], locked: number[]): void {
    this.overlays.setLabelState(hidden, locked);
  }

  setBrush(b: BrushSettings): void {
    this.brush = b;
    configureBrush(b);
    this.overlays.setActiveLabel(b.label);
  }

  /** Index axis normal to a fused view (2 axial, 1 coronal, 0 sagittal). */
  static axisOf(key: ViewportKey): 0 | 1 | 2 {
    return key === 'sagittal' ? 0 : key === 'coronal' ? 1 : 2;
  }

  render(): void {
    this.engine.render();
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
  worldAt(viewportKey: ViewportKey, x: number, y: number): Types.Point3 | undefined {
    const vp = this.engine.getViewport(VIEWPORTS[viewportKey]);
    if (!vp) return undefined;
    return vp.canvasToWorld([x, y]);
  }

  /** Canvas position (CSS pixels in the element) of an LPS point in a viewport. */
  canvasOf(viewportKey: ViewportKey, p: [number, number, number]): [number, number] {
    const c = this.engine.getViewport(VIEWPORTS[viewportKey]).worldToCanvas(p);
    return [c[0], c[1]];
  }

  /** Scrolls a fused view by `delta` slices (the wheel's step); the MIP rotates instead. */
  scroll(viewportKey: ViewportKey, delta: number): void {
    if (viewportKey === 'mip') return;
    const vp = this.engine.getViewport(VIEWPORTS[viewportKey]);
    csUtils.scroll(vp, { delta, volumeId: this.ctId ?? this.ptId });
  }

  /** The camera's focal point of a view (LPS mm). */
  focalPoint(viewportKey: ViewportKey): [number, number, number] {
    const f = this.engine.getViewport(VIEWPORTS[viewportKey]).getCamera().focalPoint!;
    return [f[0], f[1], f[2]];
  }

  /** Moves all fused views to an LPS point. */
  jumpTo(p: [number, number, number]): void {
    for (const id of FUSION_VIEWPORTS) {
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
