/**
 * `rnnlab paper`'s parts: the specs it trains (valid, the paper's settings or the quick
 * ones of docs/science.md §6), the table (mean ± sd over the seeds that learned, beside
 * the paper's values), the report's notes, and figures rendered to SVG by Vega in Node.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSpec } from '../../src/spec/resolve';
import type { RunMetrics } from '../../src/core/metrics';
import type { DissimilarityResult } from '../../src/core/analysis/dissimilarity-matrix';
import { PAPER_MEASURES, PAPER_TASKS, paperValue } from '../../src/cli/paper/reference';
import { SCALES, paperSpecText, specName } from '../../src/cli/paper/specs';
import { paperCells, reportMarkdown, tableCsv, type TaskRuns } from '../../src/cli/paper/report';
import { paperFigures } from '../../src/cli/paper/figures';

/** A run's metrics with the keys the table reads; the rest as a finished run has them. */
function metrics(name: string, m: Partial<RunMetrics>): RunMetrics {
  return { name, variant: name.split('-')[0] ?? name, rho: 0.5, rho_sqrtN: 5, w_out_norm: 0.1, x_norm: 10, dx90: 4, dfit90: 2, noise_ratio: 8, rel_susceptibility: 0.9, learned: true, learned_threshold: 0.05, eval_loss: 0.01, perturbation_skipped: null, stopped: false, steps: 500, ...m } as RunMetrics;
}

describe('rnnlab paper: the specs it trains', () => {
  for (const scale of SCALES) {
    it(`${scale}: every task's spec is valid, with an aligned and an oblique variant per seed`, () => {
      for (const task of PAPER_TASKS) {
        const loaded = loadSpec(paperSpecText(task, scale, 3), `${specName(task, scale)}.rnn.yaml`);
        assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), [], `${task}`);
        assert.equal(loaded.name, specName(task, scale));
        assert.deepEqual(loaded.runs.map((r) => r.name), ['aligned-s0', 'aligned-s1', 'aligned-s2', 'oblique-s0', 'oblique-s1', 'oblique-s2']);
        for (const r of loaded.runs) {
          assert.equal(r.task.kind, task);
          assert.equal(r.network.g, 1.5);
          assert.equal(r.network.output_scale, r.variant === 'aligned' ? 'small' : 'large');
          assert.equal(r.network.N, scale === 'paper' ? 512 : scale === 'mid' ? 256 : 128);
          assert.ok(r.analysis.includes('perturbation'), `${task}: the relative susceptibility is part of the table`);
          if (scale !== 'quick') assert.deepEqual([...r.network.train].sort(), ['input', 'output', 'recurrent']);
        }
      }
    });
  }

  it('paper: the paper\'s steps and learning rates (the spec defaults), different per output scale where the paper\'s are', () => {
    const runs = loadSpec(paperSpecText('cycling', 'paper', 1), 'p.rnn.yaml').runs;
    const defaults = loadSpec('task: { kind: cycling }\nnetwork: { N: 512, g: 1.5, train: [input, recurrent, output] }\nvariants:\n  - { name: aligned, network: { output_scale: small } }\n  - { name: oblique, network: { output_scale: large } }\n', 'd.rnn.yaml').runs;
    assert.deepEqual(runs.map((r) => [r.training.steps, r.training.lr0]), defaults.map((r) => [r.training.steps, r.training.lr0]));
  });

  it('quick cycling is the quick demo of docs/science.md §6 (t_dec 31, N 128, W only, 500 steps, lr0 0.1)', () => {
    const [r] = loadSpec(paperSpecText('cycling', 'quick', 1), 'q.rnn.yaml').runs;
    assert.ok(r);
    assert.equal(r.task.kind === 'cycling' ? r.task.response : NaN, 31);
    assert.deepEqual([r.network.N, [...r.network.train], r.training.steps, r.training.lr0], [128, ['recurrent'], 500, 0.1]);
  });

  it('quick: every task trains only W at N = 128, with the same settings for both output scales', () => {
    for (const task of PAPER_TASKS) {
      const runs = loadSpec(paperSpecText(task, 'quick', 1), 'q.rnn.yaml').runs;
      for (const r of runs) assert.deepEqual([r.network.N, [...r.network.train]], [128, ['recurrent']], task);
      assert.deepEqual(runs.map((r) => [r.training.steps, r.training.lr0]).slice(1), runs.map((r) => [r.training.steps, r.training.lr0]).slice(0, 1), task);
    }
    const romo = loadSpec(paperSpecText('romo', 'quick', 1), 'q.rnn.yaml').runs[0];
    assert.deepEqual([romo?.training.steps, romo?.training.lr0], [6000, 0.05]);
  });
});

describe('rnnlab paper: the table and the report', () => {
  const dissim = (within: Record<string, { mean: number; sd: number | null; pairs: number }>): DissimilarityResult =>
    ({ kind: 'dissimilarity', metric: 'angular_procrustes', runs: [], groups: [], matrix: [], euclidean: [], within, between: {}, incomparable: [] }) as unknown as DissimilarityResult;
  const cycling: TaskRuns = {
    task: 'cycling',
    settings: 'N = 128, 500 steps',
    runs: [
      { name: 'aligned-s0', regime: 'aligned', metrics: metrics('aligned-s0', { rho: 0.6, rel_susceptibility: 0.8 }) },
      { name: 'aligned-s1', regime: 'aligned', metrics: metrics('aligned-s1', { rho: 0.7, rel_susceptibility: 1.0 }) },
      // not learned: left out of every mean, named in the notes
      { name: 'aligned-s2', regime: 'aligned', metrics: metrics('aligned-s2', { rho: 0.1, learned: false, eval_loss: 0.19 }) },
      { name: 'oblique-s0', regime: 'oblique', metrics: metrics('oblique-s0', { rho: 0.1, rel_susceptibility: null, perturbation_skipped: 'too short' }) },
    ],
    dissimilarity: dissim({ aligned: { mean: 0.2, sd: null, pairs: 1 } }),
    missing: ['oblique-s1'],
  };
  const cells = paperCells([cycling]);
  const cell = (regime: string, measure: string) => cells.find((c) => c.regime === regime && c.measure === measure);

  it('one cell per regime and measure: mean and sample sd over the learned seeds, n, and the paper\'s value', () => {
    assert.equal(cells.length, 2 * PAPER_MEASURES.length);
    const rho = cell('aligned', 'rho');
    assert.ok(rho && rho.mean !== null && rho.sd !== null);
    assert.ok(Math.abs(rho.mean - 0.65) < 1e-12);
    assert.ok(Math.abs(rho.sd - Math.sqrt(0.005)) < 1e-12);
    assert.equal(rho.n, 2);
    assert.equal(rho.paper, 0.5);
    // one seed: a mean without a spread; a measure no run has: no mean
    assert.deepEqual([cell('oblique', 'rho')?.mean, cell('oblique', 'rho')?.sd, cell('oblique', 'rho')?.n], [0.1, null, 1]);
    assert.deepEqual([cell('oblique', 'rel_susceptibility')?.mean, cell('oblique', 'rel_susceptibility')?.n], [null, 0]);
    // the dissimilarity is over pairs of seeds
    assert.deepEqual([cell('aligned', 'dissim')?.mean, cell('aligned', 'dissim')?.n], [0.2, 1]);
    assert.equal(cell('oblique', 'dissim')?.mean, null);
    // rho*sqrt(N) at the paper's N = 512
    assert.ok(Math.abs(paperValue('mante', 'oblique', 'rho_sqrtN') - 0.046 * Math.sqrt(512)) < 1e-12);
  });

  it('table.csv: a header and one row per task, regime and measure; empty fields for what is missing', () => {
    const lines = tableCsv(cells).trim().split('\n');
    assert.equal(lines[0], 'task,regime,measure,mean,sd,n,paper,ratio_to_paper');
    assert.equal(lines.length, 1 + cells.length);
    assert.ok(lines.includes('cycling,aligned,rho,0.65,0.0707107,2,0.5,1.3'));
    assert.ok(lines.includes('cycling,oblique,rel_susceptibility,,,0,0.44,'));
  });

  it('report.md: each measure beside the paper\'s value, and why a run is left out or missing', () => {
    const md = reportMarkdown({ scale: 'quick', tasks: [cycling], cells, figures: [{ file: 'figures/rho.svg', title: 'ρ' }], seconds: 0, command: 'rnnlab paper --tasks cycling' });
    assert.match(md, /^# The paper's main experiment, scale `quick`/);
    assert.match(md, /\| ρ \(§4\.1\) \| 0\.65 ± 0\.071 \(2\) \| 0\.5 \| 0\.1 \(1\) \| 0\.054 \|/);
    assert.match(md, /- aligned-s2 has not learned the task \(eval loss 0\.19 > 0\.05\); left out of the means\./);
    assert.match(md, /- oblique-s0: no relative susceptibility \(too short\)\./);
    assert.match(md, /- Not trained \(yet\): oblique-s1\. Run the same command again/);
    assert.match(md, /!\[ρ\]\(figures\/rho\.svg\)/);
  });

  it('figures: SVG drawn by Vega without a browser, one per measure with values, and the perturbation curves', async function () {
    this.timeout(60_000);
    const curves = [0, 1, 2].flatMap((i) => (['aligned', 'oblique'] as const).flatMap((regime) => ['w_out', 'pc'].map((direction) => ({ task: 'cycling' as const, regime, direction, amplitude: i, loss: i * (direction === 'pc' ? 2 : 1) }))));
    const figs = await paperFigures(cells, curves);
    const files = figs.map((f) => f.file);
    // every measure with a value has a figure; the perturbation curves have one
    for (const m of PAPER_MEASURES) assert.equal(files.includes(`figures/${m}.svg`), cells.some((c) => c.measure === m && c.mean !== null), m);
    assert.ok(files.includes('figures/perturbation.svg'));
    for (const f of figs) {
      assert.match(f.svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, f.file);
      assert.match(f.svg, /<\/svg>$/);
    }
    const rho = figs.find((f) => f.file === 'figures/rho.svg');
    assert.ok(rho);
    assert.ok(rho.svg.includes('cycling') && rho.svg.includes('the paper'), 'axis labels and the title are drawn as text');
    // marks: the two means and the two published values are drawn as points
    assert.ok((rho.svg.match(/<path[^>]*aria-roledescription="point"/g) ?? []).length >= 4 || (rho.svg.match(/role="graphics-symbol"/g) ?? []).length >= 4, 'points drawn');
  });
});

describe('rnnlab paper (the built command)', function () {
  this.timeout(600_000);
  const ROOT = resolve(__dirname, '../..');
  const rnnlab = (args: string[], cwd: string) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/rnnlab.js'), ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  let dir: string;
  before(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first).');
    dir = mkdtempSync(join(tmpdir(), 'rnnlab-paper-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('trains each task\'s spec into its sweep folder, writes the report, and never trains a complete run again', () => {
    const args = ['paper', '--tasks', 'cycling', '--seeds', '2', '--steps', '3', '--jobs', '2', '--out', 'p'];
    const first = rnnlab(args, dir);
    assert.equal(first.code, 0, first.stderr);
    const runs = join(dir, 'p/runs/paper-quick-cycling');
    assert.deepEqual(readdirSync(runs).filter((f) => /-s\d$/.test(f)).sort(), ['aligned-s0', 'aligned-s1', 'oblique-s0', 'oblique-s1']);
    assert.ok(existsSync(join(dir, 'p/specs/paper-quick-cycling.rnn.yaml')));
    const csv = readFileSync(join(dir, 'p/table.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 1 + 2 * PAPER_MEASURES.length);
    assert.ok(csv.every((l, i) => i === 0 || l.startsWith('cycling,')));
    const report = readFileSync(join(dir, 'p/report.md'), 'utf8');
    // 3 steps do not learn cycling: said, and left out of the means
    assert.match(report, /aligned-s0 has not learned the task \(eval loss [\d.]+ > 0\.05\); left out of the means\./);
    assert.match(first.stdout, /^cycling .*\(11\.31 \/ 1\.22\)/m);

    const again = rnnlab(args, dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /4 runs are complete in .* already; skipped/);
    assert.doesNotMatch(again.stderr, /step 1\/3/);

    // a run lost (or interrupted before it was written) is trained again, alone
    rmSync(join(runs, 'oblique-s1'), { recursive: true });
    const third = rnnlab(args, dir);
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /Training 1 run of /);
    assert.ok(existsSync(join(runs, 'oblique-s1/metrics.json')));
  });

  it('bad arguments: a sentence and exit code 2, nothing trained', () => {
    const scale = rnnlab(['paper', '--scale', 'huge', '--out', 'bad'], dir);
    assert.equal(scale.code, 2);
    assert.match(scale.stderr, /--scale is one of quick, mid, paper, not "huge"/);
    const tasks = rnnlab(['paper', '--tasks', 'cycling,sines', '--out', 'bad'], dir);
    assert.equal(tasks.code, 2);
    assert.match(tasks.stderr, /--tasks is a comma-separated list of cycling, flipflop, mante, romo, complex_sine; unknown: sines/);
    assert.equal(rnnlab(['paper', '--seeds', '0', '--out', 'bad'], dir).code, 2);
    assert.ok(!existsSync(join(dir, 'bad')));
  });
});
