/**
 * Rendering on demand (three.js manual, "rendering on demand"): views ask for a frame
 * when something changed (controls, data, size, theme); one requestAnimationFrame draws
 * every view that asked. Nothing is drawn while the host says the panel is hidden: a
 * retained webview keeps running rAF when hidden (docs/architecture.md, Hidden panels).
 */
export interface Renderable {
  /** Called when a frame is drawn and this view asked for one since the last. */
  render(): void;
}

export interface FrameStats {
  /** frames drawn (one per rAF that had work) */
  frames: number;
  /** view renders in those frames */
  renders: number;
  /** requests that arrived while hidden and waited */
  deferredWhileHidden: number;
  /** the last up to 240 frames' render times, ms */
  frameMs: number[];
}

export class RenderScheduler {
  private readonly dirty = new Set<Renderable>();
  private frame = 0;
  private visible = true;
  readonly stats: FrameStats = { frames: 0, renders: 0, deferredWhileHidden: 0, frameMs: [] };

  request(view: Renderable): void {
    this.dirty.add(view);
    if (!this.visible) {
      this.stats.deferredWhileHidden++;
      return;
    }
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.flush());
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (!visible && this.frame !== 0) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    // Whatever changed while hidden is drawn once, on show.
    if (visible && this.dirty.size > 0 && this.frame === 0) this.frame = requestAnimationFrame(() => this.flush());
  }

  forget(view: Renderable): void {
    this.dirty.delete(view);
  }

  dispose(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.dirty.clear();
  }

  private flush(): void {
    this.frame = 0;
    if (!this.visible) return;
    const views = [...this.dirty];
    this.dirty.clear();
    const t0 = performance.now();
    for (const v of views) v.render();
    this.stats.frames++;
    this.stats.renders += views.length;
    this.stats.frameMs.push(performance.now() - t0);
    if (this.stats.frameMs.length > 240) this.stats.frameMs.shift();
  }
}
