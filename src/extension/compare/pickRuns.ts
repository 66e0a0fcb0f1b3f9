/** Compare runs' quick pick: the workspace's stored runs, several checked at once, grouped by session (pickItems.ts). */
import * as vscode from 'vscode';
import { runSummary } from '../../store/list';
import type { Log } from '../log';
import { workspaceRuns } from '../openRun';
import { compareItems, pickedFolders, runFacts, syncSelection, type ComparePick, type RunFacts } from './pickItems';

type Item = vscode.QuickPickItem & { pick: ComparePick };

/** The run folders the user checked, or undefined when the pick was dismissed or there are no runs. */
export async function pickRunsToCompare(log: Log): Promise<string[] | undefined> {
  const entries = await workspaceRuns(log);
  if (entries.length === 0) return undefined;
  const facts = new Map<string, RunFacts>(await Promise.all(entries.map(async (e) => [e.dir, await runFacts(e.dir, runSummary)] as const)));
  const picks = compareItems(entries, facts, (ms) => new Date(ms).toLocaleString());
  const items: Item[] = picks.map((pick) =>
    pick.kind === 'separator'
      ? { label: pick.label, kind: vscode.QuickPickItemKind.Separator, pick }
      : pick.kind === 'session'
        ? { label: `$(folder-library) ${pick.label}`, description: pick.description, pick }
        : { label: pick.label, description: pick.description, detail: pick.detail, pick },
  );
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Compare stored runs side by side';
  qp.placeholder = 'Check two runs or more (Space), or a whole session; Enter compares them';
  qp.canSelectMany = true;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.items = items;
  const ids = (sel: readonly Item[]) => new Set(sel.flatMap((i) => (i.pick.kind === 'separator' ? [] : [i.pick.id])));
  let checked = new Set<string>();
  let syncing = false;
  return new Promise<string[] | undefined>((resolve) => {
    let accepted = false;
    const subs = [
      qp.onDidChangeSelection((sel) => {
        if (syncing) return;
        const next = syncSelection(picks, checked, ids(sel));
        checked = next;
        const want = items.filter((i) => i.pick.kind !== 'separator' && next.has(i.pick.id));
        if (want.length !== sel.length || want.some((i) => !sel.includes(i))) {
          syncing = true;
          qp.selectedItems = want;
          syncing = false;
        }
      }),
      qp.onDidAccept(() => {
        accepted = true;
        qp.hide();
      }),
      qp.onDidHide(() => {
        for (const s of subs) s.dispose();
        qp.dispose();
        resolve(accepted ? pickedFolders(picks, checked) : undefined);
      }),
    ];
    qp.show();
  });
}
