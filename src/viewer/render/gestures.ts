// Pointer gestures of the contour tools on the fused views: drags captured before Cornerstone's tools see
// them (grow limit, freehand polygon), outlined while they last and handed back as LPS points; and the end of
// Cornerstone brush strokes, so that each stroke becomes one undo step.
import { ViewerScene, VIEWPORTS } from './scene';
import type { Vec3 } from '../../core/volume';

export type ViewportKey = keyof typeof VIEWPORTS;

/** Outline drawn while dragging: a circle or square of the dragged radius around the press, or the path. */
export type GestureShape = 'circle' | 'rect' | 'polyline';

/** A finished drag: the LPS points under the pointer from press to release, on one view. */
export interface Drag {
  view: ViewportKey;
  /** Index axis normal to that view (2 axial, 1 coronal, 0 sagittal). */
  axis: 0 | 1 | 2;
  points: Vec3[];
}

const FUSED = ['axial', 'coronal', 'sagittal'] as const;

/**
 * Captures left-button drags on the fused views' elements; the outline follows `shape` (read at the press)
 * and `done` gets the drag on release. Returns the function that detaches the listeners.
 */
export function captureDrags(scene: () => ViewerScene | undefined, elements: Partial<Record<ViewportKey, HTMLElement>>, shape: () => GestureShape, done: (d: Drag) => void): () => void {
  const offs: (() => void)[] = [];
  for (const view of FUSED) {
    const el = elements[view];
    if (!el) continue;
    const down = (ev: PointerEvent) => {
      const s = scene();
      if (ev.button !== 0 || !s) return;
      ev.stopPropagation();
      ev.preventDefault();
      drag(s, view, el, ev, shape(), done);
    };
    el.addEventListener('pointerdown', down, true);
    offs.push(() => el.removeEventListener('pointerdown', down, true));
  }
  return () => offs.forEach((f) => f());
}

function drag(s: ViewerScene, view: ViewportKey, el: HTMLElement, ev: PointerEvent, tag: GestureShape, done: (d: Drag) => void): void {
  const r = el.getBoundingClientRect();
  const local = (e: PointerEvent): [number, number] => [e.clientX - r.left, e.clientY - r.top];
  // The outline: an SVG overlay parsed from markup (the HTML parser gives it the SVG namespace).
  const holder = document.createElement('div');
  holder.innerHTML = `<svg class="gesture" style="position:absolute;inset:0;width:100%;height:100%;pointer-events:none;z-index:3"><${tag} style="fill:none;stroke:#ffd400;stroke-width:1.5;stroke-dasharray:4 3"/></svg>`;
  const svg = holder.firstElementChild as SVGSVGElement;
  const outline = svg.firstElementChild as SVGElement;
  el.parentElement!.appendChild(svg);
  const start = local(ev);
  const points: [number, number][] = [start];
  const set = (attrs: Record<string, number | string>) => { for (const [k, v] of Object.entries(attrs)) outline.setAttribute(k, String(v)); };
  const draw = () => {
    const p = points[points.length - 1];
    const rad = Math.hypot(p[0] - start[0], p[1] - start[1]);
    if (tag === 'circle') set({ cx: start[0], cy: start[1], r: rad });
    else if (tag === 'rect') set({ x: start[0] - rad, y: start[1] - rad, width: 2 * rad, height: 2 * rad });
    else set({ points: points.map((q) => q.join(',')).join(' ') });
  };
  const move = (e: PointerEvent) => { points.push(local(e)); draw(); };
  const up = (e: PointerEvent) => {
    window.removeEventListener('pointermove', move, true);
    window.removeEventListener('pointerup', up, true);
    points.push(local(e));
    svg.remove();
    const world = points.map((p) => s.worldAt(view, p[0], p[1])).filter((w): w is NonNullable<typeof w> => !!w).map((w) => [w[0], w[1], w[2]] as Vec3);
    done({ view, axis: ViewerScene.axisOf(view), points: world });
  };
  window.addEventListener('pointermove', move, true);
  window.addEventListener('pointerup', up, true);
}

/**
 * Calls `commit` once per brush stroke — when the button is released on a view while `painting()` (and the
 * last paint event has settled) — and after label edits Cornerstone makes outside a stroke; never in the
 * middle of one. Returns the function that detaches the listeners.
 */
export function trackBrushStrokes(s: ViewerScene, painting: () => boolean, commit: () => void): () => void {
  let stroking = false;
  const off = s.onLabelsEdited(() => { if (!stroking) commit(); });
  const down = (e: PointerEvent) => { if (painting() && (e.target as HTMLElement)?.closest?.('.vp')) stroking = true; };
  const up = () => { if (!stroking) return; stroking = false; setTimeout(commit, 250); };
  window.addEventListener('pointerdown', down, true);
  window.addEventListener('pointerup', up, true);
  return () => { off(); window.removeEventListener('pointerdown', down, true); window.removeEventListener('pointerup', up, true); };
}
