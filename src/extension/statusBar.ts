/**
 * The status bar item while a panel trains: run, step and loss from the panel's
 * throttled status messages; a click stops it. Hidden when nothing trains. The context
 * keys for the Stop/Pause/Resume menu items follow the same state.
 */
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT } from './commandIds';
import { Disposable } from './dispose';
import type { PanelManager } from './panel/panels';
import type { RnnPanel } from './panel/rnnPanel';
import type { RunProgress } from '../protocol';

export class TrainingStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('rnnlab.training', vscode.StatusBarAlignment.Left, 50));
  private lastContext = { training: false, paused: false };

  constructor(private readonly panels: PanelManager) {
    super();
    this.item.name = 'RNN Lab training';
    this._register(panels.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const panel = this.panels.current();
    const text = panel?.busy ? statusText(panel) : undefined;
    if (text === undefined || panel === undefined) {
      this.item.hide();
    } else {
      this.item.text = text;
      this.item.tooltip = statusTooltip(panel, panel.title);
      this.item.command = { title: 'Stop training', command: COMMANDS.stop, arguments: [panel.key] };
      this.item.show();
    }
    const training = this.panels.all().some((p) => p.busy);
    const paused = panel?.lastStatus?.state === 'paused';
    if (training !== this.lastContext.training || paused !== this.lastContext.paused) {
      this.lastContext = { training, paused };
      void vscode.commands.executeCommand('setContext', CONTEXT.training, training);
      void vscode.commands.executeCommand('setContext', CONTEXT.paused, paused);
    }
  }
}

/**
 * `$(sync~spin) RNN Lab: aligned-s0 312/500 loss 0.021`, or with several runs at once
 * `$(sync~spin) RNN Lab: 3 runs 41% · 2/6 done` (the tooltip has each run).
 */
export function statusText(panel: Pick<RnnPanel, 'lastStatus'>): string | undefined {
  const s = panel.lastStatus;
  if (s === undefined) return undefined;
  const progress = s.runs && s.runs.length > 1 ? several(s.runs, s.done, s.total) : one(s.runName, s.step, s.steps, s.loss);
  switch (s.state) {
    case 'starting':
      return `$(sync~spin) RNN Lab: starting${progress ? ` ${progress}` : '…'}`;
    case 'training':
      return `$(sync~spin) RNN Lab: ${progress || 'training'}`;
    case 'paused':
      return `$(debug-pause) RNN Lab: paused${progress ? ` ${progress}` : ''}`;
    case 'stopping':
      return `$(sync~spin) RNN Lab: stopping${progress ? ` ${progress}` : '…'}`;
    default:
      return undefined;
  }
}

function one(runName: string | undefined, step: number | undefined, steps: number | undefined, loss: number | undefined): string {
  return [runName, step !== undefined && steps !== undefined ? `${step}/${steps}` : undefined, loss !== undefined && Number.isFinite(loss) ? `loss ${formatLoss(loss)}` : undefined]
    .filter((x) => x !== undefined)
    .join(' ');
}

function several(runs: readonly RunProgress[], done: number | undefined, total: number | undefined): string {
  const steps = runs.reduce((n, r) => n + r.steps, 0);
  const percent = steps > 0 ? Math.floor((100 * runs.reduce((n, r) => n + r.step, 0)) / steps) : 0;
  return `${runs.length} runs ${percent}%${done !== undefined && total !== undefined ? ` · ${done}/${total} done` : ''}`;
}

/** The panel, each run in progress on a line, and what a click does. */
export function statusTooltip(panel: Pick<RnnPanel, 'lastStatus'>, title: string): string {
  const runs = panel.lastStatus?.runs ?? [];
  const lines = runs.map((r) => `${one(r.runName, r.step, r.steps, r.loss)}${r.state === 'training' ? '' : ` (${r.state})`}`);
  return [title, ...lines, 'Click to stop training.'].join('\n');
}

/** Two significant digits: enough to see the loss fall, short enough for the status bar. */
function formatLoss(x: number): string {
  return String(Number(x.toPrecision(2)));
}
