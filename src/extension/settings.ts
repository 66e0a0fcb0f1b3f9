/** The extension's settings (package.json contributes.configuration), read when they are used. */
import * as vscode from 'vscode';

/** rnnlab.maxWorkers: training workers a panel may run at once; 0 (the default) lets the machine decide. */
export function maxWorkers(): number {
  const v = vscode.workspace.getConfiguration('rnnlab').get<unknown>('maxWorkers', 0);
  return Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : 0;
}
