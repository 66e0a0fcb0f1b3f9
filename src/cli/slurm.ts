/**
 * Slurm, through its own commands: the batch script of a job array, sbatch, and what
 * squeue (or sacct, where accounting is on) says about the array's tasks. The lab
 * schedules nothing itself.
 */
import { spawnSync } from 'node:child_process';

/** One array task: the runs it trains, by id, or a shard of the spec. */
export type TaskWork = { kind: 'run'; id: string } | { kind: 'shard'; index: number; count: number };

export interface BatchScript {
  jobName: string;
  /** absolute paths: the Node that runs rnnlab here, its cli.js, the spec copy, --out, the log folder */
  node: string;
  cli: string;
  spec: string;
  out: string;
  logs: string;
  tasks: readonly TaskWork[];
  /** at most this many tasks at once (the array's %) */
  throttle?: number;
  cpus: number;
  /** Slurm's --mem, e.g. 768M */
  mem: string;
  /** Slurm's --time, e.g. 0:30:00 */
  time: string;
  partition?: string;
  /** extra lines for the header, e.g. a comment that says where the script came from */
  comment: string[];
}

/** A word for a bash script, quoted when it needs to be. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Minutes as Slurm's D-HH:MM:SS. */
export function slurmTime(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  const d = Math.floor(m / 1440);
  const hh = String(Math.floor((m % 1440) / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return `${d > 0 ? `${d}-` : ''}${hh}:${mm}:00`;
}

/** Bytes as Slurm's --mem in MiB, rounded up to 64 MiB. */
export function slurmMem(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20 / 64) * 64}M`;
}

/** Slurm's --time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or unlimited. */
export function isSlurmTime(t: string): boolean {
  return /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|unlimited|infinite)$/i.test(t);
}

/** Slurm's --mem: a number with an optional K, M, G or T suffix. */
export function isSlurmMem(m: string): boolean {
  return /^\d+[KMGT]?$/i.test(m);
}

export function batchScript(s: BatchScript): string {
  const n = s.tasks.length;
  const work = s.tasks.map((t) => (t.kind === 'run' ? `--run ${shellWord(t.id)}` : `--shard ${t.index}/${t.count}`));
  return `#!/bin/bash
#SBATCH --job-name=${shellWord(s.jobName)}
#SBATCH --array=0-${n - 1}${s.throttle !== undefined && s.throttle < n ? `%${s.throttle}` : ''}
#SBATCH --output=${s.logs}/%A_%a.log
#SBATCH --cpus-per-task=${s.cpus}
#SBATCH --mem=${s.mem}
#SBATCH --time=${s.time}
${s.partition !== undefined ? `#SBATCH --partition=${shellWord(s.partition)}\n` : ''}${s.comment.map((c) => `# ${c}`).join('\n')}
set -u
NODE=${shellWord(s.node)}
CLI=${shellWord(s.cli)}
SPEC=${shellWord(s.spec)}
OUT=${shellWord(s.out)}
# what each array task trains (--resume: a run that is complete already is skipped)
WORK=(
${work.map((w) => `  ${shellWord(w)}`).join('\n')}
)
task=\${SLURM_ARRAY_TASK_ID:?run this script with sbatch}
echo "rnnlab: task $task of job \${SLURM_ARRAY_JOB_ID:-?} on $(hostname) at $(date -Is): \${WORK[$task]}"
# shellcheck disable=SC2086 # the work item is two words: --run ID or --shard I/N
"$NODE" "$CLI" train "$SPEC" --out "$OUT" \${WORK[$task]} --resume --jobs ${s.cpus} &
pid=$!
# scancel and the time limit send SIGTERM to this shell: pass it on, so rnnlab records
# the runs it stops as failed, and wait for it to finish
trap 'kill -TERM "$pid" 2>/dev/null' TERM
wait "$pid"
code=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  code=$?
done
echo "$code" > ${shellWord(s.logs)}/"\${SLURM_ARRAY_JOB_ID:-0}_$task.exit"
echo "rnnlab: task $task exits with $code at $(date -Is)"
exit "$code"
`;
}

export class SlurmError extends Error {}

function slurmCommand(cmd: string, args: string[]): { ok: boolean; stdout: string; stderr: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error && !missing ? r.error.message : ''), missing };
}

/** Submits a batch script; its job id. */
export function sbatch(script: string): string {
  const r = slurmCommand('sbatch', ['--parsable', script]);
  if (r.missing) throw new SlurmError('sbatch was not found: run this on a Slurm login node (or start the local test cluster with npm run cluster:start).');
  if (!r.ok) throw new SlurmError(`sbatch refused the job: ${r.stderr.trim() || r.stdout.trim()}`);
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch answered "${r.stdout.trim()}", not a job id.`);
  return id;
}

/** The state of each array task, by task index (e.g. PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY). */
export interface TaskStates {
  states: Map<number, string>;
  /** where they came from, or undefined when Slurm no longer knows the job */
  source?: 'squeue' | 'sacct';
}

const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'REQUEUE_HOLD', 'REQUEUE_FED']);

export function isActive(state: string): boolean {
  return ACTIVE.has(state);
}

/** squeue lists a job's tasks while it runs and (MinJobAge) a while after; sacct after that, where accounting is on. */
export function taskStates(job: string): TaskStates {
  const q = slurmCommand('squeue', ['-h', '-r', '-t', 'all', '-j', job, '-o', '%i|%T']);
  const states = new Map<number, string>();
  if (q.ok) {
    for (const line of q.stdout.split('\n')) {
      const m = /^\d+_(\d+)\|(\S+)/.exec(line.trim());
      if (m?.[2] !== undefined) states.set(Number(m[1]), m[2]);
    }
    // a pending array not yet split into tasks shows as 12_[0-7%2]
    const [, range, state] = /^\d+_\[([\d,-]+)(?:%\d+)?\]\|(\S+)/m.exec(q.stdout) ?? [];
    if (range !== undefined && state !== undefined) for (const i of expandRange(range)) if (!states.has(i)) states.set(i, state);
    if (states.size > 0) return { states, source: 'squeue' };
  }
  const a = slurmCommand('sacct', ['-n', '-P', '-X', '-j', job, '-o', 'JobID,State']);
  if (a.ok) {
    for (const line of a.stdout.split('\n')) {
      const m = /^\d+_(\d+)\|(\S+)/.exec(line.trim());
      if (m?.[2] !== undefined) states.set(Number(m[1]), m[2]);
    }
    if (states.size > 0) return { states, source: 'sacct' };
  }
  return { states };
}

function expandRange(s: string): number[] {
  return s.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isFinite(a)) return [];
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}
