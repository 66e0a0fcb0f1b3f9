/**
 * Stored runs for the page: a run folder as the page's StoredRunData (its view data packed
 * into an envelope), the variant order of the spec it came from (so a variant keeps its
 * colour in every panel), and the runs a session folder holds (after a window reload).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toEnvelope } from '../../core/pack';
import type { StoredRunData } from '../../protocol';
import { loadSpec } from '../../spec';
import { readRunFolder, type StoredRun } from '../../store/runFolder';
import { visibleFolders } from '../../store/files';

export function storedRunData(run: StoredRun): StoredRunData {
  const { view, metrics, dir } = run;
  return {
    run: run.run,
    metrics: { ...metrics },
    view: toEnvelope({ projection: view.projection, condition: view.condition, conditionLabels: view.conditionLabels }),
    losses: view.losses,
    folder: dir,
  };
}

/** The variant names of the spec stored with a run, in the spec's order; [] when it cannot be read. */
export async function specVariants(runFolder: string): Promise<string[]> {
  try {
    const text = await readFile(join(runFolder, 'spec.rnn.yaml'), 'utf8');
    return [...new Set(loadSpec(text, join(runFolder, 'spec.rnn.yaml')).runs.map((r) => r.variant))];
  } catch {
    return [];
  }
}

/** Every complete run folder of a session folder, in name order; broken ones are skipped (`skipped` says which). */
export async function sessionRuns(sessionDir: string): Promise<{ runs: StoredRun[]; skipped: { folder: string; message: string }[] }> {
  const runs: StoredRun[] = [];
  const skipped: { folder: string; message: string }[] = [];
  for (const name of (await visibleFolders(sessionDir)).sort()) {
    try {
      runs.push(await readRunFolder(join(sessionDir, name)));
    } catch (e) {
      skipped.push({ folder: join(sessionDir, name), message: (e as Error).message });
    }
  }
  return { runs, skipped };
}
