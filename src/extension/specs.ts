/**
 * Which documents are specs, and their parsed state. *.rnn.yaml stays in the YAML
 * language (so the Red Hat YAML extension still applies), so specs are recognised by a
 * file-name pattern, not by a language id.
 */
import * as vscode from 'vscode';
import { loadSpec, type Diagnostic as SpecDiagnostic, type LoadedSpec } from '../spec';

const SPEC_GLOB = '**/*.rnn.yaml';
export const SPEC_SELECTOR: vscode.DocumentSelector = { pattern: SPEC_GLOB };

export function isSpecUri(uri: vscode.Uri): boolean {
  return uri.path.endsWith('.rnn.yaml');
}

export function isSpecDocument(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(SPEC_SELECTOR, doc) > 0;
}

export function firstError(loaded: LoadedSpec): SpecDiagnostic | undefined {
  return loaded.diagnostics.find((d) => d.severity === 'error');
}

/**
 * loadSpec results by document and version: diagnostics, CodeLens and the commands ask
 * for the same version within milliseconds of each other, and a big spec's memory
 * checks are not free.
 */
export class SpecCache implements vscode.Disposable {
  private readonly entries = new Map<string, { version: number; loaded: LoadedSpec }>();
  private readonly onClose: vscode.Disposable;

  constructor() {
    this.onClose = vscode.workspace.onDidCloseTextDocument((d) => this.entries.delete(d.uri.toString()));
  }

  get(doc: vscode.TextDocument): LoadedSpec {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.loaded;
    const loaded = loadSpec(doc.getText(), doc.fileName);
    this.entries.set(key, { version: doc.version, loaded });
    return loaded;
  }

  dispose(): void {
    this.onClose.dispose();
    this.entries.clear();
  }
}
