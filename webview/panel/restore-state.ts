/**
 * What the page keeps with setState for a window reload (docs/architecture.md, The panel and the host): which spec,
 * stored run or compared runs it shows; for a spec, where its last session's runs went and which runs
 * were training at which step; and the user's view choices. Training itself cannot survive
 * a reload (it lives in this page's workers): the host reopens the panel, shows the runs
 * that had finished and says what was lost; the new page reads the choices back.
 */
import { PROTOCOL_VERSION, type PanelRestoreState } from '../../src/protocol';
import type { RunsBootData } from './boot-data';
import { FINAL_MEASURES, type RunEntry, type Session } from './session';
import type { Prefs } from './store';

export function restoreState(boot: RunsBootData, live: Session | undefined, running: readonly RunEntry[], prefs: Prefs): PanelRestoreState {
  const state: PanelRestoreState = { version: PROTOCOL_VERSION, mode: boot.mode, resource: boot.resource, ...(boot.folders ? { folders: [...boot.folders] } : {}), prefs: { ...prefs } };
  const ref = live?.ref;
  if (boot.mode !== 'live' || ref === undefined) return state;
  // A run of an earlier session may still be stopping; the notice is about the current session.
  const training = running.filter((e) => e.session === ref.id).map((e) => ({ runName: e.run.name, step: e.step }));
  return { ...state, session: { dir: ref.dir, ...(training.length ? { training } : {}) } };
}

/** The choices a previous page saved, each checked: the saved state is whatever the last page wrote. */
export function savedPrefs(state: unknown): Partial<Prefs> {
  const p = (state as { prefs?: unknown } | undefined)?.prefs;
  if (typeof p !== 'object' || p === null) return {};
  const r = p as Record<string, unknown>;
  const out: Partial<Prefs> = {};
  if (r.basis === 'pca' || r.basis === 'readout') out.basis = r.basis;
  if (typeof r.time === 'number' && r.time >= 0 && r.time <= 1) out.time = r.time;
  const measure = FINAL_MEASURES.find((m) => m.key === r.finalMeasure);
  if (measure) out.finalMeasure = measure.key;
  return out;
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
