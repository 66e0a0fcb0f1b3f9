/**
 * The panel's page, under the CSP of csp.ts. The only inline script is a JSON block,
 * which never executes.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, type PanelAssets, type PageMode, type PanelBoot } from '../../protocol';
import { WASM_FILES } from './assets';
import { contentSecurityPolicy } from './csp';


export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Training runs in the page's worker: without this, hiding the tab kills it and the run restarts.
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function newNonce(): string {
  return randomBytes(16).toString('base64');
}

function panelAssets(webview: vscode.Webview, extensionUri: vscode.Uri): PanelAssets {
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  return {
    workerUrl: uri('dist', 'webview', 'worker.js'),
    wasmUrls: Object.fromEntries(WASM_FILES.map((f) => [f, uri('dist', f)])),
  };
}

/**
 * JSON inside a script element ends at the first `</script`, and a spec name is user
 * text: escaping <, > and & keeps the JSON equal and the element closed where it should be.
 */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A fresh nonce per render: a page must never reuse one. `resource` is the spec's URI
 * (live) or the stored run folder's (stored), and `folders` the compared run folders
 * (compare); the page keeps them for a window reload.
 */
export function renderPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, specName: string, mode: PageMode, resource: vscode.Uri, folders?: readonly string[]): string {
  const nonce = newNonce();
  const boot: PanelBoot = { version: PROTOCOL_VERSION, assets: panelAssets(webview, extensionUri), specName, mode, resource: resource.toString(), ...(folders ? { folders: [...folders] } : {}) };
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString();
  const js = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'panel.js')).toString();
  // The bundled stylesheets of the page's libraries (uPlot), before the panel's own.
  const libCss = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'panel.css')).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(libCss)}">
<link rel="stylesheet" href="${escapeHtml(css)}">
<title>RNN Lab: ${escapeHtml(specName)}</title>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="rnnlab-boot">${jsonForScript(boot)}</script>
<script nonce="${nonce}" src="${escapeHtml(js)}"></script>
</body>
</html>
`;
}

/**
 * A page with one message and no script, for a panel that cannot be shown (a window
 * reload brought back a panel whose state makes no sense, or the bundle is missing).
 */
export function renderMessageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, message: string): string {
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}">
<link rel="stylesheet" href="${escapeHtml(css)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<p class="fatal" role="alert">${escapeHtml(message)}</p>
</body>
</html>
`;
}
