/**
 * What the page keeps with setState for a window reload (docs/architecture.md, The panel and the host): which spec
 * or stored run it shows and, for a spec, where its last session's runs went and which
 * runs were training at which step. Training itself cannot survive a reload (it lives in
 * this page's worker), so this is only enough for the host to reopen the panel and say
 * what was lost.
 */
import { PROTOCOL_VERSION, type PanelRestoreState } from '../../src/protocol';
import type { BootData } from './boot-data';
import type { RunEntry, Session } from './session';

export function restoreState(boot: BootData, live: Session | undefined, running: readonly RunEntry[]): PanelRestoreState {
  const state: PanelRestoreState = { version: PROTOCOL_VERSION, mode: boot.mode, resource: boot.resource };
  const ref = live?.ref;
  if (boot.mode !== 'live' || ref === undefined) return state;
  // A run of an earlier session may still be stopping; the notice is about the current session.
  const training = running.filter((e) => e.session === ref.id).map((e) => ({ runName: e.run.name, step: e.step }));
  return { ...state, session: { dir: ref.dir, ...(training.length ? { training } : {}) } };
}

/** Saves only when something changed: status pushes come ten times a second. */
export class StateSaver {
  private last = '';

  constructor(private readonly save: (state: PanelRestoreState) => void) {}

  push(state: PanelRestoreState): void {
    const json = JSON.stringify(state);
    if (json === this.last) return;
    this.last = json;
    this.save(state);
  }
}
