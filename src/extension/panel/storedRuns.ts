/**
 * Stored runs for the page: a run folder as the page's StoredRunData (its view data packed
 * into an envelope), the variant order of the spec it came from (so a variant keeps its
 * colour in every panel), and the runs a session folder holds (after a window reload).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { perturbationCurves, type PerturbationCurves } from '../../core/analysis/perturbation/curves';
import { PERTURBATION_FILE, perturbationFromSafetensors } from '../../core/analysis/perturbation/format';
import { toEnvelope } from '../../core/pack';
import type { StoredRunData, ToPanel } from '../../protocol';
import { loadSpec } from '../../spec';
import { READ_LIMITS, readRunFolder, type StoredRun } from '../../store/runFolder';
import { readRegularFile, visibleFolders } from '../../store/files';
import { readRunNetwork } from '../../store/runNetwork';

export function storedRunData(run: StoredRun, perturbation?: PerturbationCurves): StoredRunData {
  const { view, metrics, dir } = run;
  return {
    run: run.run,
    metrics: { ...metrics },
    view: toEnvelope({ projection: view.projection, condition: view.condition, conditionLabels: view.conditionLabels }),
    losses: view.losses,
    folder: dir,
    ...(perturbation ? { perturbation } : {}),
  };
}

/** The run's perturbation curves (docs/science.md §4.6), or undefined when it has no readable perturbation file. */
export async function storedPerturbation(runFolder: string): Promise<PerturbationCurves | undefined> {
  try {
    return perturbationCurves(perturbationFromSafetensors(await readRegularFile(join(runFolder, PERTURBATION_FILE), READ_LIMITS.view)));
  } catch {
    return undefined;
  }
}

/** The answer to a page's explorerRequest for `folder` (one the panel shows): its network, or why there is none. */
export async function explorerNetworkMessage(folder: string): Promise<Extract<ToPanel, { type: 'explorerNetwork' | 'explorerUnavailable' }>> {
  try {
    return { type: 'explorerNetwork', folder, network: toEnvelope(await readRunNetwork(folder)) };
  } catch (e) {
    return { type: 'explorerUnavailable', folder, message: (e as Error).message };
  }
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
