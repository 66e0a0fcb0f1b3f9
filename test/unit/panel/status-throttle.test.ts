import * as assert from 'node:assert/strict';
import { StatusThrottle, type Clock, type Status } from '../../../webview/panel/status-throttle';

/** A clock the test moves by hand: timers fire when it passes their time. */
class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((x, y) => x.at - y.at)[0];
      if (!due) break;
      this.t = due.at;
      this.timers = this.timers.filter((x) => x !== due);
      due.fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}

const training = (step: number): Status => ({ type: 'status', state: 'training', runName: 'a', step, steps: 100 });

describe('status throttle (page -> host, about 10 a second)', () => {
  let clock: FakeClock;
  let sent: Status[];
  let throttle: StatusThrottle;
  beforeEach(() => {
    clock = new FakeClock();
    sent = [];
    throttle = new StatusThrottle((s) => sent.push(s), 100, clock);
  });

  it('sends the first status at once, coalesces progress within the interval, and always sends the latest', () => {
    throttle.push(training(1));
    for (let step = 2; step <= 30; step++) {
      clock.advance(5);
      throttle.push(training(step));
    }
    assert.deepEqual(sent.map((s) => s.step), [1, 20], 'one at once, then the latest when 100 ms had passed');
    clock.advance(100);
    assert.deepEqual(sent.map((s) => s.step), [1, 20, 30], 'the last value goes out in the end');
    assert.equal(clock.pending, 0);
  });

  it('a change of state goes out at once, whatever the pace', () => {
    throttle.push(training(1));
    clock.advance(10);
    throttle.push({ type: 'status', state: 'paused', runName: 'a', step: 1 });
    clock.advance(10);
    throttle.push({ type: 'status', state: 'training', runName: 'a', step: 1 });
    assert.deepEqual(sent.map((s) => s.state), ['training', 'paused', 'training']);
  });

  it('over a long run it sends about ten a second, never more', () => {
    for (let ms = 0; ms < 5000; ms += 3) {
      throttle.push(training(ms));
      clock.advance(3);
    }
    clock.advance(200);
    assert.ok(sent.length >= 48 && sent.length <= 51, `${sent.length} in 5 s`);
    const steps = sent.map((s) => s.step ?? Number.NaN);
    for (let i = 1; i < steps.length; i++) assert.ok((steps[i] ?? Number.NaN) - (steps[i - 1] ?? Number.NaN) >= 99, 'at least 100 ms apart');
  });

  it('flush sends what is pending now; dispose drops it and its timer', () => {
    throttle.push(training(1));
    clock.advance(10);
    throttle.push(training(2));
    throttle.flush();
    assert.deepEqual(sent.map((s) => s.step), [1, 2]);
    clock.advance(10);
    throttle.push(training(3));
    throttle.dispose();
    clock.advance(500);
    assert.deepEqual(sent.map((s) => s.step), [1, 2]);
    assert.equal(clock.pending, 0);
  });
});
