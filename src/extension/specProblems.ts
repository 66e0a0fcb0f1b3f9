/** What the user sees when a spec cannot be trained: the first error, and a way to it. */
import * as vscode from 'vscode';
import type { LoadedSpec } from '../spec';
import type { Log } from './log';
import { firstError } from './specs';

/** Opens the spec with the cursor on a problem. */
export async function revealProblem(uri: vscode.Uri, line: number, column = 0): Promise<void> {
  const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
  const pos = new vscode.Position(line, column);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Says why the spec has nothing to train. */
export function reportUntrainable(log: Log, uri: vscode.Uri, loaded: LoadedSpec): void {
  const file = vscode.workspace.asRelativePath(uri);
  const error = firstError(loaded);
  if (error === undefined) {
    log.showError(`${file} has no runs to train.`, [{ title: 'Open spec', run: () => vscode.window.showTextDocument(uri) }]);
    return;
  }
  const count = loaded.diagnostics.filter((d) => d.severity === 'error').length;
  const others = count > 1 ? ` (and ${count - 1} more error${count > 2 ? 's' : ''})` : '';
  log.showError(`${file} cannot be trained: line ${error.line + 1}: ${error.message}${others}`, [
    { title: 'Go to error', run: () => revealProblem(uri, error.line, error.column) },
    { title: 'Open Problems', run: () => vscode.commands.executeCommand('workbench.actions.view.problems') },
  ]);
}
