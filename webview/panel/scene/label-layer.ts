/**
 * Text beside 3D points (axis names, readout labels) as DOM elements over the canvas:
 * crisp at any zoom, in the theme's font, and readable by screen readers and tests.
 * Positioned from script (CSSOM), which the CSP allows.
 *
 * Placement: a label sits beside its anchor on the side away from the view's origin
 * (so it never covers its own arrow or axis), vertically centred; labels placed first
 * win, and later ones that would overlap them move down.
 */
import { Vector3, type Camera } from 'three';
import { h } from '../dom';

export class Label {
  readonly anchor = new Vector3();

  constructor(
    readonly el: HTMLElement,
    /** earlier is placed first: readout labels before axis names */
    readonly priority: number,
  ) {}

  set text(t: string) {
    if (this.el.textContent !== t) this.el.textContent = t;
  }
}

const GAP = 6;
const scratch = new Vector3();

export class LabelLayer {
  readonly element: HTMLElement;
  private readonly labels: Label[] = [];

  constructor(className = 'scene-labels') {
    this.element = h('div', { class: className, attrs: { 'aria-hidden': 'true' } });
  }

  add(kind: string, priority = 0): Label {
    const l = new Label(h('span', { class: `scene-label ${kind}` }), priority);
    this.element.append(l.el);
    this.labels.push(l);
    this.labels.sort((a, b) => a.priority - b.priority);
    return l;
  }

  remove(l: Label): void {
    l.el.remove();
    const i = this.labels.indexOf(l);
    if (i >= 0) this.labels.splice(i, 1);
  }

  /** Moves every label beside its anchor's screen position (CSS pixels of a width x height canvas). */
  place(camera: Camera, width: number, height: number): void {
    const origin = toScreen(scratch.set(0, 0, 0), camera, width, height);
    const ox = origin?.x ?? width / 2;
    const placed: { x: number; y: number; w: number; h: number }[] = [];
    for (const l of this.labels) {
      const p = toScreen(scratch.copy(l.anchor), camera, width, height);
      l.el.hidden = !p || l.el.textContent === '';
      if (!p || l.el.hidden) continue;
      const w = l.el.offsetWidth;
      const hgt = l.el.offsetHeight;
      // Beside the anchor, away from the origin, but always whole inside the canvas: a
      // clipped "…% in view" label would be misread.
      const box = { x: clamp(p.x >= ox ? p.x + GAP : p.x - GAP - w, 0, width - w), y: clamp(p.y - hgt / 2, 0, height - hgt), w, h: hgt };
      for (let tries = 0; tries < 6; tries++) {
        const hit = placed.find((o) => box.x < o.x + o.w && o.x < box.x + box.w && box.y < o.y + o.h && o.y < box.y + box.h);
        if (!hit) break;
        box.y = hit.y + hit.h + 1 + hgt <= height ? hit.y + hit.h + 1 : Math.max(0, hit.y - hgt - 1);
      }
      placed.push(box);
      l.el.style.transform = `translate(${box.x.toFixed(1)}px, ${box.y.toFixed(1)}px)`;
    }
  }

  dispose(): void {
    this.element.remove();
    this.labels.length = 0;
  }
}

/** lo when the range is empty (a label wider than the canvas starts at its left edge). */
function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(v, hi));
}

function toScreen(v: Vector3, camera: Camera, width: number, height: number): { x: number; y: number } | undefined {
  v.project(camera);
  if (v.z < -1 || v.z > 1) return undefined;
  return { x: ((v.x + 1) / 2) * width, y: ((1 - v.y) / 2) * height };
}
