/**
 * The training loss of every run on a log scale, one colour per variant (seeds share
 * it, the later ones lighter), with the evaluation losses as dots. Canvas 2D, redrawn
 * through the render scheduler, so nothing is drawn while the panel is hidden.
 *
 * Coordinates: data (step, loss) -> plot (step, log10 loss) -> CSS pixels inside the
 * margins -> device pixels (x devicePixelRatio) on the canvas.
 */
import { css, mix, type Rgb } from '../colour';
import { h } from '../dom';
import { fmt } from '../format';
import type { Renderable, RenderScheduler } from '../scene/render-scheduler';
import { lossCount, type RunEntry, type Session } from '../session';
import type { Theme } from '../theme';
import { at } from '../../../src/core/checked';

const M = { left: 54, right: 14, top: 12, bottom: 30 };

export class LossChart implements Renderable {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly legend: HTMLElement;
  private readonly resize: ResizeObserver;
  private session: Session | undefined;
  private width = 0;
  private height = 0;

  constructor(
    private readonly scheduler: RenderScheduler,
    private theme: Theme,
  ) {
    this.canvas = h('canvas', { class: 'chart-canvas', attrs: { role: 'img', 'aria-label': 'Training loss per step, log scale, one line per run' } });
    this.legend = h('ul', { class: 'legend', attrs: { 'aria-label': 'Variants' } });
    this.element = h('section', { class: 'card loss-card', attrs: { 'aria-labelledby': 'loss-title' } },
      h('h2', { class: 'card-title', text: 'Loss', attrs: { id: 'loss-title' } }),
      h('div', { class: 'chart-wrap' }, this.canvas),
      this.legend,
    );
    this.resize = new ResizeObserver((entries) => {
      const box = at(entries, entries.length - 1).contentRect;
      this.width = Math.floor(box.width);
      this.height = Math.floor(box.height);
      this.invalidate();
    });
    const parent = this.canvas.parentElement;
    if (!parent) throw new Error('the loss chart sizes itself to its parent: add the canvas to the page first');
    this.resize.observe(parent);
  }

  setSession(session: Session): void {
    this.session = session;
    this.legend.replaceChildren(
      ...session.variants().map((v, i) =>
        h('li', {}, h('span', { class: 'swatch line', attrs: { 'data-series': i % this.theme.series.length } }), v),
      ),
      h('li', { class: 'legend-note' }, h('span', { class: 'swatch dot' }), 'eval loss'),
    );
    this.colourLegend();
    this.invalidate();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.colourLegend();
    this.invalidate();
  }

  invalidate(): void {
    this.scheduler.request(this);
  }

  render(): void {
    const { width: w, height: hgt } = this;
    if (w === 0 || hgt === 0) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    if (this.canvas.width !== Math.floor(w * dpr) || this.canvas.height !== Math.floor(hgt * dpr)) {
      this.canvas.width = Math.floor(w * dpr);
      this.canvas.height = Math.floor(hgt * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const t = this.theme;
    ctx.fillStyle = css(t.background);
    ctx.fillRect(0, 0, w, hgt);
    ctx.font = `${Math.max(10, t.fontSize - 2)}px ${t.fontFamily}`;

    const runs = this.session?.runs ?? [];
    const variants = this.session?.variants() ?? [];
    const xMax = Math.max(1, ...runs.map((r) => r.steps));
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of runs) {
      for (let i = 0, n = lossCount(r); i < n; i++) {
        const v = r.losses[i] ?? 0;
        if (v > 0 && Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      for (const e of r.evalLosses) {
        if (e.loss > 0 && Number.isFinite(e.loss)) {
          lo = Math.min(lo, e.loss);
          hi = Math.max(hi, e.loss);
        }
      }
    }
    const empty = !Number.isFinite(lo);
    // Tight log range with a little padding: losses rarely span whole decades in a short run.
    const span = empty ? 1 : Math.max(0.3, Math.log10(hi) - Math.log10(lo));
    const yLo = empty ? -2 : Math.log10(lo) - 0.06 * span;
    const yHi = empty ? 0 : Math.log10(hi) + 0.06 * span;
    const pw = w - M.left - M.right;
    const ph = hgt - M.top - M.bottom;
    const X = (step: number) => M.left + (step / xMax) * pw;
    const Y = (loss: number) => M.top + ((yHi - Math.log10(loss)) / (yHi - yLo)) * ph;

    this.drawAxes(ctx, xMax, yLo, yHi, X, Y, pw, ph);
    if (empty) {
      ctx.fillStyle = css(t.muted);
      ctx.textAlign = 'center';
      ctx.fillText('The loss appears here once training starts.', M.left + pw / 2, M.top + ph / 2);
      return;
    }

    // A variant's colour; its later seeds lighter.
    const colourOf = (r: RunEntry): Rgb => {
      const base = at(t.series, variants.indexOf(r.run.variant) % t.series.length);
      return r.run.seed_index === 0 ? base : mix(base, t.background, 0.35);
    };
    ctx.save();
    ctx.beginPath();
    ctx.rect(M.left, M.top, pw, ph);
    ctx.clip();
    for (const r of runs) {
      ctx.strokeStyle = css(colourOf(r));
      ctx.lineWidth = 1.5;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let pen = false;
      for (let i = 0, n = lossCount(r); i < n; i++) {
        const v = r.losses[i] ?? 0;
        if (!(v > 0) || !Number.isFinite(v)) {
          pen = false;
          continue;
        }
        const x = X(i + 1);
        const y = Y(v);
        if (pen) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        pen = true;
      }
      ctx.stroke();
    }
    ctx.restore();
    // Eval-loss dots outside the clip, so one at the edge of the range stays whole.
    for (const r of runs) {
      ctx.fillStyle = css(colourOf(r));
      ctx.strokeStyle = css(t.background);
      ctx.lineWidth = 1.5;
      for (const e of r.evalLosses) {
        if (!(e.loss > 0)) continue;
        ctx.beginPath();
        ctx.arc(X(e.step), Y(e.loss), 3.5, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  dispose(): void {
    this.resize.disconnect();
    this.scheduler.forget(this);
    this.element.remove();
  }

  private drawAxes(
    ctx: CanvasRenderingContext2D,
    xMax: number,
    yLo: number,
    yHi: number,
    X: (s: number) => number,
    Y: (l: number) => number,
    pw: number,
    ph: number,
  ): void {
    const t = this.theme;
    ctx.lineWidth = 1;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    const { major, minor } = logTicks(yLo, yHi);
    ctx.strokeStyle = css(mix(t.background, t.grid, 0.5));
    for (const v of minor) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(M.left, y);
      ctx.lineTo(M.left + pw, y);
      ctx.stroke();
    }
    for (const v of major) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.strokeStyle = css(t.grid);
      ctx.beginPath();
      ctx.moveTo(M.left, y);
      ctx.lineTo(M.left + pw, y);
      ctx.stroke();
      ctx.fillStyle = css(t.muted);
      ctx.fillText(fmt(v, 2), M.left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const s of niceTicks(xMax, Math.max(2, Math.floor(pw / 80)))) {
      const x = Math.round(X(s)) + 0.5;
      ctx.strokeStyle = css(t.grid);
      ctx.beginPath();
      ctx.moveTo(x, M.top + ph);
      ctx.lineTo(x, M.top + ph + 4);
      ctx.stroke();
      ctx.fillStyle = css(t.muted);
      ctx.fillText(fmt(s), x, M.top + ph + 6);
    }
    ctx.strokeStyle = css(mix(t.background, t.foreground, 0.35));
    ctx.beginPath();
    ctx.moveTo(M.left + 0.5, M.top);
    ctx.lineTo(M.left + 0.5, M.top + ph + 0.5);
    ctx.lineTo(M.left + pw, M.top + ph + 0.5);
    ctx.stroke();
    ctx.fillStyle = css(t.muted);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText('step', M.left + pw, M.top + ph + 28);
  }

  private colourLegend(): void {
    const series = this.theme.series;
    for (const s of this.legend.querySelectorAll<HTMLElement>('.swatch.line')) {
      s.style.backgroundColor = css(series[Number(s.dataset.series) % series.length] ?? ([128, 128, 128] as Rgb));
    }
  }
}

/**
 * Grid values for a log axis from 10^lo to 10^hi: decades when it spans many, else
 * 1-2-5 steps, else every digit; the rest of the digits as minor lines.
 */
function logTicks(lo: number, hi: number): { major: number[]; minor: number[] } {
  const span = hi - lo;
  const majorDigits = span >= 2.5 ? [1] : span >= 0.7 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const major: number[] = [];
  const minor: number[] = [];
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
    for (let m = 1; m < 10; m++) {
      const v = m * 10 ** d;
      const lv = Math.log10(v);
      if (lv < lo || lv > hi) continue;
      if (majorDigits.includes(m)) major.push(v);
      else if (span <= 3.5) minor.push(v);
    }
  }
  return { major, minor };
}

/** Round step numbers for the x axis: 1, 2 or 5 times a power of ten apart. */
function niceTicks(max: number, count: number): number[] {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let s = 0; s <= max + 1e-9; s += step) out.push(Math.round(s));
  return out;
}
