/**
 * Every message that crosses a thread or process boundary, in one place (docs/architecture.md).
 * Discriminated unions on `type`; bulk arrays travel as Envelopes (one ArrayBuffer,
 * transferred), never as JSON arrays.
 *
 * Channels:
 * - trainer: whoever owns a training worker (the CLI's worker_threads, the panel's Web
 *   Worker) <-> the worker (src/trainer/service.ts).
 * - panel: the extension host <-> the webview (added with the panel).
 */
import type { BackendChoice, RunConfig } from './core/types';
import type { BackendInfo } from './core/backend';
import type { CalibrationRow } from './core/calibrate';
import type { AnalysisMetrics } from './core/analysis';
import type { Envelope } from './core/pack';

// 2: runs are bound to the session that started them (train/init carry a session,
// runFinished/runFailed name it); the page's boot says whether it trains.
export const PROTOCOL_VERSION = 2;

// ---------------------------------------------------------------- trainer channel

/** How the worker gets the tfjs-wasm binary. A Web Worker in a webview may fetch nothing. */
export type WasmSource =
  /** Node: the build's folder (tfjs's binaries and the fused kernel) */
  | { kind: 'path'; dir: string }
  /** a Web Worker: tfjs's binary `name`, and the fused kernel's bytes when the page has them */
  | { kind: 'bytes'; name: string; bytes: ArrayBuffer; kernel?: ArrayBuffer };

export type ToTrainer =
  /** Start the backend. Sent once, first. */
  | { type: 'init'; version: number; backend: BackendChoice; wasm?: WasmSource }
  /** Train one run; the worker trains one run at a time. */
  | { type: 'train'; runId: string; run: RunConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Stop the current run between steps; it still evaluates and reports what it has. */
  | { type: 'stop' };

/** Scalars of one evaluation, small enough to send every checkpoint. */
export interface EvaluationSummary extends AnalysisMetrics {
  eval_loss: number;
  eval_loss_x0rand: number | null;
  /** eval_loss <= evaluation.learned_threshold */
  learned: boolean;
  /** docs/science.md §4.6, final evaluation only (null before, when not asked for, or skipped) */
  rel_susceptibility: number | null;
}

export type FromTrainer =
  | { type: 'ready'; version: number; backend: BackendInfo }
  | { type: 'initFailed'; message: string }
  /** `backend` trains the run because of `backendReason`; with auto, `calibration` has each candidate's ms per step */
  | { type: 'started'; runId: string; backend: string; backendReason: string; calibration: CalibrationRow[]; N: number; T: number; B: number; steps: number; parameters: number; memoryBytes: number }
  | { type: 'step'; runId: string; step: number; loss: number; gradRms: number; ms: number }
  /** `view` packs the display data (Projection, conditions); omitted when the owner asked for scalars only */
  | { type: 'evaluation'; runId: string; step: number; final: boolean; summary: EvaluationSummary; view?: Envelope }
  /** a long final analysis in progress (the perturbation experiment, after the last step): chunks done of total */
  | { type: 'analysis'; runId: string; name: 'perturbation'; done: number; total: number }
  /** `result` packs the whole RunResult */
  | { type: 'finished'; runId: string; result: Envelope }
  | { type: 'failed'; runId: string; message: string; step?: number };

/** Data of the 3D view for one evaluation, packed into `view` envelopes. */
export interface ViewData {
  projection: import('./core/analysis').Projection;
  condition: Int32Array;
  conditionLabels: string[];
}

// ---------------------------------------------------------------- panel channel

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

export type ToPanel =
  /** The answer to `ready`: what the panel is about. `session` is there exactly when `autoStart` is. */
  | { type: 'init'; version: number; specName: string; specFile: string; runs: RunConfig[]; autoStart: boolean; session?: SessionRef }
  /** Train these runs now (a CodeLens or command while the panel is open); replaces the queue. */
  | { type: 'train'; runs: RunConfig[]; session: SessionRef }
  /** A sentence for the panel's header, e.g. after a window reload; the next Train clears it. */
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** The spec file changed on disk or in the editor since the runs started. */
  | { type: 'specChanged'; changed: boolean; valid: boolean }
  /** The panel became hidden or visible: render only when visible. */
  | { type: 'visibility'; visible: boolean }
  /** Show a stored run (Open run). `view` packs a ViewData; `losses` the training loss curve. */
  | { type: 'showRun'; run: RunConfig; metrics: Record<string, unknown>; view: Envelope; losses: Float32Array; folder: string }
  /** The host wrote a finished run to the run store. */
  | { type: 'stored'; runName: string; folder: string }
  | { type: 'storeFailed'; runName: string; message: string };

export type FromPanel =
  | { type: 'ready'; version: number }
  /** Throttled to about 10 a second: the status bar and the Stop command follow it. */
  | { type: 'status'; state: PanelState; runName?: string; step?: number; steps?: number; loss?: number; backend?: string; message?: string }
  /** A run finished (or was stopped with a result): `result` packs a RunResult for the run store. `session` is SessionRef.id. */
  | { type: 'runFinished'; session: string; runName: string; result: Envelope }
  | { type: 'runFailed'; session: string; runName: string; message: string; step?: number }
  /** The user pressed Train in the panel: the host re-reads the spec and answers with `train`. */
  | { type: 'requestTrain' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** A spec panel trains (its page starts the worker at once); a stored-run panel shows one run and starts none. */
export type PanelMode = 'live' | 'stored';

/** The JSON block `<script type="application/json" id="rnnlab-boot">` the host puts in the panel's page. */
export interface PanelBoot {
  version: number;
  assets: PanelAssets;
  specName: string;
  mode: PanelMode;
  /** the spec's URI (live) or the stored run folder's URI (stored): what a window reload reopens */
  resource: string;
}

/**
 * What the page keeps with acquireVsCodeApi().setState, and VS Code hands back to the
 * host's WebviewPanelSerializer after a window reload. It comes from the page, so the
 * host checks it (isPanelRestoreState) like any message.
 */
export interface PanelRestoreState {
  version: number;
  mode: PanelMode;
  resource: string;
  /** live only: the folder of the last training session and, while a run trained, where it was */
  session?: { dir: string; training?: { runName: string; step: number } };
}

// ---------------------------------------------------------------- runtime checks
// The webview is another process that can be stale (an old bundle after a rebuild) or
// broken, so the host checks every message before acting on it (docs/architecture.md, Security).

const PANEL_STATES: readonly PanelState[] = ['starting', 'idle', 'training', 'paused', 'stopping', 'failed'];
const LOG_LEVELS: readonly string[] = ['info', 'warn', 'error'];
const DTYPES: readonly string[] = ['F32', 'F64', 'I32'];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
const isString = (x: unknown): x is string => typeof x === 'string';
const isNumber = (x: unknown): x is number => typeof x === 'number';
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
/** An optional field is either absent or of its type (null is not absent: the types never allow it). */
const optional = (o: Record<string, unknown>, key: string, check: (x: unknown) => boolean): boolean => !(key in o) || o[key] === undefined || check(o[key]);

/**
 * ArrayBuffers from postMessage may come from another realm, where instanceof fails,
 * so the tag decides.
 */
function isArrayBuffer(x: unknown): x is ArrayBuffer {
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

/** The envelope's layout is sane: fromEnvelope can then only fail on the tree's content. */
export function isEnvelope(x: unknown): x is Envelope {
  if (!isRecord(x) || !isArrayBuffer(x.buffer) || !isRecord(x.meta) || !('tree' in x.meta) || !Array.isArray(x.meta.arrays)) return false;
  const size = x.buffer.byteLength;
  return x.meta.arrays.every((a: unknown) => {
    if (!isRecord(a) || !isString(a.name) || !isString(a.dtype) || !DTYPES.includes(a.dtype) || !isCount(a.offset) || !isCount(a.length)) return false;
    const bytes = a.dtype === 'F32' || a.dtype === 'I32' ? 4 : 8;
    return a.offset % bytes === 0 && a.offset + a.length * bytes <= size;
  });
}

/** Every field of every FromPanel message has its declared type; anything else is refused. */
export function isFromPanel(x: unknown): x is FromPanel {
  if (!isRecord(x) || !isString(x.type)) return false;
  const m = x;
  switch (m.type) {
    case 'ready':
      return Number.isSafeInteger(m.version);
    case 'status':
      return (
        isString(m.state) &&
        (PANEL_STATES as readonly string[]).includes(m.state) &&
        optional(m, 'runName', isString) &&
        optional(m, 'step', isCount) &&
        optional(m, 'steps', isCount) &&
        optional(m, 'loss', isNumber) &&
        optional(m, 'backend', isString) &&
        optional(m, 'message', isString)
      );
    case 'runFinished':
      return isString(m.session) && isString(m.runName) && isEnvelope(m.result);
    case 'runFailed':
      return isString(m.session) && isString(m.runName) && isString(m.message) && optional(m, 'step', isCount);
    case 'requestTrain':
      return true;
    case 'log':
      return isString(m.level) && LOG_LEVELS.includes(m.level) && isString(m.message);
    default:
      return false;
  }
}

const PANEL_MODES: readonly string[] = ['live', 'stored'];

/** The page's saved state has the declared shape; the host still checks the paths in it before use. */
export function isPanelRestoreState(x: unknown): x is PanelRestoreState {
  if (!isRecord(x) || !Number.isSafeInteger(x.version) || !isString(x.mode) || !PANEL_MODES.includes(x.mode) || !isString(x.resource)) return false;
  if (!('session' in x) || x.session === undefined) return true;
  const s = x.session;
  if (x.mode !== 'live' || !isRecord(s) || !isString(s.dir)) return false;
  return !('training' in s) || s.training === undefined || (isRecord(s.training) && isString(s.training.runName) && isCount(s.training.step));
}
