/**
 * Status for the host, at most about 10 a second (docs/architecture.md, Messages: the host hop's p95 reached
 * 220 ms when flooded). A change of state goes out at once; progress within a state is
 * coalesced, and the latest value always goes out in the end.
 */
import type { FromPanel } from '../../src/protocol';

export type Status = Extract<FromPanel, { type: 'status' }>;

export class StatusThrottle {
  private lastSent = -Infinity;
  private lastState: Status['state'] | undefined;
  private pending: Status | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (s: Status) => void,
    private readonly intervalMs = 100,
  ) {}

  push(status: Status): void {
    this.pending = status;
    const now = performance.now();
    if (status.state !== this.lastState || now - this.lastSent >= this.intervalMs) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs - (now - this.lastSent));
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const s = this.pending;
    this.pending = undefined;
    this.lastSent = performance.now();
    this.lastState = s.state;
    this.send(s);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
