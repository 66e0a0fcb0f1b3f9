import { at } from '../../src/core/checked';
/** Colours as 0-255 sRGB triples, shared by the canvas charts and the 3D views. */
export type Rgb = readonly [number, number, number];

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function css(c: Rgb, alpha = 1): string {
  const [r, g, b] = c.map((v) => Math.round(v));
  return alpha >= 1 ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Relative luminance (WCAG), 0 black to 1 white. */
export function luminance(c: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

/** Parses a computed CSS colour ("rgb(1, 2, 3)" or "rgba(1, 2, 3, 0.5)"); undefined for anything else. */
export function parseCssColour(s: string): { rgb: Rgb; alpha: number } | undefined {
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(s.trim());
  if (!m) return undefined;
  const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  return { rgb: [+at(m, 1), +at(m, 2), +at(m, 3)], alpha: a };
}

/** Tableau 10: distinguishable, and tested for colour-vision deficiencies. */
const TABLEAU10: readonly Rgb[] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
];

/**
 * Colours for the task conditions (trajectory lines and legend). On dark backgrounds
 * the palette is lifted towards white so the darker hues keep their contrast; on light
 * ones it is darkened a little for the same reason (the yellow especially).
 */
export function conditionPalette(background: Rgb): readonly Rgb[] {
  const dark = luminance(background) < 0.4;
  return TABLEAU10.map((c) => (dark ? mix(c, [255, 255, 255], 0.28) : mix(c, [0, 0, 0], 0.12)));
}

/**
 * Colours of the readout arrows, one per output: the first in the theme's foreground (the
 * one readout most tasks have), the others in hues that stay apart from one another.
 */
const READOUT_HUES: readonly Rgb[] = [[224, 68, 154], [25, 167, 184], [138, 108, 255], [196, 140, 20]];

export function readoutPalette(foreground: Rgb, background: Rgb): readonly Rgb[] {
  const dark = luminance(background) < 0.4;
  return [foreground, ...READOUT_HUES.map((c) => (dark ? mix(c, [255, 255, 255], 0.2) : mix(c, [0, 0, 0], 0.15)))];
}

/** Viridis (matplotlib's), sampled every tenth: perceptually uniform, ordered in lightness, readable in grey and with colour-vision deficiencies. */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84], [72, 36, 117], [65, 68, 135], [53, 95, 141], [42, 120, 142], [33, 145, 140],
  [34, 168, 132], [68, 191, 112], [122, 209, 81], [189, 223, 38], [253, 231, 37],
];

/** The sequential scale of the heat maps: t in [0, 1] (clamped), dark to light. */
export function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  return mix(at(VIRIDIS, i), at(VIRIDIS, i + 1), x - i);
}
