/**
 * One run on disk, the format shared by the CLI and the extension's run store:
 *
 *   <run folder>/
 *     spec.rnn.yaml          the spec file as it was when the run started
 *     run.json               the resolved run (defaults, variant and seed applied)
 *     metrics.json           the measures and timings (core/metrics.ts)
 *     weights.safetensors    W, W_in, W_out, h0 (final) and *_init (initial)
 *     trajectories.safetensors  noise-free evaluation run: states [T,B,N], outputs [T,B,dOut],
 *                            inputs, targets, mask, condition [B], and the training losses
 *     view.safetensors       what the 3D view draws (projection, conditions), with its JSON tree
 *
 * Written atomically: everything goes into a hidden temporary folder that is renamed
 * into place last, so a crash never leaves a half run that looks whole.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig } from '../core/types';
import type { RunResult } from '../core/train';
import type { Projection } from '../core/analysis';
import { encodeSafetensors, decodeSafetensors, type ArrayMap } from '../core/safetensors';
import { treeFromSafetensors, treeToSafetensors } from '../core/pack';
import { metricsJson, runMetrics, type RunMetrics } from '../core/metrics';

export const RUN_FILES = ['spec.rnn.yaml', 'run.json', 'metrics.json', 'weights.safetensors', 'trajectories.safetensors', 'view.safetensors'] as const;

/** What the panel needs to show a stored run without training. */
export interface RunView {
  name: string;
  projection: Projection;
  condition: Int32Array;
  conditionLabels: string[];
  losses: Float32Array;
}

export interface StoredRun {
  dir: string;
  run: RunConfig;
  metrics: RunMetrics;
  view: RunView;
}

/** Writes the run into parent/name atomically and returns the folder. */
export async function writeRunFolder(parent: string, name: string, result: RunResult, specText: string): Promise<string> {
  const dir = join(parent, name);
  const tmp = join(parent, `.${name}.tmp-${process.pid}-${Date.now().toString(36)}`);
  await mkdir(tmp, { recursive: true });
  try {
    const { trajectories: tr, analysis, condition, conditionLabels } = result.evaluation;
    const evalBatch = result.evalBatch;
    const w = (x: { W: Float32Array; W_in: Float32Array; W_out: Float32Array; h0: Float32Array; N: number; dIn: number; dOut: number }, suffix: string): ArrayMap => ({
      [`W${suffix}`]: { data: x.W, shape: [x.N, x.N] },
      [`W_out${suffix}`]: { data: x.W_out, shape: [x.dOut, x.N] },
      ...(x.dIn > 0 ? { [`W_in${suffix}`]: { data: x.W_in, shape: [x.N, x.dIn] } } : {}),
    });
    const weights = encodeSafetensors({ ...w(result.final, ''), ...w(result.initial, '_init'), h0: { data: result.final.h0, shape: [result.final.N] } }, {
      layout: 'row-major; W acts as W @ tanh(x); W_in is N x d_in; W_out is d_out x N',
    });
    const { T, B, N, dOut } = tr;
    const trajectories = encodeSafetensors(
      {
        states: { data: tr.states, shape: [T, B, N] },
        outputs: { data: tr.outputs, shape: [T, B, dOut] },
        ...(evalBatch.dIn > 0 ? { inputs: { data: evalBatch.inputs, shape: [T, B, evalBatch.dIn] } } : {}),
        targets: { data: evalBatch.targets, shape: [T, B, dOut] },
        mask: { data: evalBatch.mask, shape: [T, B, dOut] },
        condition: { data: condition, shape: [B] },
        losses: { data: result.losses, shape: [result.losses.length] },
      },
      { layout: 'time-major [T, B, ...]; noise-free evaluation run from x0 = h0', dt: String(result.run.network.dt) },
    );
    const view: RunView = { name: result.run.name, projection: analysis.projection, condition, conditionLabels: [...conditionLabels], losses: result.losses };
    await Promise.all([
      writeFile(join(tmp, 'spec.rnn.yaml'), specText),
      writeFile(join(tmp, 'run.json'), JSON.stringify(result.run, null, 2) + '\n'),
      writeFile(join(tmp, 'metrics.json'), metricsJson(runMetrics(result)) + '\n'),
      writeFile(join(tmp, 'weights.safetensors'), weights),
      writeFile(join(tmp, 'trajectories.safetensors'), trajectories),
      writeFile(join(tmp, 'view.safetensors'), treeToSafetensors(view)),
    ]);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return dir;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Reads a run folder back, with an error that names the folder and the bad file. */
export async function readRunFolder(dir: string): Promise<StoredRun> {
  const read = async (f: string) => {
    try {
      return await readFile(join(dir, f));
    } catch {
      throw new Error(`${dir} is not a complete run folder: ${f} is missing.`);
    }
  };
  const parse = <T>(f: string, bytes: Buffer): T => {
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (e) {
      throw new Error(`${join(dir, f)}: not valid JSON (${(e as Error).message}).`);
    }
  };
  const [runBytes, metricsBytes, viewBytes] = await Promise.all([read('run.json'), read('metrics.json'), read('view.safetensors')]);
  const run = parse<RunConfig>('run.json', runBytes);
  const metrics = parse<RunMetrics>('metrics.json', metricsBytes);
  if (typeof run?.name !== 'string' || typeof run?.network?.N !== 'number') throw new Error(`${join(dir, 'run.json')}: not a run description.`);
  let view: RunView;
  try {
    view = treeFromSafetensors<RunView>(new Uint8Array(viewBytes.buffer, viewBytes.byteOffset, viewBytes.byteLength));
  } catch (e) {
    throw new Error(`${join(dir, 'view.safetensors')}: ${(e as Error).message}`);
  }
  if (!view?.projection?.pca?.trajectories) throw new Error(`${join(dir, 'view.safetensors')}: no projected trajectories in it.`);
  return { dir, run, metrics, view };
}

/** The arrays of a stored safetensors file (for scripts and tests). */
export async function readArrays(file: string): Promise<ArrayMap> {
  const b = await readFile(file);
  return decodeSafetensors(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).arrays;
}
