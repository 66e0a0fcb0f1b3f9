/**
 * Status for the host, at most about 10 a second (docs/architecture.md, Messages: the host hop's p95 reached
 * 220 ms when flooded). A change of state goes out at once; progress within a state is
 * coalesced, and the latest value always goes out in the end.
 */
import type { FromPanel } from '../../src/protocol';

export type Status = Extract<FromPanel, { type: 'status' }>;

/** The clock and timer the throttle runs on (a test passes its own). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class StatusThrottle {
  private lastSent = -Infinity;
  private lastState: Status['state'] | undefined;
  private pending: Status | undefined;
  private timer: unknown;

  constructor(
    private readonly send: (s: Status) => void,
    private readonly intervalMs = 100,
    private readonly clock: Clock = realClock,
  ) {}

  push(status: Status): void {
    this.pending = status;
    const now = this.clock.now();
    if (status.state !== this.lastState || now - this.lastSent >= this.intervalMs) {
      this.flush();
      return;
    }
    this.timer ??= this.clock.setTimeout(() => this.flush(), this.intervalMs - (now - this.lastSent));
  }

  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const s = this.pending;
    this.pending = undefined;
    this.lastSent = this.clock.now();
    this.lastState = s.state;
    this.send(s);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
