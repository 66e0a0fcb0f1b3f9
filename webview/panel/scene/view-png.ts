/**
 * Save as PNG of a 3D view: the scene drawn at `scale` times the view's size, with what
 * the page shows around the canvas as HTML drawn onto it, so the picture stands alone in a
 * talk: the title (variant, run, step), the labels at the arrows and axes, and a legend.
 * The picture has exactly `scale` times the canvas's CSS size.
 */
import { css, type Rgb } from '../colour';
import type { Theme } from '../theme';
import { canvasPng } from '../views/charts/chart-svg';

export interface PictureLegendItem {
  label: string;
  colour: Rgb;
  /** a line (a trajectory) or a dashed line (the unperturbed trial under a kick) */
  dash?: boolean;
}

export interface ViewPicture {
  /** the view's canvas size in CSS pixels */
  width: number;
  height: number;
  title: string;
  subtitle: string;
  /** labels as the page places them: top-left corner in CSS pixels, with their border colour if any */
  labels: { x: number; y: number; text: string; border?: string }[];
  legend: PictureLegendItem[];
  theme: Theme;
}

/** `scene` holds the scene already rendered at scale x (width, height) pixels. */
export function viewPng(scene: CanvasImageSource, p: ViewPicture, scale = 2): Promise<ArrayBuffer> {
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(p.width * scale);
  canvas.height = Math.round(p.height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.reject(new Error('no 2D canvas for the PNG export'));
  ctx.drawImage(scene, 0, 0, canvas.width, canvas.height);
  ctx.scale(scale, scale);
  const t = p.theme;
  const size = t.fontSize || 13;
  const font = (px: number, weight = 'normal') => `${weight} ${px}px ${t.fontFamily || 'sans-serif'}`;
  ctx.textBaseline = 'top';
  const band = (x: number, y: number, w: number, h: number) => {
    ctx.fillStyle = css(t.background, 0.78);
    ctx.fillRect(x, y, w, h);
  };

  for (const l of p.labels) {
    ctx.font = font(size - 1);
    const w = ctx.measureText(l.text).width + 8;
    band(l.x, l.y, w, size + 6);
    if (l.border) {
      ctx.strokeStyle = l.border;
      ctx.lineWidth = 1;
      ctx.strokeRect(l.x + 0.5, l.y + 0.5, w - 1, size + 5);
    }
    ctx.fillStyle = css(t.foreground);
    ctx.fillText(l.text, l.x + 4, l.y + 3);
  }

  // Title and subtitle, top left.
  ctx.font = font(size + 1, '600');
  const titleW = ctx.measureText(p.title).width;
  ctx.font = font(size - 1);
  const subW = p.subtitle ? ctx.measureText(p.subtitle).width : 0;
  band(0, 0, Math.max(titleW, subW) + 16, p.subtitle ? 2 * size + 16 : size + 12);
  ctx.fillStyle = css(t.foreground);
  ctx.font = font(size + 1, '600');
  ctx.fillText(p.title, 8, 6);
  if (p.subtitle) {
    ctx.fillStyle = css(t.muted);
    ctx.font = font(size - 1);
    ctx.fillText(p.subtitle, 8, size + 10);
  }

  // Legend, bottom left: one row per item.
  if (p.legend.length) {
    ctx.font = font(size - 1);
    const row = size + 4;
    const w = Math.max(...p.legend.map((i) => ctx.measureText(i.label).width)) + 40;
    const top = p.height - p.legend.length * row - 10;
    band(0, top - 4, w, p.legend.length * row + 14);
    p.legend.forEach((item, i) => {
      const y = top + i * row + row / 2;
      ctx.strokeStyle = css(item.colour);
      ctx.lineWidth = 2.5;
      ctx.setLineDash(item.dash ? [4, 3] : []);
      ctx.beginPath();
      ctx.moveTo(8, y);
      ctx.lineTo(28, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = css(t.foreground);
      ctx.textBaseline = 'middle';
      ctx.fillText(item.label, 34, y);
      ctx.textBaseline = 'top';
    });
  }
  return canvasPng(canvas);
}
