/**
 * The owner's side of one training worker, the same for the CLI's worker threads and the
 * panel's Web Workers: start it (init, raced against a timeout, since a failed wasm
 * compile never settles; a fresh worker on cpu when the asked-for backend cannot start),
 * hand it one run at a time, pause or stop that run, and notice when the worker dies
 * (an uncaught error, out of memory, killed): the run it held fails with the reason, and
 * the worker is never used again.
 */
import type { BackendInfo } from '../core/backend';
import type { Envelope } from '../core/pack';
import type { BackendChoice, RunConfig } from '../core/types';
import { Channel, type Port } from '../protocol/channel';
import { PROTOCOL_VERSION, fromTrainer, type FromTrainer, type ToTrainer, type WasmSource } from '../protocol';

/** A started worker as its owner sees it: a port, plus its death and its end. */
export interface TrainerWorker extends Port {
  /** Each listener is called once when the worker can no longer be used (an uncaught error, an exit, an unreadable message), with why. */
  onDeath(listener: (why: string) => void): void;
  terminate(): void;
}

/** The platform's part of starting a worker: a worker thread in Node, a Web Worker from a blob in the panel. */
export interface TrainerPlatform {
  /** A fresh worker running src/trainer/service.ts, to be started on `backend`. */
  spawn(backend: BackendChoice): Promise<TrainerWorker>;
  /** How that worker gets the wasm binaries (a folder in Node; bytes in a webview, which are transferred). */
  wasm(backend: BackendChoice): Promise<WasmSource | undefined>;
  /** true once nobody wants a worker any more (the panel closed): nothing is spawned after that */
  cancelled?(): boolean;
}

/** A start that failed on another backend than the one asked for: tfjs's wasm, which every choice but cpu needs to evaluate. */
export class BackendFailure extends Error {
  constructor(
    readonly backend: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long a worker may take from init to ready. The worker's own backend timeout is shorter, so its reason arrives first. */
export const INIT_TIMEOUT_MS = 25_000;

/** The messages of one run, as they arrive. */
export type RunMessage = Exclude<FromTrainer, { type: 'ready' | 'initFailed' | 'finished' | 'failed' }>;

export interface RunListener {
  /** started, step, evaluation, analysis */
  message(msg: RunMessage): void;
  /** the RunResult envelope; its buffer is the listener's to transfer */
  finished(result: Envelope): void;
  failed(message: string, step?: number): void;
}

export class TrainerClient {
  private current: { runId: string; listener: RunListener } | undefined;
  private dead: string | undefined;
  private readonly channel: Channel<FromTrainer, ToTrainer>;

  private constructor(
    private readonly worker: TrainerWorker,
    /** the backend it runs and why */
    readonly backend: BackendInfo,
    /** the spec's choice it was started for */
    readonly choice: BackendChoice,
    channel: Channel<FromTrainer, ToTrainer>,
    /** from spawning to ready, both attempts included */
    readonly startupMs: number,
  ) {
    this.channel = channel;
    channel.onAny((m) => this.receive(m));
    worker.onDeath((why) => this.die(`the training worker stopped: ${why}`));
  }

  /** A ready worker for `choice`, else a fresh one on cpu, else an Error with both reasons. */
  static async start(platform: TrainerPlatform, choice: BackendChoice, opts: { initTimeoutMs?: number; log?: (message: string) => void } = {}): Promise<TrainerClient> {
    const t0 = performance.now();
    const timeoutMs = opts.initTimeoutMs ?? INIT_TIMEOUT_MS;
    const client = (s: Started, reason = s.backend.reason) => {
      const c = new TrainerClient(s.worker, { ...s.backend, reason }, choice, s.channel, performance.now() - t0);
      // The worker is this build's own code: a message it sends that the protocol refuses means it is broken.
      s.refusals.to = (why) => c.die(`the training worker sent a message the protocol refuses (${why})`);
      return c;
    };
    try {
      return client(await startOnce(platform, choice, timeoutMs));
    } catch (err) {
      const first = (err as Error).message;
      if (platform.cancelled?.()) throw err;
      if (choice === 'cpu') throw new Error(`The training worker did not start on cpu: ${first}`);
      const tried = err instanceof BackendFailure ? err.backend : choice;
      opts.log?.(`the ${tried} backend failed, starting a fresh worker on cpu: ${first}`);
      try {
        return client(await startOnce(platform, 'cpu', timeoutMs), `${tried} failed (${first}); cpu is 20-30x slower`);
      } catch (err2) {
        throw new Error(`The training worker did not start. ${tried}: ${first} cpu: ${(err2 as Error).message}`);
      }
    }
  }

  /** Why the worker died, or undefined while it is usable. */
  get deathReason(): string | undefined {
    return this.dead;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** A run is in progress (until its finished or failed arrives). */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Train `run`; the listener hears its messages until finished or failed. One run at a time. */
  train(runId: string, run: RunConfig, listener: RunListener): void {
    if (this.dead !== undefined) return listener.failed(this.dead);
    if (this.current) throw new Error(`This worker is training ${this.current.runId}; it takes one run at a time.`);
    this.current = { runId, listener };
    this.channel.send({ type: 'train', runId, run });
  }

  pause(): void {
    this.channel.send({ type: 'pause' });
  }

  resume(): void {
    this.channel.send({ type: 'resume' });
  }

  /** Stop the run between steps; it still evaluates and reports what it has. */
  stop(): void {
    this.channel.send({ type: 'stop' });
  }

  /** End the worker now. A run in progress reports nothing more. */
  terminate(): void {
    if (this.dead === undefined) this.dead = 'the training worker was ended';
    this.current = undefined;
    this.channel.close();
    this.worker.terminate();
  }

  private receive(m: FromTrainer): void {
    const cur = this.current;
    if (!cur || !('runId' in m) || m.runId !== cur.runId) return;
    if (m.type === 'finished' || m.type === 'failed') {
      // The worker is free again from this message on: the listener may hand it the next run at once.
      this.current = undefined;
      if (m.type === 'finished') cur.listener.finished(m.result);
      else cur.listener.failed(m.message, m.step);
      return;
    }
    cur.listener.message(m);
  }

  /** The worker is unusable: end it, and fail the run it held with `why`. */
  die(why: string): void {
    if (this.dead !== undefined) return;
    this.dead = why;
    const cur = this.current;
    this.current = undefined;
    this.channel.close();
    this.worker.terminate();
    cur?.listener.failed(why);
  }
}

interface Started {
  worker: TrainerWorker;
  channel: Channel<FromTrainer, ToTrainer>;
  backend: BackendInfo;
  /** where the channel's refusals go from now on */
  refusals: { to: (why: string) => void };
}

async function startOnce(platform: TrainerPlatform, backend: BackendChoice, timeoutMs: number): Promise<Started> {
  const wasm = await platform.wasm(backend);
  if (platform.cancelled?.()) throw new Error('cancelled: the panel was closed');
  const worker = await platform.spawn(backend);
  let problem: string | undefined;
  const refusals = { to: (why: string) => void (problem ??= why) };
  const channel = new Channel<FromTrainer, ToTrainer>(worker, fromTrainer, (why) => refusals.to(why));
  try {
    const info = await new Promise<BackendInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${seconds(timeoutMs)}${problem ? ` (${problem})` : ''}`)), timeoutMs);
      const done = (r: BackendInfo | Error) => {
        clearTimeout(timer);
        offReady();
        offFailed();
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      const offReady = channel.on('ready', (m) => done(m.version === PROTOCOL_VERSION ? m.backend : new Error(`the worker speaks protocol ${m.version}, this page ${PROTOCOL_VERSION}: rebuild`)));
      const offFailed = channel.on('initFailed', (m) => done(new Error(m.message)));
      worker.onDeath((why) => done(new Error(why)));
      channel.send({ type: 'init', version: PROTOCOL_VERSION, backend, ...(wasm ? { wasm } : {}) }, wasm ? transferables(wasm) : []);
    });
    return { worker, channel, backend: info, refusals };
  } catch (err) {
    // A worker whose backend start failed may be half-initialised: never reuse it.
    channel.close();
    worker.terminate();
    throw err;
  }
}

/** The buffers of a wasm source: moved to the worker, not copied. */
function transferables(source: WasmSource): ArrayBuffer[] {
  return Object.values(source).filter((v): v is ArrayBuffer => Object.prototype.toString.call(v) === '[object ArrayBuffer]');
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
