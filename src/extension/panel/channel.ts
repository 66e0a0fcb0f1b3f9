/**
 * The host's end of the panel channel. Messages posted before the page's script listens
 * are lost (a webview attaches its listener only after its script runs), so everything waits for the page's `ready`; the first
 * message after it is always `init`. Every incoming message is checked with isFromPanel
 * first: a refused one is logged and dropped, never acted on.
 */
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, isFromPanel, type FromPanel, type ToPanel } from '../../protocol';
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
  rejected = 0;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly init: () => ToPanel,
    private readonly log: Log,
    private readonly label: string,
  ) {
    super();
    this._register(webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
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
    // postMessage resolves false when the page is gone; that is logged, the panel's own dispose handles the rest.
    this.webview.postMessage(msg).then(
      (ok) => {
        if (!ok) this.log.warn(`[${this.label}] the panel did not take a ${msg.type} message.`);
      },
      (e: unknown) => this.log.error(`[${this.label}] could not post ${msg.type}.`, e),
    );
  }

  private receive(m: unknown): void {
    if (!isFromPanel(m)) {
      this.rejected++;
      this.log.warn(`[${this.label}] refused a message from the panel that does not match the protocol: ${describe(m)}`);
      return;
    }
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

/** A short, safe description of a refused message for the log. */
function describe(m: unknown): string {
  if (typeof m !== 'object' || m === null) return typeof m;
  const type = (m as { type?: unknown }).type;
  const keys = Object.keys(m).slice(0, 8).join(', ');
  return `${typeof type === 'string' ? `type ${JSON.stringify(type.slice(0, 40))}` : 'no type'} (fields: ${keys})`;
}
