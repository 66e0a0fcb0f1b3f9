/**
 * The rnnlab.* commands. A command started from a CodeLens, a menu or the explorer gets
 * the spec's URI as its first argument; from the palette it acts on the active spec
 * editor, or on the spec of the panel last used.
 */
import * as vscode from 'vscode';
import type { LoadedSpec } from '../spec';
import { variantNames } from '../spec/names';
import { COMMANDS } from './commandIds';
import { newExperiment, type NewExperimentArgs } from './experiment';
import { errorText, type Log } from './log';
import { pickStoredRun } from './openRun';
import { compareRuns } from './compare/compareRuns';
import { askRecordingOptions, RECORDING_EXTENSIONS } from './recordingOptions';
import type { PanelManager } from './panel/panels';
import type { PanelSnapshot, RnnPanel } from './panel/rnnPanel';
import { SpecPanel } from './panel/specPanel';
import { revealProblem, reportUntrainable } from './specProblems';
import { isSpecDocument, isSpecUri, type SpecCache } from './specs';
import { trainingAllowed } from './trust';

export interface CommandContext {
  extensionUri: vscode.Uri;
  log: Log;
  specs: SpecCache;
  panels: PanelManager;
}

/** What rnnlab._test.panelState returns. */
export interface PanelStateReport {
  current: PanelSnapshot | undefined;
  panels: PanelSnapshot[];
  /** the last errors and warnings shown to the user */
  messages: { level: 'error' | 'warning'; message: string }[];
}

export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const { log, panels } = c;

  /** The spec a command is about, or an error message with a way out. */
  const specUri = (arg: unknown): vscode.Uri | undefined => {
    if (arg instanceof vscode.Uri) return arg;
    const editor = vscode.window.activeTextEditor;
    if (editor && isSpecDocument(editor.document)) return editor.document.uri;
    const last = panels.lastActive();
    if (last instanceof SpecPanel) return last.specUri;
    const visible = vscode.window.visibleTextEditors.find((e) => isSpecDocument(e.document));
    if (visible) return visible.document.uri;
    log.showError('Open a *.rnn.yaml spec first: RNN Lab trains the spec in the active editor.', [
      { title: 'New experiment', run: () => vscode.commands.executeCommand(COMMANDS.newExperiment) },
    ]);
    return undefined;
  };

  /**
   * The spec's state and the text it was read from (one version of the document); specs
   * must be files, since runs are stored beside them.
   */
  const loadTarget = async (uri: vscode.Uri): Promise<{ loaded: LoadedSpec; text: string } | undefined> => {
    if (!isSpecUri(uri)) {
      log.showError(`${vscode.workspace.asRelativePath(uri)} is not a spec: spec files end in .rnn.yaml.`);
      return undefined;
    }
    if (uri.scheme !== 'file') {
      log.showError(`RNN Lab stores runs next to the spec, so ${uri.path.split('/').pop() ?? 'the spec'} must be a file on disk; save it in a folder first.`, [
        { title: 'Save as…', run: () => vscode.commands.executeCommand('workbench.action.files.saveAs', uri) },
      ]);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    return { loaded: c.specs.get(doc), text: doc.getText() };
  };

  /** The panel a Stop/Pause/Resume (or the test state) is for: the given one (key or URI), else the one training. */
  const panelFor = (arg: unknown): RnnPanel | undefined => {
    if (typeof arg === 'string') return panels.get(arg);
    if (arg instanceof vscode.Uri) return panels.get(arg.toString());
    return panels.current();
  };

  const control = (type: 'stop' | 'pause' | 'resume') => (arg: unknown) => {
    const panel = panelFor(arg);
    if (panel === undefined || !panel.busy) {
      log.showWarning(`Nothing is training, so there is nothing to ${type}.`, [{ title: 'Open run…', run: () => vscode.commands.executeCommand(COMMANDS.openRun) }]);
      return;
    }
    log.info(`[${panel.title}] ${type}`);
    panel.post({ type });
  };

  /** A command body that reports its failure instead of leaving it in the developer console. */
  const guarded =
    <A extends unknown[]>(name: string, body: (...args: A) => unknown) =>
    async (...args: A) => {
      try {
        return await body(...args);
      } catch (e) {
        log.showError(`RNN Lab: ${name} failed: ${errorText(e)}`, [], e);
        return undefined;
      }
    };

  /** The spec a Train is about, read once, if it has runs; otherwise the user is told why not. */
  const trainable = async (arg: unknown): Promise<{ uri: vscode.Uri; loaded: LoadedSpec; text: string } | undefined> => {
    const uri = specUri(arg);
    if (uri === undefined || !trainingAllowed(log)) return undefined;
    const target = await loadTarget(uri);
    if (target === undefined) return undefined;
    if (target.loaded.runs.length === 0) return void reportUntrainable(log, uri, target.loaded);
    return { uri, ...target };
  };

  /** Trains the spec as it was read, all of it or one variant. */
  const train = async ({ uri, loaded, text }: { uri: vscode.Uri; loaded: LoadedSpec; text: string }, variant?: string): Promise<RnnPanel | undefined> => {
    let runs = loaded.runs;
    if (variant !== undefined) {
      runs = runs.filter((r) => r.variant === variant);
      if (runs.length === 0) {
        log.showError(`${vscode.workspace.asRelativePath(uri)} has no variant "${variant}"; it has ${variantNames(loaded.runs).join(', ')}.`, [
          { title: 'Open spec', run: () => vscode.window.showTextDocument(uri) },
        ]);
        return undefined;
      }
    }
    return panels.train(uri, { runs, text, name: loaded.name, title: loaded.title });
  };

  const reg = (id: string, body: (...args: never[]) => unknown, name: string) => vscode.commands.registerCommand(id, guarded(name, body as (...args: unknown[]) => unknown));

  return [
    reg(
      COMMANDS.train,
      async (arg?: unknown) => {
        const target = await trainable(arg);
        return target && train(target);
      },
      'Train',
    ),
    reg(
      COMMANDS.trainVariant,
      async (arg?: unknown, variant?: unknown) => {
        const target = await trainable(arg);
        if (target === undefined) return undefined;
        if (typeof variant === 'string') return train(target, variant);
        const variants = variantNames(target.loaded.runs);
        const picked = variants.length === 1 ? variants[0] : await vscode.window.showQuickPick(variants, { title: 'Train one variant', placeHolder: 'Which variant?' });
        return picked === undefined ? undefined : train(target, picked);
      },
      'Train variant',
    ),
    reg(
      COMMANDS.openPanel,
      async (arg?: unknown) => {
        const uri = specUri(arg);
        if (uri === undefined) return undefined;
        const target = await loadTarget(uri);
        return target && panels.openSpec(uri, target.loaded.title);
      },
      'Open panel',
    ),
    reg(COMMANDS.stop, control('stop'), 'Stop'),
    reg(COMMANDS.pause, control('pause'), 'Pause'),
    reg(COMMANDS.resume, control('resume'), 'Resume'),
    reg(
      COMMANDS.openRun,
      async (arg?: unknown) => {
        const folder = arg instanceof vscode.Uri ? arg : await pickStoredRun(log);
        return folder && panels.openStored(folder);
      },
      'Open run',
    ),
    reg(COMMANDS.compareRuns, (clicked?: unknown, selected?: unknown) => compareRuns(log, panels, clicked, selected), 'Compare runs'),
    reg(
      COMMANDS.analyseRecording,
      async (arg?: unknown) => {
        let file = arg instanceof vscode.Uri ? arg : undefined;
        if (file === undefined) {
          const picked = await vscode.window.showOpenDialog({
            title: 'Analyse a recording: where does the population sit between aligned and oblique?',
            canSelectMany: false,
            filters: { 'Recordings (.npz, .npy, .safetensors, NWB, MATLAB v7.3, HDF5)': RECORDING_EXTENSIONS },
            openLabel: 'Analyse',
          });
          file = picked?.[0];
        }
        if (file === undefined) return undefined;
        if (file.scheme !== 'file') {
          log.showError(`RNN Lab analyses recordings on disk; ${file.path.split('/').pop() ?? 'this file'} is not a local file.`);
          return undefined;
        }
        const chosen = file;
        return panels.openRecording(chosen, (contents) => askRecordingOptions(chosen, contents));
      },
      'Analyse recording',
    ),
    reg(COMMANDS.newExperiment, (args?: NewExperimentArgs) => newExperiment(c.extensionUri, log, args), 'New experiment'),
    reg(COMMANDS.showLog, () => log.show(), 'Show log'),
    reg(
      COMMANDS.revealProblem,
      (uri: vscode.Uri, line: number, column: number) => revealProblem(uri, line, column),
      'Go to problem',
    ),
    reg(
      COMMANDS.testPanelState,
      (arg?: unknown): PanelStateReport => {
        return { current: panelFor(arg)?.snapshot(), panels: panels.all().map((p) => p.snapshot()), messages: [...log.recent] };
      },
      'Panel state',
    ),
  ];
}
