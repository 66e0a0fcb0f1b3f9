/**
 * Text beside 3D points (axis names, readout labels) as DOM elements over the canvas:
 * crisp at any zoom, in the theme's font, and readable by screen readers and tests.
 * Positioned from script (CSSOM), which the CSP allows.
 *
 * Placement: a label sits beside its anchor on the side away from the view's origin
 * (so it never covers its own arrow or axis), else above or below it, else on the other
 * side; labels placed first win, and a later one with no free spot moves down past them.
 */
import { Vector3, type Camera } from 'three';
import { h } from '../dom';

export class Label {
  readonly anchor = new Vector3();
  /** size in CSS pixels, measured once per text (width < 0: measure on the next place()) */
  width = -1;
  height = 0;
  /** set by place(): whether it is drawn, and its top-left corner in CSS pixels */
  shown = false;
  x = 0;
  y = 0;
  /** the translation last written, in tenths of a pixel */
  private drawnX = NaN;
  private drawnY = NaN;
  private current = '';

  constructor(
    readonly el: HTMLElement,
    /** earlier is placed first: readout labels before axis names */
    readonly priority: number,
  ) {}

  get text(): string {
    return this.current;
  }

  set text(t: string) {
    if (t === this.current) return;
    this.current = t;
    this.el.textContent = t;
    this.width = -1;
  }

  /** Writes the transform only when the box moved by a tenth of a pixel or more. */
  moveTo(x: number, y: number): void {
    const tx = Math.round(x * 10);
    const ty = Math.round(y * 10);
    if (tx === this.drawnX && ty === this.drawnY) return;
    this.drawnX = tx;
    this.drawnY = ty;
    this.el.style.transform = `translate(${tx / 10}px, ${ty / 10}px)`;
  }
}

const GAP = 6;
const scratch = new Vector3();

export class LabelLayer {
  readonly element: HTMLElement;
  private readonly labels: Label[] = [];
  /** the labels placed so far in this place(), reused across frames */
  private readonly placed: Label[] = [];

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
    const j = this.placed.indexOf(l);
    if (j >= 0) this.placed.splice(j, 1);
  }

  /** The labels the last place() showed, where it put them (a picture of the view draws them). */
  shownLabels(): readonly Label[] {
    return this.labels.filter((l) => l.shown && l.text !== '');
  }

  /** Measure every label again on the next place() (the font may have changed with the theme). */
  remeasure(): void {
    for (const l of this.labels) l.width = -1;
  }

  /**
   * Moves every label beside its anchor's screen position (CSS pixels of a width x height
   * canvas). It runs every frame while the camera moves, so the DOM is read in one pass
   * (sizes, only of labels whose text changed) before it is written in another: at most
   * one layout per frame, none while only the camera moves.
   */
  place(camera: Camera, width: number, height: number): void {
    const ox = toScreen(scratch.set(0, 0, 0), camera, width, height) ? scratch.x : width / 2;
    for (const l of this.labels) {
      l.shown = l.text !== '' && toScreen(scratch.copy(l.anchor), camera, width, height);
      if (l.shown) {
        l.x = scratch.x;
        l.y = scratch.y;
      }
      if (l.el.hidden === l.shown) l.el.hidden = !l.shown;
    }
    for (const l of this.labels) {
      if (!l.shown || l.width >= 0) continue;
      const w = l.el.offsetWidth;
      l.height = l.el.offsetHeight;
      // Not laid out yet (a hidden panel): measure again next time.
      l.width = w > 0 ? w : -1;
    }
    this.placed.length = 0;
    for (const l of this.labels) {
      if (!l.shown) continue;
      if (!this.placeFree(l, ox, width, height)) this.placeClamped(l, ox, width, height);
      this.placed.push(l);
      l.moveTo(l.x, l.y);
    }
  }

  /**
   * The first of four spots around the anchor that lies whole inside the canvas and
   * clear of the labels placed so far: beside it away from the origin, above, below,
   * then beside it on the origin's side. A label pushed back inside the canvas would
   * cover its own arrow, so moving to another side comes first.
   */
  private placeFree(l: Label, ox: number, width: number, height: number): boolean {
    const w = Math.max(0, l.width);
    const hgt = l.height;
    const ax = l.x;
    const ay = l.y;
    const away = ax >= ox;
    // Above or below, a label may slide sideways to stay inside: it then runs beside the arrow, not over it.
    const along = clamp(away ? ax : ax - w, 0, width - w);
    const spots: [number, number][] = [
      [away ? ax + GAP : ax - GAP - w, ay - hgt / 2],
      [along, ay - GAP - hgt],
      [along, ay + GAP],
      [away ? ax - GAP - w : ax + GAP, ay - hgt / 2],
    ];
    for (const [x, y] of spots) {
      if (x < 0 || y < 0 || x + w > width || y + hgt > height) continue;
      l.x = x;
      l.y = y;
      if (!this.overlapping(l)) return true;
    }
    l.x = ax;
    l.y = ay;
    return false;
  }

  /** No free spot: beside the anchor, pushed whole inside the canvas (a clipped "…% in view" would be misread), moved down past labels it would cover. */
  private placeClamped(l: Label, ox: number, width: number, height: number): void {
    const w = Math.max(0, l.width);
    const hgt = l.height;
    l.x = clamp(l.x >= ox ? l.x + GAP : l.x - GAP - w, 0, width - w);
    l.y = clamp(l.y - hgt / 2, 0, height - hgt);
    for (let tries = 0; tries < 6; tries++) {
      const hit = this.overlapping(l);
      if (!hit) break;
      l.y = hit.y + hit.height + 1 + hgt <= height ? hit.y + hit.height + 1 : Math.max(0, hit.y - hgt - 1);
    }
  }

  dispose(): void {
    this.element.remove();
    this.labels.length = 0;
    this.placed.length = 0;
  }

  /** The first label already placed whose box overlaps l's. */
  private overlapping(l: Label): Label | undefined {
    const w = Math.max(0, l.width);
    for (const o of this.placed) {
      const ow = Math.max(0, o.width);
      if (l.x < o.x + ow && o.x < l.x + w && l.y < o.y + o.height && o.y < l.y + l.height) return o;
    }
    return undefined;
  }
}

/** lo when the range is empty (a label wider than the canvas starts at its left edge). */
function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(v, hi));
}

/** Projects v in place to CSS pixels (v.x, v.y); false when it lies outside the depth range. */
function toScreen(v: Vector3, camera: Camera, width: number, height: number): boolean {
  v.project(camera);
  if (v.z < -1 || v.z > 1) return false;
  v.set(((v.x + 1) / 2) * width, ((1 - v.y) / 2) * height, v.z);
  return true;
}
