/**
 * The host's end of the panel channel. Messages posted before the page's script listens
 * are lost (a webview attaches its listener only after its script runs), so everything waits for the page's `ready`; the first
 * message after it is always `init`. Every incoming message is checked (src/protocol)
 * first: a refused one is logged and dropped, never acted on.
 */
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, fromPanel, type FromPanel, type ToPanel } from '../../protocol';
import { Channel, type Port } from '../../protocol/channel';
import { Disposable } from '../dispose';
import type { Log } from '../log';

export class PanelChannel extends Disposable {
  private ready = false;
  private queue: ToPanel[] = [];
  private readonly received = this._register(new vscode.EventEmitter<FromPanel>());
  private readonly readied = this._register(new vscode.EventEmitter<void>());
  /** A checked message other than `ready`. */
  readonly onMessage = this.received.event;
  /** The page (re)started and got its `init`. */
  readonly onReady = this.readied.event;
  /** Types of the messages posted to the page, in order (for the extension-host tests). */
  readonly sent: string[] = [];
  private readonly channel: Channel<FromPanel, ToPanel>;

  constructor(
    webview: vscode.Webview,
    private readonly init: () => ToPanel,
    private readonly log: Log,
    private readonly label: string,
  ) {
    super();
    this.channel = new Channel<FromPanel, ToPanel>(webviewPort(webview, log, label), fromPanel, (why) =>
      this.log.warn(`[${this.label}] refused a message from the panel that does not match the protocol: ${why}`),
    );
    this._register({ dispose: () => this.channel.close() });
    this.channel.onAny((m) => this.receive(m));
  }

  /** Messages from the page that the protocol refused. */
  get rejected(): number {
    return this.channel.refused;
  }

  get isReady(): boolean {
    return this.ready;
  }

  post(msg: ToPanel): void {
    if (this.isDisposed) return;
    if (!this.ready) {
      this.queue.push(msg);
      return;
    }
    this.send(msg);
  }

  private send(msg: ToPanel): void {
    this.sent.push(msg.type);
    this.channel.send(msg);
  }

  private receive(m: FromPanel): void {
    if (m.type !== 'ready') {
      this.received.fire(m);
      return;
    }
    if (m.version !== PROTOCOL_VERSION) {
      this.log.showError(
        `The RNN Lab panel speaks protocol version ${m.version}, the extension ${PROTOCOL_VERSION}: rebuild with npm run build and reload the window.`,
        [{ title: 'Reload window', run: () => vscode.commands.executeCommand('workbench.action.reloadWindow') }],
      );
      return;
    }
    // A second `ready` means the page reloaded: it starts over from `init`.
    this.ready = true;
    this.send(this.init());
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) this.send(q);
    this.readied.fire();
  }
}

/** A webview as a Port. It transfers nothing: VS Code copies what crosses to the host. */
function webviewPort(webview: vscode.Webview, log: Log, label: string): Port {
  return {
    post(message) {
      const type = (message as { type: string }).type;
      // postMessage resolves false when the page is gone; that is logged, the panel's own dispose handles the rest.
      webview.postMessage(message).then(
        (ok) => {
          if (!ok) log.warn(`[${label}] the panel did not take a ${type} message.`);
        },
        (e: unknown) => log.error(`[${label}] could not post ${type}.`, e),
      );
    },
    listen(receive) {
      const d = webview.onDidReceiveMessage(receive);
      return () => d.dispose();
    },
  };
}
