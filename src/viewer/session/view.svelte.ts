// What the four views show and how: the Cornerstone scene on the viewport elements, display settings and
// presets, the viewing tool, the cursor readout, keyboard shortcuts, the structure overlay kept in step with
// the structure set, and the test hooks that need the scene.
import { ViewerScene, initCornerstone, CT_PRESETS, PET_PRESETS, PET_THRESHOLD_SUV, HOT_IRON, watchMeasurements, removeMeasurements, type DisplaySettings, type Measurement, type PrimaryTool, type ViewportKey } from '../render/scene';
import type { Vec3 } from '../../core/volume';
import { readoutAt, type LoadedStudy, type Readout } from '../../core/study';
import { viewer } from './state.svelte';
import { tools as contourTools, onRedraw } from './editing.svelte';


export const view = $state({
  tool: 'crosshairs' as PrimaryTool,
  display: {
    ctWindow: CT_PRESETS['Soft tissue'], petRange: PET_PRESETS['SUV 0–10'], petColormap: HOT_IRON, petOpacity: 0.7,
    petThreshold: PET_THRESHOLD_SUV, petInverted: true,
  } as DisplaySettings,
  /** The PET is shown in SUV (false: in its stored units). */
  petInSuv: true,
  readout: undefined as Readout | undefined,
  /** Rulers and ellipse ROIs on the fused views (gone when another study opens). */
  measurements: [] as Measurement[],
});

let scene: ViewerScene | undefined;
let elements: Record<ViewportKey, HTMLDivElement> | undefined;
/** The PET last shown was in stored units (no SUV), on a range of its own. */
let shownRaw = false;

/** The scene once a study was shown (panels that draw call it). */
export const currentScene = (): ViewerScene | undefined => scene;

/** Binds the views to their elements; returns the teardown. */
export function attachViews(els: Record<ViewportKey, HTMLDivElement>, container: HTMLElement): () => void {
  elements = els;
  const ro = new ResizeObserver(() => scene?.resize());
  ro.observe(container);
  onRedraw((slices) => scene?.refreshLabels(slices));
  window.__psma!.jumpTo = (lps) => scene?.jumpTo(lps);
  window.__psma!.focalPoint = (key) => scene!.focalPoint(key);
  window.__psma!.clientPoint = (key, lps) => {
    const r = els[key].getBoundingClientRect();
    const c = scene!.canvasOf(key, lps);
    return [r.left + c[0], r.top + c[1]];
  };
  const stopOverlays = $effect.root(syncOverlays);
  const stopMeasurements = watchMeasurements((m) => (view.measurements = m));
  return () => { ro.disconnect(); stopOverlays(); stopMeasurements(); };
}

/** Renders a study: fused CT and PET (SUV when there is one, else the stored values up to their 99.9th percentile). */
export async function showInViews(s: LoadedStudy): Promise<void> {
  if (!elements || !s.pet) throw new Error('the views are not ready');
  const petShown = s.pet.suv ?? s.pet.raw;
  if (!s.pet.suv) {
    const upper = percentile(s.pet.raw.data, 0.999);
    view.display.petRange = { lower: 0, upper };
    view.display.petThreshold = Number((0.1 * upper).toPrecision(2));
  } else if (shownRaw) {
    // SUV now (an override): back to an SUV window and threshold
    view.display.petRange = PET_PRESETS['SUV 0–10'];
    view.display.petThreshold = PET_THRESHOLD_SUV;
  }
  shownRaw = !s.pet.suv;
  view.petInSuv = !!s.pet.suv;
  await initCornerstone();
  removeMeasurements(); // they were drawn on the previous study's volumes
  view.measurements = [];
  scene ??= new ViewerScene(elements);
  await scene.show(s.ct, petShown, $state.snapshot(view.display));
  viewer.renders++;
}

/** Slices of the shown CT and PET that were filled since the last render (`all`: the volumes are complete). */
export function slicesArrived(ct: number[], pet: number[], all = false): void {
  scene?.slicesUpdated(ct, pet, all);
}

function percentile(a: Float32Array, q: number): number {
  const step = Math.max(1, Math.floor(a.length / 20000));
  const s: number[] = [];
  for (let n = 0; n < a.length; n += step) s.push(a[n]);
  s.sort((x, y) => x - y);
  return s[Math.floor(q * (s.length - 1))] || 1;
}

export function setDisplay(patch: Partial<DisplaySettings>): void {
  view.display = { ...view.display, ...patch };
  scene?.applyDisplay($state.snapshot(view.display));
}

export function chooseTool(t: PrimaryTool): void {
  view.tool = t;
  contourTools.active = undefined;
  scene?.setPrimaryTool(t);
}

export function removeMeasurement(uid?: string): void {
  removeMeasurements(uid);
  scene?.render();
}

export function resetViews(): void {
  scene?.resetCameras();
}

export function jumpTo(lps: Vec3): void {
  scene?.jumpTo(lps);
}

/** Follows the mouse over a view. */
export function hover(key: ViewportKey, ev: MouseEvent): void {
  const study = viewer.study, el = elements?.[key];
  if (!scene || !study || !el) return;
  const r = el.getBoundingClientRect();
  const w = scene.worldAt(key, ev.clientX - r.left, ev.clientY - r.top);
  if (w) view.readout = readoutAt(study, [w[0], w[1], w[2]]);
}

const SLICE_KEYS: Record<string, number> = { ArrowUp: 1, ArrowRight: 1, ArrowDown: -1, ArrowLeft: -1, PageUp: 10, PageDown: -10 };

/** Arrow keys move one slice, PageUp/PageDown ten, in the focused view. */
export function viewKey(key: ViewportKey, ev: KeyboardEvent): void {
  const delta = SLICE_KEYS[ev.key];
  if (delta === undefined || !scene || ev.altKey || ev.ctrlKey || ev.metaKey) return;
  ev.preventDefault();
  scene.scroll(key, delta);
}

/**
 * Keys 1–3 CT presets, 4–6 PET presets, R reset, I inverted grey, C/W/P/Z viewing tools, L ruler, E ellipse ROI: on the whole page
 * (no click on an image first), except while typing in a field or with a modifier held.
 */
export function shortcut(ev: KeyboardEvent): void {
  if ((ev.target as HTMLElement)?.closest?.('input, select, textarea, [contenteditable]') || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const ct = Object.values(CT_PRESETS), pet = Object.values(PET_PRESETS);
  const map: Record<string, () => void> = {
    '1': () => setDisplay({ ctWindow: ct[0] }), '2': () => setDisplay({ ctWindow: ct[1] }), '3': () => setDisplay({ ctWindow: ct[2] }),
    '4': () => setDisplay({ petRange: pet[0] }), '5': () => setDisplay({ petRange: pet[1] }), '6': () => setDisplay({ petRange: pet[2] }),
    r: resetViews, i: () => setDisplay({ petInverted: !view.display.petInverted }),
    c: () => chooseTool('crosshairs'), w: () => chooseTool('windowLevel'), p: () => chooseTool('pan'), z: () => chooseTool('zoom'),
    l: () => chooseTool('ruler'), e: () => chooseTool('ellipse'),
  };
  map[ev.key]?.();
}

/** The structure set is drawn over the fused views (again after every new render of the study). */
function syncOverlays(): void {
  $effect(() => {
    void viewer.renders;
    const labels = viewer.structures?.labels;
    if (!scene) return;
    scene.showLabels(labels ? { ...labels, data: labels.data } : undefined);
  });
  $effect(() => {
    const st = viewer.structures;
    void st?.revision;
    if (scene && st) scene.setLabelState([...st.meta.hidden], [...st.meta.locked]);
  });
}
