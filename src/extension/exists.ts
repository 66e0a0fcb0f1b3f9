/** Whether something is there, the one check for it. */
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';

/**
 * True when a file or folder exists: a path through Node (the run store, which compares
 * real paths: a dangling link counts as absent), a URI through VS Code's file systems
 * (specs and new experiments may live on any of them).
 */
export async function exists(target: string | vscode.Uri): Promise<boolean> {
  const found = typeof target === 'string' ? stat(target) : vscode.workspace.fs.stat(target);
  return Promise.resolve(found).then(
    () => true,
    () => false,
  );
}
