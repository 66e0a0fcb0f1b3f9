/** Open run: a quick pick over the stored runs of every workspace folder, newest first. */
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { COMMANDS } from './commandIds';
import type { Log } from './log';
import { listRuns, STORE_DIR, type StoredRunEntry } from './runStore';
import { isSpecDocument } from './specs';

/** At most this many runs in the list; the store may hold thousands. */
const MAX_ITEMS = 200;

export async function pickStoredRun(log: Log): Promise<vscode.Uri | undefined> {
  const bases = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  // A spec outside the workspace keeps its runs next to it.
  const editor = vscode.window.activeTextEditor;
  if (editor && isSpecDocument(editor.document) && editor.document.uri.scheme === 'file' && !vscode.workspace.getWorkspaceFolder(editor.document.uri)) {
    bases.push(dirname(editor.document.uri.fsPath));
  }
  const runs = (await listRuns(bases)).slice(0, MAX_ITEMS);
  if (runs.length === 0) {
    log.showWarning(`There are no stored runs yet: runs are stored in ${STORE_DIR} when training finishes.`, [
      { title: 'New experiment', run: () => vscode.commands.executeCommand(COMMANDS.newExperiment) },
    ]);
    return undefined;
  }
  const items = await Promise.all(runs.map(async (r) => ({ label: r.run, description: r.session, detail: await summary(r), entry: r })));
  const picked = await vscode.window.showQuickPick(items, { title: 'Open a stored run', placeHolder: 'Newest first', matchOnDescription: true });
  return picked ? vscode.Uri.file(picked.entry.dir) : undefined;
}

/** One line from metrics.json; a folder without it is still listed, opening it explains what is wrong. */
async function summary(r: StoredRunEntry): Promise<string> {
  const when = new Date(r.mtimeMs).toLocaleString();
  try {
    const m = JSON.parse(await readFile(join(r.dir, 'metrics.json'), 'utf8')) as Record<string, unknown>;
    const num = (k: string, digits: number) => (typeof m[k] === 'number' ? (m[k] as number).toPrecision(digits) : '–');
    return `${String(m.task ?? '?')}, N ${String(m.N ?? '?')}: rho ${num('rho', 3)}, eval loss ${num('eval_loss', 3)}${m.stopped === true ? ' (stopped early)' : ''} · ${when}`;
  } catch {
    return `no readable metrics.json · ${when}`;
  }
}
