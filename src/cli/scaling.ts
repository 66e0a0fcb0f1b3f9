/**
 * The paper's scaling check on an N sweep: rho ~ N^a, with a near 0 for small output
 * weights (aligned) and near -1/2 for large ones (oblique) (docs/science.md §1.4, §5.2).
 * The exponent is the least-squares slope of log(mean rho over seeds) against log N,
 * for each variant and each point of the other swept fields.
 */
import type { TableRun } from './table';
import { coordinateText, groupRuns, meanSd } from './table';
import { at } from '../core/checked';

const N_KEY = 'network.N';

export interface RhoScaling {
  variant: string;
  /** the other swept fields of this group */
  coordinates: Record<string, string>;
  output_scale: RunScale;
  Ns: number[];
  exponent: number;
}

type RunScale = TableRun['output_scale'];

/** Slope of y against x by least squares. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
    sxx += ((xs[i] ?? 0) - mx) ** 2;
  }
  return sxy / sxx;
}

/** One exponent per variant (and point of the other swept fields) that has rho at two or more N. */
export function rhoScaling(runs: readonly TableRun[]): RhoScaling[] {
  const series = new Map<string, { variant: string; coordinates: Record<string, string>; output_scale: RunScale; points: Map<number, number> }>();
  for (const g of groupRuns(runs)) {
    const N = g.coordinates[N_KEY];
    const rho = meanSd(g.runs.map((r) => r.rho));
    if (typeof N !== 'number' || rho === undefined || !(rho.mean > 0)) continue;
    const others = Object.fromEntries(Object.entries(g.coordinates).filter(([k]) => k !== N_KEY).map(([k, v]) => [k, coordinateText(v)]));
    const key = JSON.stringify([g.variant, others]);
    const s = series.get(key) ?? { variant: g.variant, coordinates: others, output_scale: at(g.runs, 0).output_scale, points: new Map<number, number>() };
    s.points.set(N, rho.mean);
    series.set(key, s);
  }
  return [...series.values()].flatMap((s) => {
    const points = [...s.points].sort(([a], [b]) => a - b);
    if (points.length < 2) return [];
    const Ns = points.map(([N]) => N);
    const exponent = slope(Ns.map(Math.log), points.map(([, v]) => Math.log(v)));
    return [{ variant: s.variant, coordinates: s.coordinates, output_scale: s.output_scale, Ns, exponent }];
  });
}

function expected(scale: RunScale): string {
  if (scale === 'small') return ' (aligned: about 0)';
  if (scale === 'large') return ' (oblique: about -1/2)';
  return '';
}

/** Lines for the terminal, or an empty list when N is not swept. */
export function scalingLines(runs: readonly TableRun[]): string[] {
  const fits = rhoScaling(runs);
  if (fits.length === 0) return [];
  const lines = [`rho ~ N^a, least squares over N = ${[...new Set(fits.flatMap((f) => f.Ns))].sort((a, b) => a - b).join(', ')} (docs/science.md §5.2):`];
  for (const f of fits) {
    const at = Object.entries(f.coordinates).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  ${f.variant}${at ? ` at ${at}` : ''}, output ${f.output_scale}: a = ${f.exponent.toFixed(2)}${expected(f.output_scale)}`);
  }
  return lines;
}
