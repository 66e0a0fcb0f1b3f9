/**
 * Entry of the panel page (dist/webview/panel.js). The host page holds #app, the
 * #rnnlab-boot JSON block, media/panel.css and this script under a strict CSP.
 */
// uPlot's own stylesheet, bundled into dist/webview/panel.css beside the script.
import 'uplot/dist/uPlot.min.css';
import { PanelApp } from './app';
import { readBootData, type BootData } from './boot-data';
import { RecordingApp } from './recording/recording-app';
import { h } from './dom';
import { vscodeTransport, type HostTransport } from './transport';

declare global {
  interface Window {
    /** The running panel, for tests and bug reports (state, renderer.info, frame times). */
    rnnlabPanel?: PanelApp;
    /** The recordings page, when the panel shows a recording. */
    rnnlabRecording?: RecordingApp;
  }
}

function main(): void {
  const root = document.getElementById('app') ?? document.body.appendChild(h('div', { attrs: { id: 'app' } }));
  let transport: HostTransport;
  try {
    transport = vscodeTransport();
  } catch (err) {
    root.replaceChildren(h('p', { class: 'fatal', text: `This page runs inside VS Code's RNN Dynamics Lab panel only (${(err as Error).message}).` }));
    return;
  }
  // The CSP is what keeps the webview safe; a violation is a bug worth hearing about.
  document.addEventListener('securitypolicyviolation', (e) => {
    transport.send({ type: 'log', level: 'warn', message: `CSP violation in the panel: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}` });
  });
  let app: PanelApp | RecordingApp;
  try {
    const boot: BootData = readBootData(document);
    if (boot.mode === 'recording') {
      const recording = new RecordingApp(root, transport, boot);
      window.rnnlabRecording = recording;
      app = recording;
    } else {
      const panel = new PanelApp(root, transport, { ...boot, mode: boot.mode });
      window.rnnlabPanel = panel;
      app = panel;
    }
  } catch (err) {
    const message = (err as Error).message;
    root.replaceChildren(h('p', { class: 'fatal', text: `The panel could not start: ${message}` }));
    transport.send({ type: 'log', level: 'error', message: `panel failed to start: ${message}` });
    return;
  }
  // VS Code tears the webview's document down on dispose: free the worker and the GPU first.
  window.addEventListener('pagehide', () => app.dispose(), { once: true });
  app.start();
}

main();
