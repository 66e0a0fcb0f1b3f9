// Shared by the extension-host tests (not a test file itself: mocha-index loads *.test.cjs only).
'use strict';
const vscode = require('vscode');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const EXTENSION_ID = 'rnnlab.rnn-dynamics-lab';
const ROOT = path.resolve(__dirname, '../../..');

/**
 * The repository's own sources, bundled with esbuild from `export ... from './src/...'`
 * lines, with `vscode` resolving to the extension host's API: the tests use the real
 * code and constants, not copies.
 */
function loadSources(lines) {
  const esbuild = require(path.join(ROOT, 'node_modules/esbuild'));
  const out = esbuild.buildSync({
    stdin: { contents: lines.join('\n'), resolveDir: ROOT, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], write: false, logLevel: 'silent',
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-sources-')), 'bundle.cjs');
  fs.writeFileSync(file, out.outputFiles[0].text);
  return require(file);
}

function workspaceRoot() {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders || folders.length === 0) throw new Error('The tests need the fixture workspace: run with --workspace test/e2e/fixtures/workspace (or test/e2e/exthost/run.mjs).');
  return folders[0].uri.fsPath;
}

function fixtureUri(name) {
  return vscode.Uri.file(path.join(workspaceRoot(), name));
}

/** Polls until check() returns a truthy value; the error says what was awaited and the last value seen. */
async function waitFor(check, { timeout = 10_000, interval = 100, what = 'a condition', describe } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > end) {
      const seen = describe ? describe() : '';
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}${seen ? `; last seen: ${seen}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

async function activate() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`Extension ${EXTENSION_ID} is not loaded.`);
  await ext.activate();
  return ext;
}

async function openSpec(name, column = vscode.ViewColumn.One) {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(name));
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
  return { doc, editor };
}

/** Diagnostics of ours for a document, once the extension published them. */
async function ourDiagnostics(uri, { timeout = 10_000, until = (ds) => ds.length > 0, what } = {}) {
  let last = [];
  return waitFor(
    () => {
      last = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'rnnlab');
      return until(last) ? last : undefined;
    },
    { timeout, what: what ?? `diagnostics for ${path.basename(uri.fsPath)}`, describe: () => JSON.stringify(last.map(show)) },
  );
}

function show(d) {
  const r = d.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.code} ${d.message}`;
}

function panelState(arg) {
  return vscode.commands.executeCommand('rnnlab._test.panelState', arg);
}

async function closeAllEditors() {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

module.exports = { EXTENSION_ID, ROOT, loadSources, workspaceRoot, fixtureUri, waitFor, activate, openSpec, ourDiagnostics, panelState, closeAllEditors, show };
