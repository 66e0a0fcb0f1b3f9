/**
 * Progress of the runs on stderr: live bars on a terminal (one line per active run,
 * redrawn in place at most 10 times a second), plain lines otherwise (a log file, CI),
 * at most one per run every 10% of its steps or 15 seconds.
 */
import { relative } from 'node:path';

export interface RunProgress {
  name: string;
  step: number;
  steps: number;
  loss: number;
  rho?: number;
  /** steps per second over the recent past */
  rate: number;
  startedAt: number;
  /** a phase after training (e.g. 'perturbations'): step/steps then count its chunks */
  phase?: string;
}

const BAR = 24;

export class ProgressView {
  private readonly active = new Map<string, RunProgress>();
  private readonly lastPlain = new Map<string, { step: number; at: number }>();
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live = Boolean(out.isTTY) && process.env.TERM !== 'dumb',
  ) {}

  update(p: RunProgress): void {
    this.active.set(p.name, p);
    if (this.live) {
      if (Date.now() - this.lastDraw >= 100 || p.step === p.steps) this.draw();
      return;
    }
    const key = p.phase ? `${p.name}/${p.phase}` : p.name;
    const prev = this.lastPlain.get(key);
    const now = Date.now();
    const due = !prev || p.step === p.steps || p.step - prev.step >= Math.max(1, Math.round(p.steps / 10)) || now - prev.at > 15000;
    if (due) {
      this.lastPlain.set(key, { step: p.step, at: now });
      this.out.write(p.phase ? `${p.name}: ${p.phase} ${p.step}/${p.steps}\n` : `${p.name}: step ${p.step}/${p.steps}  loss ${fmt(p.loss)}${p.rho !== undefined ? `  rho ${p.rho.toFixed(3)}` : ''}  ${p.rate.toFixed(1)} steps/s  ${eta(p)}\n`);
    }
  }

  /** A message above the bars (a run finished, a warning). */
  log(line: string): void {
    if (this.live) this.clear();
    this.out.write(line + '\n');
    if (this.live) this.draw();
  }

  finish(name: string): void {
    this.active.delete(name);
    if (this.live) {
      this.clear();
      this.draw();
    }
  }

  private clear(): void {
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}F\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    this.clear();
    const width = this.out.columns ?? 100;
    const lines = [...this.active.values()].map((p) => {
      const filled = Math.round((BAR * p.step) / p.steps);
      const bar = '█'.repeat(filled) + '░'.repeat(BAR - filled);
      const count = `${String(p.step).padStart(String(p.steps).length)}/${p.steps}`;
      const line = p.phase
        ? `${p.name.padEnd(14)} ${bar} ${count}  ${p.phase}`
        : `${p.name.padEnd(14)} ${bar} ${count}  loss ${fmt(p.loss)}${p.rho !== undefined ? `  rho ${p.rho.toFixed(3)}` : ''}  ${p.rate.toFixed(1)} steps/s  ${eta(p)}`;
      return line.slice(0, width - 1);
    });
    if (lines.length) this.out.write(lines.join('\n') + '\n');
    this.drawnLines = lines.length;
    this.lastDraw = Date.now();
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? (x < 0.001 ? x.toExponential(2) : x.toFixed(4)) : String(x);
}

function eta(p: RunProgress): string {
  if (p.step >= p.steps) return 'done';
  if (!(p.rate > 0)) return '';
  return `${duration((p.steps - p.step) / p.rate)} left`;
}

/** A path as the user can use it: relative below the working directory, absolute elsewhere. */
export function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
