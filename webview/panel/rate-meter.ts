import { at } from '../../src/core/checked';
/**
 * Steps per second from the step counter over the last two seconds. Step messages
 * arrive in bursts when the page was busy, so counting messages per arrival interval
 * would overshoot wildly; the counter's advance over a long enough span does not.
 */
export class RateMeter {
  private samples: { t: number; step: number }[] = [];
  private rate = 0;

  constructor(
    private readonly windowMs = 2000,
    private readonly minSpanMs = 250,
  ) {}

  tick(step: number, now = performance.now()): number {
    this.samples.push({ t: now, step });
    while (this.samples.length > 2 && now - at(this.samples, 1).t > this.windowMs) this.samples.shift();
    const first = at(this.samples, 0);
    const span = now - first.t;
    if (span >= this.minSpanMs) this.rate = ((step - first.step) * 1000) / span;
    return this.rate;
  }

  reset(): void {
    this.samples = [];
    this.rate = 0;
  }
}
