/**
 * The panel's link to the extension host. Everything goes through HostTransport, so a
 * test page can fake the host (its own acquireVsCodeApi, or another transport).
 */
import { isEnvelope, PROTOCOL_VERSION, type FromPanel, type PanelRestoreState, type ToPanel } from '../../src/protocol';

export interface HostTransport {
  send(msg: FromPanel, transfer?: Transferable[]): void;
  /** returns a function that removes the listener */
  listen(handler: (msg: ToPanel) => void, onInvalid: (why: string) => void): () => void;
  /** What VS Code keeps across a window reload and gives the host's serializer. */
  setState(state: PanelRestoreState): void;
}

interface VsCodeApi {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page; a second call throws. */
export function vscodeTransport(): HostTransport {
  const api = acquireVsCodeApi();
  return {
    send: (msg, transfer) => (transfer?.length ? api.postMessage(msg, transfer) : api.postMessage(msg)),
    listen(handler, onInvalid) {
      const onMessage = (e: MessageEvent<unknown>) => {
        const why = invalidToPanel(e.data);
        if (why) return onInvalid(why);
        try {
          handler(e.data as ToPanel);
        } catch (err) {
          // Whatever the checks above missed: a sentence for the user and the log, not an uncaught error.
          onInvalid(`${(e.data as { type: string }).type} failed: ${(err as Error)?.message ?? String(err)}`);
        }
      };
      window.addEventListener('message', onMessage);
      return () => window.removeEventListener('message', onMessage);
    },
    setState: (state) => api.setState(state),
  };
}

// As src/protocol.ts's own isRecord, which it does not export.
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Runs the panel can list and train: a step count that sizes the loss buffer, a variant to group by. */
const isRunList = (v: unknown) =>
  Array.isArray(v) &&
  v.every((r) => isRecord(r) && typeof r.name === 'string' && typeof r.variant === 'string' && isRecord(r.network) && isRecord(r.training) && Number.isSafeInteger(r.training.steps) && (r.training.steps as number) >= 0);
const isSessionRef = (v: unknown) => isRecord(v) && typeof v.id === 'string' && typeof v.dir === 'string';

/**
 * Why a message is not a ToPanel we can use, or undefined. The webview trusts its
 * host, but a version skew after an update must give a message, not a crash.
 */
export function invalidToPanel(m: unknown): string | undefined {
  if (!isRecord(m) || typeof m.type !== 'string') return 'a message without a type';
  switch (m.type) {
    case 'init':
      if (m.version !== PROTOCOL_VERSION) return `protocol version ${String(m.version)} from the host; this panel speaks ${PROTOCOL_VERSION}. Reload the window.`;
      if (typeof m.specName !== 'string' || !isRunList(m.runs)) return 'init without specName or runs';
      // Results of runs that train must name their session, or the host cannot store them.
      if (m.autoStart === true ? !isSessionRef(m.session) : m.session !== undefined && !isSessionRef(m.session)) return 'init without a session to train in';
      return undefined;
    case 'train':
      return isRunList(m.runs) && isSessionRef(m.session) ? undefined : 'train without runs or session';
    case 'notice':
      return (m.level === 'info' || m.level === 'error') && typeof m.message === 'string' ? undefined : 'notice without level or message';
    case 'pause':
    case 'resume':
    case 'stop':
      return undefined;
    case 'specChanged':
      return typeof m.changed === 'boolean' && typeof m.valid === 'boolean' ? undefined : 'specChanged without changed/valid';
    case 'visibility':
      return typeof m.visible === 'boolean' ? undefined : 'visibility without visible';
    case 'showRun':
      return isRunList([m.run]) && isRecord(m.metrics) && isEnvelope(m.view) ? undefined : 'showRun without run, metrics or a view envelope';
    case 'stored':
      return typeof m.runName === 'string' && typeof m.folder === 'string' ? undefined : 'stored without runName or folder';
    case 'storeFailed':
      return typeof m.runName === 'string' && typeof m.message === 'string' ? undefined : 'storeFailed without runName or message';
    default:
      return `unknown message type ${JSON.stringify(m.type)}`;
  }
}
