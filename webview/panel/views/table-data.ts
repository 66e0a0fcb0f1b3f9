/** A table as text cells, for Copy as CSV and Copy as Markdown. */
export interface TableData {
  title: string;
  columns: string[];
  rows: string[][];
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function toCsv(t: TableData): string {
  const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  // Spreadsheets read the table's own minus signs as text: plain ASCII for CSV.
  const plain = (s: string) => s.replace(/−/g, '-').replace(/^–$/, '');
  return [t.columns, ...t.rows].map((r) => r.map((c) => cell(plain(c))).join(',')).join('\r\n') + '\r\n';
}

/** A GitHub-flavoured Markdown table; pipes in cells are escaped, numeric columns right-aligned. */
export function toMarkdown(t: TableData): string {
  const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const numeric = t.columns.map((_, j) => t.rows.length > 0 && t.rows.every((r) => /^[−\-–0-9.e∞+]*$/.test(r[j] ?? '')));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(t.columns), `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`, ...t.rows.map(line)].join('\n') + '\n';
}
