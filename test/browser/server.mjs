// A tiny static server for the browser tests: dist/ and media/ from the repo, the host
// stub, and a panel page shaped like the host's, under the panel's strict CSP (header and
// meta). Listens on 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { contentSecurityPolicy } from '../../src/extension/panel/csp.ts';
import { PROTOCOL_VERSION } from '../../src/protocol/version.ts';

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.map': 'application/json', '.html': 'text/html' };
const WASM = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'rnn-kernel.wasm'];

/** The extension's own panel CSP, with `'self'` for webview.cspSource (needs tsx: node --import tsx). */
export function csp(nonce) {
  return contentSecurityPolicy("'self'", nonce);
}

function page(nonce, q) {
  // ?wasm=missing points the wasm URLs at files that do not exist (the cpu fallback test).
  const wasmUrls = Object.fromEntries(WASM.map((n) => [n, q.get('wasm') === 'missing' ? `/dist/missing-${n}` : `/dist/${n}`]));
  // ?mode=stored boots the page as the host's stored-run panel does, ?mode=compare as its compare panel (with ?folders=a,b).
  const mode = q.get('mode') || 'live';
  const resource = mode === 'stored' ? 'file:///ws/.rnnlab/runs/tiny-20260101-000000/aligned-s0' : 'file:///ws/tiny.rnn.yaml';
  const folders = mode === 'compare' ? (q.get('folders') || '/ws/.rnnlab/runs/tiny-20260101-000000/aligned-s0,/ws/.rnnlab/runs/tiny-20260101-000000/oblique-s0').split(',') : undefined;
  const boot = { version: PROTOCOL_VERSION, assets: { workerUrl: '/dist/webview/worker.js', wasmUrls }, specName: q.get('spec') || 'tiny', mode, resource, ...(folders ? { folders } : {}) };
  const theme = q.get('theme') || 'dark';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp(nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/dist/webview/panel.css">
<link rel="stylesheet" href="/media/panel.css">
<script nonce="${nonce}" src="/test/host-stub.js"></script>
<title>RNN Dynamics Lab</title>
</head>
<body class="vscode-${theme === 'high-contrast' ? 'high-contrast' : theme}">
<div id="app"></div>
<script type="application/json" id="rnnlab-boot">${JSON.stringify(boot).replace(/</g, '\\u003c')}</script>
<script nonce="${nonce}" src="/dist/webview/panel.js"></script>
</body>
</html>`;
}

/** @returns {Promise<{url: string, close: () => Promise<void>, requests: string[]}>} */
export async function startServer(root) {
  const requests = [];
  const files = {
    '/test/host-stub.js': path.join(root, 'test/browser/host-stub.js'),
  };
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    requests.push(u.pathname);
    try {
      if (req.method !== 'GET') throw Object.assign(new Error('method'), { status: 405 });
      if (u.pathname === '/' || u.pathname === '/panel.html') {
        const nonce = randomBytes(16).toString('base64');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp(nonce), 'cache-control': 'no-store' });
        res.end(page(nonce, u.searchParams));
        return;
      }
      let file = files[u.pathname];
      if (!file && (u.pathname.startsWith('/dist/') || u.pathname.startsWith('/media/'))) {
        file = path.join(root, path.normalize(u.pathname).replace(/^[/\\]+/, ''));
        if (!file.startsWith(path.join(root, 'dist')) && !file.startsWith(path.join(root, 'media'))) file = undefined;
      }
      if (!file) throw Object.assign(new Error('not found'), { status: 404 });
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch (e) {
      res.writeHead(e.status || 404, { 'content-type': 'text/plain' });
      res.end(e.status === 405 ? 'method not allowed' : 'not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
