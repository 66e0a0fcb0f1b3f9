/**
 * The dissimilarity heat map as one SVG figure, for the panel and for Save as PNG alike:
 * one cell per pair of runs coloured on the viridis scale, the diagonal marked, row
 * labels (variant colour and name, † for a network that has not learned) and column
 * labels (seed) with the variants above,
 * the colour bar, and the within-variant and between-variant means under it.
 */
import { css, luminance, mix, viridis } from '../colour';
import { fmt } from '../format';
import type { Theme } from '../theme';
import type { SvgFigure } from './charts/chart-svg';
import { METRIC_TEXT, summaryText, type HeatmapModel } from './heatmap-model';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r2 = (v: number) => (Math.round(v * 100) / 100).toString();

export interface HeatmapFigure extends SvgFigure {
  /** where the matrix is: its top-left corner and cell size, in figure units */
  matrix: { x: number; y: number; cell: number };
}

/** A cell's side for n runs: large for a few, never below 12 px. */
export function cellSize(n: number): number {
  return Math.max(12, Math.min(44, Math.floor(360 / Math.max(1, n))));
}

export function heatmapSvg(m: HeatmapModel, theme: Theme, opts: { title?: string; cell?: number } = {}): HeatmapFigure {
  const n = m.runs.length;
  const cell = opts.cell ?? cellSize(n);
  const font = Math.max(11, theme.fontSize - 1);
  const charW = font * 0.62;
  const fg = css(theme.foreground);
  const muted = css(theme.muted);
  const colourOf = (i: number) => css(theme.series[i % theme.series.length] ?? theme.muted);
  const longest = Math.max(4, ...m.runs.map((r) => r.name.length + (r.notLearned ? 2 : 0)));
  const rotate = m.runs.some((r) => r.short.length * charW > cell - 2);
  const colLabelH = rotate ? Math.min(longest, Math.max(...m.runs.map((r) => r.short.length))) * charW * 0.8 + font : font + 6;
  const titleH = opts.title ? font * 2 : 4;
  const x0 = 8 + 14 + longest * charW + 6;
  const y0 = titleH + font + 8 + colLabelH;
  const side = n * cell;
  const barX = x0 + side + 16;
  const barH = Math.max(side, 120);
  const untrained = m.runs.some((r) => r.notLearned);
  const meanLines = m.within.length + m.between.length + (untrained ? 1 : 0);
  const meansY = y0 + Math.max(side, barH) + font + 14;
  const meanLabelW = Math.max(0, ...m.within.map((w) => `within ${w.group}`.length), ...m.between.map((b) => `between ${b.a} – ${b.b}`.length)) * charW;
  const width = Math.ceil(Math.max(barX + 12 + 6 + 7 * charW + 8, 8 + meanLabelW + 16 + 30 * charW, opts.title ? 8 + opts.title.length * charW * 1.05 : 0));
  const height = Math.ceil(meansY + (meanLines > 0 ? font + 4 + meanLines * (font + 6) : 0) + 6);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(theme.fontFamily)}" font-size="${font}">`);
  out.push(`<rect width="100%" height="100%" fill="${css(theme.background)}"/>`);
  if (opts.title) out.push(`<text x="8" y="${r2(font * 1.3)}" fill="${fg}" font-weight="600">${esc(opts.title)}</text>`);
  // variants above their columns
  let start = 0;
  m.runs.forEach((r, i) => {
    const next = m.runs[i + 1];
    if (next && next.group === r.group) return;
    const a = x0 + start * cell;
    const b = x0 + (i + 1) * cell;
    const y = titleH + font;
    // the name only where it fits over its columns (the rows name every run anyway)
    if (r.group.length * charW * 1.05 <= b - a + 4) out.push(`<text class="group-label" x="${r2((a + b) / 2)}" y="${r2(y)}" fill="${colourOf(r.colour)}" text-anchor="middle" font-weight="600">${esc(r.group)}</text>`);
    out.push(`<line x1="${r2(a + 1)}" x2="${r2(b - 1)}" y1="${r2(y + 5)}" y2="${r2(y + 5)}" stroke="${colourOf(r.colour)}" stroke-width="2"/>`);
    start = i + 1;
  });
  // column and row labels
  m.runs.forEach((r, i) => {
    const cx = x0 + i * cell + cell / 2;
    const cy = y0 + i * cell + cell / 2;
    out.push(
      rotate
        ? `<text class="col-label" data-index="${i}" transform="translate(${r2(cx + font / 3)} ${r2(y0 - 4)}) rotate(-60)" fill="${muted}">${esc(r.short)}</text>`
        : `<text class="col-label" data-index="${i}" x="${r2(cx)}" y="${r2(y0 - 5)}" fill="${muted}" text-anchor="middle">${esc(r.short)}</text>`,
    );
    out.push(`<rect x="8" y="${r2(cy - 5)}" width="10" height="10" rx="2" fill="${colourOf(r.colour)}"/>`);
    // a network that has not learned: marked, muted, the reason on hover
    const mark = r.notLearned ? ` data-learned="false" font-style="italic"` : '';
    const label = `<text class="row-label" data-index="${i}"${mark} x="${r2(x0 - 6)}" y="${r2(cy)}" fill="${r.notLearned ? muted : fg}" text-anchor="end" dominant-baseline="central">${esc(r.notLearned ? `${r.name} †` : r.name)}</text>`;
    out.push(r.notLearned ? `<g><title>${esc(r.notLearned)}</title>${label}</g>` : label);
  });
  // cells: the gap between them is the background
  const gap = cell >= 16 ? 1 : 0.5;
  const showValues = cell >= 36 && n <= 10;
  m.values.forEach((row, i) =>
    row.forEach((v, j) => {
      const x = x0 + j * cell;
      const y = y0 + i * cell;
      const box = `x="${r2(x + gap / 2)}" y="${r2(y + gap / 2)}" width="${r2(cell - gap)}" height="${r2(cell - gap)}"`;
      if (i === j) {
        out.push(`<rect class="cell" data-i="${i}" data-j="${j}" data-diagonal="" ${box} fill="${css(theme.grid)}"/>`);
        out.push(`<line x1="${r2(x + 3)}" y1="${r2(y + 3)}" x2="${r2(x + cell - 3)}" y2="${r2(y + cell - 3)}" stroke="${muted}" stroke-width="1"/>`);
        return;
      }
      if (v === null) {
        out.push(`<rect class="cell" data-i="${i}" data-j="${j}" data-missing="" ${box} fill="${css(mix(theme.background, theme.foreground, 0.06))}"/>`);
        out.push(`<text x="${r2(x + cell / 2)}" y="${r2(y + cell / 2)}" fill="${muted}" text-anchor="middle" dominant-baseline="central">×</text>`);
        return;
      }
      const c = viridis(v / m.max);
      out.push(`<rect class="cell" data-i="${i}" data-j="${j}" data-value="${v}" ${box} fill="${css(c)}"/>`);
      if (showValues) out.push(`<text x="${r2(x + cell / 2)}" y="${r2(y + cell / 2)}" fill="${luminance(c) > 0.35 ? '#000' : '#fff'}" text-anchor="middle" dominant-baseline="central" font-size="${font - 1}">${esc(fmt(v, 2))}</text>`);
    }),
  );
  // the colour bar, top = the largest value
  out.push('<defs><linearGradient id="heat-scale" x1="0" y1="1" x2="0" y2="0">');
  for (let k = 0; k <= 10; k++) out.push(`<stop offset="${k / 10}" stop-color="${css(viridis(k / 10))}"/>`);
  out.push('</linearGradient></defs>');
  out.push(`<rect class="colour-bar" x="${r2(barX)}" y="${r2(y0)}" width="12" height="${r2(barH)}" fill="url(#heat-scale)" stroke="${css(theme.grid)}"/>`);
  for (const f of [0, 0.5, 1]) {
    const y = y0 + barH * (1 - f);
    out.push(`<line x1="${r2(barX + 12)}" x2="${r2(barX + 16)}" y1="${r2(y)}" y2="${r2(y)}" stroke="${muted}"/>`);
    out.push(`<text class="bar-tick" x="${r2(barX + 18)}" y="${r2(y)}" fill="${muted}" dominant-baseline="central">${esc(fmt(m.max * f, 2))}</text>`);
  }
  out.push(`<text x="${r2(barX)}" y="${r2(y0 + barH + font + 4)}" fill="${muted}">${esc(METRIC_TEXT[m.metric].unit)}</text>`);
  // within and between means
  if (meanLines > 0) {
    out.push(`<text x="8" y="${r2(meansY)}" fill="${muted}">mean ${esc(METRIC_TEXT[m.metric].name)} distance over pairs (± sd):</text>`);
    let y = meansY + font + 6;
    const valueX = 8 + meanLabelW + 16;
    for (const w of m.within) {
      out.push(`<text x="8" y="${r2(y)}" fill="${fg}">within ${esc(w.group)}</text>`);
      out.push(`<text class="mean" data-kind="within" data-group="${esc(w.group)}" data-mean="${w.summary.mean}" x="${r2(valueX)}" y="${r2(y)}" fill="${fg}">${esc(summaryText(w.summary))}</text>`);
      y += font + 6;
    }
    for (const b of m.between) {
      out.push(`<text x="8" y="${r2(y)}" fill="${fg}">between ${esc(b.a)} – ${esc(b.b)}</text>`);
      out.push(`<text class="mean" data-kind="between" data-group="${esc(`${b.a}|${b.b}`)}" data-mean="${b.summary.mean}" x="${r2(valueX)}" y="${r2(y)}" fill="${fg}">${esc(summaryText(b.summary))}</text>`);
      y += font + 6;
    }
    if (untrained) out.push(`<text class="not-learned-note" x="8" y="${r2(y)}" fill="${muted}" font-style="italic">† not learned: its distances show no regime</text>`);
  }
  out.push('</svg>');
  return { svg: out.join('\n'), width, height, matrix: { x: x0, y: y0, cell } };
}
