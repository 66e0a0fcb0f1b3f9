/**
 * File names for new specs, without vscode: what New experiment suggests and how it
 * reads what the user typed.
 */

export const SPEC_SUFFIX = '.rnn.yaml';

/**
 * A name as the user meant it: `cycling-fast` and `cycling-fast.yaml` become
 * `cycling-fast.rnn.yaml`; a name that already ends in .rnn.yaml stays as it is.
 * Surrounding spaces are dropped.
 */
export function completeSpecName(typed: string): string {
  const name = typed.trim();
  if (name === '' || name.endsWith(SPEC_SUFFIX) || name.endsWith('/')) return name;
  if (name.endsWith('.rnn.yml')) return name.slice(0, -'.rnn.yml'.length) + SPEC_SUFFIX;
  if (name.endsWith('.rnn')) return name + '.yaml';
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return name.replace(/\.ya?ml$/, SPEC_SUFFIX);
  return name.replace(/\.$/, '') + SPEC_SUFFIX;
}

/** Why a complete name (relative, with / between folders) cannot be used, or undefined. */
export function specNameProblem(name: string): string | undefined {
  if (name === '') return 'Type a name for the new spec.';
  if (!name.endsWith(SPEC_SUFFIX)) return `The name must end in ${SPEC_SUFFIX}, so that RNN Lab recognises the spec.`;
  if (name.includes('\\') || name.startsWith('/')) return 'Use a path relative to the workspace folder, with / between folders.';
  if (name.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) return 'The path must stay inside the workspace folder (no empty, . or .. parts).';
  if (name === SPEC_SUFFIX || name.endsWith(`/${SPEC_SUFFIX}`)) return `Give the spec a name before ${SPEC_SUFFIX}.`;
  return undefined;
}

/**
 * The first of `<stem>.rnn.yaml`, `<stem>-2.rnn.yaml`, `<stem>-3.rnn.yaml`, ... that
 * `taken` says is free: a suggestion the user can accept with Enter without replacing
 * anything (the example itself, in a workspace made of the examples).
 */
export async function freshSpecName(stem: string, taken: (name: string) => Promise<boolean>, limit = 1000): Promise<string> {
  for (let i = 1; i <= limit; i++) {
    const name = `${stem}${i === 1 ? '' : `-${i}`}${SPEC_SUFFIX}`;
    if (!(await taken(name))) return name;
  }
  return `${stem}-${Date.now()}${SPEC_SUFFIX}`;
}
