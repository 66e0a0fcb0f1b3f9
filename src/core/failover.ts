/**
 * A run's steps on its engine, surviving a lost GPU. A WebGL context or a WebGPU device
 * can vanish mid-run (a driver reset, another tab, a laptop switching GPUs); the run
 * then goes on from its last completed step on the next-best backend instead of being
 * lost. On a GPU backend the weights and Adam's state are copied out after every step
 * (a few megabytes read back, small next to a GPU step), and the noise stream is rewound
 * to where the failed step began, so the step is redone exactly.
 */
import type { BackendName } from './types';
import type { BatchRun } from './bptt';
import { activate, candidates, gpuLost, markLost } from './backend';
import type { RunBackend } from './calibrate';
import { createEngine, type EngineInit, type EngineState, type StepResult, type TrainingEngine } from './engine';
import { streamState } from './rng';

export interface BackendSwitch {
  /** the last completed step, where the run goes on */
  step: number;
  from: BackendName;
  to: BackendName;
  /** one sentence for the user */
  reason: string;
}

export class RunEngine {
  engine: TrainingEngine;
  private snapshot: EngineState | undefined;

  constructor(
    private readonly chosen: RunBackend,
    private readonly init: EngineInit,
  ) {
    this.engine = createEngine(chosen.name, init);
    if (this.onGpu()) this.snapshot = this.engine.state();
  }

  get backend(): BackendName {
    return this.engine.backend;
  }

  /** One step; when the GPU was lost during it, the step is redone on the next-best backend and `switched` says so. */
  async step(run: BatchRun, step: number): Promise<{ result: StepResult; switched?: BackendSwitch }> {
    if (!this.onGpu()) return { result: this.engine.step(run, step) };
    const noiseAt = run.rng ? streamState(run.rng).slice() : undefined;
    let result: StepResult | undefined;
    let failure: unknown;
    try {
      result = this.engine.step(run, step);
    } catch (err) {
      failure = err;
    }
    const lost = gpuLost(this.backend);
    if (!lost) {
      if (result === undefined) throw failure;
      this.snapshot = this.engine.state();
      return { result };
    }
    const from = this.backend;
    markLost(from, `its context was lost (${lost})`);
    const to = this.nextBest();
    try {
      this.engine.dispose();
    } catch {
      // the lost context's textures are gone already
    }
    await activate(to);
    this.engine = createEngine(to, this.init, this.snapshot);
    if (noiseAt && run.rng) streamState(run.rng).set(noiseAt);
    const redone = this.engine.step(run, step);
    if (this.onGpu()) this.snapshot = this.engine.state();
    return {
      result: redone,
      switched: { step: step - 1, from, to, reason: `the ${from} context was lost (${lost}); the run goes on from step ${step - 1} on ${to}` },
    };
  }

  dispose(): void {
    this.engine.dispose();
  }

  private onGpu(): boolean {
    return this.backend === 'webgl' || this.backend === 'webgpu';
  }

  /** The fastest measured backend that still works, else the first candidate, else cpu. */
  private nextBest(): BackendName {
    const usable = new Set(candidates());
    const measured = this.chosen.calibration
      .filter((r) => r.msPerStep !== null && usable.has(r.backend))
      .sort((a, b) => (a.msPerStep ?? 0) - (b.msPerStep ?? 0));
    return measured[0]?.backend ?? [...usable][0] ?? 'cpu';
  }
}
