/**
 * The loader's options for *RNN Lab: Analyse recording…*, asked only when the file's
 * defaults do not settle them (docs/analyses.md, Formats): which arrays (datasets,
 * variables, TimeSeries) hold the activity and the behaviour, the behaviour's own file
 * for a .npy, and for spikes in an NWB units table how to bin them. The answers become
 * `rnnlab recording` arguments. Undefined: the user dismissed a question.
 */
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { RecordingContents } from '../core/recording/load';

/** Extensions the command offers in its open dialog (and its explorer menu's `when`). */
export const RECORDING_EXTENSIONS = ['npz', 'npy', 'safetensors', 'nwb', 'mat', 'h5', 'hdf5'];

interface Pick extends vscode.QuickPickItem {
  value: string;
}

/** NWB units binned: the authors' NLB settings first (docs/analyses.md, Analysing the paper's datasets). */
const BINNINGS: { label: string; detail: string; args: string[] }[] = [
  { label: '45 ms bins, smoothed (SD 45 ms), behaviour 100 ms after the activity', detail: "The authors' settings for the NLB datasets", args: ['--bin', '0.045', '--smooth', '0.045', '--lag', '0.1'] },
  { label: '45 ms bins, no smoothing, no lag', detail: 'Spike counts as they are', args: ['--bin', '0.045'] },
  { label: '20 ms bins, no smoothing, no lag', detail: 'Finer bins (noisier counts)', args: ['--bin', '0.02'] },
];

const pickOne = async (items: Pick[], title: string, placeHolder: string): Promise<string | undefined> =>
  (await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true }))?.value;

const arrayItems = (c: RecordingContents, ranks: number[], except?: string): Pick[] =>
  c.arrays.filter((a) => ranks.includes(a.shape.length) && a.name !== except).map((a) => ({ label: a.name, description: `[${a.shape.join(' × ')}]`, value: a.name }));

export async function askRecordingOptions(file: vscode.Uri, c: RecordingContents): Promise<string[] | undefined> {
  const name = file.path.split('/').pop() ?? 'the file';
  const args: string[] = [];
  if (c.format === 'npy') {
    const picked = await vscode.window.showOpenDialog({
      title: `${name} holds the activity only: choose the behaviour's .npy file (time × outputs, the same time points)`,
      defaultUri: vscode.Uri.file(dirname(file.fsPath)),
      canSelectMany: false,
      filters: { 'NumPy array': ['npy'] },
      openLabel: 'Use as behaviour',
    });
    const beh = picked?.[0];
    return beh ? ['--behaviour', beh.fsPath] : undefined;
  }
  if (c.format === 'nwb') {
    const series = (except?: string): Pick[] => c.series.filter((s) => s !== except).map((s) => ({ label: s.split('/').pop() ?? s, description: s, value: s }));
    let activity: string | undefined;
    if (!c.defaults.activity) {
      activity = await pickOne(series(), `Activity of ${name}`, 'This NWB file has no units table: which TimeSeries holds the activity?');
      if (activity === undefined) return undefined;
      args.push('--activity', activity);
    }
    if (!c.defaults.behaviour) {
      const behaviour = await pickOne(series(activity), `Behaviour of ${name}`, 'Which TimeSeries does the decoder read out (e.g. hand velocity)?');
      if (behaviour === undefined) return undefined;
      args.push('--behaviour', behaviour);
    }
    if (activity === undefined) {
      const binning = await vscode.window.showQuickPick(BINNINGS, { title: `Spikes of ${name}`, placeHolder: 'How to bin the spike times of the units table', ignoreFocusOut: true });
      if (binning === undefined) return undefined;
      args.push(...binning.args);
    }
    return args;
  }
  let activity: string | undefined;
  if (!c.defaults.activity) {
    const items = arrayItems(c, [2, 3]);
    // none to offer: the analysis itself says what the file holds
    if (items.length === 0) return args;
    activity = await pickOne(items, `Activity of ${name}`, 'No array is called "activity": which one holds it (time × neurons or trials × time × neurons)?');
    if (activity === undefined) return undefined;
    args.push('--activity', activity);
  }
  if (!c.defaults.behaviour) {
    const items = arrayItems(c, [1, 2, 3], activity ?? 'activity');
    if (items.length === 0) return args;
    const behaviour = await pickOne(items, `Behaviour of ${name}`, 'No array is called "behaviour": which one does the decoder read out (time × outputs)?');
    if (behaviour === undefined) return undefined;
    args.push('--behaviour', behaviour);
  }
  return args;
}
