/**
 * One row per run with its latest evaluation: the measures of docs/science.md §4 as
 * they arrive during training, and the final values once the run ended. The run column
 * stays put while the rest scrolls sideways in a narrow panel.
 */
import { h, setText } from '../dom';
import { fmt } from '../format';
import { MEASURES, type RunEntry } from '../session';
import type { PanelStore } from '../store';
import type { TableData } from './table-data';
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
  private readonly unsubscribe: () => void;

  constructor(private readonly store: PanelStore, actions: HTMLElement[] = []) {
    this.body = h('tbody');
    const head = h('tr', {},
      h('th', { class: 'sticky', text: 'run', attrs: { scope: 'col' } }),
      h('th', { text: 'status', attrs: { scope: 'col' } }),
      h('th', { class: 'num', text: 'step', attrs: { scope: 'col', title: 'training step of the evaluation shown' } }),
      ...MEASURES.map((m) => h('th', { class: 'num', text: m.label, attrs: { scope: 'col', title: m.title, 'data-measure': m.key } })),
    );
    this.element = h('section', { class: 'card measures-card', attrs: { 'aria-labelledby': 'measures-title' } },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: 'Measures (latest evaluation)', attrs: { id: 'measures-title' } }), ...actions),
      h('div', { class: 'table-wrap', attrs: { tabindex: 0, role: 'region', 'aria-labelledby': 'measures-title' } }, h('table', { class: 'data-table measures-table' }, h('thead', {}, head), this.body)),
    );
    this.unsubscribe = store.subscribe((c) => {
      if (c.topic === 'session') this.rebuild();
      else if (c.topic === 'run' && c.what !== 'step') this.update(c.entry);
    });
    this.rebuild();
  }

  /** The table as shown, for Copy as CSV / Markdown. */
  data(): TableData {
    const columns = ['run', 'status', 'step', ...MEASURES.map((m) => m.label)];
    const rows = this.store.shown.runs.map((e) => [e.run.name, e.learned?.ok === false ? `${STATUS_TEXT[e.status]} (not learned)` : STATUS_TEXT[e.status], stepText(e), ...MEASURES.map((m) => fmt(values(e)?.[m.key] ?? null))]);
    return { title: 'Measures', columns, rows };
  }

  dispose(): void {
    this.unsubscribe();
  }

  private rebuild(): void {
    this.rows.clear();
    this.body.replaceChildren();
    for (const entry of this.store.shown.runs) {
      const cells = [0, 1, 2, ...MEASURES.map(() => 0)].map((_, i) => h('td', { class: i === 0 ? 'sticky' : i >= 2 ? 'num' : '' }));
      const row = h('tr', { attrs: { 'data-run': entry.run.name } }, ...cells);
      this.rows.set(entry, { row, cells });
      this.body.append(row);
      this.update(entry);
    }
  }

  private update(entry: RunEntry): void {
    const r = this.rows.get(entry);
    if (!r) return;
    const [name, status, step, ...measures] = r.cells;
    if (!name || !status || !step) return;
    setText(name, entry.run.name);
    const notLearned = entry.learned?.ok === false;
    setText(status, entry.note && entry.status === 'failed' ? `failed: ${entry.note}` : notLearned ? `${STATUS_TEXT[entry.status]} · not learned` : STATUS_TEXT[entry.status]);
    status.title = [entry.learned?.reason, entry.note].filter(Boolean).join('\n');
    r.row.dataset.status = entry.status;
    if (notLearned) r.row.dataset.learned = 'false';
    else delete r.row.dataset.learned;
    setText(step, stepText(entry));
    const v = values(entry);
    MEASURES.forEach((m, i) => setText(at(measures, i), fmt(v?.[m.key] ?? null)));
  }
}

function stepText(entry: RunEntry): string {
  return entry.summary || entry.final ? String(entry.summaryStep) : '–';
}

function values(entry: RunEntry): Record<string, number | null | undefined> | undefined {
  return entry.final ?? (entry.summary as Record<string, number | null> | undefined);
}
