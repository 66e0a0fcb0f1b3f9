/**
 * RNN Lab: Compare runs…: from the explorer, the selected folders (VS Code passes the
 * folder clicked and every selected one; a session folder stands for its runs, as in
 * `rnnlab compare`); from the palette, a pick of the workspace's stored runs. Two runs or
 * more open side by side in one compare panel.
 */
import * as vscode from 'vscode';
import { resolveRunFolders } from '../../store/runSet';
import { COMMANDS } from '../commandIds';
import type { Log } from '../log';
import type { ComparePanel } from '../panel/comparePanel';
import type { PanelManager } from '../panel/panels';
import { pickRunsToCompare } from './pickRuns';
import { judgeSelection } from './selection';

/** The folders an explorer (or a caller) named: `selected` when it has any, else `clicked`; undefined means ask. */
export function namedFolders(clicked: unknown, selected: unknown): vscode.Uri[] | undefined {
  const uris = (x: unknown) => (Array.isArray(x) && x.length > 0 && x.every((u) => u instanceof vscode.Uri) ? (x as vscode.Uri[]) : undefined);
  return uris(selected) ?? uris(clicked) ?? (clicked instanceof vscode.Uri ? [clicked] : undefined);
}

export async function compareRuns(log: Log, panels: PanelManager, clicked?: unknown, selected?: unknown): Promise<ComparePanel | undefined> {
  const named = namedFolders(clicked, selected);
  let folders: string[];
  if (named) {
    const elsewhere = named.filter((u) => u.scheme !== 'file');
    if (elsewhere.length) {
      log.showError(`Compare runs reads run folders on disk; ${elsewhere.map((u) => u.toString()).join(', ')} ${elsewhere.length > 1 ? 'are' : 'is'} not on disk.`);
      return undefined;
    }
    folders = named.map((u) => u.fsPath);
  } else {
    const picked = await pickRunsToCompare(log);
    if (picked === undefined) return undefined;
    folders = picked;
  }
  const set = await resolveRunFolders(folders);
  if (set.duplicates.length) log.info(`Compare runs: ${set.duplicates.join(', ')} ${set.duplicates.length > 1 ? 'were' : 'was'} named twice and ${set.duplicates.length > 1 ? 'are' : 'is'} compared once.`);
  const verdict = judgeSelection(set);
  if (verdict.runs === undefined) {
    log.showError(verdict.error ?? 'Compare runs needs two runs or more.', [{ title: 'Pick runs…', run: () => vscode.commands.executeCommand(COMMANDS.compareRuns) }]);
    return undefined;
  }
  const { panel, skipped } = await panels.openCompare(verdict.runs);
  const unreadable = skipped.map((s) => s.message).join(' ');
  if (panel === undefined) {
    // No panel: too few readable runs (said here), or the page is not built (openCompare said so).
    if (skipped.length) log.showError(`Compare runs needs two runs or more that can be read. ${unreadable}`);
    return undefined;
  }
  const left = [verdict.warning, skipped.length ? `Left out what cannot be read: ${unreadable}` : undefined].filter((s): s is string => s !== undefined);
  if (left.length) log.showWarning(left.join(' '));
  return panel;
}
