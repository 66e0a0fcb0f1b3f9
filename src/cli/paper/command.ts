/**
 * `rnnlab paper`: the paper's main experiment (docs/science.md §5.1) by one command. Each
 * task's spec is written to <out>/specs/ and trained with `train --resume` into its sweep
 * folder <out>/runs/<spec-name>/, so a finished run is never trained again and a stopped
 * or interrupted one is trained anew; then report.md, table.csv and figures/*.svg are
 * written from whatever runs are complete.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSpec } from '../../spec/resolve';
import type { RunConfig } from '../../core/types';
import type { RunMetrics } from '../../core/metrics';
import type { DissimilarityResult } from '../../core/analysis/dissimilarity-matrix';
import { perturbationFromSafetensors, PERTURBATION_FILE } from '../../core/analysis/perturbation/format';
import { runStatus, sweepDir } from '../../store/sweep';
import { readRegularFile } from '../../store/files';
import { READ_LIMITS } from '../../store/runFolder';
import { trainCommand } from '../train';
import { dissimilarityOfRuns, hasSeedPairs, type ComparedRun } from '../dissimilarity';
import { UsageError, positiveInt } from '../args';
import { duration } from '../progress';
import { PAPER_TASKS, type PaperTask, type Regime } from './reference';
import { SCALES, paperSpecText, settingsText, specName, type Scale } from './specs';
import { paperCells, reportMarkdown, tableCsv, type TaskRuns } from './report';
import { paperFigures, type PerturbationCurve } from './figures';

export interface PaperArgs {
  scale: Scale;
  tasks: PaperTask[];
  seeds: number;
  out: string;
  /** override training.steps of every task: a check of the pipeline (such runs rarely learn) */
  steps?: number;
  jobs?: number;
}

/** The paper trained 5 seeds; the smaller scales fewer, to keep the time reasonable. */
const DEFAULT_SEEDS: Record<Scale, number> = { quick: 2, mid: 3, paper: 5 };

export function parsePaperArgs(args: string[]): PaperArgs {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scale: { type: 'string', default: 'quick' },
      tasks: { type: 'string' },
      seeds: { type: 'string' },
      out: { type: 'string' },
      steps: { type: 'string' },
      jobs: { type: 'string' },
    },
  });
  if (positionals.length) throw new UsageError(`paper takes no positional arguments (got ${positionals.join(' ')}).`);
  const scale = values.scale ?? 'quick';
  if (!(SCALES as readonly string[]).includes(scale)) throw new UsageError(`--scale is one of ${SCALES.join(', ')}, not "${scale}".`);
  const s = scale as Scale;
  const tasks = values.tasks === undefined ? [...PAPER_TASKS] : values.tasks.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = tasks.filter((t) => !(PAPER_TASKS as readonly string[]).includes(t));
  if (unknown.length || !tasks.length) throw new UsageError(`--tasks is a comma-separated list of ${PAPER_TASKS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`);
  return {
    scale: s,
    tasks: PAPER_TASKS.filter((t) => tasks.includes(t)),
    seeds: values.seeds === undefined ? DEFAULT_SEEDS[s] : positiveInt('--seeds', values.seeds),
    out: values.out ?? join('.rnnlab', `paper-${s}`),
    ...(values.steps !== undefined ? { steps: positiveInt('--steps', values.steps) } : {}),
    ...(values.jobs !== undefined ? { jobs: positiveInt('--jobs', values.jobs) } : {}),
  };
}

/** Exit codes: 0 every run complete and the report written; 1 a task failed; 2 bad arguments; 130 interrupted. */
export async function paperCommand(a: PaperArgs, command: string): Promise<number> {
  const out = resolve(a.out);
  const runsDir = join(out, 'runs');
  await mkdir(join(out, 'specs'), { recursive: true });
  const started = Date.now();
  let code = 0;
  const collected: TaskRuns[] = [];
  const curves: PerturbationCurve[] = [];
  for (const task of a.tasks) {
    const file = join(out, 'specs', `${specName(task, a.scale)}.rnn.yaml`);
    const text = paperSpecText(task, a.scale, a.seeds);
    await replaceIfChanged(file, text);
    if (code !== 130) {
      process.stderr.write(`\n== ${task} (${shown(file)})\n`);
      const trained = await trainCommand({ spec: file, out: runsDir, json: false, variants: [], resume: true, ...(a.steps !== undefined ? { steps: a.steps } : {}), ...(a.jobs !== undefined ? { jobs: a.jobs } : {}) });
      if (trained === 130) code = 130;
      else if (trained !== 0 && code === 0) code = 1;
    }
    const loaded = loadSpec(text, file);
    const runs = a.steps === undefined ? loaded.runs : loaded.runs.map((r) => ({ ...r, training: { ...r.training, steps: a.steps ?? r.training.steps } }));
    const t = await collectTask(task, a, sweepDir(runsDir, loaded.name), runs);
    collected.push(t.runs);
    curves.push(...t.curves);
  }

  const cells = paperCells(collected);
  await mkdir(join(out, 'figures'), { recursive: true });
  const figures = await paperFigures(cells, curves).catch((e: Error) => {
    process.stderr.write(`rnnlab: the figures could not be drawn: ${e.message}\n`);
    return [];
  });
  for (const f of figures) await writeFile(join(out, f.file), f.svg);
  await writeFile(join(out, 'table.csv'), tableCsv(cells));
  const report = reportMarkdown({ scale: a.scale, tasks: collected, cells, figures, seconds: (Date.now() - started) / 1000, command });
  await writeFile(join(out, 'report.md'), report);
  const missing = collected.reduce((n, t) => n + t.missing.length, 0);
  process.stdout.write(`\n${summaryLines(collected, cells).join('\n')}\n\n`);
  process.stdout.write(`Report: ${shown(join(out, 'report.md'))} (table.csv, ${figures.length} figure${figures.length === 1 ? '' : 's'}) after ${duration((Date.now() - started) / 1000)}.${missing ? ` ${missing} run${missing === 1 ? ' is' : 's are'} not complete: run the same command again to train ${missing === 1 ? 'it' : 'them'}.` : ''}\n`);
  return code;
}

/** The complete runs of one task's sweep folder, their perturbation curves and their dissimilarity. */
async function collectTask(task: PaperTask, a: PaperArgs, dir: string, runs: readonly RunConfig[]): Promise<{ runs: TaskRuns; curves: PerturbationCurve[] }> {
  const done: { name: string; regime: Regime; metrics: RunMetrics; run: RunConfig }[] = [];
  const missing: string[] = [];
  for (const run of runs) {
    const s = await runStatus(dir, run);
    if (s.kind === 'complete') done.push({ name: run.name, regime: run.variant === 'aligned' ? 'aligned' : 'oblique', metrics: s.metrics, run });
    else missing.push(run.name);
  }
  const learned = done.filter((r) => r.metrics.learned !== false);
  let dissimilarity: DissimilarityResult | undefined;
  const compared: ComparedRun[] = learned.map((r) => ({ dir: join(dir, r.name), name: r.name, group: r.regime, run: r.run }));
  if (hasSeedPairs(compared.map((c) => c.group))) {
    dissimilarity = await dissimilarityOfRuns(compared).catch((e: Error) => {
      process.stderr.write(`rnnlab: ${task}: dissimilarity not computed: ${e.message}\n`);
      return undefined;
    });
  }
  const curves = await perturbationCurves(task, dir, learned);
  const first = runs[0];
  const settings = first ? settingsText(task, a.scale, a.seeds, first.network.N, first.training.steps, first.network.train) : '';
  return { runs: { task, settings, runs: done, ...(dissimilarity ? { dissimilarity } : {}), missing }, curves };
}

/** Loss against A/sqrt(N) per regime and direction: the mean over perturbation times and the runs' seeds. */
async function perturbationCurves(task: PaperTask, dir: string, runs: readonly { name: string; regime: Regime; run: RunConfig }[]): Promise<PerturbationCurve[]> {
  const sums = new Map<string, { regime: Regime; direction: string; amplitude: number; sum: number; n: number }>();
  for (const r of runs) {
    let p;
    try {
      p = perturbationFromSafetensors(new Uint8Array(await readRegularFile(join(dir, r.name, PERTURBATION_FILE), READ_LIMITS.arrays)));
    } catch {
      continue; // not run (see perturbation_skipped in its metrics) or unreadable: no curve from it
    }
    const A = p.amplitudes.length;
    const P = p.times.length;
    const sqrtN = Math.sqrt(r.run.network.N);
    p.directions.forEach((direction, d) => {
      for (let i = 0; i < A; i++) {
        let s = 0;
        for (let k = 0; k < P; k++) s += p.loss[(d * A + i) * P + k] ?? Number.NaN;
        const amplitude = (p.amplitudes[i] ?? Number.NaN) / sqrtN;
        const key = `${r.regime}|${direction}|${i}`;
        const e = sums.get(key) ?? { regime: r.regime, direction, amplitude, sum: 0, n: 0 };
        e.sum += s / P;
        e.n++;
        sums.set(key, e);
      }
    });
  }
  return [...sums.values()].map((e) => ({ task, regime: e.regime, direction: e.direction, amplitude: e.amplitude, loss: e.sum / e.n }));
}

/** A few lines for the terminal: rho and the relative susceptibility per task, beside the paper's. */
function summaryLines(tasks: readonly TaskRuns[], cells: ReturnType<typeof paperCells>): string[] {
  const cell = (task: PaperTask, regime: Regime, m: 'rho_sqrtN' | 'rel_susceptibility' | 'dissim') => cells.find((c) => c.task === task && c.regime === regime && c.measure === m);
  const f = (x: number | null | undefined) => (x === null || x === undefined ? '  –  ' : x.toFixed(2).padStart(5));
  const lines = ['task            rho*sqrtN A / O (paper)        rel. susc. A / O (paper)    dissim. A / O (paper)'];
  for (const t of tasks) {
    const part = (m: 'rho_sqrtN' | 'rel_susceptibility' | 'dissim') => {
      const A = cell(t.task, 'aligned', m);
      const O = cell(t.task, 'oblique', m);
      return `${f(A?.mean)} / ${f(O?.mean)} (${f(A?.paper).trim()} / ${f(O?.paper).trim()})`;
    };
    lines.push(`${t.task.padEnd(15)} ${part('rho_sqrtN').padEnd(30)} ${part('rel_susceptibility').padEnd(27)} ${part('dissim')}`);
  }
  return lines;
}

/** Writes the spec only when its text changed (an unchanged file keeps its time), atomically. */
async function replaceIfChanged(file: string, text: string): Promise<void> {
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old === text) return;
  const tmp = `${file}.tmp~${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}
