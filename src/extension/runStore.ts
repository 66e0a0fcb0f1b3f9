/**
 * Where a spec's runs go in VS Code: the run store of its workspace folder, or of the
 * spec's own folder when it is outside every workspace folder. Everything else about the
 * store (names, path checks, writing, reading back) is src/store's.
 */
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { storeDir } from '../store/paths';
import type { SessionPlace } from '../store/session';

/** The folder that holds a spec's run store: its workspace folder, else the spec's folder. */
export function storeBase(specUri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(specUri)?.uri.fsPath ?? dirname(specUri.fsPath);
}

/** The run store a spec's sessions go to, and the folder nothing may leave. */
export function storePlace(specUri: vscode.Uri): SessionPlace {
  const base = storeBase(specUri);
  return { base, store: storeDir(base) };
}

/** The stores of the open workspace folders on disk: the only ones a restored panel may show. */
export function workspaceStores(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => storeDir(f.uri.fsPath));
}
