/** A run's cells in the measures tables: its status, the step of the evaluation shown, its measures. */
import type { RunEntry } from '../session';

const STATUS_TEXT: Record<RunEntry['status'], string> = {
  queued: 'queued',
  training: 'training',
  finished: 'done',
  stopped: 'stopped',
  failed: 'failed',
};

/** The status as a table shows it: a failure with its reason, a network that has not learned marked. */
export function statusText(entry: RunEntry): string {
  if (entry.note && entry.status === 'failed') return `failed: ${entry.note}`;
  return entry.learned?.ok === false ? `${STATUS_TEXT[entry.status]} · not learned` : STATUS_TEXT[entry.status];
}

/** The status as copied (CSV, Markdown): the mark in words. */
export function statusCopied(entry: RunEntry): string {
  return entry.learned?.ok === false ? `${STATUS_TEXT[entry.status]} (not learned)` : STATUS_TEXT[entry.status];
}

/** The hover of a run's status: why it has not learned, why it failed, where it is stored. */
export function statusTitle(entry: RunEntry): string {
  return [entry.learned?.reason, entry.note].filter(Boolean).join('\n');
}

export function stepText(entry: RunEntry): string {
  return entry.summary || entry.final ? String(entry.summaryStep) : '–';
}

/** The final measures once the run ended, else the latest evaluation's. */
export function measureValues(entry: RunEntry): Record<string, number | null | undefined> | undefined {
  return entry.final ?? (entry.summary as Record<string, number | null> | undefined);
}
