/**
 * The final numbers as a variant x seed table for one chosen measure, with the mean
 * over seeds: the comparison the paper's figures make (e.g. rho, aligned vs oblique).
 */
import { h } from '../dom';
import { fmt } from '../format';
import { FINAL_MEASURES, type MeasureKey } from '../session';
import { at } from '../../../src/core/checked';
import type { PanelStore } from '../store';
import type { TableData } from './table-data';

export class FinalTable {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly table: HTMLTableElement;
  private readonly empty: HTMLElement;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: PanelStore, actions: HTMLElement[] = []) {
    this.select = h('select', { class: 'select', attrs: { id: 'final-measure', 'aria-label': 'Measure shown in the final table' } },
      ...FINAL_MEASURES.map((m) => h('option', { text: m.label, attrs: { value: m.key, title: m.title } })),
    );
    this.select.value = store.prefs.finalMeasure;
    this.select.addEventListener('change', () => store.setPref('finalMeasure', this.select.value as MeasureKey));
    this.table = h('table', { class: 'data-table final-table' });
    this.empty = h('p', { class: 'muted', text: 'Final values appear when runs finish.' });
    this.element = h('section', { class: 'card final-card', attrs: { 'aria-labelledby': 'final-title' } },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title', text: 'Final', attrs: { id: 'final-title' } }),
        h('label', { class: 'inline-label', attrs: { for: 'final-measure' } }, 'measure'),
        this.select,
        ...actions,
      ),
      this.empty,
      h('div', { class: 'table-wrap', attrs: { tabindex: 0, role: 'region', 'aria-labelledby': 'final-title' } }, this.table),
    );
    this.unsubscribe = store.subscribe((c) => {
      if (c.topic === 'session' || (c.topic === 'run' && (c.what === 'final' || c.what === 'status')) || (c.topic === 'prefs' && c.key === 'finalMeasure')) this.refresh();
    });
    this.refresh();
  }

  /** The table as shown (its measure), for Copy as CSV / Markdown. */
  data(): TableData {
    const { seeds, rows } = this.values();
    const def = this.def();
    return {
      title: `Final ${def.label}`,
      columns: [`${def.label} · variant`, ...seeds.map((s) => `seed ${s}`), ...(seeds.length > 1 ? ['mean'] : [])],
      rows: rows.map((r) => [r.variant, ...r.values.map((v, i) => fmt(v) + (r.notLearned[i] ? ' (not learned)' : '')), ...(seeds.length > 1 ? [fmt(r.mean)] : [])]),
    };
  }

  dispose(): void {
    this.unsubscribe();
  }

  private def() {
    const key = this.store.prefs.finalMeasure;
    return FINAL_MEASURES.find((m) => m.key === key) ?? at(FINAL_MEASURES, 0);
  }

  /** The mean over seeds leaves out networks that have not learned: they have no regime to average. */
  private values(): { seeds: number[]; rows: { variant: string; values: (number | null)[]; notLearned: (string | undefined)[]; mean: number | null }[] } {
    const s = this.store.shown;
    const seeds = s.seeds();
    const key: MeasureKey = this.def().key;
    const rows = s.variants().map((variant) => {
      const runs = seeds.map((seed) => s.runs.find((e) => s.groupOf(e) === variant && e.run.training.seed === seed));
      const values = runs.map((r) => r?.final?.[key] ?? null);
      const notLearned = runs.map((r) => (r?.learned?.ok === false ? r.learned.reason : undefined));
      const known = values.filter((v, i): v is number => v !== null && Number.isFinite(v) && notLearned[i] === undefined);
      return { variant, values, notLearned, mean: known.length ? known.reduce((a, b) => a + b, 0) / known.length : null };
    });
    return { seeds, rows };
  }

  private refresh(): void {
    // Runs compared side by side are no variant x seed grid: the measures table has a column per run.
    this.element.hidden = this.store.shown.kind === 'compare';
    if (this.select.value !== this.store.prefs.finalMeasure) this.select.value = this.store.prefs.finalMeasure;
    const done = this.store.shown.runs.filter((r) => r.final);
    this.empty.hidden = done.length > 0;
    this.table.hidden = done.length === 0;
    if (done.length === 0) return this.table.replaceChildren();
    const def = this.def();
    const { seeds, rows } = this.values();
    const head = h('tr', {},
      h('th', { text: `${def.label} · variant`, attrs: { scope: 'col', title: def.title } }),
      ...seeds.map((seed) => h('th', { class: 'num', text: `seed ${seed}`, attrs: { scope: 'col' } })),
      seeds.length > 1 ? h('th', { class: 'num', text: 'mean', attrs: { scope: 'col', title: 'mean over the seeds that learned the task' } }) : null,
    );
    const body = rows.map((r) =>
      h('tr', { attrs: { 'data-variant': r.variant } },
        h('th', { text: r.variant, attrs: { scope: 'row' } }),
        ...r.values.map((v, i) => {
          const why = r.notLearned[i];
          return why ? h('td', { class: 'num not-learned', text: `${fmt(v)} †`, attrs: { title: why } }) : h('td', { class: 'num', text: fmt(v) });
        }),
        seeds.length > 1 ? h('td', { class: 'num mean', text: fmt(r.mean) }) : null,
      ),
    );
    this.table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...body));
  }
}
