/**
 * RNN Dynamics Lab in the VS Code extension host: spec diagnostics, hover, completion
 * and CodeLens, the commands, the training panels and the run store. Everything goes
 * into context.subscriptions: on deactivation VS Code disposes it, and a panel closed
 * that way first asks its page to stop training.
 */
import * as vscode from 'vscode';
import { SpecCompletionProvider, SpecHoverProvider } from './assist';
import { SpecCodeActionProvider } from './codeActions';
import { SpecCodeLensProvider } from './codelens';
import { PANEL_VIEW_TYPE } from './commandIds';
import { registerCommands } from './commands';
import { SpecDiagnostics } from './diagnostics';
import { Log, errorText } from './log';
import { PanelManager } from './panel/panels';
import { SpecCache, SPEC_SELECTOR } from './specs';
import { TrainingStatusBar } from './statusBar';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const specs = new SpecCache();
    const diagnostics = new SpecDiagnostics(specs);
    const lenses = new SpecCodeLensProvider(specs, diagnostics.onDidUpdate);
    const panels = new PanelManager({ extensionUri: context.extensionUri, log, specs });
    context.subscriptions.push(
      specs,
      diagnostics,
      lenses,
      panels,
      new TrainingStatusBar(panels),
      vscode.languages.registerHoverProvider(SPEC_SELECTOR, new SpecHoverProvider()),
      vscode.languages.registerCompletionItemProvider(SPEC_SELECTOR, new SpecCompletionProvider()),
      vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, lenses),
      vscode.languages.registerCodeActionsProvider(SPEC_SELECTOR, new SpecCodeActionProvider(specs), SpecCodeActionProvider.metadata),
      ...registerCommands({ extensionUri: context.extensionUri, log, specs, panels }),
      // Without a serializer VS Code drops the panels on a window reload (package.json: onWebviewPanel activation).
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, panels),
    );
    log.info(`RNN Lab ${String(context.extension.packageJSON.version ?? '')} activated in VS Code ${vscode.version}`);
  } catch (e) {
    // VS Code shows no notification when an extension fails to activate, so say it here.
    log.showError(`RNN Lab could not start: ${errorText(e)}`, [], e);
    throw e;
  }
}
