/**
 * Where a spec's runs go by default: one rule for the CLI and the extension, so that
 * `rnnlab train` from any shell folder and Train in VS Code fill the same store, and
 * Open run finds both. The rule needs nothing but the spec's path (no workspace, no
 * current folder, no search), so both sides compute the same folder on any machine:
 *
 *   a spec's runs go to `.rnnlab/runs/` in the spec's own folder.
 *
 * `rnnlab train --out DIR` chooses another store.
 */
import { dirname, resolve } from 'node:path';
import { storeDir } from './paths';

/** The folder that holds a spec's run store (the store's base): the spec's own folder. */
export function specStoreBase(specPath: string): string {
  return dirname(resolve(specPath));
}

/** `<spec folder>/.rnnlab/runs`. */
export function specStore(specPath: string): string {
  return storeDir(specStoreBase(specPath));
}
