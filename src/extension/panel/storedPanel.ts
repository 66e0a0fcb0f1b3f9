/** A panel that shows one stored run folder (Open run); it trains nothing, so its page starts no worker. */
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { PROTOCOL_VERSION, type ToPanel } from '../../protocol';
import type { StoredRun } from '../../store/runFolder';
import { toEnvelope } from '../../core/pack';
import { maxWorkers } from '../settings';
import { RnnPanel, type PanelContext } from './rnnPanel';

export class StoredRunPanel extends RnnPanel {
  /** the session folder's name: the stored run's stand-in for a spec name */
  private readonly session: string;

  constructor(
    private readonly run: StoredRun,
    ctx: PanelContext,
    panel: vscode.WebviewPanel,
  ) {
    const session = sessionName(run);
    super(vscode.Uri.file(run.dir), 'stored', panel, storedRunTitle(run, session), session, ctx);
    this.session = session;
  }

  protected initMessage(): ToPanel {
    return { type: 'init', version: PROTOCOL_VERSION, specName: this.session, specFile: join(this.run.dir, 'spec.rnn.yaml'), runs: [this.run.run], autoStart: false, maxWorkers: maxWorkers() };
  }

  protected override onReady(): void {
    const { view, run, metrics, dir } = this.run;
    this.channel.post({
      type: 'showRun',
      run,
      metrics: { ...metrics },
      view: toEnvelope({ projection: view.projection, condition: view.condition, conditionLabels: view.conditionLabels }),
      losses: view.losses,
      folder: dir,
    });
  }

  protected override onRequestTrain(): void {
    const spec = vscode.Uri.file(join(this.run.dir, 'spec.rnn.yaml'));
    this.ctx.log.showWarning(`This panel shows the stored run ${this.run.run.name}; to train again, open its spec and press Train.`, [
      { title: 'Open spec', run: () => vscode.window.showTextDocument(spec) },
    ]);
  }
}

export function storedRunTitle(run: StoredRun, session = sessionName(run)): string {
  const stopped = run.run.stopped;
  return `RNN Lab: ${run.run.name} (${session}${stopped ? `, stopped at step ${stopped.steps_done} of ${stopped.steps_planned}` : ''})`;
}

function sessionName(run: StoredRun): string {
  return basename(dirname(run.dir));
}
