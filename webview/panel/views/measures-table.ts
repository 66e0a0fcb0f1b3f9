/**
 * The measures of docs/science.md §4 as they arrive during training, and the final values
 * once a run ended: one row per run, whose name stays put while the rest scrolls sideways
 * in a narrow panel. Runs compared side by side get one column per run instead
 * (measures-by-run.ts).
 */
import { h, setText } from '../dom';
import { fmt } from '../format';
import { MEASURES, type RunEntry } from '../session';
import type { PanelStore } from '../store';
import type { TableData } from './table-data';
import { byRunData, byRunTable } from './measures-by-run';
import { measureValues, statusCopied, statusText, statusTitle, stepText } from './run-measures';
import { at } from '../../../src/core/checked';

export class MeasuresTable {
  readonly element: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly title: HTMLElement;
  private readonly head: HTMLTableSectionElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows = new Map<RunEntry, { row: HTMLTableRowElement; cells: HTMLTableCellElement[] }>();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: PanelStore, actions: HTMLElement[] = []) {
    this.body = h('tbody');
    this.head = h('thead', {}, h('tr', {},
      h('th', { class: 'sticky', text: 'run', attrs: { scope: 'col' } }),
      h('th', { text: 'status', attrs: { scope: 'col' } }),
      h('th', { class: 'num', text: 'step', attrs: { scope: 'col', title: 'training step of the evaluation shown' } }),
      ...MEASURES.map((m) => h('th', { class: 'num', text: m.label, attrs: { scope: 'col', title: m.title, 'data-measure': m.key } })),
    ));
    this.table = h('table', { class: 'data-table measures-table' });
    this.title = h('h2', { class: 'card-title', attrs: { id: 'measures-title' } });
    this.element = h('section', { class: 'card measures-card', attrs: { 'aria-labelledby': 'measures-title' } },
      h('div', { class: 'card-head' }, this.title, ...actions),
      h('div', { class: 'table-wrap', attrs: { tabindex: 0, role: 'region', 'aria-labelledby': 'measures-title' } }, this.table),
    );
    this.unsubscribe = store.subscribe((c) => {
      if (c.topic === 'session') this.rebuild();
      else if (c.topic === 'run' && c.what !== 'step') this.update(c.entry);
    });
    this.rebuild();
  }

  /** The table as shown, for Copy as CSV / Markdown. */
  data(): TableData {
    const runs = this.store.shown.runs;
    if (this.byRun()) return byRunData(runs);
    const columns = ['run', 'status', 'step', ...MEASURES.map((m) => m.label)];
    const rows = runs.map((e) => [e.run.name, statusCopied(e), stepText(e), ...MEASURES.map((m) => fmt(measureValues(e)?.[m.key] ?? null))]);
    return { title: 'Measures', columns, rows };
  }

  dispose(): void {
    this.unsubscribe();
  }

  /** Compared runs: one column per run. */
  private byRun(): boolean {
    return this.store.shown.kind === 'compare';
  }

  private rebuild(): void {
    this.rows.clear();
    this.body.replaceChildren();
    if (this.byRun()) {
      setText(this.title, 'Measures, one column per run');
      this.table.dataset.layout = 'by-run';
      this.table.replaceChildren(...byRunTable(this.store.shown.runs));
      return;
    }
    setText(this.title, 'Measures (latest evaluation)');
    this.table.dataset.layout = 'by-measure';
    this.table.replaceChildren(this.head, this.body);
    for (const entry of this.store.shown.runs) {
      const cells = [0, 1, 2, ...MEASURES.map(() => 0)].map((_, i) => h('td', { class: i === 0 ? 'sticky' : i >= 2 ? 'num' : '' }));
      const row = h('tr', { attrs: { 'data-run': entry.run.name } }, ...cells);
      this.rows.set(entry, { row, cells });
      this.body.append(row);
      this.update(entry);
    }
  }

  private update(entry: RunEntry): void {
    if (this.byRun()) {
      if (this.store.isShown(entry)) this.rebuild();
      return;
    }
    const r = this.rows.get(entry);
    if (!r) return;
    const [name, status, step, ...measures] = r.cells;
    if (!name || !status || !step) return;
    setText(name, entry.run.name);
    setText(status, statusText(entry));
    status.title = statusTitle(entry);
    r.row.dataset.status = entry.status;
    if (entry.learned?.ok === false) r.row.dataset.learned = 'false';
    else delete r.row.dataset.learned;
    setText(step, stepText(entry));
    const v = measureValues(entry);
    MEASURES.forEach((m, i) => setText(at(measures, i), fmt(v?.[m.key] ?? null)));
  }
}
