/**
 * Export (issue: every view as PNG, 2D charts also as SVG, every table as CSV or
 * Markdown): the page makes the bytes or the text, the host saves them where the user
 * picks (a save dialog) or puts them on the clipboard. The page never writes files.
 */
import { button, h } from '../dom';
import { toCsv, toMarkdown, type TableData } from './table-data';

export interface ExportSink {
  saveFile(name: string, data: ArrayBuffer, what: string): void;
  copyText(text: string, what: string): void;
  /** a file-name stem for the shown runs, e.g. the spec's name */
  stem(): string;
  /** a sentence for the header when an export fails */
  failed(what: string, err: unknown): void;
}

/** A file-name safe slug: letters, digits, dot, dash, underscore. */
export function slug(s: string): string {
  return s.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'rnnlab';
}

/** Buttons that copy a table as CSV or Markdown. */
export function tableButtons(sink: ExportSink, data: () => TableData): HTMLElement {
  const csv = button('CSV', { class: 'btn small', title: 'Copy the table as CSV', ariaLabel: 'Copy the table as CSV' });
  const md = button('Markdown', { class: 'btn small', title: 'Copy the table as a Markdown table', ariaLabel: 'Copy the table as Markdown' });
  csv.addEventListener('click', () => {
    const t = data();
    sink.copyText(toCsv(t), `${t.title} as CSV`);
  });
  md.addEventListener('click', () => {
    const t = data();
    sink.copyText(toMarkdown(t), `${t.title} as Markdown`);
  });
  return h('span', { class: 'export-actions', attrs: { role: 'group', 'aria-label': 'Copy table' } }, h('span', { class: 'inline-label', text: 'copy' }), csv, md);
}

/** Save as PNG (and SVG, for 2D charts) buttons; `name` is the file stem. */
export function imageButtons(sink: ExportSink, name: () => string, png: () => Promise<ArrayBuffer>, svg?: () => string): HTMLElement {
  const pngBtn = button('PNG', { class: 'btn small', title: 'Save as PNG (2x, with title and legend)', ariaLabel: 'Save as PNG' });
  pngBtn.addEventListener('click', () => {
    const file = `${sink.stem()}-${slug(name())}.png`;
    png().then(
      (bytes) => sink.saveFile(file, bytes, 'PNG image'),
      (err: unknown) => sink.failed('the PNG', err),
    );
  });
  const items: HTMLElement[] = [h('span', { class: 'inline-label', text: 'save' }), pngBtn];
  if (svg) {
    const svgBtn = button('SVG', { class: 'btn small', title: 'Save as SVG', ariaLabel: 'Save as SVG' });
    svgBtn.addEventListener('click', () => {
      try {
        const bytes = new TextEncoder().encode(svg());
        sink.saveFile(`${sink.stem()}-${slug(name())}.svg`, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, 'SVG image');
      } catch (err) {
        sink.failed('the SVG', err);
      }
    });
    items.push(svgBtn);
  }
  return h('span', { class: 'export-actions', attrs: { role: 'group', 'aria-label': 'Save picture' } }, ...items);
}
