/** A typed handle on the training Web Worker (the trainer channel of src/protocol.ts). */
import type { FromTrainer, ToTrainer } from '../../src/protocol';

export class TrainerClient {
  private readonly listeners = new Set<(msg: FromTrainer) => void>();
  private readonly crashListeners = new Set<(message: string) => void>();
  private terminated = false;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<FromTrainer>) => {
      for (const l of [...this.listeners]) l(e.data);
    };
    // An uncaught error in the worker (a bug, or out of memory): the run cannot go on.
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.crash(e.message || 'The training worker failed to start or crashed.');
    };
    worker.onmessageerror = () => this.crash('A message from the training worker could not be read.');
  }

  send(msg: ToTrainer, transfer: Transferable[] = []): void {
    if (!this.terminated) this.worker.postMessage(msg, transfer);
  }

  onMessage(listener: (msg: FromTrainer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onCrash(listener: (message: string) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  get alive(): boolean {
    return !this.terminated;
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.worker.terminate();
    this.listeners.clear();
    this.crashListeners.clear();
  }

  private crash(message: string): void {
    for (const l of [...this.crashListeners]) l(message);
  }
}
