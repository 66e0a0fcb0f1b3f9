/**
 * The explorer channel: the panel page <-> a worker that kicks trials of a trained network
 * (the perturbation explorer, docs/science.md §4.6; core/analysis/perturbation/kick.ts).
 *
 * The page sends each view's network once (`explorerSetup`, keyed by the view), then a
 * `kick` per amplitude the user drags to. Only the latest kick of a key matters: the worker
 * answers the newest one it has when it gets a turn and drops those it superseded, and the
 * page keeps at most one kick in flight per key (webview/panel/explorer/kick-client.ts).
 * Bulk arrays travel in envelopes, one transferred ArrayBuffer each.
 */
import { fromEnvelope, type Envelope } from '../core/pack';
import { KICK_DIRECTIONS, type KickDirection } from '../core/analysis/perturbation/kick-directions';
import { Check, messageValidator, type Rec } from './check';

export { KICK_DIRECTIONS, type KickDirection };

/** A view's trained network and its evaluation trials: what kicks need, sent once. */
export interface ExplorerSetup {
  N: number;
  dIn: number;
  dOut: number;
  /** grid points per trial, and trials */
  T: number;
  B: number;
  dt: number;
  /** final weights, row-major: W N x N, W_in N x dIn, W_out dOut x N */
  W: Float32Array;
  W_in: Float32Array;
  W_out: Float32Array;
  /** the initial states the view's trajectories start from, [B][N] */
  x0: Float32Array;
  /** the evaluation batch's inputs, [T][B][dIn] */
  inputs: Float32Array;
  /** the view's bases, 3 x N axes each (pca: its rows are PC1..PC3, which the pc directions use) */
  bases: { pca: Float64Array; readout: Float64Array | null };
  /** seeds the random direction (the evaluation seed: every view of a spec kicks along the same one) */
  seed: number;
}

/**
 * A stored run's final network and evaluation batch, as the host reads them from its run
 * folder (weights.safetensors, trajectories.safetensors) when the page first needs them
 * for a view's explorer: a stored run's page has no result to take them from.
 */
export interface StoredNetwork {
  N: number;
  dIn: number;
  dOut: number;
  T: number;
  B: number;
  /** final weights, row-major as in ExplorerSetup; h0 the initial state of every trial */
  W: Float32Array;
  W_in: Float32Array;
  W_out: Float32Array;
  h0: Float32Array;
  /** the evaluation batch, [T][B][dIn] and [T][B][dOut] */
  inputs: Float32Array;
  targets: Float32Array;
  mask: Float32Array;
}

/** One kick: trial `trial` at grid index `step`, along `direction`, by `amplitude` sqrt(N). */
export interface KickRequest {
  trial: number;
  step: number;
  direction: KickDirection;
  /** in units of sqrt(N), as §4.6's A / sqrt(N) */
  amplitude: number;
}

/** A run projected on the view's bases, with its outputs. */
export interface ProjectedRun {
  /** [steps][3] */
  pca: Float32Array;
  readout: Float32Array | null;
  /** z = W_out x, [steps][dOut] */
  outputs: Float32Array;
}

/** The answer to a kick. */
export interface KickAnswer {
  request: KickRequest;
  /** the trial without a kick, from grid index 0 */
  unperturbed: ProjectedRun;
  /** the kicked trial from grid index request.step on (its first point is the kicked state) */
  perturbed: ProjectedRun;
  /** |x_pert - x| at the last grid point, in units of sqrt(N): has the kick decayed? */
  finalDistance: number;
  /** the worker's time for the kick */
  ms: number;
}

export type ToExplorer =
  | { type: 'explorerSetup'; key: string; setup: Envelope }
  /** `seq` grows with every kick of a key; an answer names the kick it answers */
  | { type: 'kick'; key: string; seq: number; request: KickRequest }
  /** the view closed: drop its network */
  | { type: 'explorerForget'; key: string };

export type FromExplorer =
  | { type: 'kicked'; key: string; seq: number; answer: Envelope }
  /** a bad setup or kick; `seq` is -1 for a setup */
  | { type: 'kickFailed'; key: string; seq: number; message: string };

/** Every message type of this channel: the worker routes them apart from the trainer's. */
export const EXPLORER_MESSAGE_TYPES: ReadonlySet<string> = new Set<ToExplorer['type'] | FromExplorer['type']>(['explorerSetup', 'kick', 'explorerForget', 'kicked', 'kickFailed']);

function checkRequest(c: Check, x: unknown, at: string): void {
  const r = c.rec(x, at);
  if (r === undefined) return;
  c.count(r.trial, `${at}.trial`);
  c.count(r.step, `${at}.step`);
  c.oneOf(r.direction, KICK_DIRECTIONS, `${at}.direction`);
  const a = c.num(r.amplitude, `${at}.amplitude`);
  if (typeof a === 'number' && !Number.isFinite(a)) c.fail(`${at}.amplitude`, 'is not finite');
}

const key = (c: Check, m: Rec) => c.str(m.key, 'key');

export const toExplorer = messageValidator<ToExplorer>({
  explorerSetup: (c, m) => {
    key(c, m);
    c.envelope(m.setup, 'setup');
  },
  kick: (c, m) => {
    key(c, m);
    c.count(m.seq, 'seq');
    checkRequest(c, m.request, 'request');
  },
  explorerForget: key,
});

export const fromExplorer = messageValidator<FromExplorer>({
  kicked: (c, m) => {
    key(c, m);
    c.count(m.seq, 'seq');
    c.envelope(m.answer, 'answer');
  },
  kickFailed: (c, m) => {
    key(c, m);
    c.int(m.seq, 'seq');
    c.str(m.message, 'message');
  },
});

/** Unpacks an envelope and checks its tree with `check`; throws an Error that says what is wrong. */
function decode<T>(env: Envelope, what: string, check: (c: Check, x: unknown) => void): T {
  let value: unknown;
  try {
    value = fromEnvelope<unknown>(env);
  } catch (e) {
    throw new Error(`The ${what} cannot be unpacked: ${(e as Error).message}`);
  }
  const c = new Check();
  check(c, value);
  if (!c.ok) throw new Error(`The ${what} is malformed: ${c.summary()}.`);
  return value as T;
}

/** An ExplorerSetup whose every array has the size its dimensions give. */
export function decodeExplorerSetup(env: Envelope): ExplorerSetup {
  return decode<ExplorerSetup>(env, 'explorer setup', (c, x) => {
    const s = c.rec(x, 'setup');
    if (s === undefined) return;
    const N = c.count(s.N, 'N');
    const dIn = c.count(s.dIn, 'dIn');
    const dOut = c.count(s.dOut, 'dOut');
    const T = c.count(s.T, 'T');
    const B = c.count(s.B, 'B');
    const dt = c.num(s.dt, 'dt');
    c.int(s.seed, 'seed');
    if (N === undefined || dIn === undefined || dOut === undefined || T === undefined || B === undefined) return;
    if (N < 1 || T < 1 || B < 1) return void c.fail('setup', 'needs N, T and B of at least 1');
    if (typeof dt !== 'number' || !(dt > 0 && dt <= 1)) c.fail('dt', 'is not in (0, 1]');
    c.array(s.W, Float32Array, 'W', N * N);
    c.array(s.W_in, Float32Array, 'W_in', N * dIn);
    c.array(s.W_out, Float32Array, 'W_out', dOut * N);
    c.array(s.x0, Float32Array, 'x0', B * N);
    c.array(s.inputs, Float32Array, 'inputs', T * B * dIn);
    const bases = c.rec(s.bases, 'bases');
    if (bases) {
      c.array(bases.pca, Float64Array, 'bases.pca', 3 * N);
      if (bases.readout !== null) c.array(bases.readout, Float64Array, 'bases.readout', 3 * N);
    }
  });
}

/** A StoredNetwork whose every array has the size its dimensions give (and, when `N` is given, of that many units). */
export function decodeStoredNetwork(env: Envelope, N?: number): StoredNetwork {
  return decode<StoredNetwork>(env, 'stored network', (c, x) => checkStoredNetwork(c, x, N));
}

/** The check of decodeStoredNetwork, also used by the host on what it read from a run folder. */
export function checkStoredNetwork(c: Check, x: unknown, units?: number): void {
  const s = c.rec(x, 'network');
  if (s === undefined) return;
  const [N, dIn, dOut, T, B] = (['N', 'dIn', 'dOut', 'T', 'B'] as const).map((k) => c.count(s[k], k));
  if (N === undefined || dIn === undefined || dOut === undefined || T === undefined || B === undefined) return;
  if (N < 1 || dOut < 1 || T < 1 || B < 1) return void c.fail('network', 'needs N, dOut, T and B of at least 1');
  if (units !== undefined && N !== units) c.fail('N', `is ${N}, but the run has ${units} units`);
  c.array(s.W, Float32Array, 'W', N * N);
  c.array(s.W_in, Float32Array, 'W_in', N * dIn);
  c.array(s.W_out, Float32Array, 'W_out', dOut * N);
  c.array(s.h0, Float32Array, 'h0', N);
  c.array(s.inputs, Float32Array, 'inputs', T * B * dIn);
  c.array(s.targets, Float32Array, 'targets', T * B * dOut);
  c.array(s.mask, Float32Array, 'mask', T * B * dOut);
}

/** A KickAnswer for a network of `dims`, with arrays of the sizes its request gives. */
export function decodeKickAnswer(env: Envelope, dims: { T: number; dOut: number }): KickAnswer {
  return decode<KickAnswer>(env, 'kick answer', (c, x) => {
    const a = c.rec(x, 'answer');
    if (a === undefined) return;
    checkRequest(c, a.request, 'request');
    c.num(a.finalDistance, 'finalDistance');
    c.num(a.ms, 'ms');
    const r = c.rec(a.request, 'request');
    const step = r && typeof r.step === 'number' ? r.step : undefined;
    if (step === undefined) return;
    if (step >= dims.T) return void c.fail('request.step', `is beyond the trial's ${dims.T} grid points`);
    checkRun(c, a.unperturbed, 'unperturbed', dims.T, dims.dOut);
    checkRun(c, a.perturbed, 'perturbed', dims.T - step, dims.dOut);
  });
}

function checkRun(c: Check, x: unknown, at: string, steps: number, dOut: number): void {
  const r = c.rec(x, at);
  if (r === undefined) return;
  c.array(r.pca, Float32Array, `${at}.pca`, steps * 3);
  if (r.readout !== null) c.array(r.readout, Float32Array, `${at}.readout`, steps * 3);
  c.array(r.outputs, Float32Array, `${at}.outputs`, steps * dOut);
}
