/** Number formatting for the tables, labels and header. */

/** A measure for a table cell: 3 significant digits, exponent for very small or large values, a dash for none. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1).replace(/-/g, '−');
  if (Number.isInteger(x)) return String(x).replace('-', '−');
  return Number(x.toPrecision(digits)).toString().replace('-', '−');
}

export function percent(fraction: number): string {
  const p = fraction * 100;
  return p < 1 && p > 0 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

export function degrees(d: number): string {
  return `${Math.round(d)}°`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
