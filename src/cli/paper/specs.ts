/**
 * The specs `rnnlab paper` trains: each of the five tasks with small (aligned) and large
 * (oblique) initial output weights, g = 1.5, at one of three scales.
 *
 * - paper: the paper's main runs (docs/science.md §2): N = 512, all weights trained, the
 *   paper's steps and learning rates per task and output scale (the spec defaults).
 * - mid: the same at N = 256 (about a quarter of the cost per step).
 * - quick: N = 128; cycling, flip-flop and Mante with only W trained, which learn (noise-free
 *   evaluation loss <= 0.05, docs/science.md §6) in minutes; Romo and complex sine with the
 *   paper's training, which at N = 128 did not reach that loss for Romo (0.86-0.94 after
 *   6000 steps, measured): the report leaves such runs out and says why.
 */
import type { PaperTask } from './reference';

export const SCALES = ['quick', 'mid', 'paper'] as const;
export type Scale = (typeof SCALES)[number];

/** What differs from the spec defaults (the paper's settings) per task at the quick scale. */
const QUICK: Record<PaperTask, { task?: string; network: string; training: string; why: string }> = {
  cycling: {
    task: 'response: 31',
    network: 'N: 128, train: [recurrent]',
    training: 'steps: 500, lr0: 0.1',
    why: 'the quick demo of docs/science.md §6: a 31-unit response window (3 cycles), only W trained',
  },
  flipflop: {
    network: 'N: 128, train: [recurrent]',
    training: 'steps: 1000, lr0: 0.05',
    why: 'the quick flip-flop of docs/science.md §6, only W trained',
  },
  mante: {
    network: 'N: 128, train: [recurrent]',
    training: 'steps: 1000, lr0: 0.05',
    why: 'the paper\'s task and noise, only W trained, 1000 steps',
  },
  romo: {
    network: 'N: 128, train: [input, recurrent, output]',
    training: 'steps: 6000',
    why: 'the paper\'s training (all weights, its steps and learning rates) at N = 128; at this N Romo may not reach the learned threshold from x_0 = h_0 (0.86-0.94 after 6000 steps here)',
  },
  complex_sine: {
    network: 'N: 128, train: [input, recurrent, output]',
    training: 'steps: 6000',
    why: 'the paper\'s training (all weights, its steps and learning rates) at N = 128',
  },
};

export function specName(task: PaperTask, scale: Scale): string {
  return `paper-${scale}-${task.replace('_', '-')}`;
}

/** The spec's YAML text. */
export function paperSpecText(task: PaperTask, scale: Scale, seeds: number): string {
  const q = QUICK[task];
  const lines = [
    `# rnnlab paper --scale ${scale}: ${task}, aligned (small initial W_out) vs oblique (large), ${seeds} seed${seeds > 1 ? 's' : ''}.`,
    scale === 'quick' ? `# Quick: ${q.why}.` : `# ${scale === 'paper' ? 'The paper\'s main runs' : 'The paper\'s main runs at N = 256'}: all weights trained, the paper's steps and learning rates (docs/science.md §2).`,
    `name: ${specName(task, scale)}`,
    `task: { kind: ${task}${scale === 'quick' && q.task ? `, ${q.task}` : ''} }`,
    `network: { g: 1.5, ${scale === 'quick' ? q.network : `N: ${scale === 'paper' ? 512 : 256}, train: [input, recurrent, output]`} }`,
    `training: { seed: 0${scale === 'quick' ? `, ${q.training}` : ''} }`,
    // no checkpoints: the report needs the final networks only
    'evaluation: { every: 0 }',
    `seeds: ${seeds}`,
    'variants:',
    '  - { name: aligned, network: { output_scale: small } }',
    '  - { name: oblique, network: { output_scale: large } }',
    '',
  ];
  return lines.join('\n');
}

/** One line for the report: what the runs of a task were trained with. */
export function settingsText(task: PaperTask, scale: Scale, seeds: number, N: number, steps: number, train: readonly string[]): string {
  const why = scale === 'quick' ? ` Quick settings: ${QUICK[task].why}.` : '';
  return `N = ${N}, ${steps} steps, trained: ${train.join(', ')}, ${seeds} seed${seeds > 1 ? 's' : ''} per regime.${why}`;
}
