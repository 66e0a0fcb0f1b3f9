/**
 * The page's explorer worker: one Web Worker from the training bundle's blob, started the
 * first time a view kicks and used only for kicks (it never starts a tfjs backend, and a
 * kick never waits behind a training step). Each view talks to it through its own
 * KickClient, keyed by the view; dispose() ends the worker.
 */
import { fromExplorer, type FromExplorer, type KickAnswer, type ToExplorer } from '../../../src/protocol';
import { Channel } from '../../../src/protocol/channel';
import type { WorkerSource } from '../trainer-boot';
import { KickClient } from './kick-client';

export interface ViewKicks {
  answered(answer: KickAnswer, latencyMs: number): void;
  failed(message: string): void;
}

export class ExplorerWorker {
  private worker: Worker | undefined;
  private channel: Channel<FromExplorer, ToExplorer> | undefined;
  private starting: Promise<void> | undefined;
  private readonly clients = new Map<string, KickClient>();
  /** messages for the worker while its bundle is still being fetched */
  private backlog: { msg: ToExplorer; transfer: ArrayBuffer[] }[] = [];
  private disposed = false;
  /** why the worker could not start or died, once it did */
  problem: string | undefined;

  constructor(private readonly source: WorkerSource) {}

  /** The client of one view (made on first use); its messages start the worker. */
  client(key: string, view: ViewKicks): KickClient {
    this.clients.get(key)?.forget();
    const c = new KickClient({
      key,
      send: (msg, transfer) => this.send(msg, transfer),
      answered: (a, ms) => view.answered(a, ms),
      failed: (m) => view.failed(m),
      now: () => performance.now(),
    });
    this.clients.set(key, c);
    return c;
  }

  /** The view closed: the worker forgets its network. */
  release(key: string): void {
    this.clients.get(key)?.forget();
    this.clients.delete(key);
  }

  dispose(): void {
    this.disposed = true;
    this.channel?.close();
    this.worker?.terminate();
    this.worker = undefined;
    this.clients.clear();
    this.backlog = [];
    this.source.dispose();
  }

  private send(msg: ToExplorer, transfer: ArrayBuffer[]): void {
    if (this.disposed) return;
    if (this.channel) return this.channel.send(msg, transfer);
    this.backlog.push({ msg, transfer });
    this.starting ??= this.start();
  }

  private async start(): Promise<void> {
    try {
      const url = await this.source.blobUrl();
      if (this.disposed) return;
      const w = new Worker(url, { name: 'rnnlab-explorer' });
      w.addEventListener('error', (e: ErrorEvent) => {
        e.preventDefault();
        this.fail(`The explorer's worker failed: ${e.message || 'it crashed'}.`);
      });
      this.worker = w;
      this.channel = new Channel<FromExplorer, ToExplorer>(
        {
          post: (m, t) => w.postMessage(m, t),
          listen(receive) {
            const on = (e: MessageEvent<unknown>) => receive(e.data);
            w.addEventListener('message', on);
            return () => w.removeEventListener('message', on);
          },
        },
        fromExplorer,
        (why) => console.error(`explorer worker: ${why}`),
      );
      this.channel.onAny((m) => this.clients.get(m.key)?.receive(m));
      for (const { msg, transfer } of this.backlog.splice(0)) this.channel.send(msg, transfer);
    } catch (e) {
      this.fail(`The explorer's worker could not start: ${(e as Error).message}.`);
    }
  }

  private fail(why: string): void {
    this.problem = why;
    this.channel?.close();
    this.channel = undefined;
    this.worker?.terminate();
    this.worker = undefined;
    this.starting = undefined;
    this.backlog = [];
    for (const [key, c] of this.clients) c.receive({ type: 'kickFailed', key, seq: Number.MAX_SAFE_INTEGER, message: why });
  }
}
