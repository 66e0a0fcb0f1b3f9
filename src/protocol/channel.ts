/**
 * The typed channel every transport is built on: the host's end of the panel, the
 * page's end, a worker's owner and the worker itself. A Port is whatever carries
 * structured-clone messages (a webview, a Worker, a worker thread's port); the channel
 * checks every message that arrives before any handler sees it, routes it by `type`, and
 * turns a handler's exception into a reported problem instead of an uncaught error.
 */
import type { Validator } from './check';

export interface Port {
  /** ArrayBuffers in `transfer` move to the other side; the sender's copies are detached. */
  post(message: unknown, transfer: ArrayBuffer[]): void;
  /** Calls `receive` with every message that arrives; returns what stops that. */
  listen(receive: (data: unknown) => void): () => void;
}

type Handler<M> = (msg: M) => void;

export class Channel<In extends { type: string }, Out extends { type: string }> {
  private readonly byType = new Map<string, Set<Handler<In>>>();
  private readonly any = new Set<Handler<In>>();
  private readonly unlisten: () => void;
  private closed = false;
  /** messages refused by the check (for tests and logs) */
  refused = 0;

  constructor(
    private readonly port: Port,
    private readonly check: Validator<In>,
    /** a message refused by its check, or whose handler threw: what went wrong, as a clause */
    private readonly onProblem: (why: string) => void,
  ) {
    this.unlisten = port.listen((data) => this.receive(data));
  }

  send(msg: Out, transfer: ArrayBuffer[] = []): void {
    if (!this.closed) this.port.post(msg, transfer);
  }

  /** Handle every checked message of one type; returns what removes the handler. */
  on<K extends In['type']>(type: K, handler: Handler<Extract<In, { type: K }>>): () => void {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new Set()));
    const h = handler as Handler<In>;
    set.add(h);
    return () => set.delete(h);
  }

  /** Handle every checked message. */
  onAny(handler: Handler<In>): () => void {
    this.any.add(handler);
    return () => this.any.delete(handler);
  }

  /** Stop listening and sending; handlers are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.byType.clear();
    this.any.clear();
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    const why = this.check.problem(data);
    if (why !== undefined) {
      this.refused++;
      this.onProblem(why);
      return;
    }
    const msg = data as In;
    for (const h of [...(this.byType.get(msg.type) ?? []), ...this.any]) {
      try {
        h(msg);
      } catch (err) {
        this.onProblem(`${msg.type} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
