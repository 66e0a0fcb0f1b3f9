/**
 * The page's side of one view's kicks (src/protocol/explorer.ts). A drag asks for dozens
 * of amplitudes a second; the client keeps at most one kick in flight and, while it is,
 * remembers only the latest request, which goes out when the answer comes. So the picture
 * follows the slider with at most one stale simulation in between, however fast the drag.
 */
import { toEnvelope } from '../../../src/core/pack';
import { decodeKickAnswer, type ExplorerSetup, type FromExplorer, type KickAnswer, type KickRequest, type ToExplorer } from '../../../src/protocol';

export interface KickClientOptions {
  key: string;
  send(msg: ToExplorer, transfer: ArrayBuffer[]): void;
  /** an answer, and the time since the user asked for it (or for a request it replaced) */
  answered(answer: KickAnswer, latencyMs: number): void;
  failed(message: string): void;
  now(): number;
}

export class KickClient {
  private seq = 0;
  private inFlight: { seq: number; askedAt: number } | null = null;
  private queued: { request: KickRequest; askedAt: number } | null = null;
  private dims: { T: number; dOut: number } | null = null;

  constructor(private readonly o: KickClientOptions) {}

  /** Sends the view's network (copied: the setup's arrays stay usable). */
  setup(s: ExplorerSetup): void {
    this.dims = { T: s.T, dOut: s.dOut };
    this.inFlight = null;
    this.queued = null;
    const env = toEnvelope(s);
    this.o.send({ type: 'explorerSetup', key: this.o.key, setup: env }, [env.buffer]);
  }

  request(request: KickRequest): void {
    const askedAt = this.o.now();
    // A queued request keeps the time of the first one it replaced: the user has waited since then.
    if (this.inFlight) this.queued = { request, askedAt: this.queued?.askedAt ?? askedAt };
    else this.send(request, askedAt);
  }

  /** Hand every message from the explorer channel here; others' keys are ignored. */
  receive(msg: FromExplorer): void {
    if (msg.key !== this.o.key) return;
    if (msg.seq === -1 && msg.type === 'kickFailed') return this.o.failed(msg.message);
    const flight = this.inFlight;
    if (!flight || msg.seq < flight.seq) return;
    this.inFlight = null;
    const next = this.queued;
    this.queued = null;
    if (next) this.send(next.request, next.askedAt);
    if (msg.type === 'kickFailed') return this.o.failed(msg.message);
    if (!this.dims) return;
    let answer: KickAnswer;
    try {
      answer = decodeKickAnswer(msg.answer, this.dims);
    } catch (e) {
      return this.o.failed((e as Error).message);
    }
    this.o.answered(answer, this.o.now() - flight.askedAt);
  }

  /** The view closed: the worker drops its network. */
  forget(): void {
    this.inFlight = null;
    this.queued = null;
    this.o.send({ type: 'explorerForget', key: this.o.key }, []);
  }

  /** a kick is in flight (tests, diagnostics) */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  private send(request: KickRequest, askedAt: number): void {
    const seq = ++this.seq;
    this.inFlight = { seq, askedAt };
    this.o.send({ type: 'kick', key: this.o.key, seq, request }, []);
  }
}
