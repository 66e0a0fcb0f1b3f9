/**
 * Hover and completion for specs from the spec layer (src/spec/assist.ts), which works
 * on offsets into the text; here they become ranges and VS Code items. These stay on
 * when the Red Hat YAML extension is active: its schema hovers lack the paper's
 * defaults by task and the task descriptions.
 */
import * as vscode from 'vscode';
import { completionsAt, hoverAt, type SpecCompletion } from '../spec';

export class SpecHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const hover = hoverAt(doc.getText(), doc.offsetAt(position));
    if (hover === undefined) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(hover.markdown), new vscode.Range(doc.positionAt(hover.start), doc.positionAt(hover.end)));
  }
}

export class SpecCompletionProvider implements vscode.CompletionItemProvider {
  provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    return completionsAt(doc.getText(), doc.offsetAt(position)).map((c, i) => toItem(doc, c, i));
  }
}

function toItem(doc: vscode.TextDocument, c: SpecCompletion, index: number): vscode.CompletionItem {
  const item = new vscode.CompletionItem(c.label, c.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember);
  item.insertText = c.insertText;
  item.range = new vscode.Range(doc.positionAt(c.start), doc.positionAt(c.end));
  // The schema's order (the paper's task order, the keys as documented), not the alphabet.
  item.sortText = String(index).padStart(4, '0');
  if (c.detail !== undefined) item.detail = c.detail;
  if (c.documentation !== undefined) item.documentation = new vscode.MarkdownString(c.documentation);
  // A key that opens a nested mapping ends on a new, indented line: suggest again there.
  if (c.kind === 'key' && c.insertText.includes('\n')) item.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
  return item;
}
