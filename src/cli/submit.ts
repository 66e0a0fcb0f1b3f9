/**
 * `rnnlab submit SPEC --slurm`: the runs of a spec that are not complete yet, as one
 * Slurm job array (one task per run, or per shard with --shards). Each task is a plain
 * `rnnlab train SPEC --run ID --resume` into the spec's sweep folder, so the run folders
 * are the same as those trained locally, and a resubmission submits only what is still
 * missing. --wait follows the job to its end, reports failed tasks with the tail of their
 * log, and collects.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunConfig } from '../core/types';
import { prepareSweepDir, runStatus, sweepDir, sweepSpecFile } from '../store/sweep';
import { positiveInt, UsageError } from './args';
import { collect, printCollected } from './collect';
import { estimateRuns, processBytes, tensorBytes, type RunEstimate } from './estimate';
import { wallSeconds } from './plan';
import { duration, shown } from './progress';
import { selectRuns, shardOf } from './select';
import { statusProblem } from './addressed';
import { batchScript, isActive, isSlurmMem, isSlurmTime, sbatch, shellWord, slurmMem, slurmTime, taskStates, type TaskWork } from './slurm';
import { readSpecFile } from './spec-file';
import { specStore } from '../store/location';

export const SUBMIT_HELP = `  rnnlab submit SPEC --slurm [--out DIR] [--json] [--wait] [--partition P] [--time T]
                [--mem M] [--cpus C] [--shards K] [--throttle N] [--run ID]... [--dry-run]
      Submit the runs of SPEC that are not complete in DIR/<spec-name>/ as a Slurm job
      array (DIR, by default .rnnlab/runs in SPEC's folder, on a file system the nodes
      share): one task per run, or per shard with
      --shards K; at most N tasks at once (default 32). --time and --mem default to this
      machine's estimates with a margin (rnnlab plan shows them). Writes the batch script
      and per-task logs under DIR/<spec-name>/slurm/, prints the job id and how to follow
      it. --wait follows the job to its end, reports failed tasks with their log tail and
      collects. --dry-run writes the script without submitting it.`;

/** Margin on a measured estimate: compute nodes differ from this one, and a killed task costs more than a long limit. */
const TIME_FACTOR = 2;
const TIME_EXTRA_SECONDS = 120;
const MEM_FACTOR = 1.25;
const MIN_MEM_BYTES = 256 * 2 ** 20;
const DEFAULT_THROTTLE = 32;

interface JobRecord {
  job: string;
  at: string;
  script: string;
  tasks: number;
  runs: string[];
}

async function jobRecords(logs: string): Promise<JobRecord[]> {
  const text = await readFile(join(logs, 'jobs.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').flatMap((l) => {
    try {
      return [JSON.parse(l) as JobRecord];
    } catch {
      return [];
    }
  });
}

export async function submitMain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      slurm: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      partition: { type: 'string' },
      time: { type: 'string' },
      mem: { type: 'string' },
      cpus: { type: 'string' },
      shards: { type: 'string' },
      throttle: { type: 'string' },
      variant: { type: 'string', multiple: true },
      run: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean', default: false },
      poll: { type: 'string', default: '5' },
    },
  });
  const [specPath] = positionals;
  if (specPath === undefined || positionals.length !== 1) throw new UsageError('submit takes exactly one SPEC file.');
  if (!values.slurm) throw new UsageError('submit needs --slurm: Slurm is the scheduler rnnlab submits to.');
  if (values.time !== undefined && !isSlurmTime(values.time)) throw new UsageError(`--time takes a Slurm time limit (minutes, HH:MM:SS or D-HH:MM:SS), not "${values.time}".`);
  if (values.mem !== undefined && !isSlurmMem(values.mem)) throw new UsageError(`--mem takes a Slurm memory size (e.g. 2G or 800M), not "${values.mem}".`);
  const cpus = values.cpus !== undefined ? positiveInt('--cpus', values.cpus) : 1;
  const shards = values.shards !== undefined ? positiveInt('--shards', values.shards) : undefined;
  const throttle = values.throttle !== undefined ? positiveInt('--throttle', values.throttle) : DEFAULT_THROTTLE;
  const poll = Number(values.poll);
  if (!(poll > 0)) throw new UsageError(`--poll takes seconds, not "${values.poll}".`);
  if (shards !== undefined && ((values.run ?? []).length > 0 || (values.variant ?? []).length > 0)) {
    throw new UsageError('--shards splits all runs of the spec; leave out --run and --variant, or submit one task per run.');
  }
  const spec = await readSpecFile(specPath);
  if (spec === undefined) return 2;
  const { loaded } = spec;
  const runs = selectRuns(loaded.runs, { variants: values.variant ?? [], ids: values.run ?? [] }, specPath);
  const out = values.out !== undefined ? resolve(values.out) : specStore(spec.file);
  const dir = sweepDir(out, loaded.name);
  const logs = join(dir, 'slurm');
  const say = (line: string) => process.stderr.write(`${line}\n`);

  const statuses = await Promise.all(runs.map(async (run) => ({ run, s: await runStatus(dir, run) })));
  const problems = statuses.flatMap(({ run, s }) => {
    const problem = s.kind === 'different' || s.kind === 'unreadable' ? statusProblem(run, s, dir, true) : undefined;
    return problem !== undefined ? [problem] : [];
  });
  if (problems.length) {
    for (const p of problems) say(`rnnlab: ${p}`);
    return 2;
  }
  const todo = statuses.filter(({ s }) => s.kind !== 'complete').map(({ run }) => run);
  const done = runs.length - todo.length;
  if (todo.length === 0) {
    say(`Every selected run (${runs.length}) is complete in ${shown(dir)}; nothing to submit.`);
    return values.wait ? printCollected(await collect([dir]), { json: values.json === true, csv: join(dir, `${loaded.name}.csv`) }) : 0;
  }
  for (const j of await jobRecords(logs)) {
    if (values['dry-run']) break;
    const active = [...taskStates(j.job).states.values()].filter(isActive).length;
    if (active > 0) {
      say(`rnnlab: job ${j.job} of this sweep still has ${active} task${active === 1 ? '' : 's'} queued or running; wait for it (squeue -j ${j.job}) or cancel it (scancel ${j.job}) before submitting again.`);
      return 2;
    }
  }

  // one task per run, or per shard of all the spec's runs (a task skips what is complete)
  const tasks: { work: TaskWork; runs: RunConfig[] }[] =
    shards !== undefined
      ? Array.from({ length: shards }, (_, i) => ({ work: { kind: 'shard' as const, index: i + 1, count: shards }, runs: shardOf(loaded.runs, { index: i + 1, count: shards }) }))
      : todo.map((r) => ({ work: { kind: 'run' as const, id: r.name }, runs: [r] }));
  const live = tasks.filter((t) => t.runs.some((r) => todo.includes(r)));

  let time = values.time;
  let estimates: RunEstimate[] | undefined;
  if (time === undefined) {
    say('Estimating the time of each run on this machine (rnnlab plan shows the details)...');
    estimates = (await estimateRuns(todo, { fresh: false, budgetSeconds: 30, log: (l) => say(`  ${l}`) })).estimates;
    const seconds = new Map(estimates.map((e) => [e.run.name, e.seconds]));
    const longest = Math.max(...live.map((t) => wallSeconds(t.runs.map((r) => seconds.get(r.name) ?? 0), cpus)));
    time = slurmTime(longest * TIME_FACTOR + TIME_EXTRA_SECONDS);
  }
  const mem = values.mem ?? slurmMem(Math.max(MIN_MEM_BYTES, MEM_FACTOR * processBytes(Math.max(...todo.map(tensorBytes)), shards !== undefined ? cpus : 1)));

  await prepareSweepDir(dir, spec.file, spec.text);
  await mkdir(logs, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const scriptFile = join(logs, `${loaded.name}-${stamp}.sbatch`);
  const resubmit = `rnnlab submit ${shellWord(specPath)} --slurm --out ${shellWord(out)}`;
  const script = batchScript({
    jobName: `rnnlab-${loaded.name}`,
    node: process.execPath,
    cli: join(__dirname, 'cli.js'),
    spec: sweepSpecFile(dir, spec.file),
    out,
    logs,
    tasks: live.map((t) => t.work),
    throttle,
    cpus,
    mem,
    time,
    ...(values.partition !== undefined ? { partition: values.partition } : {}),
    comment: [
      `Written by rnnlab submit for ${spec.file} at ${new Date().toISOString()}:`,
      `${live.length} array task${live.length === 1 ? '' : 's'} for ${todo.length} run${todo.length === 1 ? '' : 's'} not complete in ${dir}.`,
      `Resubmitting (${resubmit}) submits only what is still missing.`,
    ],
  });
  await writeFile(scriptFile, script, { mode: 0o755 });
  const resources = `${cpus} CPU, --mem ${mem}, --time ${time} per task${live.length > throttle ? `, at most ${throttle} at once` : ''}`;
  if (values['dry-run']) {
    say(`Wrote ${shown(scriptFile)}: ${live.length} array task${live.length === 1 ? '' : 's'} (${resources}); not submitted (--dry-run).`);
    process.stdout.write(script);
    return 0;
  }
  const job = sbatch(scriptFile);
  const record: JobRecord = { job, at: new Date().toISOString(), script: scriptFile, tasks: live.length, runs: todo.map((r) => r.name) };
  await appendFile(join(logs, 'jobs.jsonl'), JSON.stringify(record) + '\n');
  const follow = `squeue -j ${job}`;
  if (values.json) {
    process.stdout.write(JSON.stringify({ kind: 'submitted', job, tasks: live.length, runs: record.runs, skipped: done, cpus, mem, time, script: scriptFile, logs: join(logs, `${job}_*.log`), folder: dir, follow }) + '\n');
  }
  say(`Submitted job ${job}: ${live.length} array task${live.length === 1 ? '' : 's'} for ${todo.length} run${todo.length === 1 ? '' : 's'}${done ? ` (${done} complete already)` : ''}; ${resources}.`);
  say(`  follow:   ${follow}    logs: ${shown(logs)}/${job}_<task>.log`);
  say(`  collect:  rnnlab collect ${shellWord(shown(dir))}`);
  say(`  missing runs later: ${resubmit}`);
  if (!values.wait) return 0;

  const ids = live.map((t) => (t.work.kind === 'run' ? t.work.id : `shard ${t.work.index}/${t.work.count}`));
  const ended = await follow_(job, ids, poll * 1000, say);
  const failed = await failedTasks(job, ended, ids, logs);
  for (const f of failed) {
    say(`task ${job}_${f.task} (${f.what}): ${f.state}${f.exit !== undefined ? `, exit ${f.exit}` : ''}; the end of ${shown(f.log)}:`);
    for (const l of f.tail) say(`  | ${l}`);
    if (values.json) process.stdout.write(JSON.stringify({ kind: 'task', job, task: f.task, work: f.what, state: f.state, exit: f.exit ?? null, log: f.log, tail: f.tail }) + '\n');
  }
  say('');
  return printCollected(await collect([dir]), { json: values.json === true, csv: join(dir, `${loaded.name}.csv`) });
}

/** Polls the job's tasks until none is queued or running; their last states. */
async function follow_(job: string, ids: readonly string[], intervalMs: number, say: (l: string) => void): Promise<Map<number, string>> {
  let last = '';
  let states = new Map<number, string>();
  let unknownSince: number | undefined;
  const started = Date.now();
  for (;;) {
    const t = taskStates(job);
    if (t.source !== undefined) {
      states = t.states;
      unknownSince = undefined;
    } else {
      // a job Slurm no longer knows has ended long ago; give a just-submitted one a moment to appear
      unknownSince ??= Date.now();
      if (Date.now() - unknownSince > 30_000) break;
    }
    const counts = new Map<string, number>();
    for (const s of states.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    const line = [...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ');
    if (line !== last && line !== '') {
      say(`job ${job} after ${duration((Date.now() - started) / 1000)}: ${line}`);
      last = line;
    }
    if (t.source !== undefined && states.size >= ids.length && ![...states.values()].some(isActive)) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return states;
}

interface FailedTask {
  task: number;
  what: string;
  state: string;
  exit?: number;
  log: string;
  tail: string[];
}

/** Tasks that did not complete, or whose rnnlab exited with an error, with the end of their logs. */
async function failedTasks(job: string, states: Map<number, string>, ids: readonly string[], logs: string): Promise<FailedTask[]> {
  const out: FailedTask[] = [];
  for (let task = 0; task < ids.length; task++) {
    const log = join(logs, `${job}_${task}.log`);
    const exitText = await readFile(join(logs, `${job}_${task}.exit`), 'utf8').catch(() => undefined);
    const exit = exitText !== undefined && /^\d+\s*$/.test(exitText) ? Number(exitText) : undefined;
    const state = states.get(task) ?? (exit === undefined ? 'UNKNOWN' : exit === 0 ? 'COMPLETED' : 'FAILED');
    if (state === 'COMPLETED' && (exit === undefined || exit === 0)) continue;
    const text = await readFile(log, 'utf8').catch(() => '(no log)');
    out.push({ task, what: ids[task] ?? `task ${task}`, state, ...(exit !== undefined ? { exit } : {}), log, tail: text.trimEnd().split('\n').slice(-12) });
  }
  return out;
}
