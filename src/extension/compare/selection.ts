/**
 * What Compare runs says about the folders it was given (an explorer selection, a pick):
 * which are no run or session folder, how many runs they hold, and whether that is enough
 * to compare. Without VS Code, so the sentences are tested as they are shown.
 */
import { basename } from 'node:path';
import type { RunFolderSet } from '../../store/runSet';

export interface SelectionVerdict {
  /** the runs to compare, when there are two or more */
  runs?: string[];
  /** nothing opens: why */
  error?: string;
  /** it opens, but something given was left out: what and why */
  warning?: string;
}

/** At most this many folders are named in one message; the rest are counted. */
const NAMED = 3;

export function judgeSelection(set: RunFolderSet): SelectionVerdict {
  const notRuns = set.problems.length
    ? `${set.problems.slice(0, NAMED).map((p) => p.message).join(' ')}${set.problems.length > NAMED ? ` And ${set.problems.length - NAMED} more such folders.` : ''}`
    : '';
  if (set.runs.length < 2) {
    const held = set.runs.length === 0 ? 'no run' : `only one run (${basename(set.runs[0] ?? '')})`;
    const what = set.problems.length ? `${notRuns} The rest holds ${held}` : `The selection holds ${held}`;
    return { error: `Compare runs needs two runs or more. ${what}: pick run folders, or a session folder with several runs.` };
  }
  if (notRuns) return { runs: set.runs, warning: `${notRuns} Comparing the other ${set.runs.length} runs.` };
  return { runs: set.runs };
}
