/**
 * New experiment: a spec from the paper's example for a task, in one of its regimes,
 * written into the workspace through a WorkspaceEdit (so Undo removes it again) and
 * opened. An existing file is replaced only after the user said so.
 */
import * as vscode from 'vscode';
import { isMap, parseDocument } from 'yaml';
import { TASKS } from '../core/tasks/registry';
import type { TaskKind } from '../core/types';
import { loadSpec } from '../spec';
import type { Log } from './log';

export type Regime = 'both' | 'aligned' | 'oblique';

export interface NewExperimentArgs {
  task?: TaskKind;
  regime?: Regime;
  /** a path relative to the workspace folder, ending in .rnn.yaml */
  fileName?: string;
  /** the workspace folder to write into */
  folder?: vscode.Uri;
  /** replace an existing file without asking (tests) */
  overwrite?: boolean;
}

const REGIMES: { regime: Regime; label: string; detail: string }[] = [
  { regime: 'both', label: 'Aligned and oblique, side by side', detail: 'two variants: output_scale small (aligned) and large (oblique)' },
  { regime: 'aligned', label: 'Aligned only', detail: 'small initial output weights (std 1/N): the dynamics align with the readout' },
  { regime: 'oblique', label: 'Oblique only', detail: 'large initial output weights (std 1/sqrt N): the dynamics are oblique to the readout' },
];

const VARIANTS_YAML = `- { name: aligned, network: { output_scale: small } }
- { name: oblique, network: { output_scale: large } }
`;

/**
 * The example rewritten for a regime. Comments and layout survive (yaml keeps them);
 * if the result were not a valid spec the example is returned as it is, which is
 * always better than a broken new file.
 */
export function experimentText(example: string, regime: Regime, log?: Log): string {
  const doc = parseDocument(example);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return example;
  if (regime === 'both') {
    // The paper's examples compare the regimes already: keep the file byte for byte.
    if (doc.has('variants')) return example;
    doc.set('variants', parseDocument(VARIANTS_YAML).contents);
  } else {
    doc.delete('variants');
    if (!isMap(doc.get('network'))) doc.set('network', doc.createNode({}));
    doc.setIn(['network', 'output_scale'], regime === 'aligned' ? 'small' : 'large');
    const name = doc.get('name');
    if (typeof name === 'string') doc.set('name', `${name.replace(/,?\s*aligned vs\.? oblique/i, '')}, ${regime}`);
  }
  const text = doc.toString();
  if (loadSpec(text).diagnostics.some((d) => d.severity === 'error')) {
    log?.warn(`The ${regime} rewrite of the example is not a valid spec; the example is used as it is.`);
    return example;
  }
  return text;
}

export async function newExperiment(extensionUri: vscode.Uri, log: Log, args: NewExperimentArgs = {}): Promise<vscode.Uri | undefined> {
  if (args.task !== undefined && !Object.hasOwn(TASKS, args.task)) throw new Error(`there is no task "${String(args.task)}"; the tasks are ${Object.keys(TASKS).join(', ')}.`);
  if (args.regime !== undefined && !REGIMES.some((r) => r.regime === args.regime)) throw new Error(`there is no regime "${String(args.regime)}"; use both, aligned or oblique.`);
  const task = args.task ?? (await pickTask());
  if (task === undefined) return undefined;
  const regime = args.regime ?? (await pickRegime());
  if (regime === undefined) return undefined;

  const target = await chooseTarget(task, regime, args);
  if (target === undefined) return undefined;
  const exampleUri = vscode.Uri.joinPath(extensionUri, 'examples', `${task}.rnn.yaml`);
  let example: string;
  try {
    example = new TextDecoder().decode(await vscode.workspace.fs.readFile(exampleUri));
  } catch (e) {
    log.showError(`The example for ${TASKS[task].title} is missing from the extension (examples/${task}.rnn.yaml).`, [], e);
    return undefined;
  }

  let exists = false;
  try {
    await vscode.workspace.fs.stat(target);
    exists = true;
  } catch {
    exists = false;
  }
  if (exists && !args.overwrite) {
    const replace = 'Replace';
    const answer = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} already exists. Replace it?`, { modal: true }, replace);
    if (answer !== replace) return undefined;
  }

  const edit = new vscode.WorkspaceEdit();
  edit.createFile(target, { overwrite: true, contents: new TextEncoder().encode(experimentText(example, regime, log)) });
  if (!(await vscode.workspace.applyEdit(edit))) {
    log.showError(`RNN Lab could not create ${vscode.workspace.asRelativePath(target)}.`);
    return undefined;
  }
  await vscode.window.showTextDocument(target);
  log.info(`new experiment ${target.fsPath} from examples/${task}.rnn.yaml (${regime})`);
  return target;
}

async function pickTask(): Promise<TaskKind | undefined> {
  const items = (Object.keys(TASKS) as TaskKind[]).map((kind) => ({ label: TASKS[kind].title, description: kind, detail: TASKS[kind].citation, task: kind }));
  return (await vscode.window.showQuickPick(items, { title: 'New RNN experiment (1/3): task', placeHolder: 'Which task of the paper?', matchOnDetail: true }))?.task;
}

async function pickRegime(): Promise<Regime | undefined> {
  return (await vscode.window.showQuickPick(REGIMES, { title: 'New RNN experiment (2/3): regime', placeHolder: 'Aligned, oblique or both?' }))?.regime;
}

/** The file to create: a name relative to a workspace folder, or a save dialog without a workspace. */
async function chooseTarget(task: TaskKind, regime: Regime, args: NewExperimentArgs): Promise<vscode.Uri | undefined> {
  const suggested = regime === 'both' ? `${task}.rnn.yaml` : `${task}-${regime}.rnn.yaml`;
  const folders = vscode.workspace.workspaceFolders ?? [];
  let folder = args.folder ?? (folders.length === 1 ? folders[0].uri : undefined);
  if (folder === undefined && folders.length > 1) folder = (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where should the new spec go?' }))?.uri;
  if (folder === undefined && folders.length === 0) {
    return vscode.window.showSaveDialog({ title: 'New RNN experiment', saveLabel: 'Create spec', filters: { 'RNN spec': ['rnn.yaml'] } });
  }
  if (folder === undefined) return undefined;
  const name =
    args.fileName ??
    (await vscode.window.showInputBox({
      title: 'New RNN experiment (3/3): file name',
      prompt: `A path inside ${folder.path.split('/').pop() ?? 'the workspace'}, ending in .rnn.yaml`,
      value: suggested,
      valueSelection: [0, suggested.length - '.rnn.yaml'.length],
      validateInput: fileNameProblem,
    }));
  if (name === undefined) return undefined;
  const problem = fileNameProblem(name);
  if (problem !== undefined) throw new Error(problem);
  return vscode.Uri.joinPath(folder, ...name.split('/'));
}

/** Why a file name cannot be used, or undefined. */
export function fileNameProblem(name: string): string | undefined {
  if (!name.endsWith('.rnn.yaml')) return 'The name must end in .rnn.yaml, so that RNN Lab recognises the spec.';
  if (name.includes('\\') || name.startsWith('/')) return 'Use a path relative to the workspace folder, with / between folders.';
  if (name.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) return 'The path must stay inside the workspace folder (no empty, . or .. parts).';
  if (name === '.rnn.yaml' || name.endsWith('/.rnn.yaml')) return 'Give the spec a name before .rnn.yaml.';
  return undefined;
}
