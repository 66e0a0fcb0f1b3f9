/**
 * The specs `rnnlab paper` trains: each of the five tasks with small (aligned) and large
 * (oblique) initial output weights, g = 1.5, at one of three scales.
 *
 * - paper: the paper's main runs (docs/science.md §2): N = 512, all weights trained, the
 *   paper's steps and learning rates per task and output scale (the spec defaults).
 * - mid: the same at N = 256 (about a quarter of the cost per step).
 * - quick: N = 128, only W trained (as in the paper's cycling example, Fig 2, and its sine
 *   examples); cycling and flip-flop as the quick demos of docs/science.md §6, Mante, Romo and
 *   complex sine at the rate of those demos (lr0 0.05) for as many steps as they need to
 *   learn here (docs/analyses.md: with the paper's own training at N = 128, aligned Romo and
 *   complex sine had not learned after 6000 steps).
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
    network: 'N: 128, train: [recurrent]',
    training: 'steps: 6000, lr0: 0.05',
    why: 'only W trained, at the rate of the quick demos (lr0 0.05), the paper\'s 6000 steps: with the paper\'s training (all weights) aligned Romo had not learned at N = 128, and with W only after 4000 steps neither aligned seed had',
  },
  complex_sine: {
    network: 'N: 128, train: [recurrent]',
    training: 'steps: 6000, lr0: 0.05',
    why: 'only W trained, at the rate of the quick demos (lr0 0.05), the paper\'s 6000 steps: with the paper\'s training (all weights) aligned complex sine had not learned at N = 128, and with W only after 3000 steps the losses were 0.047-0.098, still falling',
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
