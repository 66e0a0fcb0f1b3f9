/**
 * The VS Code theme as the canvases need it. VS Code sets --vscode-* variables on <html>
 * and a vscode-light / vscode-dark / vscode-high-contrast(-light) class on <body>, and
 * changes both when the user switches theme; canvases do not follow CSS, so they re-read.
 */
import { mix, parseCssColour, luminance, type Rgb } from './colour';
import { at } from '../../src/core/checked';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Theme {
  kind: ThemeKind;
  background: Rgb;
  foreground: Rgb;
  /** secondary text: axis labels, ticks */
  muted: Rgb;
  /** grid lines */
  grid: Rgb;
  /** one per variant, from --vscode-charts-* */
  series: readonly Rgb[];
  fontFamily: string;
  fontSize: number;
}

const SERIES_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const SERIES_FALLBACK: readonly Rgb[] = [[55, 148, 255], [209, 134, 22], [137, 209, 133], [183, 128, 255], [241, 76, 76], [204, 167, 0]];

export class ThemeWatcher {
  private readonly probe: HTMLElement;
  private readonly observer: MutationObserver;
  current: Theme;

  constructor(private readonly onChange: (t: Theme) => void) {
    this.probe = document.createElement('span');
    this.probe.setAttribute('aria-hidden', 'true');
    this.probe.style.display = 'none';
    document.body.append(this.probe);
    this.current = this.read();
    this.observer = new MutationObserver(() => this.refresh());
    this.observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  refresh(): void {
    const next = this.read();
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.onChange(next);
  }

  dispose(): void {
    this.observer.disconnect();
    this.probe.remove();
  }

  private read(): Theme {
    const background = this.colour('--vscode-editor-background', [30, 30, 30]);
    const foreground = this.colour('--vscode-editor-foreground', luminance(background) < 0.4 ? [212, 212, 212] : [51, 51, 51], background);
    const muted = this.colour('--vscode-descriptionForeground', mix(foreground, background, 0.35), background);
    const cs = getComputedStyle(document.body);
    return {
      kind: themeKind(document.body, background),
      background,
      foreground,
      muted,
      grid: mix(background, foreground, 0.14),
      series: SERIES_VARS.map((v, i) => this.colour(v, at(SERIES_FALLBACK, i), background)),
      fontFamily: cs.getPropertyValue('--vscode-font-family').trim() || 'system-ui, sans-serif',
      fontSize: parseFloat(cs.getPropertyValue('--vscode-font-size')) || 13,
    };
  }

  /** A variable's colour as computed by the browser; translucent ones are composited over `over`. */
  private colour(name: string, fallback: Rgb, over?: Rgb): Rgb {
    this.probe.style.color = '';
    this.probe.style.color = `var(${name})`;
    const raw = getComputedStyle(document.body).getPropertyValue(name).trim();
    if (!raw) return fallback;
    const c = parseCssColour(getComputedStyle(this.probe).color);
    if (!c) return fallback;
    if (c.alpha >= 1 || !over) return c.alpha > 0 ? c.rgb : fallback;
    return mix(over, c.rgb, c.alpha);
  }
}

function themeKind(body: HTMLElement, background: Rgb): ThemeKind {
  const attr = body.getAttribute('data-vscode-theme-kind');
  const cls = body.classList;
  if (attr === 'vscode-high-contrast-light' || cls.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (attr === 'vscode-high-contrast' || cls.contains('vscode-high-contrast')) return 'high-contrast';
  if (attr === 'vscode-light' || cls.contains('vscode-light')) return 'light';
  if (attr === 'vscode-dark' || cls.contains('vscode-dark')) return 'dark';
  return luminance(background) < 0.4 ? 'dark' : 'light';
}
