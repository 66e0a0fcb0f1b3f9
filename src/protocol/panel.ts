/**
 * The panel channel: the extension host <-> the webview page, plus what the host writes
 * into the page (PanelBoot) and what the page keeps for a window reload
 * (PanelRestoreState). Both ends check what they receive: the page is another process
 * that can be stale (an old bundle after a rebuild) or broken, and a host of another
 * version must give a sentence, not a crash.
 */
import type { RunConfig } from '../core/types';
import type { Envelope } from '../core/pack';
import type { PerturbationCurves } from '../core/analysis/perturbation/curves';
import { type Check, isArrayBuffer, messageValidator, validator, type Rec } from './check';
import { checkRunConfig } from './trainer';
import { checkDissimilarity, type DissimilarityResult } from './dissimilarity';
import { checkRecordingMeasures, RECORDING_PHASES, type RecordingMeasures, type RecordingPhase } from './recording';
import { PROTOCOL_VERSION } from './version';

/** What the panel shows about the training session (also drives the status bar). */
export type PanelState = 'starting' | 'idle' | 'training' | 'paused' | 'stopping' | 'failed';

/** Files the webview page loads, as webview URIs (put in the page by the host). */
export interface PanelAssets {
  workerUrl: string;
  /** tfjs-backend-wasm binaries by file name */
  wasmUrls: Record<string, string>;
}

/**
 * One training session of a spec panel: `id` names it in the page's results, so a run
 * still finishing after the next Train is stored with the session that started it;
 * `dir` is where the host stores its runs (the page keeps it for a window reload).
 */
export interface SessionRef {
  id: string;
  dir: string;
}

/** Where a run in progress is: the status bar and a reloaded panel's notice say it per run. */
export interface RunProgress {
  runName: string;
  step: number;
  steps: number;
  state: 'training' | 'paused' | 'stopping';
  loss?: number;
}

export type ShowPurpose = 'stored' | 'compare' | 'restored';

/** One stored run for the page. `view` packs a ViewData; `losses` the training loss curve; `metrics` is its metrics.json. */
export interface StoredRunData {
  run: RunConfig;
  metrics: Record<string, unknown>;
  view: Envelope;
  losses: Float32Array;
  folder: string;
  /** the perturbation experiment's loss-vs-amplitude curves, when the run folder has them */
  perturbation?: PerturbationCurves;
}

export type ToPanel =
  /**
   * The answer to `ready`: what the panel is about. `session` is there exactly when
   * `autoStart` is. `maxWorkers` is the rnnlab.maxWorkers setting (0: as many as the
   * machine allows).
   */
  | { type: 'init'; version: number; specName: string; specFile: string; runs: RunConfig[]; autoStart: boolean; session?: SessionRef; maxWorkers: number }
  /** Train these runs now (a CodeLens or command while the panel is open); replaces the queue. */
  | { type: 'train'; runs: RunConfig[]; session: SessionRef; maxWorkers: number }
  /** A sentence for the panel's header, e.g. after a window reload; the next Train clears it. */
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** The spec file changed on disk or in the editor since the runs started. */
  | { type: 'specChanged'; changed: boolean; valid: boolean }
  /** The panel became hidden or visible: render only when visible. */
  | { type: 'visibility'; visible: boolean }
  /**
   * Stored runs to show without training: `stored` one run (Open run), `compare` several
   * side by side (Compare runs), `restored` the runs a reloaded spec panel's session had
   * finished (shown in its live session). `variants` is the spec's variant order, so a
   * variant has the same colour in every panel.
   */
  | { type: 'showRuns'; purpose: ShowPurpose; runs: StoredRunData[]; variants?: string[] }
  /** The host wrote a finished run to the run store. */
  | { type: 'stored'; runName: string; folder: string }
  | { type: 'storeFailed'; runName: string; message: string }
  /** The answer to `explorerRequest`: the run folder's network (packs a StoredNetwork, src/protocol/explorer.ts). */
  | { type: 'explorerNetwork'; folder: string; network: Envelope }
  /** The run folder's network cannot be read (a sentence that says why). */
  | { type: 'explorerUnavailable'; folder: string; message: string }
  | DissimilarityMessage
  /**
   * The recordings page (mode 'recording', docs/science.md §4.9): the answer to `ready`
   * (the file analysed), the analysis' progress, then its result (`view` packs a
   * RecordingView) or why it failed (a sentence for the user).
   */
  | { type: 'recordingInit'; version: number; file: string; title: string }
  | { type: 'recordingProgress'; phase: RecordingPhase; done: number; total: number }
  | { type: 'recordingResult'; measures: RecordingMeasures; view: Envelope }
  | { type: 'recordingFailed'; message: string };

/**
 * The dissimilarity across the runs the panel shows (docs/science.md §4.7, the paper's
 * Fig 4): being computed (pairs of runs done of total), its matrix (and the file it is
 * stored in), or why there is none. `session` is the SessionRef.id of a live session's
 * runs: a page that has started another session since ignores it.
 */
export type DissimilarityMessage =
  | { type: 'dissimilarity'; state: 'computing'; done: number; total: number; session?: string }
  | { type: 'dissimilarity'; state: 'ready'; result: DissimilarityResult; file?: string; session?: string }
  | { type: 'dissimilarity'; state: 'failed'; message: string; session?: string };

export type FromPanel =
  | { type: 'ready'; version: number }
  /**
   * Throttled to about 10 a second: the status bar and the Stop command follow it.
   * `runs` are the runs in progress; runName, step, steps and loss repeat the first of
   * them. `done` of `total` runs of the session have ended.
   */
  | {
      type: 'status';
      state: PanelState;
      runName?: string;
      step?: number;
      steps?: number;
      loss?: number;
      runs?: RunProgress[];
      done?: number;
      total?: number;
      backend?: string;
      message?: string;
    }
  /** A run finished (or was stopped with a result): `result` packs a RunResult for the run store. `session` is SessionRef.id. */
  | { type: 'runFinished'; session: string; runName: string; result: Envelope }
  | { type: 'runFailed'; session: string; runName: string; message: string; step?: number }
  /** The user pressed Train in the panel: the host re-reads the spec and answers with `train`. */
  | { type: 'requestTrain' }
  /** Open the spec a stored run was trained from (a stored-run panel trains nothing itself). */
  | { type: 'openSpec'; folder: string }
  /**
   * Save a picture or table the user exported: the host asks where (a save dialog) and
   * writes it; the page never writes files. `name` is the suggested file name.
   */
  | { type: 'saveFile'; name: string; data: ArrayBuffer; what: string }
  /** Put text (a table as CSV or Markdown, a Python snippet) on the clipboard. */
  | { type: 'copyText'; text: string; what: string }
  /**
   * The user first kicked in the view of a stored run (one this page did not train): the
   * host reads its network from the run folder, which must be one the panel shows, and
   * answers `explorerNetwork`. Asked for then, not with the run: weights are MBs at N = 512.
   */
  | { type: 'explorerRequest'; folder: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/**
 * A spec panel trains (its page starts the worker at once); a stored-run panel shows one
 * run, a compare panel several side by side, and neither starts a worker.
 */
export type PanelMode = 'live' | 'stored' | 'compare';
/** What a page shows: a panel of runs, or a recording (kept across no window reload). */
export type PageMode = PanelMode | 'recording';

/** The JSON block `<script type="application/json" id="rnnlab-boot">` the host puts in the panel's page. */
export interface PanelBoot {
  version: number;
  assets: PanelAssets;
  specName: string;
  mode: PageMode;
  /** the spec's URI (live) or the stored run folder's URI (stored; compare: the first run's): what a window reload reopens; the file (recording) */
  resource: string;
  /** compare only: the run folders compared, in their order */
  folders?: string[];
}

/**
 * What the page keeps with acquireVsCodeApi().setState, and VS Code hands back to the
 * host's WebviewPanelSerializer after a window reload. It comes from the page, so the
 * host checks it like any message.
 */
export interface PanelRestoreState {
  version: number;
  mode: PanelMode;
  resource: string;
  /** live only: the folder of the last training session and, while runs trained, where each was */
  session?: { dir: string; training?: RunAt[] };
  /** compare only: the run folders compared, in their order */
  folders?: string[];
  /** the user's view choices (basis, time, measure), given back to the reloaded page */
  prefs?: Record<string, string | number>;
}

/** A run in progress and the steps it had completed. */
export interface RunAt {
  runName: string;
  step: number;
}

// ---------------------------------------------------------------- checks

const PANEL_STATES: readonly PanelState[] = ['starting', 'idle', 'training', 'paused', 'stopping', 'failed'];
const RUN_STATES: readonly RunProgress['state'][] = ['training', 'paused', 'stopping'];
const PANEL_MODES: readonly PanelMode[] = ['live', 'stored', 'compare'];
const PAGE_MODES: readonly PageMode[] = [...PANEL_MODES, 'recording'];
const LOG_LEVELS = ['info', 'warn', 'error'] as const;
const SHOW_PURPOSES: readonly ShowPurpose[] = ['stored', 'compare', 'restored'];
const DISSIMILARITY_STATES: readonly DissimilarityMessage['state'][] = ['computing', 'ready', 'failed'];

/** What the host accepts from the page. */
export const fromPanel = messageValidator<FromPanel>({
  ready: (c, m) => c.int(m.version, 'version'),
  status: (c, m) => {
    c.oneOf(m.state, PANEL_STATES, 'state');
    c.optional(m, 'runName', '', (x, at) => c.str(x, at));
    c.optional(m, 'step', '', (x, at) => c.count(x, at));
    c.optional(m, 'steps', '', (x, at) => c.count(x, at));
    c.optional(m, 'loss', '', (x, at) => c.num(x, at));
    c.optional(m, 'runs', '', (x, at) => checkProgress(c, x, at));
    c.optional(m, 'done', '', (x, at) => c.count(x, at));
    c.optional(m, 'total', '', (x, at) => c.count(x, at));
    c.optional(m, 'backend', '', (x, at) => c.str(x, at));
    c.optional(m, 'message', '', (x, at) => c.str(x, at));
  },
  runFinished: (c, m) => {
    c.str(m.session, 'session');
    c.str(m.runName, 'runName');
    c.envelope(m.result, 'result');
  },
  runFailed: (c, m) => {
    c.str(m.session, 'session');
    c.str(m.runName, 'runName');
    c.str(m.message, 'message');
    c.optional(m, 'step', '', (x, at) => c.count(x, at));
  },
  requestTrain: () => undefined,
  openSpec: (c, m) => c.str(m.folder, 'folder'),
  saveFile: (c, m) => {
    c.str(m.name, 'name');
    if (!isArrayBuffer(m.data)) c.fail('data', 'is not an ArrayBuffer');
    c.str(m.what, 'what');
  },
  copyText: (c, m) => {
    c.str(m.text, 'text');
    c.str(m.what, 'what');
  },
  explorerRequest: (c, m) => c.str(m.folder, 'folder'),
  log: (c, m) => {
    c.oneOf(m.level, LOG_LEVELS, 'level');
    c.str(m.message, 'message');
  },
});

function checkProgress(c: Check, x: unknown, at: string): true | undefined {
  if (!Array.isArray(x)) return c.fail(at, 'is not a list');
  x.forEach((p, i) => {
    const where = `${at}[${i}]`;
    const r = c.rec(p, where);
    if (r === undefined) return;
    c.str(r.runName, `${where}.runName`);
    c.count(r.step, `${where}.step`);
    c.count(r.steps, `${where}.steps`);
    c.oneOf(r.state, RUN_STATES, `${where}.state`);
    c.optional(r, 'loss', where, (l, lat) => c.num(l, lat));
  });
  return true;
}

function checkRuns(c: Check, x: unknown, at: string): void {
  if (!Array.isArray(x)) return void c.fail(at, 'is not a list');
  x.forEach((r, i) => checkRunConfig(c, r, `${at}[${i}]`));
}

function checkStoredRun(c: Check, x: unknown, at: string): void {
  const r = c.rec(x, at);
  if (r === undefined) return;
  checkRunConfig(c, r.run, `${at}.run`);
  c.rec(r.metrics, `${at}.metrics`);
  c.envelope(r.view, `${at}.view`);
  c.array(r.losses, Float32Array, `${at}.losses`);
  c.str(r.folder, `${at}.folder`);
  c.optional(r, 'perturbation', at, (x, pat) => checkCurves(c, x, pat));
}

function checkCurves(c: Check, x: unknown, at: string): PerturbationCurves | undefined {
  const p = c.rec(x, at);
  if (p === undefined) return undefined;
  const directions = c.strings(p.directions, `${at}.directions`);
  const amplitudes = c.nums(p.amplitudes, `${at}.amplitudes`);
  c.num(p.rel_susceptibility, `${at}.rel_susceptibility`);
  if (!Array.isArray(p.loss) || (directions && p.loss.length !== directions.length)) return c.fail(`${at}.loss`, 'is not one list per direction');
  // null: a NaN loss written as JSON
  p.loss.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || (amplitudes && row.length !== amplitudes.length) || !row.every((v) => typeof v === 'number' || v === null)) c.fail(`${at}.loss[${i}]`, 'is not one number per amplitude');
  });
  return p as unknown as PerturbationCurves;
}

function checkSessionRef(c: Check, x: unknown, at: string): void {
  const s = c.rec(x, at);
  if (s === undefined) return;
  c.str(s.id, `${at}.id`);
  c.str(s.dir, `${at}.dir`);
}

/** What the page accepts from the host. */
export const toPanel = messageValidator<ToPanel>({
  init: (c, m: Rec) => {
    if (m.version !== PROTOCOL_VERSION) return void c.fail('', `protocol version ${String(m.version)} from the host; this panel speaks ${PROTOCOL_VERSION}. Reload the window.`);
    c.str(m.specName, 'specName');
    c.str(m.specFile, 'specFile');
    checkRuns(c, m.runs, 'runs');
    // Results of runs that train must name their session, or the host cannot store them.
    if (c.bool(m.autoStart, 'autoStart')) checkSessionRef(c, m.session, 'session');
    else c.optional(m, 'session', '', (x, at) => checkSessionRef(c, x, at));
    c.count(m.maxWorkers, 'maxWorkers');
  },
  train: (c, m) => {
    checkRuns(c, m.runs, 'runs');
    checkSessionRef(c, m.session, 'session');
    c.count(m.maxWorkers, 'maxWorkers');
  },
  notice: (c, m) => {
    c.oneOf(m.level, ['info', 'error'], 'level');
    c.str(m.message, 'message');
  },
  pause: () => undefined,
  resume: () => undefined,
  stop: () => undefined,
  specChanged: (c, m) => {
    c.bool(m.changed, 'changed');
    c.bool(m.valid, 'valid');
  },
  visibility: (c, m) => c.bool(m.visible, 'visible'),
  showRuns: (c, m) => {
    c.oneOf(m.purpose, SHOW_PURPOSES, 'purpose');
    if (!Array.isArray(m.runs)) return void c.fail('runs', 'is not a list');
    m.runs.forEach((x, i) => checkStoredRun(c, x, `runs[${i}]`));
    c.optional(m, 'variants', '', (x, at) => c.strings(x, at));
  },
  stored: (c, m) => {
    c.str(m.runName, 'runName');
    c.str(m.folder, 'folder');
  },
  storeFailed: (c, m) => {
    c.str(m.runName, 'runName');
    c.str(m.message, 'message');
  },
  dissimilarity: (c, m) => {
    c.optional(m, 'session', '', (x, at) => c.str(x, at));
    const state = c.oneOf(m.state, DISSIMILARITY_STATES, 'state');
    if (state === 'computing') {
      c.count(m.done, 'done');
      c.count(m.total, 'total');
    } else if (state === 'ready') {
      checkDissimilarity(c, m.result, 'result');
      c.optional(m, 'file', '', (x, at) => c.str(x, at));
    } else if (state === 'failed') c.str(m.message, 'message');
  },
  explorerNetwork: (c, m) => {
    c.str(m.folder, 'folder');
    c.envelope(m.network, 'network');
  },
  explorerUnavailable: (c, m) => {
    c.str(m.folder, 'folder');
    c.str(m.message, 'message');
  },
  recordingInit: (c, m) => {
    if (m.version !== PROTOCOL_VERSION) return void c.fail('', `protocol version ${String(m.version)} from the host; this page speaks ${PROTOCOL_VERSION}. Reload the window.`);
    c.str(m.file, 'file');
    c.str(m.title, 'title');
  },
  recordingProgress: (c, m) => {
    c.oneOf(m.phase, RECORDING_PHASES, 'phase');
    c.count(m.done, 'done');
    c.count(m.total, 'total');
  },
  recordingResult: (c, m) => {
    checkRecordingMeasures(c, m.measures, 'measures');
    c.envelope(m.view, 'view');
  },
  recordingFailed: (c, m) => c.str(m.message, 'message'),
});

/** The page's saved state has the declared shape; the host still checks the paths in it before use. */
export const panelRestoreState = validator<PanelRestoreState>((c, x) => {
  const s = c.rec(x, 'state');
  if (s === undefined) return;
  c.int(s.version, 'version');
  const mode = c.oneOf(s.mode, PANEL_MODES, 'mode');
  c.str(s.resource, 'resource');
  c.optional(s, 'session', '', (x, at) => {
    if (mode !== 'live') return c.fail(at, 'belongs to a live panel only');
    const session = c.rec(x, at);
    if (session === undefined) return undefined;
    c.str(session.dir, `${at}.dir`);
    return c.optional(session, 'training', at, (t, tat) => {
      if (!Array.isArray(t)) return c.fail(tat, 'is not a list');
      t.forEach((r, i) => {
        const training = c.rec(r, `${tat}[${i}]`);
        if (training === undefined) return;
        c.str(training.runName, `${tat}[${i}].runName`);
        c.count(training.step, `${tat}[${i}].step`);
      });
      return true;
    });
  });
  c.optional(s, 'folders', '', (x, at) => (mode === 'compare' ? c.strings(x, at) : c.fail(at, 'belongs to a compare panel only')));
  c.optional(s, 'prefs', '', (x, at) => {
    const prefs = c.rec(x, at);
    if (prefs) for (const [k, v] of Object.entries(prefs)) if (typeof v !== 'string' && typeof v !== 'number') c.fail(`${at}.${k}`, 'is not a string or number');
    return prefs;
  });
});

/** The boot block the host wrote into the page (read back by the page). */
export const panelBoot = validator<PanelBoot>((c, x) => {
  const b = c.rec(x, 'the boot block');
  if (b === undefined) return;
  c.num(b.version, 'version');
  c.str(b.specName, 'specName');
  // The mode decides whether the page starts a worker at all: a wrong guess either wastes one or delays the first Train.
  const mode = c.oneOf(b.mode, PAGE_MODES, 'mode');
  c.str(b.resource, 'resource');
  if (mode === 'compare') c.strings(b.folders, 'folders');
  else c.optional(b, 'folders', '', (_, at) => c.fail(at, 'belongs to a compare panel only'));
  const assets = c.rec(b.assets, 'assets');
  if (assets === undefined) return;
  c.str(assets.workerUrl, 'assets.workerUrl');
  const wasm = c.rec(assets.wasmUrls, 'assets.wasmUrls');
  if (wasm) for (const [name, url] of Object.entries(wasm)) c.str(url, `assets.wasmUrls.${name}`);
});

/** Backwards-compatible guards for the host's callers. */
export const isFromPanel = fromPanel.is;
export const isPanelRestoreState = panelRestoreState.is;
