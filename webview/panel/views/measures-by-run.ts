/**
 * The measures with one column per run, for runs compared side by side: the rows are the
 * measures (as the per-run table's columns), each column headed by the run's name. A run
 * whose network has not learned is marked in its header (†, the reason on hover) and its
 * numbers are shown muted, as everywhere else.
 */
import { h } from '../dom';
import { fmt } from '../format';
import { MEASURES, type RunEntry } from '../session';
import type { TableData } from './table-data';
import { measureValues, statusCopied, statusText, statusTitle, stepText } from './run-measures';

/** The table's head and body. */
export function byRunTable(runs: readonly RunEntry[]): [HTMLTableSectionElement, HTMLTableSectionElement] {
  const notLearned = (e: RunEntry) => e.learned?.ok === false;
  const head = h('tr', {},
    h('th', { class: 'sticky', text: 'measure', attrs: { scope: 'col' } }),
    ...runs.map((e) => h('th', { class: 'num', text: notLearned(e) ? `${e.run.name} †` : e.run.name, attrs: { scope: 'col', 'data-run': e.run.name, 'data-learned': notLearned(e) ? 'false' : undefined, title: [e.folder, e.learned?.reason].filter(Boolean).join('\n') || undefined } })),
  );
  const row = (label: string, title: string | undefined, key: string, cell: (e: RunEntry) => { text: string; title?: string }) =>
    h('tr', { attrs: { 'data-row': key } },
      h('th', { class: 'sticky', text: label, attrs: { scope: 'row', title } }),
      ...runs.map((e) => {
        const c = cell(e);
        return h('td', { class: key === 'status' ? '' : 'num', text: c.text, attrs: { 'data-run': e.run.name, 'data-learned': notLearned(e) ? 'false' : undefined, title: c.title || undefined } });
      }),
    );
  const body = h('tbody', {},
    row('status', undefined, 'status', (e) => ({ text: statusText(e), title: statusTitle(e) })),
    row('step', 'training step of the evaluation shown', 'step', (e) => ({ text: stepText(e) })),
    ...MEASURES.map((m) => row(m.label, m.title, m.key, (e) => ({ text: fmt(measureValues(e)?.[m.key] ?? null) }))),
  );
  return [h('thead', {}, head), body];
}

/** The table as shown, for Copy as CSV / Markdown. */
export function byRunData(runs: readonly RunEntry[]): TableData {
  return {
    title: 'Measures',
    columns: ['measure', ...runs.map((e) => e.run.name)],
    rows: [
      ['status', ...runs.map(statusCopied)],
      ['step', ...runs.map(stepText)],
      ...MEASURES.map((m) => [m.label, ...runs.map((e) => fmt(measureValues(e)?.[m.key] ?? null))]),
    ],
  };
}
