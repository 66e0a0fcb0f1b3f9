import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRAINING_BYTES_LIMIT } from '../../../src/core/memory';
import { completionsAt, hoverAt } from '../../../src/spec/assist';
import type { Diagnostic } from '../../../src/spec/diagnostics';
import { loadSpec } from '../../../src/spec/resolve';
import { MANY_RUNS, MAX_RUNS } from '../../../src/spec/sweep';
import { cursor, rangeOf, rangeOfDiagnostic } from './positions';
import { at } from '../../../src/core/checked';

const GRID = `name: grid
task: { kind: flipflop, duration: 8 }
network: { train: [recurrent] }
evaluation: { t_min: 2 }
variants:
  - { name: aligned, network: { output_scale: small } }
  - { name: oblique, network: { output_scale: large } }
seeds: 2
sweep:
  network.N: [16, 32]
  noise.state: [0, 0.2]
`;

function errors(text: string): Diagnostic[] {
  return loadSpec(text).diagnostics.filter((d) => d.severity === 'error');
}

function one(text: string, code: string): Diagnostic {
  const ds = loadSpec(text).diagnostics.filter((d) => d.code === code);
  assert.equal(ds.length, 1, loadSpec(text).diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return at(ds, 0);
}

describe('spec sweep: the grid', () => {
  it('crosses the swept lists with each other, the variants and the seeds, in a stable order', () => {
    const { runs, diagnostics } = loadSpec(GRID);
    assert.deepEqual(diagnostics, []);
    assert.equal(runs.length, 2 * 2 * 2 * 2);
    assert.deepEqual(runs.slice(0, 8).map((r) => r.name), [
      'aligned-n16-state0-s0', 'aligned-n16-state0-s1', 'aligned-n16-state0.2-s0', 'aligned-n16-state0.2-s1',
      'aligned-n32-state0-s0', 'aligned-n32-state0-s1', 'aligned-n32-state0.2-s0', 'aligned-n32-state0.2-s1',
    ]);
    assert.equal(new Set(runs.map((r) => r.name)).size, runs.length);
    for (const r of runs) {
      assert.deepEqual(r.coordinates, { 'network.N': r.network.N, 'noise.state': r.noise.state });
      assert.equal(r.training.seed, r.seed_index);
    }
  });

  it('a grid point replaces the top-level value, and defaults that depend on it follow', () => {
    const text = `task: { kind: flipflop }\nnetwork: { g: 1.5 }\nsweep:\n  network.output_scale: [small, large]\n`;
    const { runs } = loadSpec(text);
    assert.deepEqual(runs.map((r) => [r.name, r.network.output_scale, r.training.lr0]), [
      ['output_scale-small-s0', 'small', 0.005],
      ['output_scale-large-s0', 'large', 0.01],
    ]);
  });

  it('sweeps task parameters of the spec own kind, and list-valued fields', () => {
    const text = `task: { kind: cycling }\nsweep:\n  task.response: [11, 21]\n  network.train: [[recurrent], [input, recurrent, output]]\n`;
    const { runs, diagnostics } = loadSpec(text);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(runs.map((r) => r.name), ['response11-train-recurrent-s0', 'response11-train-input-recurrent-output-s0', 'response21-train-recurrent-s0', 'response21-train-input-recurrent-output-s0']);
    assert.equal((at(runs, 2).task as { response: number }).response, 21);
  });

  it('two swept fields with the same name are told apart by their whole path', () => {
    const text = `task: { kind: flipflop }\nsweep:\n  training.batch: [16]\n  evaluation.batch: [8, 16]\n`;
    assert.deepEqual(loadSpec(text).runs.map((r) => r.name), ['training.batch16-evaluation.batch8-s0', 'training.batch16-evaluation.batch16-s0']);
  });

  it('a spec without a sweep keeps its run names and has no coordinates', () => {
    const { runs } = loadSpec('task: { kind: sine }\nseeds: 2\n');
    assert.deepEqual(runs.map((r) => r.name), ['default-s0', 'default-s1']);
    assert.ok(runs.every((r) => !('coordinates' in r)));
  });
});

describe('spec sweep: diagnostics at the right place', () => {
  it('an unknown path, at the key, with the field it most likely meant', () => {
    const text = 'task: { kind: cycling }\nsweep:\n  network.outputscale: [small]\n';
    const d = one(text, 'unknown-key');
    assert.deepEqual(rangeOfDiagnostic(d), rangeOf(text, 'network.outputscale'));
    assert.match(d.message, /Did you mean network\.output_scale\?/);
  });

  it('a section that does not exist, and a parameter of another task, say so', () => {
    assert.match(one('task: { kind: cycling }\nsweep:\n  netwrk.N: [1]\n', 'unknown-key').message, /Did you mean network\.N\?.*sections are task, network, noise, training, evaluation/);
    assert.match(one('task: { kind: cycling }\nsweep:\n  task.bits: [3]\n', 'unknown-key').message, /bits is a parameter of flipflop, not of cycling/);
  });

  it('fields that cannot be swept are refused with what to write instead', () => {
    assert.match(one('task: { kind: cycling }\nsweep:\n  training.seed: [0, 1]\n', 'not-sweepable').message, /seeds: n/);
    assert.match(one('task: { kind: cycling }\nsweep:\n  task.kind: [cycling, romo]\n', 'not-sweepable').message, /one spec file per task/);
    assert.match(one('task: { kind: cycling }\nsweep:\n  view.trials: [4]\n', 'not-sweepable').message, /settings of runs/);
  });

  it('a value the field would not accept, at that value, with the field own message', () => {
    const text = 'task: { kind: cycling }\nsweep:\n  network.N: [64, 1.5, 8192]\n  network.output_scale: [small, big]\n';
    const ds = errors(text);
    assert.deepEqual(ds.map((d) => d.code), ['wrong-type', 'out-of-range', 'bad-enum']);
    assert.deepEqual(rangeOfDiagnostic(at(ds, 0)), rangeOf(text, '1.5'));
    assert.deepEqual(rangeOfDiagnostic(at(ds, 1)), rangeOf(text, '8192'));
    assert.match(at(ds, 1).message, /sweep\.network\.N\[2\] must be an integer from 2 to 4096/);
    assert.deepEqual(rangeOfDiagnostic(at(ds, 2)), rangeOf(text, 'big'));
    assert.match(at(ds, 2).message, /small, large or a number/);
  });

  it('a list that is empty, repeats a value or is not a list', () => {
    assert.equal(one('task: { kind: cycling }\nsweep:\n  network.N: []\n', 'too-few-items').path.join('.'), 'sweep.network.N');
    assert.equal(one('task: { kind: cycling }\nsweep:\n  network.N: [64, 64]\n', 'duplicate-item').path.join('.'), 'sweep.network.N.1');
    assert.match(one('task: { kind: cycling }\nsweep:\n  network.N: 64\n', 'wrong-type').message, /must be a list/);
  });

  it('what the task refuses at one grid point is reported at that point value', () => {
    const text = 'task: { kind: cycling }\nsweep:\n  training.batch: [32, 31]\n';
    const d = one(text, 'task-constraint');
    assert.deepEqual(rangeOfDiagnostic(d), rangeOf(text, '31'));
    assert.match(d.message, /even/);
  });

  it('a grid point whose memory would not fit is reported at the swept value, naming the variants', () => {
    const text = 'task: { kind: cycling }\nvariants:\n  - { name: a }\n  - { name: b }\nsweep:\n  network.N: [64, 4096]\n  training.batch: [512]\n';
    const d = one(text, 'memory-limit');
    assert.ok(TRAINING_BYTES_LIMIT > 0);
    assert.deepEqual(rangeOfDiagnostic(d), rangeOf(text, '4096'));
    assert.match(d.message, /^In variants a, b: Training this run needs about \d+ MB/);
  });

  it('a swept field written in a variant is an error there; at the top level a warning', () => {
    const text = 'task: { kind: cycling }\nnetwork: { N: 64 }\nvariants:\n  - { name: a, network: { g: 0.7 } }\nsweep:\n  network.N: [32]\n  network.g: [1.5]\n';
    const ds = loadSpec(text).diagnostics.filter((d) => d.code === 'sweep-conflict');
    assert.deepEqual(ds.map((d) => d.severity), ['warning', 'error']);
    assert.deepEqual(rangeOfDiagnostic(at(ds, 0)), rangeOf(text, 'N', 0));
    assert.deepEqual(rangeOfDiagnostic(at(ds, 1)), rangeOf(text, 'g', 1));
    assert.match(at(ds, 1).message, /variants\[0\]\.network\.g is also swept by sweep\.network\.g \(line 7\)/);
  });

  it('a grid of too many runs is refused at the sweep key, a large one gets a warning', () => {
    const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 2).join(', ')}]`;
    const big = `task: { kind: cycling }\nseeds: 2\nsweep:\n  network.N: ${values(600)}\n`;
    const w = one(big, 'sweep-size');
    assert.equal(w.severity, 'warning');
    assert.ok(1200 > MANY_RUNS && 1200 <= MAX_RUNS);
    assert.match(w.message, /1,200 runs \(1 variant × 600 grid points × 2 seeds\)/);
    const huge = `task: { kind: cycling }\nsweep:\n  network.N: ${values(200)}\n  network.g: ${values(8)}\n  noise.state: ${values(9)}\n`;
    const e = one(huge, 'sweep-size');
    assert.equal(e.severity, 'error');
    assert.deepEqual(rangeOfDiagnostic(e), rangeOf(huge, 'sweep'));
    assert.deepEqual(loadSpec(huge).runs, []);
  });

  it('two grid points that would share a run folder are refused', () => {
    const long = 'x'.repeat(64);
    const text = `task: { kind: cycling }\nvariants:\n  - { name: ${long} }\nsweep:\n  network.N: [64, 65]\n`;
    assert.match(one(text, 'duplicate-run').message, /same name/);
  });
});

describe('spec sweep: hover and completion', () => {
  const DOC = 'task: { kind: cycling }\nsweep:\n  network.N: [32, 64]\n  noise.state: [0, 0.2]\n';

  it('hover on a sweep key shows the swept field, its own description and range', () => {
    const h = hoverAt(DOC, DOC.indexOf('network.N') + 2);
    assert.ok(h !== undefined);
    assert.equal(DOC.slice(h.start, h.end), 'network.N');
    assert.match(h.markdown, /^\*\*`sweep\.network\.N`\*\* · `list of integer`/);
    assert.ok(h.markdown.includes('Number of rate units'), h.markdown);
    assert.ok(h.markdown.includes('each 2 to 4096'), h.markdown);
  });

  it('hover on a swept value explains the list it is in', () => {
    const h = hoverAt(DOC, DOC.indexOf('0.2') + 1);
    assert.match(h?.markdown ?? '', /`sweep\.noise\.state`/);
  });

  it('completes the sweepable paths not yet swept, each starting with a list', () => {
    const { text, offset } = cursor(`${DOC}  |\n`);
    const cs = completionsAt(text, offset);
    const byLabel = new Map(cs.map((c) => [c.label, c]));
    assert.ok(!byLabel.has('network.N') && !byLabel.has('noise.state') && !byLabel.has('training.seed') && !byLabel.has('task.kind'));
    assert.equal(byLabel.get('network.output_scale')?.insertText, 'network.output_scale: [small, large]');
    assert.equal(byLabel.get('training.batch')?.insertText, 'training.batch: [32]');
    assert.ok(byLabel.has('task.response'), 'the parameters of the spec task kind');
    assert.ok(!byLabel.has('task.bits'));
  });

  it('completes the values a swept field allows inside its list', () => {
    const { text, offset } = cursor('task: { kind: cycling }\nsweep:\n  network.output_scale: [small, |]\n');
    assert.deepEqual(completionsAt(text, offset).map((c) => c.label), ['large']);
  });
});

describe('spec sweep: the example', () => {
  it('examples/cycling-sweep.rnn.yaml is the N sweep as a real sweep: both scales at N = 32 ... 256', () => {
    const file = join(__dirname, '../../../examples/cycling-sweep.rnn.yaml');
    const { runs, diagnostics } = loadSpec(readFileSync(file, 'utf8'), file);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(runs.map((r) => r.name), ['aligned-n32-s0', 'aligned-n64-s0', 'aligned-n128-s0', 'aligned-n256-s0', 'oblique-n32-s0', 'oblique-n64-s0', 'oblique-n128-s0', 'oblique-n256-s0']);
    assert.deepEqual(runs.map((r) => r.network.N), [32, 64, 128, 256, 32, 64, 128, 256]);
    assert.deepEqual(runs.map((r) => r.network.output_scale), ['small', 'small', 'small', 'small', 'large', 'large', 'large', 'large']);
  });
});
