/**
 * The final numbers as a variant x seed table for one chosen measure, with the mean
 * over seeds: the comparison the paper's figures make (e.g. rho, aligned vs oblique).
 */
import { h } from '../dom';
import { fmt } from '../format';
import { FINAL_MEASURES, type MeasureKey, type Session } from '../session';

export class FinalTable {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly table: HTMLTableElement;
  private readonly empty: HTMLElement;
  private session: Session | undefined;
  private measure: MeasureKey = 'rho';

  constructor() {
    this.select = h('select', { class: 'select', attrs: { id: 'final-measure', 'aria-label': 'Measure shown in the final table' } },
      ...FINAL_MEASURES.map((m) => h('option', { text: m.label, attrs: { value: m.key, title: m.title } })),
    );
    this.select.value = this.measure;
    this.select.addEventListener('change', () => {
      this.measure = this.select.value as MeasureKey;
      this.refresh();
    });
    this.table = h('table', { class: 'data-table final-table' });
    this.empty = h('p', { class: 'muted', text: 'Final values appear when runs finish.' });
    this.element = h('section', { class: 'card final-card', attrs: { 'aria-labelledby': 'final-title' } },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title', text: 'Final', attrs: { id: 'final-title' } }),
        h('label', { class: 'inline-label', attrs: { for: 'final-measure' } }, 'measure'),
        this.select,
      ),
      this.empty,
      h('div', { class: 'table-wrap' }, this.table),
    );
  }

  setSession(session: Session): void {
    this.session = session;
    this.refresh();
  }

  refresh(): void {
    const s = this.session;
    const done = s?.runs.filter((r) => r.final) ?? [];
    this.empty.hidden = done.length > 0;
    this.table.hidden = done.length === 0;
    if (!s || done.length === 0) return this.table.replaceChildren();
    const seeds = s.seeds();
    const key = this.measure;
    const def = FINAL_MEASURES.find((m) => m.key === key);
    if (!def) throw new Error(`no final measure ${key}`);
    const head = h('tr', {},
      h('th', { text: `${def.label} · variant`, attrs: { scope: 'col', title: def.title } }),
      ...seeds.map((seed) => h('th', { class: 'num', text: `seed ${seed}`, attrs: { scope: 'col' } })),
      seeds.length > 1 ? h('th', { class: 'num', text: 'mean', attrs: { scope: 'col' } }) : null,
    );
    const rows = s.variants().map((variant) => {
      const values = seeds.map((seed) => {
        const r = s.runs.find((e) => e.run.variant === variant && e.run.training.seed === seed);
        return r?.final?.[key] ?? null;
      });
      const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
      const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
      return h('tr', { attrs: { 'data-variant': variant } },
        h('th', { text: variant, attrs: { scope: 'row' } }),
        ...values.map((v) => h('td', { class: 'num', text: fmt(v) })),
        seeds.length > 1 ? h('td', { class: 'num mean', text: fmt(mean) }) : null,
      );
    });
    this.table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
  }
}
