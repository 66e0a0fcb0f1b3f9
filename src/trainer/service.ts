/**
 * The training worker's logic, shared by the CLI's worker_threads and the panel's Web
 * Worker: it receives ToTrainer messages, drives core/train.ts and posts FromTrainer
 * messages. The two adapters only supply the transport and how to give the event loop
 * a turn between steps (so that pause and stop messages are seen).
 */
import { initBackend, type BackendOptions } from '../core/backend';
import { train } from '../core/train';
import { toEnvelope, type Envelope } from '../core/pack';
import type { Evaluation } from '../core/evaluate';
import { PROTOCOL_VERSION, relay, type EvaluationSummary, type FromTrainer, type ToTrainer, type ViewData, type WasmSource } from '../protocol';

export interface TrainerHost {
  post(msg: FromTrainer, transfer?: ArrayBuffer[]): void;
  /** resolves after pending messages have been handled (a macrotask turn) */
  yieldTurn(): Promise<void>;
  /** makes the wasm binary available to tfjs before the backend starts */
  prepareWasm?(source: WasmSource): void;
  backendOptions?: BackendOptions;
  /** send projections with every evaluation (the panel) or only scalars (the CLI) */
  sendViews: boolean;
}

export class TrainerService {
  private paused = false;
  private stopRequested = false;
  private resumeWaiters: (() => void)[] = [];
  private busy = false;
  private ready = false;

  constructor(private readonly host: TrainerHost) {}

  async handle(msg: ToTrainer): Promise<void> {
    switch (msg.type) {
      case 'init':
        return this.init(msg);
      case 'train':
        return this.train(msg.runId, msg.run);
      case 'pause':
        this.paused = true;
        return;
      case 'resume':
        this.paused = false;
        this.wake();
        return;
      case 'stop':
        this.stopRequested = true;
        this.paused = false;
        this.wake();
        return;
      default:
        assertNever(msg);
    }
  }

  private async init(msg: Extract<ToTrainer, { type: 'init' }>): Promise<void> {
    if (msg.version !== PROTOCOL_VERSION) {
      this.host.post({ type: 'initFailed', message: `Protocol version ${msg.version}, worker speaks ${PROTOCOL_VERSION}: rebuild the extension.` });
      return;
    }
    try {
      if (msg.wasm) this.host.prepareWasm?.(msg.wasm);
      const backend = await initBackend(msg.backend, this.host.backendOptions);
      this.ready = true;
      this.host.post({ type: 'ready', version: PROTOCOL_VERSION, backend });
    } catch (err) {
      this.host.post({ type: 'initFailed', message: (err as Error).message });
    }
  }

  private async train(runId: string, run: Extract<ToTrainer, { type: 'train' }>['run']): Promise<void> {
    if (!this.ready) {
      this.host.post({ type: 'failed', runId, message: 'The training backend is not ready.' });
      return;
    }
    if (this.busy) {
      this.host.post({ type: 'failed', runId, message: 'This worker is already training a run.' });
      return;
    }
    this.busy = true;
    this.stopRequested = false;
    const service = this;
    const signal = {
      get aborted(): boolean {
        return service.stopRequested;
      },
    };
    let step = 0;
    let done: Envelope | undefined;
    let failure: { message: string; step?: number } | undefined;
    try {
      for await (const ev of train(run, { signal })) {
        switch (ev.type) {
          case 'start':
            this.host.post(relay(ev, 'started', runId));
            break;
          case 'step':
            step = ev.step;
            this.host.post(relay(ev, 'step', runId));
            break;
          case 'evaluation': {
            const view = this.host.sendViews ? viewEnvelope(ev.evaluation) : undefined;
            this.host.post({ type: 'evaluation', runId, step: ev.step, final: ev.final, summary: summary(ev.evaluation), ...(view ? { view } : {}) }, view ? [view.buffer] : []);
            break;
          }
          case 'analysis':
            this.host.post(relay(ev, 'analysis', runId));
            break;
          case 'backend':
            this.host.post(relay(ev, 'backendChanged', runId));
            break;
          case 'done':
            done = toEnvelope(ev.result);
            break;
        }
        await this.host.yieldTurn();
        while (this.paused && !this.stopRequested) await new Promise<void>((r) => this.resumeWaiters.push(r));
      }
    } catch (err) {
      const e = err as Error & { step?: number };
      failure = { message: e.message, step: e.step ?? (step || undefined) };
    }
    // Only now is the worker free: the owner may send the next run as soon as it reads this.
    this.busy = false;
    if (done) this.host.post({ type: 'finished', runId, result: done }, [done.buffer]);
    else this.host.post({ type: 'failed', runId, message: failure?.message ?? 'The run ended without a result.', ...(failure?.step ? { step: failure.step } : {}) });
  }

  private wake(): void {
    const ws = this.resumeWaiters;
    this.resumeWaiters = [];
    for (const w of ws) w();
  }
}

function summary(e: Evaluation): EvaluationSummary {
  const { projection: _p, ...metrics } = e.analysis;
  return { ...metrics, eval_loss: e.eval_loss, eval_loss_x0rand: e.eval_loss_x0rand, learned: e.learned, rel_susceptibility: e.perturbation?.rel_susceptibility ?? null };
}

function viewEnvelope(e: Evaluation): Envelope {
  const view: ViewData = { projection: e.analysis.projection, condition: e.condition, conditionLabels: [...e.conditionLabels] };
  return toEnvelope(view);
}

function assertNever(x: never): never {
  throw new Error(`Unknown message ${JSON.stringify(x)}`);
}
