/** rnnlab: the headless command line of RNN Dynamics Lab. */
import { parseArgs } from 'node:util';
import { trainCommand } from './train';
import { printDiagnostics, readSpecText } from './spec-file';
import { parseShard } from './select';
import { planMain, PLAN_HELP } from './plan';
import { collectMain, COLLECT_HELP } from './collect';
import { submitMain, SUBMIT_HELP } from './submit';
import { DEFAULT_BACKENDS, DEFAULT_BROWSER_BACKENDS, DEFAULT_CONFIGS, benchInChild, benchOne, benchTable, findPeer, parseBackends, parseConfigs, peerProblem, runBench } from './bench';
import { BrowserUnavailable, DEFAULT_CHROMIUM, openBrowserBench } from './bench-browser';
import { loadSpec } from '../spec/resolve';
import { COMPARE_USAGE, compareMain } from './compare';
import { exportCommand, recordingMain, RecordingUsageError } from './recording';
import { paperCommand, parsePaperArgs } from './paper/command';
import type { BackendName } from '../core/types';
import { positiveInt, settle, UsageError } from './args';
import { at } from '../core/checked';

const VERSION = '0.1.0';

const HELP = `rnnlab ${VERSION}: train the RNNs of Schuessler et al. (eLife 2024) from *.rnn.yaml specs

Usage:
  rnnlab train SPEC [--out DIR] [--json] [--jobs N] [--variant NAME]... [--steps N]
                    [--run ID]... [--shard I/N] [--resume]
      Train every run of SPEC (variants x sweep points x seeds). Writes one folder per run
      under DIR/<spec-name>-<timestamp>/ and prints a table of the measures per variant and
      sweep point. DIR defaults to .rnnlab/runs in SPEC's own folder, wherever rnnlab runs
      from: the same store the VS Code extension uses, so Open run shows these runs. --json
      prints one JSON object per run on stdout.
      --jobs trains runs in parallel worker threads (default: CPU cores).
      --variant trains only the named variant(s); --steps overrides training.steps.
      --run ID trains only that run (ids from rnnlab plan), --shard I/N every N-th run
      from the I-th; both, and --resume, write to DIR/<spec-name>/, the same folder for
      every process and machine. --resume skips runs whose folder there is complete.
${PLAN_HELP}
${COLLECT_HELP}
${SUBMIT_HELP}
${COMPARE_USAGE}
  rnnlab recording FILE [--activity KEY] [--behaviour KEY] [--json] [--bin S] [--smooth S]
                  [--lag S] [--trials] [--window START,END [--align COLUMN]] [--draws N] [--seed N]
                  [--view FILE.json] [--list]
      Where a recorded population sits between aligned and oblique (docs/science.md §4.9):
      a ridge decoder (alpha by leave-one-out CV), rho, D_var, D_fit, the relative fitting
      dimension, the participation ratio and rho*sqrt(n) over neuron subsamples. FILE is
      .npz/.npy/.safetensors (arrays activity, behaviour) or HDF5: NWB (units binned at
      --bin seconds, default 0.045, or --activity TIMESERIES; --behaviour TIMESERIES) or
      MATLAB v7.3 (variables, struct fields as s.field). --json prints one object.
      --view FILE.json also writes the top 3 PCs of the activity and the decoder's readout
      in their basis with its projected fraction (what the recordings panel draws). --list
      prints the file's arrays (NWB: TimeSeries) as JSON and whether the defaults exist.
  rnnlab export RUN --as recording FILE.npz
      A trained run's noise-free states (activity) and outputs (behaviour), t >= t_min, as
      an .npz for rnnlab recording (and numpy: activity [trials, time, N]).
  rnnlab paper [--scale quick|mid|paper] [--tasks LIST] [--seeds N] [--out DIR] [--jobs N] [--steps N]
      The paper's main experiment (docs/science.md §5.1): the five tasks x aligned and
      oblique x seeds (default 2, 3, 5 by scale), then report.md, table.csv and figures/
      in DIR (default .rnnlab/paper-SCALE): every measure, mean ± sd over the seeds that
      learned, beside the paper's value. Resumable: complete runs are never trained again.
      Scales: quick (N 128, the fastest settings that learn), mid (N 256), paper (N 512).
  rnnlab check SPEC
      Validate SPEC and print every problem as file:line:column: message.
  rnnlab bench [--cfg NxTxB,...] [--backends B,...] [--json] [--seconds S] [--iters N] [--no-peer] [--peer PATH]
      Time each backend's training step (cycling, all weights trained) next to the
      PyTorch peer (1 thread), each in a fresh process. Backends: fused, wasm, cpu.
      Default --cfg ${DEFAULT_CONFIGS}, --backends ${DEFAULT_BACKENDS}
  rnnlab bench --browser [--chromium PATH] [--headed] [same options]
      The same bench in headless Chromium (default ${DEFAULT_CHROMIUM}), in the panel's
      training worker: fused, wasm, webgl, webgpu (default --backends ${DEFAULT_BROWSER_BACKENDS};
      a software renderer is timed only when named, as auto tries it only when named).

Exit codes: 0 success, 1 a run failed, 2 bad spec or arguments, 130 interrupted.
Docs: README.md and docs/spec-reference.md in the repository.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'train': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          out: { type: 'string' },
          json: { type: 'boolean', default: false },
          jobs: { type: 'string' },
          variant: { type: 'string', multiple: true },
          steps: { type: 'string' },
          run: { type: 'string', multiple: true },
          shard: { type: 'string' },
          resume: { type: 'boolean', default: false },
        },
      });
      if (positionals.length !== 1) throw new UsageError('train takes exactly one SPEC file.');
      return trainCommand({
        spec: at(positionals, 0),
        ...(values.out !== undefined ? { out: values.out } : {}),
        json: values.json === true,
        ...(values.jobs !== undefined ? { jobs: positiveInt('--jobs', values.jobs) } : {}),
        variants: values.variant ?? [],
        ...(values.steps !== undefined ? { steps: positiveInt('--steps', values.steps) } : {}),
        ids: values.run ?? [],
        ...(values.shard !== undefined ? { shard: parseShard(values.shard) } : {}),
        resume: values.resume === true,
      });
    }
    case 'plan':
      return planMain(rest);
    case 'collect':
      return collectMain(rest);
    case 'submit':
      return submitMain(rest);
    case 'check': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new UsageError('check takes exactly one SPEC file.');
      const file = positionals[0] ?? '';
      const text = await readSpecText(file);
      if (text === undefined) return 2;
      const loaded = loadSpec(text, file);
      printDiagnostics(file, loaded.diagnostics);
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
      if (!errors) process.stderr.write(`${file}: ok, ${loaded.runs.length} run${loaded.runs.length === 1 ? '' : 's'}\n`);
      return errors ? 2 : 0;
    }
    case 'compare':
      // its usage errors are UsageErrors
      return compareMain(rest);
    case 'recording':
      return recordingMain(rest);
    case 'export':
      try {
        return await exportCommand(rest);
      } catch (e) {
        if (e instanceof RecordingUsageError) throw new UsageError(e.message);
        throw e;
      }
    case 'paper':
      return paperCommand(parsePaperArgs(rest), ['rnnlab paper', ...rest].join(' '));
    case 'bench':
      return bench(rest);
    default:
      throw new UsageError(`unknown command "${command}".`);
  }
}

const BENCH_SECONDS = '8';
const BENCH_ITERS = '30';
const PEER_PYTHON = '/usr/bin/python3';

async function bench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      cfg: { type: 'string', default: DEFAULT_CONFIGS },
      backends: { type: 'string' },
      json: { type: 'boolean', default: false },
      seconds: { type: 'string', default: BENCH_SECONDS },
      iters: { type: 'string', default: BENCH_ITERS },
      'no-peer': { type: 'boolean', default: false },
      peer: { type: 'string' },
      python: { type: 'string', default: PEER_PYTHON },
      one: { type: 'string' },
      browser: { type: 'boolean', default: false },
      chromium: { type: 'string' },
      headed: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds ?? BENCH_SECONDS);
  const iters = positiveInt('--iters', values.iters ?? BENCH_ITERS);
  if (!(seconds > 0)) throw new UsageError('--seconds must be a positive number.');
  const browser = values.browser === true;
  if (!browser && (values.chromium !== undefined || values.headed)) throw new UsageError('--chromium and --headed go with --browser.');
  let backends: BackendName[];
  let configs: ReturnType<typeof parseConfigs>;
  try {
    backends = parseBackends(values.backends ?? (browser ? DEFAULT_BROWSER_BACKENDS : DEFAULT_BACKENDS), browser);
    configs = parseConfigs(values.one ?? values.cfg ?? DEFAULT_CONFIGS);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.one) {
    process.stdout.write(JSON.stringify(await benchOne(at(configs, 0), seconds, iters, at(backends, 0))) + '\n');
    return 0;
  }
  const python = values.python ?? PEER_PYTHON;
  const script = findPeer(values.peer);
  const problem = values['no-peer'] ? 'disabled with --no-peer' : peerProblem(python, script);
  if (problem) process.stderr.write(`Peer (PyTorch): not run: ${problem}.\n`);
  const peer = { python, ...(problem ? {} : { script }) };
  const opts = { peer, seconds, iters, json: values.json === true };
  let rows;
  if (browser) {
    let page;
    try {
      page = await openBrowserBench(__dirname, values.chromium ?? DEFAULT_CHROMIUM, { headed: values.headed === true });
    } catch (e) {
      if (!(e instanceof BrowserUnavailable)) throw e;
      process.stderr.write(`rnnlab bench --browser: ${e.message}\n`);
      return 1;
    }
    try {
      const { timed, notes } = await page.plan(backends, values.backends !== undefined);
      process.stderr.write(`${page.about}\n${notes.map((n) => `  ${n}\n`).join('')}`);
      if (!timed.length) {
        process.stderr.write('rnnlab bench --browser: none of the backends can be timed in this browser.\n');
        return 1;
      }
      const b = page;
      rows = await runBench(configs, timed, (cfg, backend) => b.time(cfg, backend, seconds, iters), opts);
    } finally {
      await page.close();
    }
  } else {
    rows = await runBench(configs, backends, async (cfg, backend) => benchInChild(cfg, seconds, iters, backend), opts);
  }
  (values.json ? process.stderr : process.stdout).write(`\n${benchTable(rows)}\n`);
  return rows.length ? 0 : 1;
}

settle(main(process.argv.slice(2)));
