/**
 * A trained network as a recording (`rnnlab export RUN --as recording FILE.npz`): its
 * noise-free evaluation states and outputs in the layout the recordings analysis reads,
 * so the analysis can be checked on networks whose regime is known (docs/science.md §4.9).
 *
 * The .npz holds
 *   activity   float32 [trials, time, N]       the states x(t), t >= t_min
 *   behaviour  float32 [trials, time, outputs] the network's outputs z = W_out x
 *   time       float64 [time]                  t in time units
 *   w_out      float32 [outputs, N]            the network's readout, for comparison with the decoder
 *   condition  int32   [trials]                condition index of each trial
 */
import { writeNpy } from './npy';
import { zipStore } from './zip';

export interface NetworkRecordingInput {
  /** [T][B][N] time-major, as the run folder stores them */
  states: Float32Array;
  /** [T][B][dOut] */
  outputs: Float32Array;
  T: number;
  B: number;
  N: number;
  dOut: number;
  /** first grid index kept: round(t_min / dt) */
  kMin: number;
  dt: number;
  wOut: Float32Array;
  condition: Int32Array;
}

/** Trial-major copies of the time-major arrays from kMin on. */
export function networkRecording(r: NetworkRecordingInput): { activity: Float32Array; behaviour: Float32Array; time: Float64Array; Tk: number } {
  const { T, B, N, dOut, kMin } = r;
  if (r.states.length !== T * B * N || r.outputs.length !== T * B * dOut) throw new Error('networkRecording: the arrays do not match T, B, N and dOut');
  const k0 = Math.min(Math.max(0, kMin), T - 1);
  const Tk = T - k0;
  const activity = new Float32Array(B * Tk * N);
  const behaviour = new Float32Array(B * Tk * dOut);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < Tk; k++) {
      activity.set(r.states.subarray(((k + k0) * B + b) * N, ((k + k0) * B + b + 1) * N), (b * Tk + k) * N);
      behaviour.set(r.outputs.subarray(((k + k0) * B + b) * dOut, ((k + k0) * B + b + 1) * dOut), (b * Tk + k) * dOut);
    }
  }
  return { activity, behaviour, time: Float64Array.from({ length: Tk }, (_, k) => (k + k0) * r.dt), Tk };
}

/** The .npz bytes described above. */
export function networkRecordingNpz(r: NetworkRecordingInput): Uint8Array {
  const { activity, behaviour, time, Tk } = networkRecording(r);
  return zipStore([
    { name: 'activity.npy', data: writeNpy(activity, [r.B, Tk, r.N]) },
    { name: 'behaviour.npy', data: writeNpy(behaviour, [r.B, Tk, r.dOut]) },
    { name: 'time.npy', data: writeNpy(time, [Tk]) },
    { name: 'w_out.npy', data: writeNpy(r.wOut, [r.dOut, r.N]) },
    { name: 'condition.npy', data: writeNpy(r.condition, [r.B]) },
  ]);
}
