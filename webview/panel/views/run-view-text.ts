/**
 * What a 3D view says about its run: the meta line of a run with data, and why a view of a
 * run without data is empty. Shared by the variant views (scene-grid.ts) and the seeds'
 * small views (seed-grid.ts), so both say the same thing about the same run.
 */
import type { ViewMeta } from '../scene/trajectory-view';
import type { RunEntry } from '../session';

/** The meta line of a run's latest view data (its run, step, whether it learned, the PCs' variance). */
export function viewMeta(entry: RunEntry): ViewMeta {
  return {
    runName: entry.run.name,
    step: entry.viewStep,
    steps: entry.steps,
    dt: entry.run.network.dt,
    final: entry.viewFinal,
    notLearned: entry.viewFinal && entry.learned?.ok === false,
    ...(entry.explained ? { explained: entry.explained } : {}),
  };
}

/** Why a run's view has nothing to draw; `othersRunning` says whether runs are in progress. */
export function emptyText(entry: RunEntry, othersRunning: boolean): string {
  switch (entry.status) {
    case 'queued':
      // Queued behind runs in progress (a worker starting for them counts), or not asked to train at all.
      return othersRunning ? 'Queued: trains after the runs before it.' : 'Not trained yet: press Train.';
    case 'training':
      return 'Waiting for the first evaluation…';
    case 'stopped':
      return 'Stopped before its first evaluation.';
    case 'failed':
      return `Failed: ${entry.note ?? 'see the log'}`;
    case 'finished':
      return 'No trajectories to show.';
  }
}
