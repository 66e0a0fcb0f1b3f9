/**
 * The lenses on the first line of a spec: Train, one Train per variant and Open panel
 * while the spec is valid; its first error instead of Train while it is not (a click
 * goes to the line). They follow the diagnostics, so both always agree.
 */
import * as vscode from 'vscode';
import { variantNames } from '../spec/names';
import { firstError, type SpecCache } from './specs';
import { COMMANDS } from './commandIds';
import { Disposable } from './dispose';
import { TRUST_NEEDED } from './trust';

const MAX_MESSAGE = 80;

export class SpecCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly specs: SpecCache,
    onSpecsUpdated: vscode.Event<unknown>,
    private readonly trusted: () => boolean = () => vscode.workspace.isTrusted,
  ) {
    super();
    this._register(onSpecsUpdated(() => this.changed.fire()));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const loaded = this.specs.get(doc);
    const top = new vscode.Range(0, 0, 0, 0);
    const open = new vscode.CodeLens(top, { title: 'Open panel', command: COMMANDS.openPanel, arguments: [doc.uri] });
    const error = firstError(loaded);
    if (error !== undefined) {
      const title = `⚠ ${shorten(error.message)} (line ${error.line + 1})`;
      return [
        new vscode.CodeLens(top, {
          title,
          tooltip: error.message,
          command: COMMANDS.revealProblem,
          arguments: [doc.uri, error.line, error.column],
        }),
        open,
      ];
    }
    if (!this.trusted()) {
      // Restricted Mode: the spec is checked, but training waits for trust (trust.ts)
      return [new vscode.CodeLens(top, { title: '🔒 Train needs a trusted workspace', tooltip: TRUST_NEEDED, command: 'workbench.trust.manage' }), open];
    }
    const variants = variantNames(loaded.runs);
    const lenses = [new vscode.CodeLens(top, { title: '▶ Train', tooltip: `Train all ${loaded.runs.length} runs`, command: COMMANDS.train, arguments: [doc.uri] })];
    if (variants.length > 1) {
      for (const v of variants) lenses.push(new vscode.CodeLens(top, { title: `Train ${v}`, command: COMMANDS.trainVariant, arguments: [doc.uri, v] }));
    }
    lenses.push(open);
    return lenses;
  }
}

function shorten(s: string): string {
  const [line = ''] = s.split('\n');
  return line.length <= MAX_MESSAGE ? line : `${line.slice(0, MAX_MESSAGE - 1)}…`;
}
