/** A panel that shows one stored run folder (Open run); it trains nothing, so its page starts no worker. */
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { PROTOCOL_VERSION, type ToPanel } from '../../protocol';
import type { StoredRun } from '../../store/runFolder';
import { maxWorkers } from '../settings';
import { RnnPanel, type PanelContext } from './rnnPanel';
import { specVariants, storedPerturbation, storedRunData } from './storedRuns';

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
    void Promise.all([specVariants(this.run.dir), storedPerturbation(this.run.dir)]).then(([variants, perturbation]) => {
      this.channel.post({ type: 'showRuns', purpose: 'stored', runs: [storedRunData(this.run, perturbation)], variants });
      // the run's session as the paper's Fig 4, when it has one (rnnlab train, a panel session): shown, never computed here
      void this.dissimilarities.showStored(dirname(this.run.dir), true);
    });
  }

  protected override shownFolders(): string[] {
    return [this.run.dir];
  }

  protected override onRequestTrain(): void {
    this.openSpecOf(this.run.dir);
  }
}

export function storedRunTitle(run: StoredRun, session = sessionName(run)): string {
  const stopped = run.run.stopped;
  return `RNN Lab: ${run.run.name} (${session}${stopped ? `, stopped at step ${stopped.steps_done} of ${stopped.steps_planned}` : ''})`;
}

function sessionName(run: StoredRun): string {
  return basename(dirname(run.dir));
}
