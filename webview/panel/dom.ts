/**
 * Element creation without innerHTML: text goes in as text nodes, so nothing a spec or
 * a run name contains is ever parsed as markup.
 */
type Child = Node | string | null | undefined | false;

export interface ElementProps {
  class?: string;
  text?: string;
  /** attributes set verbatim (aria-*, role, title, type, ...) */
  attrs?: Record<string, string | number | boolean | undefined>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

/** Sets text only when it changed: live updates arrive many times a second. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function button(label: string, opts: { class?: string; title?: string; ariaLabel?: string } = {}): HTMLButtonElement {
  return h('button', { class: opts.class ?? 'btn', text: label, attrs: { type: 'button', title: opts.title, 'aria-label': opts.ariaLabel } });
}
