/**
 * The `RNN Lab` output channel and user-facing errors. Every error the user sees is one
 * sentence plus buttons that lead somewhere (errors with somewhere to click).
 */
import * as vscode from 'vscode';

export interface ErrorAction {
  title: string;
  run(): unknown;
}

/** The last messages shown to the user, kept for the extension-host tests (rnnlab._test.panelState). */
const RECENT = 20;

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  readonly recent: { level: 'error' | 'warning'; message: string }[] = [];

  constructor(name = 'RNN Lab') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string, err?: unknown): void {
    this.channel.error(err instanceof Error ? `${message}\n${err.stack ?? err.message}` : message);
  }

  show(): void {
    this.channel.show(true);
  }

  readonly showLogAction: ErrorAction = { title: 'Show log', run: () => this.show() };

  /**
   * Logs and shows an error with its actions and "Show log". It does not wait for the
   * user: a command that fails must return, not hang until the toast is dismissed.
   */
  showError(message: string, actions: ErrorAction[] = [], err?: unknown): void {
    this.error(message, err);
    this.remember('error', message);
    const all = actions.some((a) => a.title === this.showLogAction.title) ? actions : [...actions, this.showLogAction];
    this.offer(vscode.window.showErrorMessage(message, ...all.map((a) => a.title)), all);
  }

  showWarning(message: string, actions: ErrorAction[] = []): void {
    this.warn(message);
    this.remember('warning', message);
    this.offer(vscode.window.showWarningMessage(message, ...actions.map((a) => a.title)), actions);
  }

  private remember(level: 'error' | 'warning', message: string): void {
    this.recent.push({ level, message });
    if (this.recent.length > RECENT) this.recent.shift();
  }

  private offer(choice: Thenable<string | undefined>, actions: ErrorAction[]): void {
    Promise.resolve(choice)
      .then((picked) => actions.find((a) => a.title === picked)?.run())
      .catch((e: unknown) => this.error('A message action failed.', e));
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** An error as one line, for messages. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
