/**
 * The panel's link to the extension host. Everything goes through HostTransport, so a
 * test page can fake the host (its own acquireVsCodeApi, or another transport).
 */
import { toPanel, type FromPanel, type PanelRestoreState, type ToPanel } from '../../src/protocol';
import { Channel, type Port } from '../../src/protocol/channel';

export interface HostTransport {
  send(msg: FromPanel, transfer?: ArrayBuffer[]): void;
  /** Checked messages from the host; `onInvalid` hears why one was refused or failed. Returns what stops listening. */
  listen(handler: (msg: ToPanel) => void, onInvalid: (why: string) => void): () => void;
  /** What VS Code keeps across a window reload and gives the host's serializer. */
  setState(state: PanelRestoreState): void;
  /** What this page (or the page before a window reload) last saved with setState; unchecked. */
  getState(): unknown;
}

interface VsCodeApi {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  setState(state: unknown): void;
  getState(): unknown;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page; a second call throws. */
export function vscodeTransport(): HostTransport {
  const api = acquireVsCodeApi();
  const port: Port = {
    post: (msg, transfer) => (transfer.length ? api.postMessage(msg, transfer) : api.postMessage(msg)),
    listen(receive) {
      const onMessage = (e: MessageEvent<unknown>) => receive(e.data);
      window.addEventListener('message', onMessage);
      return () => window.removeEventListener('message', onMessage);
    },
  };
  let onInvalid = (_why: string): void => undefined;
  // The webview trusts its host, but a version skew after an update must give a message, not a crash.
  const channel = new Channel<ToPanel, FromPanel>(port, toPanel, (why) => onInvalid(why));
  return {
    send: (msg, transfer) => channel.send(msg, transfer),
    listen(handler, invalid) {
      onInvalid = invalid;
      const off = channel.onAny(handler);
      return () => {
        off();
        onInvalid = () => undefined;
      };
    },
    setState: (state) => api.setState(state),
    getState: () => api.getState(),
  };
}
