/**
 * Quick Fixes for spec diagnostics: the fix the checker attached to a diagnostic (a
 * misspelt key or value, a value out of range, an odd cycling batch, ...) as one edit of
 * the diagnostic's own range. The fix comes from the spec layer, which checked that it
 * resolves the problem; this provider only finds the diagnostic it belongs to.
 */
import * as vscode from 'vscode';
import type { Diagnostic as SpecDiagnostic } from '../spec';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { SpecCache } from './specs';

function sameDiagnostic(vd: vscode.Diagnostic, sd: SpecDiagnostic): boolean {
  const r = vd.range;
  return vd.source === DIAGNOSTIC_SOURCE && vd.code === sd.code && vd.message === sd.message
    && r.start.line === sd.line && r.start.character === sd.column && r.end.line === sd.endLine && r.end.character === sd.endColumn;
}

export class SpecCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly specs: SpecCache) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    // The same version the published diagnostics came from, unless the user typed since:
    // then nothing matches and no stale edit is offered.
    const current = this.specs.get(doc).diagnostics;
    const actions: vscode.CodeAction[] = [];
    for (const vd of ours) {
      const fix = current.find((sd) => sameDiagnostic(vd, sd))?.fix;
      if (fix === undefined) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [vd];
      action.isPreferred = true;
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, vd.range, fix.text);
      actions.push(action);
    }
    return actions;
  }
}
