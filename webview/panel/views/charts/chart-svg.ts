/**
 * A ChartModel as a standalone SVG figure (title, axes, series, marks, legend) for
 * *Save as SVG*; *Save as PNG* rasterises the same SVG at 2x, so both exports show what
 * the chart shows, in the theme's colours.
 */
import { css, mix } from '../../colour';
import { fmt } from '../../format';
import type { Theme } from '../../theme';
import { dataRange, ticks, type ChartModel } from './chart-model';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (v: number) => (Math.round(v * 100) / 100).toString();

export interface SvgFigure {
  svg: string;
  width: number;
  height: number;
}

export function chartSvg(m: ChartModel, theme: Theme, width = 640, height = 360): SvgFigure {
  const font = Math.max(11, theme.fontSize - 1);
  const family = esc(theme.fontFamily);
  const legendRows = Math.ceil(m.legend.length / Math.max(1, Math.floor((width - 40) / 170)));
  const M = { left: 62, right: 16, top: 14 + font * 1.8, bottom: 44 + legendRows * (font + 8) };
  const pw = width - M.left - M.right;
  const ph = height - M.top - M.bottom;
  const [y0, y1] = dataRange(m);
  const xs = m.x.filter((v) => Number.isFinite(v) && (!m.xLog || v > 0));
  // a log x axis maps log10(x) linearly, with the margin the screen's chart has
  const tx = (v: number) => (m.xLog ? Math.log10(v) : v);
  const x0 = xs.length ? (m.xLog ? Math.min(...xs) / 1.08 : Math.min(...xs)) : m.xLog ? 1 : 0;
  const x1 = xs.length ? (m.xLog ? Math.max(...xs) * 1.08 : Math.max(...xs)) : m.xLog ? 10 : 1;
  const xSpan = x1 > x0 ? tx(x1) - tx(x0) : 1;
  const X = (v: number) => M.left + ((tx(v) - (x1 > x0 ? tx(x0) : tx(x0) - 0.5)) / xSpan) * pw;
  const ty = (v: number) => (m.yLog ? Math.log10(v) : v);
  const Y = (v: number) => M.top + ((ty(y1) - ty(v)) / (ty(y1) - ty(y0) || 1)) * ph;
  const fg = css(theme.foreground);
  const muted = css(theme.muted);
  const grid = css(theme.grid);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${family}" font-size="${font}">`);
  out.push(`<rect width="100%" height="100%" fill="${css(theme.background)}"/>`);
  out.push(`<text x="${M.left}" y="${n(font * 1.3)}" fill="${fg}" font-weight="600">${esc(m.title)}</text>`);
  // grid and tick labels
  for (const v of ticks(y0, y1, 5, m.yLog === true)) {
    const y = Y(v);
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${n(y)}" y2="${n(y)}" stroke="${grid}"/>`);
    out.push(`<text x="${M.left - 6}" y="${n(y)}" fill="${muted}" text-anchor="end" dominant-baseline="middle">${esc(fmt(v, 2))}</text>`);
  }
  for (const v of ticks(x0, x1, Math.max(2, Math.floor(pw / 80)), m.xLog === true).filter((v) => !m.xIntegers || Number.isInteger(v))) {
    const x = X(v);
    out.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${M.top}" y2="${M.top + ph}" stroke="${grid}"/>`);
    out.push(`<text x="${n(x)}" y="${M.top + ph + font + 4}" fill="${muted}" text-anchor="middle">${esc(fmt(v, 3))}</text>`);
  }
  out.push(`<path d="M${M.left} ${M.top}V${M.top + ph}H${M.left + pw}" fill="none" stroke="${css(mix(theme.background, theme.foreground, 0.35))}"/>`);
  out.push(`<text x="${M.left + pw}" y="${M.top + ph + 2 * font + 8}" fill="${muted}" text-anchor="end">${esc(m.xLabel)}</text>`);
  out.push(`<text transform="translate(${14} ${M.top + ph / 2}) rotate(-90)" fill="${muted}" text-anchor="middle">${esc(m.yLabel)}</text>`);
  out.push(`<clipPath id="plot"><rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/></clipPath>`);
  for (const h of m.hLines ?? []) {
    const y = Y(h.y);
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${n(y)}" y2="${n(y)}" stroke="${muted}" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${M.left + 4}" y="${n(y - 3)}" fill="${muted}">${esc(h.label)}</text>`);
  }
  // series
  m.series.forEach((s, i) => {
    const colour = css(s.faded ? mix(s.colour, theme.background, 0.4) : s.colour);
    const ys = m.ys[i] ?? [];
    const ok = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v) && (!m.yLog || v > 0);
    if (s.style !== 'points') {
      let d = '';
      let pen = false;
      m.x.forEach((x, k) => {
        const v = ys[k];
        if (!ok(v)) return;
        d += `${pen ? 'L' : 'M'}${n(X(x))} ${n(Y(v))}`;
        pen = true;
      });
      if (d) out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5" stroke-linejoin="round"${s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''} clip-path="url(#plot)"/>`);
    }
    if (s.style !== 'line') {
      m.x.forEach((x, k) => {
        const v = ys[k];
        if (ok(v)) out.push(`<circle cx="${n(X(x))}" cy="${n(Y(v))}" r="3.5" fill="${colour}" stroke="${css(theme.background)}" stroke-width="1.5"/>`);
      });
    }
  });
  m.marks?.forEach((mk, i) => {
    const x = X(mk.x);
    if (x < M.left - 1 || x > M.left + pw + 1) return;
    out.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${M.top}" y2="${M.top + ph}" stroke="${css(mk.colour)}" stroke-dasharray="${(mk.dash ?? [4, 3]).join(' ')}"/>`);
    out.push(`<text x="${n(x + 3)}" y="${M.top + font + 14 * i}" fill="${css(mk.colour)}">${esc(mk.label)}</text>`);
  });
  // legend
  const perRow = Math.max(1, Math.floor((width - 40) / 170));
  m.legend.forEach((l, i) => {
    const lx = M.left + (i % perRow) * 170;
    const ly = height - legendRows * (font + 8) + Math.floor(i / perRow) * (font + 8) + 2;
    const c = css(l.colour);
    if (l.style === 'points') out.push(`<circle cx="${lx + 8}" cy="${ly + font / 2}" r="4" fill="${c}"/>`);
    else out.push(`<line x1="${lx}" x2="${lx + 16}" y1="${ly + font / 2}" y2="${ly + font / 2}" stroke="${c}" stroke-width="3"${l.dash ? ` stroke-dasharray="${l.dash.join(' ')}"` : ''}/>`);
    out.push(`<text x="${lx + 22}" y="${ly + font / 2}" fill="${fg}" dominant-baseline="middle">${esc(l.label)}</text>`);
  });
  out.push('</svg>');
  return { svg: out.join('\n'), width, height };
}

/** The SVG drawn at `scale` x its size on a canvas, as PNG bytes (the page's CSP allows blob: images). */
export async function svgToPng(fig: SvgFigure, scale = 2): Promise<ArrayBuffer> {
  const url = URL.createObjectURL(new Blob([fig.svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(fig.width * scale);
    canvas.height = Math.round(fig.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas for the PNG export');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await canvasPng(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function canvasPng(canvas: HTMLCanvasElement): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? b.arrayBuffer().then(resolve, reject) : reject(new Error('the canvas gave no PNG'))), 'image/png'),
  );
}
