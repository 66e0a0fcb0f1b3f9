/**
 * Restricted Mode (package.json, capabilities.untrustedWorkspaces: limited). RNN Lab never
 * runs code from a workspace: a spec is data, and stored runs are read as checked data.
 * So in an untrusted workspace it checks specs (diagnostics, hover, completion, CodeLens)
 * and shows stored runs; what writes into the workspace and runs for minutes, Train,
 * waits until the user trusts it.
 */
import * as vscode from 'vscode';
import type { Log } from './log';

export const TRUST_NEEDED = 'RNN Lab trains only in a trusted workspace: training writes run folders into it. In Restricted Mode it checks specs and shows stored runs.';

/** True when training may start; otherwise says why, with a way to trust the workspace. */
export function trainingAllowed(log: Log, trusted = vscode.workspace.isTrusted): boolean {
  if (trusted) return true;
  log.showWarning(TRUST_NEEDED, [{ title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') }]);
  return false;
}
