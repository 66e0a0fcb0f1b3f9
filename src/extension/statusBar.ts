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
      this.item.tooltip = `${panel.title}: click to stop training`;
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

/** `$(sync~spin) RNN Lab: aligned-s0 312/500 loss 0.021` */
export function statusText(panel: Pick<RnnPanel, 'lastStatus'>): string | undefined {
  const s = panel.lastStatus;
  if (s === undefined) return undefined;
  const progress = [s.runName, s.step !== undefined && s.steps !== undefined ? `${s.step}/${s.steps}` : undefined, s.loss !== undefined && Number.isFinite(s.loss) ? `loss ${formatLoss(s.loss)}` : undefined]
    .filter((x) => x !== undefined)
    .join(' ');
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

/** Two significant digits: enough to see the loss fall, short enough for the status bar. */
function formatLoss(x: number): string {
  return String(Number(x.toPrecision(2)));
}
