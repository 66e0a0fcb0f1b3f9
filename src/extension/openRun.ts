/** Open run: a quick pick over the stored runs of every workspace folder, newest first (Compare runs lists the same runs). */
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { COMMANDS } from './commandIds';
import type { Log } from './log';
import { listRuns, runSummary, type StoredRunEntry } from '../store/list';
import { STORE_LABEL } from '../store/names';
import { isSpecDocument } from './specs';
import { workspaceStoreBases } from './runStore';

/** At most this many runs in the list; the store may hold thousands. */
const MAX_ITEMS = 200;

/** The stored runs of every workspace folder (and of the active spec's folder), newest first, at most MAX_ITEMS; a warning when there are none. */
export async function workspaceRuns(log: Log): Promise<StoredRunEntry[]> {
  const bases = await workspaceStoreBases();
  // A spec outside the workspace keeps its runs next to it too.
  const editor = vscode.window.activeTextEditor;
  if (editor && isSpecDocument(editor.document) && editor.document.uri.scheme === 'file' && !vscode.workspace.getWorkspaceFolder(editor.document.uri)) {
    bases.push(dirname(editor.document.uri.fsPath));
  }
  const runs = (await listRuns(bases)).slice(0, MAX_ITEMS);
  if (runs.length === 0) {
    log.showWarning(`There are no stored runs yet: runs are stored in ${STORE_LABEL} when training finishes.`, [
      { title: 'New experiment', run: () => vscode.commands.executeCommand(COMMANDS.newExperiment) },
    ]);
  }
  return runs;
}

export async function pickStoredRun(log: Log): Promise<vscode.Uri | undefined> {
  const runs = await workspaceRuns(log);
  if (runs.length === 0) return undefined;
  const items = await Promise.all(runs.map(async (r) => ({ label: r.run, description: r.session, detail: `${await runSummary(r.dir)} · ${new Date(r.mtimeMs).toLocaleString()}`, entry: r })));
  const picked = await vscode.window.showQuickPick(items, { title: 'Open a stored run', placeHolder: 'Newest first', matchOnDescription: true });
  return picked ? vscode.Uri.file(picked.entry.dir) : undefined;
}
