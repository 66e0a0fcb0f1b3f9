/**
 * A panel after a window reload (docs/architecture.md, The panel and the host). VS Code
 * hands the serializer the webview panel and the state the page kept with setState; the
 * page's worker, and with it any training, is gone. These helpers check that state (it
 * comes from the page, so nothing in it is trusted: the spec must be a *.rnn.yaml file,
 * the session folder must be one folder of that spec's run store, a stored or compared
 * run must be a run folder of a run store of this workspace) and word what the user lost. panels.ts then re-attaches a
 * controller to the panel.
 */
import * as vscode from 'vscode';
import { basename, dirname, isAbsolute } from 'node:path';
import { isPanelRestoreState, type RunAt } from '../../protocol';
import { visibleFolders } from '../../store/files';
import { isSafeSegment } from '../../store/names';
import { isRunFolderOf, storeDir } from '../../store/paths';
import { storeBase } from '../runStore';
import { isSpecUri } from '../specs';

type RestoreTarget =
  | { mode: 'live'; spec: vscode.Uri; session?: { dir?: string; training?: RunAt[] } }
  | { mode: 'stored'; folder: vscode.Uri }
  /** the compared run folders still in a run store of this workspace (two or more) */
  | { mode: 'compare'; folders: string[] }
  /** why the state cannot be restored, as a sentence */
  | { mode: 'none'; problem: string };

const REOPEN = 'Close it, then open the spec or the run again.';

/** @param isStore whether a folder is a run store a stored-run panel may show (one of this workspace's) */
export function restoreTarget(state: unknown, isStore: (store: string) => boolean): RestoreTarget {
  if (!isPanelRestoreState(state)) return { mode: 'none', problem: `This RNN Lab panel kept no state that says what it showed. ${REOPEN}` };
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(state.resource, true);
  } catch {
    return { mode: 'none', problem: `This RNN Lab panel kept a broken address (${state.resource.slice(0, 200)}). ${REOPEN}` };
  }
  // Runs are stored next to their spec, on disk (commands.ts); a restored panel is no different.
  if (uri.scheme !== 'file') return { mode: 'none', problem: `This RNN Lab panel showed ${uri.toString().slice(0, 200)}, which is not a file on disk. ${REOPEN}` };
  if (state.mode === 'compare') {
    // Only folders of this workspace's run stores are read again; anything else is dropped, not followed.
    const folders = (state.folders ?? []).filter((f) => isRunFolderOf(isStore, f));
    if (folders.length < 2) return { mode: 'none', problem: `This RNN Lab panel compared runs of which fewer than two are run folders of a run store of this workspace. ${REOPEN}` };
    return { mode: 'compare', folders };
  }
  if (state.mode === 'stored') {
    if (!isRunFolderOf(isStore, uri.fsPath)) {
      return { mode: 'none', problem: `This RNN Lab panel showed ${uri.fsPath.slice(0, 200)}, which is not a run folder of a run store of this workspace. ${REOPEN}` };
    }
    return { mode: 'stored', folder: uri };
  }
  if (!isSpecUri(uri)) return { mode: 'none', problem: `This RNN Lab panel showed ${uri.fsPath.slice(0, 200)}, which is not a *.rnn.yaml spec. ${REOPEN}` };
  const s = state.session;
  if (s === undefined) return { mode: 'live', spec: uri };
  const store = storeDir(storeBase(uri));
  // Only a folder of this spec's store is named to the user and listed: anything else is dropped, not followed.
  const dir = isAbsolute(s.dir) && dirname(s.dir) === store && isSafeSegment(basename(s.dir)) ? s.dir : undefined;
  const training = (s.training ?? []).filter((t) => isSafeSegment(t.runName)).map((t) => ({ runName: t.runName, step: t.step }));
  return { mode: 'live', spec: uri, session: { ...(dir ? { dir } : {}), ...(training.length ? { training } : {}) } };
}

/**
 * What the panel says after a reload: where training stopped, and where the runs that
 * finished before are. Undefined when there is nothing to say (no session, or one that
 * had ended and stored nothing). It never offers to resume: the run's state is gone, and
 * training again is the user's choice (Train).
 */
export async function reloadNotice(session: { dir?: string; training?: readonly RunAt[] } | undefined): Promise<string | undefined> {
  if (session === undefined) return undefined;
  const parts: string[] = [];
  const training = session.training ?? [];
  if (training.length) parts.push(`training stopped at ${training.map((t) => `${t.runName} step ${t.step}`).join(', ')}`);
  // Without a folder (the page kept none the host would have written to) nothing is known about finished runs.
  if (session.dir !== undefined) {
    if ((await visibleFolders(session.dir)).length > 0) parts.push(`runs finished before are in ${session.dir}`);
    else if (training.length) parts.push('no run of it had finished before');
  }
  return parts.length === 0 ? undefined : `The window was reloaded: ${parts.join('; ')}. Press Train to start again.`;
}

/** The notice for a spec that is gone: the panel stays, so that Train works again once the file is back. */
export function missingSpecNotice(spec: vscode.Uri): string {
  return `The spec ${spec.fsPath} no longer exists, so this panel cannot train. Restore the file and press Train, or close this panel.`;
}
