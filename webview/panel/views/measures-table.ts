/**
 * One row per run with its latest evaluation: the measures of docs/science.md §4 as
 * they arrive during training, and the final values once the run ended.
 */
import { h, setText } from '../dom';
import { fmt } from '../format';
import { MEASURES, type RunEntry, type Session } from '../session';
import { at } from '../../../src/core/checked';

const STATUS_TEXT: Record<RunEntry['status'], string> = {
  queued: 'queued',
  training: 'training',
  finished: 'done',
  stopped: 'stopped',
  failed: 'failed',
};

export class MeasuresTable {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows = new Map<RunEntry, { row: HTMLTableRowElement; cells: HTMLTableCellElement[] }>();

  constructor() {
    this.body = h('tbody');
    const head = h('tr', {},
      h('th', { text: 'run', attrs: { scope: 'col' } }),
      h('th', { text: 'status', attrs: { scope: 'col' } }),
      h('th', { class: 'num', text: 'step', attrs: { scope: 'col', title: 'training step of the evaluation shown' } }),
      ...MEASURES.map((m) => h('th', { class: 'num', text: m.label, attrs: { scope: 'col', title: m.title } })),
    );
    this.element = h('section', { class: 'card measures-card', attrs: { 'aria-labelledby': 'measures-title' } },
      h('h2', { class: 'card-title', text: 'Measures (latest evaluation)', attrs: { id: 'measures-title' } }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data-table measures-table' }, h('thead', {}, head), this.body)),
    );
  }

  setSession(session: Session): void {
    this.rows.clear();
    this.body.replaceChildren();
    for (const entry of session.runs) {
      const cells = [0, 1, 2, ...MEASURES.map(() => 0)].map((_, i) => h('td', { class: i >= 2 ? 'num' : '' }));
      const row = h('tr', { attrs: { 'data-run': entry.run.name } }, ...cells);
      this.rows.set(entry, { row, cells });
      this.body.append(row);
      this.update(entry);
    }
  }

  update(entry: RunEntry): void {
    const r = this.rows.get(entry);
    if (!r) return;
    const [name, status, step, ...measures] = r.cells;
    if (!name || !status || !step) return;
    setText(name, entry.run.name);
    setText(status, entry.note && entry.status === 'failed' ? `failed: ${entry.note}` : STATUS_TEXT[entry.status]);
    status.title = entry.note ?? '';
    r.row.dataset.status = entry.status;
    setText(step, entry.summary || entry.final ? String(entry.summaryStep) : '–');
    const values = entry.final ?? (entry.summary as Record<string, number | null> | undefined);
    MEASURES.forEach((m, i) => setText(at(measures, i), fmt(values?.[m.key] ?? null)));
  }
}
