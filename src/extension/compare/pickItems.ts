/**
 * The items of Compare runs' quick pick, without VS Code: one group per session (newest
 * first), each with an item that picks the whole session, then its runs by name with their
 * variant, seed, when, and task, N and measures. Checking a session's item checks its runs
 * and unchecking it unchecks them; it shows checked exactly when all of its runs are.
 */
import { dirname, join } from 'node:path';
import { readRegularFile } from '../../store/files';
import type { StoredRunEntry } from '../../store/list';

export interface SessionPick {
  kind: 'session';
  id: string;
  label: string;
  description: string;
  /** the run items' ids */
  runs: string[];
}

export interface RunPick {
  kind: 'run';
  id: string;
  label: string;
  description: string;
  detail: string;
  dir: string;
}

export type ComparePick = { kind: 'separator'; label: string } | SessionPick | RunPick;

/** What a run item says about its run: read from run.json and metrics.json. */
export interface RunFacts {
  variant?: string;
  seed?: number;
  /** the measures in one line (list.ts runSummary) */
  summary: string;
}

/** run.json is a few KB; a list of hundreds reads no more than this of each. */
const RUN_JSON_LIMIT = 256 * 1024;

/** The variant and seed in run.json; nothing when it cannot be read (the summary still says what is known). */
export async function runFacts(dir: string, summary: (dir: string) => Promise<string>): Promise<RunFacts> {
  const out: RunFacts = { summary: await summary(dir) };
  try {
    const run: unknown = JSON.parse((await readRegularFile(join(dir, 'run.json'), RUN_JSON_LIMIT)).toString('utf8'));
    if (typeof run !== 'object' || run === null) return out;
    const r = run as { variant?: unknown; training?: { seed?: unknown } };
    if (typeof r.variant === 'string') out.variant = r.variant.slice(0, 80);
    if (typeof r.training?.seed === 'number') out.seed = r.training.seed;
  } catch {
    // a broken run.json: the item shows the summary alone, and opening it says what is wrong
  }
  return out;
}

/**
 * The items for stored runs listed newest first (list.ts listRuns): sessions in the order
 * of their newest run, runs by name within a session. `when` formats a run's time.
 */
export function compareItems(entries: readonly StoredRunEntry[], facts: ReadonlyMap<string, RunFacts>, when: (ms: number) => string): ComparePick[] {
  const sessions = new Map<string, StoredRunEntry[]>();
  for (const e of entries) {
    const key = dirname(e.dir);
    const list = sessions.get(key);
    if (list) list.push(e);
    else sessions.set(key, [e]);
  }
  const items: ComparePick[] = [];
  for (const [sessionDir, runs] of sessions) {
    const sorted = [...runs].sort((a, b) => a.run.localeCompare(b.run));
    const first = sorted[0];
    if (!first) continue;
    items.push({ kind: 'separator', label: first.session });
    const runItems = sorted.map((e): RunPick => {
      const f = facts.get(e.dir);
      const parts = [f?.variant, f?.seed !== undefined ? `seed ${f.seed}` : undefined, when(e.mtimeMs)].filter((p): p is string => p !== undefined);
      return { kind: 'run', id: e.dir, label: e.run, description: parts.join(' · '), detail: f?.summary ?? '', dir: e.dir };
    });
    if (runItems.length > 1) {
      items.push({ kind: 'session', id: `session:${sessionDir}`, label: `All ${runItems.length} runs of ${first.session}`, description: 'pick the whole session', runs: runItems.map((r) => r.id) });
    }
    items.push(...runItems);
  }
  return items;
}

/**
 * The checked items after the user changed `before` into `after`: a session checked or
 * unchecked takes its runs with it, and a session item is checked when all its runs are.
 */
export function syncSelection(items: readonly ComparePick[], before: ReadonlySet<string>, after: ReadonlySet<string>): Set<string> {
  const out = new Set(after);
  const sessions = items.filter((i): i is SessionPick => i.kind === 'session');
  for (const s of sessions) {
    const was = before.has(s.id);
    const is = after.has(s.id);
    if (is && !was) for (const r of s.runs) out.add(r);
    if (was && !is && s.runs.every((r) => before.has(r))) for (const r of s.runs) out.delete(r);
  }
  for (const s of sessions) {
    if (s.runs.every((r) => out.has(r))) out.add(s.id);
    else out.delete(s.id);
  }
  return out;
}

/** The run folders of the checked items, in the list's order. */
export function pickedFolders(items: readonly ComparePick[], checked: ReadonlySet<string>): string[] {
  return items.flatMap((i) => (i.kind === 'run' && checked.has(i.id) ? [i.dir] : []));
}
