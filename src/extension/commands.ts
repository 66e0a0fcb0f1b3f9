/**
 * The rnnlab.* commands. A command started from a CodeLens, a menu or the explorer gets
 * the spec's URI as its first argument; from the palette it acts on the active spec
 * editor, or on the spec of the panel last used.
 */
import * as vscode from 'vscode';
import type { LoadedSpec } from '../spec';
import { COMMANDS } from './commandIds';
import { newExperiment, type NewExperimentArgs } from './experiment';
import { errorText, type Log } from './log';
import { pickStoredRun } from './openRun';
import type { PanelManager } from './panel/panels';
import type { PanelSnapshot, RnnPanel } from './panel/rnnPanel';
import { SpecPanel } from './panel/specPanel';
import { revealProblem, reportUntrainable } from './specProblems';
import { isSpecDocument, isSpecUri, type SpecCache } from './specs';

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

  /** The spec's document and its state; specs must be files, since runs are stored beside them. */
  const loadTarget = async (uri: vscode.Uri): Promise<{ doc: vscode.TextDocument; loaded: LoadedSpec } | undefined> => {
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
    return { doc, loaded: c.specs.get(doc) };
  };

  /** The panel a Stop/Pause/Resume is for: the given one, else the one training. */
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

  const train = async (arg: unknown, variant?: string): Promise<RnnPanel | undefined> => {
    const uri = specUri(arg);
    if (uri === undefined) return undefined;
    const target = await loadTarget(uri);
    if (target === undefined) return undefined;
    const { loaded } = target;
    if (loaded.runs.length === 0) return void reportUntrainable(log, uri, loaded);
    let runs = loaded.runs;
    if (variant !== undefined) {
      runs = runs.filter((r) => r.variant === variant);
      if (runs.length === 0) {
        const known = [...new Set(loaded.runs.map((r) => r.variant))].join(', ');
        log.showError(`${vscode.workspace.asRelativePath(uri)} has no variant "${variant}"; it has ${known}.`, [
          { title: 'Open spec', run: () => vscode.window.showTextDocument(uri) },
        ]);
        return undefined;
      }
    }
    return panels.train(uri, loaded.name, runs);
  };

  const reg = (id: string, body: (...args: never[]) => unknown, name: string) => vscode.commands.registerCommand(id, guarded(name, body as (...args: unknown[]) => unknown));

  return [
    reg(COMMANDS.train, (arg?: unknown) => train(arg), 'Train'),
    reg(
      COMMANDS.trainVariant,
      async (arg?: unknown, variant?: unknown) => {
        const uri = specUri(arg);
        if (uri === undefined) return undefined;
        if (typeof variant === 'string') return train(uri, variant);
        const target = await loadTarget(uri);
        if (target === undefined) return undefined;
        if (target.loaded.runs.length === 0) return void reportUntrainable(log, uri, target.loaded);
        const variants = [...new Set(target.loaded.runs.map((r) => r.variant))];
        const picked = variants.length === 1 ? variants[0] : await vscode.window.showQuickPick(variants, { title: 'Train one variant', placeHolder: 'Which variant?' });
        return picked === undefined ? undefined : train(uri, picked);
      },
      'Train variant',
    ),
    reg(
      COMMANDS.openPanel,
      async (arg?: unknown) => {
        const uri = specUri(arg);
        if (uri === undefined) return undefined;
        const target = await loadTarget(uri);
        return target && panels.openSpec(uri, target.loaded.name);
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
        const target = typeof arg === 'string' ? panels.get(arg) : arg instanceof vscode.Uri ? panels.get(arg.toString()) : panels.current();
        return { current: target?.snapshot(), panels: panels.all().map((p) => p.snapshot()) };
      },
      'Panel state',
    ),
  ];
}
