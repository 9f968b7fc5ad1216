// Label-map overlays on the fused views: the structure set (vocabulary colours; the brush paints it, hidden
// and locked structures) and the candidates under review (a yellow outline, never part of the structures).
import { volumeLoader, cache, eventTarget, type RenderingEngine, type Types } from '@cornerstonejs/core';
import { Enums as ToolEnums, segmentation } from '@cornerstonejs/tools';
import { structureByLabel } from '../../core/vocabulary';
import type { Volume } from '../../core/volume';
import { FUSION_VIEWPORTS } from './setup';

const SEGMENTATION = 'psma-structures';
const CANDIDATES = 'psma-candidates';
const LABELMAP = ToolEnums.SegmentationRepresentations.Labelmap;
const STRUCTURES_REF = { segmentationId: SEGMENTATION, type: LABELMAP };

/** Colour table of the label map: vocabulary colours, label 0 transparent. */
function labelColors(): Types.Color[] {
  return Array.from({ length: 256 }, (_, l) => {
    const d = l ? structureByLabel(l) : undefined;
    return (d ? [...d.color, 255] : [0, 0, 0, 0]) as Types.Color;
  });
}
const candidateColors = (): Types.Color[] => Array.from({ length: 256 }, (_, l) => (l ? [255, 212, 0, 255] : [0, 0, 0, 0]) as Types.Color);

export class LabelOverlays {
  private labelmapId?: string;
  private candidatesId?: string;
  private generation = 0;

  /** `volumes()` gives the shown CT and PET volume ids the overlays reference. */
  constructor(private engine: RenderingEngine, private volumes: () => { ctId?: string; ptId?: string }) {}

  /** A local labelmap volume sharing `labels.data`, on the grid of the CT or the PET volume it matches. */
  private add(segmentationId: string, labels: Volume<Uint8Array>, colorLUT: Types.Color[]): string {
    const { ctId, ptId } = this.volumes();
    const id = `${segmentationId}_${++this.generation}`;
    const ct = ctId ? cache.getVolume(ctId) : undefined;
    const onCt = !!ct && ct.dimensions.every((d, n) => d === labels.dims[n]) && ct.spacing.every((s, n) => Math.abs(s - labels.spacing[n]) < 1e-3);
    const refId = onCt ? ctId! : ptId!;
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

  private remove(segmentationId: string, volumeId: string | undefined): void {
    if (!volumeId) return;
    segmentation.removeSegmentation(segmentationId);
    cache.removeVolumeLoadObject(volumeId);
  }

  /** Cornerstone paints straight into `labels.data` (the local volume shares its memory). */
  showLabels(labels: Volume<Uint8Array> | undefined): void {
    this.remove(SEGMENTATION, this.labelmapId);
    this.labelmapId = undefined;
    if (labels && this.volumes().ptId) {
      this.labelmapId = this.add(SEGMENTATION, labels, labelColors());
      segmentation.segmentationStyle.setStyle(STRUCTURES_REF, { fillAlpha: 0.45, fillAlphaInactive: 0.45, renderOutline: true, outlineWidth: 2 } as never);
    }
    this.keepStructuresActive();
    this.engine.render();
  }

  showCandidates(mask: Volume<Uint8Array> | undefined): void {
    this.remove(CANDIDATES, this.candidatesId);
    this.candidatesId = undefined;
    if (mask && this.volumes().ptId) {
      this.candidatesId = this.add(CANDIDATES, mask, candidateColors());
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

  /** The structure the brush paints. */
  setActiveLabel(label: number): void {
    if (this.labelmapId && label > 0) segmentation.segmentIndex.setActiveSegmentIndex(SEGMENTATION, label);
  }

  refresh(slices?: number[]): void {
    if (!this.labelmapId) return;
    segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(SEGMENTATION, slices);
    this.engine.render();
  }

  onEdited(fn: () => void, waitMs: number): () => void {
    let t: ReturnType<typeof setTimeout> | undefined;
    const listener = (e: Event) => {
      if ((e as CustomEvent).detail?.segmentationId !== SEGMENTATION) return;
      clearTimeout(t);
      t = setTimeout(fn, waitMs);
    };
    eventTarget.addEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, listener);
    return () => { clearTimeout(t); eventTarget.removeEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, listener); };
  }

  setLabelState(hidden: number[], locked: number[]): void {
    if (!this.labelmapId) return;
    const visibility = segmentation.config.visibility;
    for (const vp of FUSION_VIEWPORTS) {
      for (const l of visibility.getHiddenSegmentIndices(vp, STRUCTURES_REF) ?? []) {
        if (!hidden.includes(l)) visibility.setSegmentIndexVisibility(vp, STRUCTURES_REF, l, true);
      }
      for (const l of hidden) visibility.setSegmentIndexVisibility(vp, STRUCTURES_REF, l, false);
    }
    const locking = segmentation.segmentLocking;
    for (const l of locking.getLockedSegmentIndices(SEGMENTATION)) if (!locked.includes(l)) locking.setSegmentIndexLocked(SEGMENTATION, l, false);
    for (const l of locked) locking.setSegmentIndexLocked(SEGMENTATION, l, true);
    this.engine.render();
  }
}
