/**
 * The perturbation experiment as the last phase of a training run (core/train.ts): run
 * once on the final network, only when the spec's analysis list has `perturbation` and
 * the run has learned the task (docs/science.md §4.6, §6). Yields progress so that the
 * CLI and the panel can show it; stops between chunks when the run is stopped.
 */
import type { Network } from '../../model';
import type { RunConfig, TaskBatch } from '../../types';
import type { StopSignal } from '../../train';
import { simulate } from '../../simulate';
import { frozenInitialStates, learnedLoss } from '../../evaluate';
import { perturbationExperiment, ProtocolError, type PerturbationResult } from './index';

/** Progress of the experiment: simulation chunks done of total. */
export interface AnalysisProgressEvent {
  type: 'analysis';
  name: 'perturbation';
  done: number;
  total: number;
}

export interface PerturbationOutcome {
  perturbation: PerturbationResult | null;
  /** why there is no result although the analysis list asks for one */
  perturbation_skipped: string | null;
}

export async function* finalPerturbation(
  net: Network,
  run: RunConfig,
  batch: TaskBatch,
  evaluation: { eval_loss: number; eval_loss_x0rand: number | null; learned: boolean },
  signal?: StopSignal,
): AsyncGenerator<AnalysisProgressEvent, PerturbationOutcome> {
  const none = (why: string | null): PerturbationOutcome => ({ perturbation: null, perturbation_skipped: why });
  if (!run.analysis.includes('perturbation')) return none(null);
  if (!evaluation.learned) {
    return none(`not learned (eval loss ${learnedLoss(evaluation).toPrecision(3)} > ${run.evaluation.learned_threshold})`);
  }
  if (signal?.aborted) return none('the run was stopped');
  const dt = run.network.dt;
  const x0 = frozenInitialStates(net, run, batch.B);
  const unperturbed = simulate(net, dt, batch, { x0, noiseStd: 0, rng: null });
  const experiment = perturbationExperiment({
    net,
    dt,
    task: run.task,
    batch,
    unperturbed,
    kPca: Math.round(run.evaluation.t_min / dt),
    seed: run.evaluation.seed,
  });
  try {
    for (;;) {
      const r = await experiment.next();
      if (r.done) return { perturbation: r.value, perturbation_skipped: null };
      yield { type: 'analysis', name: 'perturbation', done: r.value.groupsDone, total: r.value.groupsTotal };
      if (signal?.aborted) {
        await experiment.return(undefined as never);
        return none('the run was stopped');
      }
    }
  } catch (e) {
    if (e instanceof ProtocolError) return none(e.message);
    throw e;
  }
}
