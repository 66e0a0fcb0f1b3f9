/**
 * Spec diagnostics in the Problems view: at once when a spec opens, 250 ms after the
 * last keystroke while typing, gone when it closes. A result is published only for the
 * version it was computed from, so a slow parse never overwrites a newer one.
 */
import * as vscode from 'vscode';
import type { Diagnostic as SpecDiagnostic, Severity } from '../spec';
import { Disposable } from './dispose';
import { isSpecDocument, type SpecCache } from './specs';

const DEBOUNCE_MS = 250;

/** The source of every spec diagnostic, which the Quick Fix provider looks for. */
export const DIAGNOSTIC_SOURCE = 'rnnlab';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toVscodeDiagnostic(d: SpecDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.line, d.column, d.endLine, d.endColumn);
  const out = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  return out;
}

export class SpecDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('rnnlab'));
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires after a spec's diagnostics were republished (CodeLens follows it). */
  readonly onDidUpdate = this.changed.event;

  constructor(private readonly specs: SpecCache) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)));
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isSpecDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    const version = doc.version;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        // A newer change has its own timer; a closed document is gone.
        if (!doc.isClosed && doc.version === version) this.refresh(doc);
      }, DEBOUNCE_MS),
    );
  }

  private refresh(doc: vscode.TextDocument): void {
    if (!isSpecDocument(doc) || doc.isClosed) return;
    this.collection.set(doc.uri, this.specs.get(doc).diagnostics.map(toVscodeDiagnostic));
    this.changed.fire(doc.uri);
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(uri);
  }

  override dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    super.dispose();
  }
}
