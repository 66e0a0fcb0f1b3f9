/**
 * New experiment: a spec from the paper's example for a task, in one of its regimes,
 * written into the workspace through a WorkspaceEdit (so Undo takes it back) and
 * opened. The suggested file name is always a free one, so Enter on every default
 * creates a new file; an existing file is replaced only after the user said so, and
 * never the example itself. Every step stays open when focus moves elsewhere (only
 * Escape cancels), and a cancelled wizard says so in the log.
 */
import * as vscode from 'vscode';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import { TASKS } from '../core/tasks/registry';
import type { TaskKind } from '../core/types';
import { loadSpec } from '../spec';
import { COMMANDS } from './commandIds';
import { exists } from './exists';
import type { Log } from './log';
import { isSpecUri } from './specs';
import { completeSpecName, freshSpecName, specNameProblem } from './specFileName';

export type Regime = 'both' | 'aligned' | 'oblique';

export interface NewExperimentArgs {
  task?: TaskKind;
  regime?: Regime;
  /** a path relative to the workspace folder, ending in .rnn.yaml (taken as it is: only typed names are completed) */
  fileName?: string;
  /** the workspace folder to write into, or a folder inside one; anything else is refused */
  folder?: vscode.Uri;
  /** replace an existing file without asking (tests); only ever inside a workspace folder */
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
function experimentText(example: string, regime: Regime, log?: Log): string {
  const doc = parseDocument(example);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return example;
  if (regime === 'both') {
    // The paper's examples compare the regimes already: keep the file byte for byte.
    if (doc.has('variants')) return example;
    doc.set('variants', parseDocument(VARIANTS_YAML).contents);
  } else {
    // The example's own variant of that regime carries what the regime needs besides the
    // output scale (the oblique sine trains with noise, for one): it becomes the spec.
    const variant = regimeVariant(doc.get('variants'), regime);
    doc.delete('variants');
    if (variant !== undefined) mergeInto(doc, [], variant);
    if (!isMap(doc.get('network'))) doc.set('network', doc.createNode({}));
    doc.setIn(['network', 'output_scale'], regime === 'aligned' ? 'small' : 'large');
    const name = doc.get('name');
    if (typeof name === 'string') doc.set('name', `${name.replace(/,?\s*aligned vs\.? oblique/i, '')}, ${regime}`);
    // The example's header still describes both regimes: say what this file is.
    doc.commentBefore = ` The ${regime} regime only: New Experiment merged the example's ${regime} variant into the spec.${doc.commentBefore ? `\n${doc.commentBefore}` : ''}`;
  }
  const text = doc.toString();
  if (loadSpec(text).diagnostics.some((d) => d.severity === 'error')) {
    log?.warn(`The ${regime} rewrite of the example is not a valid spec; the example is used as it is.`);
    return example;
  }
  return text;
}

/** The variant named after the regime, or else the one whose output_scale gives it. */
function regimeVariant(variants: unknown, regime: 'aligned' | 'oblique'): YAMLMap | undefined {
  if (!isSeq(variants)) return undefined;
  const maps = variants.items.filter((v): v is YAMLMap => isMap(v));
  const scale = regime === 'aligned' ? 'small' : 'large';
  return maps.find((v) => v.get('name') === regime) ?? maps.find((v) => v.getIn(['network', 'output_scale']) === scale);
}

/** Deep-merges a variant's overrides into the document, as the spec layer applies variants (lists replace). */
function mergeInto(doc: Document, path: (string | number)[], node: YAMLMap): void {
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key !== 'string' || (path.length === 0 && key === 'name')) continue;
    const here = [...path, key];
    if (isMap(pair.value) && isMap(doc.getIn(here))) mergeInto(doc, here, pair.value);
    else doc.setIn(here, pair.value);
  }
}

export async function newExperiment(extensionUri: vscode.Uri, log: Log, args: NewExperimentArgs = {}): Promise<vscode.Uri | undefined> {
  if (args.task !== undefined && !Object.hasOwn(TASKS, args.task)) throw new Error(`there is no task "${String(args.task)}"; the tasks are ${Object.keys(TASKS).join(', ')}.`);
  if (args.regime !== undefined && !REGIMES.some((r) => r.regime === args.regime)) throw new Error(`there is no regime "${String(args.regime)}"; use both, aligned or oblique.`);
  const cancelled = (step: string) => void log.info(`new experiment: cancelled at the ${step}; nothing was written`);
  const task = args.task ?? (await pickTask(extensionUri));
  if (task === undefined) return cancelled('task');
  const regime = args.regime ?? (await pickRegime());
  if (regime === undefined) return cancelled('regime');

  const target = await chooseTarget(task, regime, args, log);
  if (target === undefined) return cancelled('file name');
  if (target.toString() === exampleUri(extensionUri, task).toString()) {
    log.showError(`${vscode.workspace.asRelativePath(target)} is the example New experiment starts from; choose another name.`, [
      { title: 'New experiment', run: () => vscode.commands.executeCommand(COMMANDS.newExperiment) },
    ]);
    return undefined;
  }
  let example: string;
  try {
    example = new TextDecoder().decode(await vscode.workspace.fs.readFile(exampleUri(extensionUri, task)));
  } catch (e) {
    log.showError(`The example for ${TASKS[task].title} is missing from the extension (examples/${task}.rnn.yaml).`, [], e);
    return undefined;
  }

  const present = await exists(target);
  if (present && !args.overwrite) {
    const replace = 'Replace';
    const answer = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} already exists. Replace it?`, { modal: true }, replace);
    if (answer !== replace) return cancelled(`question whether to replace ${vscode.workspace.asRelativePath(target)}`);
  }

  // Both ways are one undoable edit: Undo deletes a new file, and restores a replaced
  // one's text (a file replaced by createFile would be deleted on Undo, its text lost).
  const text = experimentText(example, regime, log);
  const edit = new vscode.WorkspaceEdit();
  const existing = present ? await vscode.workspace.openTextDocument(target) : undefined;
  if (existing) edit.replace(target, new vscode.Range(existing.positionAt(0), existing.positionAt(existing.getText().length)), text);
  else edit.createFile(target, { contents: new TextEncoder().encode(text) });
  if (!(await vscode.workspace.applyEdit(edit))) {
    log.showError(`RNN Lab could not write ${vscode.workspace.asRelativePath(target)}.`);
    return undefined;
  }
  if (existing && !(await existing.save())) log.showWarning(`${vscode.workspace.asRelativePath(target)} was replaced in the editor but not saved.`);
  await vscode.window.showTextDocument(target);
  log.info(`new experiment ${target.fsPath} from examples/${task}.rnn.yaml (${regime})`);
  return target;
}

/** The tasks that have an example to start from, in the paper's order. */
async function pickTask(extensionUri: vscode.Uri): Promise<TaskKind | undefined> {
  const kinds = Object.keys(TASKS) as TaskKind[];
  const present = await Promise.all(kinds.map((k) => exists(exampleUri(extensionUri, k))));
  const items = kinds.filter((_, i) => present[i]).map((kind) => ({ label: TASKS[kind].title, description: kind, detail: TASKS[kind].citation, task: kind }));
  if (items.length === 0) throw new Error('the extension has no examples to start from (its examples folder is missing).');
  return (await vscode.window.showQuickPick(items, { title: 'New RNN experiment (1/3): task', placeHolder: 'Which task of the paper?', matchOnDetail: true, ignoreFocusOut: true }))?.task;
}

function exampleUri(extensionUri: vscode.Uri, task: TaskKind): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'examples', `${task}.rnn.yaml`);
}

async function pickRegime(): Promise<Regime | undefined> {
  return (await vscode.window.showQuickPick(REGIMES, { title: 'New RNN experiment (2/3): regime', placeHolder: 'Aligned, oblique or both?', ignoreFocusOut: true }))?.regime;
}

/**
 * The file to create: a name relative to a workspace folder (or to args.folder, which must
 * lie in one: the command is public, and overwrite replaces without asking), or a save
 * dialog without a workspace. A typed name without .rnn.yaml is completed.
 */
async function chooseTarget(task: TaskKind, regime: Regime, args: NewExperimentArgs, log: Log): Promise<vscode.Uri | undefined> {
  const stem = regime === 'both' ? task : `${task}-${regime}`;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (args.folder !== undefined && !(args.folder instanceof vscode.Uri && vscode.workspace.getWorkspaceFolder(args.folder))) {
    throw new Error(`${String(args.folder)} is not a workspace folder or a folder inside one; New experiment writes only there.`);
  }
  let folder = args.folder ?? (folders.length === 1 ? folders[0]?.uri : undefined);
  if (folder === undefined && folders.length > 1) folder = (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where should the new spec go?', ignoreFocusOut: true }))?.uri;
  if (folder === undefined && folders.length === 0) return saveDialogTarget(stem, log);
  if (folder === undefined) return undefined;
  const inFolder = (name: string) => vscode.Uri.joinPath(folder, ...name.split('/'));
  if (args.fileName !== undefined) {
    const problem = specNameProblem(args.fileName);
    if (problem !== undefined) throw new Error(problem);
    return inFolder(args.fileName);
  }
  const suggested = await freshSpecName(stem, (name) => exists(inFolder(name)));
  const typed = await vscode.window.showInputBox({
    title: 'New RNN experiment (3/3): file name',
    prompt: `A path inside ${folder.path.split('/').pop() ?? 'the workspace'}; .rnn.yaml is added when missing`,
    value: suggested,
    valueSelection: [0, suggested.length - '.rnn.yaml'.length],
    ignoreFocusOut: true,
    validateInput: (value) => nameFeedback(value, inFolder),
  });
  if (typed === undefined) return undefined;
  const name = completeSpecName(typed);
  const problem = specNameProblem(name);
  if (problem !== undefined) throw new Error(problem);
  return inFolder(name);
}

/** What the file-name box says while the user types: an error blocks Enter, the rest inform. */
async function nameFeedback(value: string, inFolder: (name: string) => vscode.Uri): Promise<vscode.InputBoxValidationMessage | undefined> {
  const name = completeSpecName(value);
  const problem = specNameProblem(name);
  if (problem !== undefined) return { message: problem, severity: vscode.InputBoxValidationSeverity.Error };
  if (await exists(inFolder(name))) return { message: `${name} exists: you will be asked before it is replaced.`, severity: vscode.InputBoxValidationSeverity.Warning };
  if (name !== value.trim()) return { message: `Creates ${name}.`, severity: vscode.InputBoxValidationSeverity.Info };
  return undefined;
}

/** Without a workspace folder: a save dialog, starting at a free name; a name without .rnn.yaml is completed. */
async function saveDialogTarget(stem: string, log: Log): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showSaveDialog({ title: 'New RNN experiment', saveLabel: 'Create spec', filters: { 'RNN spec': ['rnn.yaml'] } });
  if (picked === undefined || isSpecUri(picked)) return picked;
  const base = picked.path.split('/').pop() ?? '';
  const completed = vscode.Uri.joinPath(picked, '..', completeSpecName(base === '' ? stem : base));
  log.info(`new experiment: ${base} completed to ${completed.path.split('/').pop() ?? ''}`);
  return completed;
}
