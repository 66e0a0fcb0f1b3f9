/**
 * Where a spec's runs go in VS Code: the rule of src/store/location.ts, the same as the
 * CLI's (`.rnnlab/runs` in the spec's own folder), and which stores belong to the open
 * workspace. Everything else about the store (names, path checks, writing, reading back)
 * is src/store's.
 */
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { specStore, specStoreBase } from '../store/location';
import { STORE_SEGMENTS } from '../store/names';
import { isInside } from '../store/paths';
import type { SessionPlace } from '../store/session';

/** The folder that holds a spec's run store: the spec's own folder. */
export function storeBase(specUri: vscode.Uri): string {
  return specStoreBase(specUri.fsPath);
}

/** The run store a spec's sessions go to, and the folder nothing may leave. */
export function storePlace(specUri: vscode.Uri): SessionPlace {
  return { base: storeBase(specUri), store: specStore(specUri.fsPath) };
}

function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/**
 * True for a run store (`<base>/.rnnlab/runs`) whose base lies in an open workspace
 * folder: the only stores a restored panel may show. Stores sit next to their specs, so
 * they may be anywhere below a workspace folder.
 */
export function isWorkspaceStore(store: string): boolean {
  const [dot, runs] = STORE_SEGMENTS;
  if (basename(store) !== runs || basename(dirname(store)) !== dot) return false;
  const base = dirname(dirname(store));
  return workspaceFolderPaths().some((f) => isInside(f, base));
}

/** At most this many files are looked at to find the stores of a workspace. */
const MAX_FOUND = 5000;

/**
 * The folders of the workspace that hold a run store, for Open run: every workspace
 * folder, every folder with a spec in it, and every folder with stored runs (a spec may
 * have been moved or deleted since).
 */
export async function workspaceStoreBases(): Promise<string[]> {
  const bases = new Set(workspaceFolderPaths());
  const [specs, runs] = await Promise.all([
    vscode.workspace.findFiles('**/*.rnn.yaml', '**/node_modules/**', MAX_FOUND),
    vscode.workspace.findFiles(`**/${STORE_SEGMENTS.join('/')}/*/*/run.json`, '**/node_modules/**', MAX_FOUND),
  ]);
  for (const u of specs) if (u.scheme === 'file') bases.add(specStoreBase(u.fsPath));
  // <base>/.rnnlab/runs/<session>/<run>/run.json
  for (const u of runs) if (u.scheme === 'file') bases.add(dirname(dirname(dirname(dirname(dirname(u.fsPath))))));
  return [...bases].filter((b) => workspaceFolderPaths().some((f) => isInside(f, b)));
}
