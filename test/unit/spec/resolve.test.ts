import * as assert from 'node:assert/strict';
import type { RunConfig, TaskKind } from '../../../src/core/types';
import { slug } from '../../../src/store/names';
import { loadSpec, specName } from '../../../src/spec/resolve';
import { at } from '../../../src/core/checked';

function runs(text: string): RunConfig[] {
  const r = loadSpec(text);
  assert.deepEqual(r.diagnostics.map((d) => `${d.code}: ${d.message}`), []);
  return r.runs;
}

function one(text: string): RunConfig {
  const rs = runs(text);
  assert.equal(rs.length, 1);
  return at(rs, 0);
}

describe('spec resolution', () => {
  describe('defaults (docs/science.md §§1-3)', () => {
    it('a spec with only a task kind gets every paper default', () => {
      const run = one('task: { kind: cycling }\n');
      assert.deepEqual(run, {
        name: 'default-s0',
        variant: 'default',
        seed_index: 0,
        task: { kind: 'cycling', stim: 1, response: 71, freq: 0.1, mask_step: 5 },
        network: { N: 512, g: 1.5, dt: 0.2, output_scale: 'large', train: ['input', 'recurrent', 'output'], h0_std: 0 },
        noise: { state: 0.2, initial: 1 },
        training: { steps: 1000, batch: 32, lr0: 0.02, seed: 0, backend: 'auto' },
        evaluation: { batch: 32, seed: 1000, t_min: 10, every: 50, learned_threshold: 0.05 },
        analysis: ['correlation', 'dimensions', 'noise', 'perturbation'],
        view: { trials: 8, readout_arrows: true },
      });
    });

    const paperTasks: Record<TaskKind, Record<string, unknown>> = {
      cycling: { stim: 1, response: 71, freq: 0.1, mask_step: 5 },
      flipflop: { bits: 3, duration: 25, stim: 1, grace: 2, fix_max: 1, gap_min: 3, gap_max: 10, mask_step: 5 },
      mante: { fix: 3, stim: 20, delay: 5, decision: 20, input_noise: 0.05, coherences: [0.125, 0.25, 0.5, 1], mask_step: 5 },
      romo: { fix_min: 1, fix_max: 3, stim: 1, delay_min: 2, delay_max: 12, decision_delay: 4, decision: 8, f_min: 0.5, f_max: 1.5, min_diff: 0.2, mask_step: 5 },
      complex_sine: { duration: 50, f_min: 0.04, f_max: 0.2, offset: 0.25, mask_step: 2 },
      sine: { duration: 21, freq: 0.1, eval_duration: 63, mask_step: 5 },
    };
    const steps: Record<TaskKind, number> = { cycling: 1000, flipflop: 4000, mante: 4000, romo: 6000, complex_sine: 6000, sine: 1000 };
    for (const kind of Object.keys(paperTasks) as TaskKind[]) {
      it(`${kind}: task parameters, steps and state noise`, () => {
        const run = one(`task: { kind: ${kind} }\n`);
        assert.deepEqual(run.task, { kind, ...paperTasks[kind] });
        assert.equal(run.training.steps, steps[kind]);
        assert.equal(run.noise.state, kind === 'mante' ? 0.05 : 0.2);
      });
    }

    // docs/science.md §2: lr0 by task x output scale x g; sine from the Methods (3.6)
    const lr0: [TaskKind, string, number, number][] = [
      ['cycling', 'small', 1.5, 0.02],
      ['flipflop', 'small', 1.5, 0.005],
      ['flipflop', 'large', 1.5, 0.01],
      ['mante', 'large', 1.5, 0.02],
      ['mante', 'large', 0.7, 0.002],
      ['mante', 'small', 1.5, 0.002],
      ['romo', 'small', 0.7, 0.01],
      ['romo', 'small', 1.5, 0.005],
      ['complex_sine', 'large', 0.7, 0.01],
      ['complex_sine', 'large', 1.5, 0.005],
      ['sine', 'small', 1.5, 0.005],
      ['sine', 'large', 1.5, 0.05],
      ['sine', 'large', 0.7, 0.002],
    ];
    for (const [kind, scale, g, expected] of lr0) {
      it(`lr0 for ${kind}, ${scale}, g = ${g} is ${expected}`, () => {
        const run = one(`task: { kind: ${kind} }\nnetwork: { output_scale: ${scale}, g: ${g} }\n`);
        assert.equal(run.training.lr0, expected);
      });
    }

    it('other g use the nearer column; the midpoint goes to 1.5', () => {
      const at = (g: number): number => one(`task: { kind: mante }\nnetwork: { g: ${g} }\n`).training.lr0;
      assert.equal(at(0.2), 0.002);
      assert.equal(at(1.0), 0.002);
      assert.equal(at(1.1), 0.02);
      assert.equal(at(3), 0.02);
    });

    it('a numeric output_scale counts as large from 0.5 up', () => {
      const at = (s: number): number => one(`task: { kind: flipflop }\nnetwork: { output_scale: ${s} }\n`).training.lr0;
      assert.equal(at(0.5), 0.01);
      assert.equal(at(0.49), 0.005);
      assert.equal(one('task: { kind: flipflop }\nnetwork: { output_scale: 0.3 }\n').network.output_scale, 0.3);
    });

    it('written values win over the table', () => {
      const run = one('task: { kind: mante }\nnoise: { state: 0.3 }\ntraining: { lr0: 0.1, steps: 7 }\n');
      assert.equal(run.noise.state, 0.3);
      assert.equal(run.training.lr0, 0.1);
      assert.equal(run.training.steps, 7);
    });
  });

  describe('variants and seeds', () => {
    const spec = [
      'name: Cycling, aligned vs oblique',
      'task: { kind: flipflop, duration: 20 }',
      'network: { N: 128, train: [recurrent] }',
      'training: { seed: 5 }',
      'variants:',
      '  - { name: aligned, network: { output_scale: small } }',
      '  - name: Oblique g=0.7',
      '    network: { g: 0.7, train: [recurrent, output] }',
      '    task: { bits: 2 }',
      'seeds: 3',
      '',
    ].join('\n');

    it('expands every variant over the seeds, named <variant>-s<seed>', () => {
      const rs = runs(spec);
      assert.deepEqual(rs.map((r) => r.name), ['aligned-s5', 'aligned-s6', 'aligned-s7', 'oblique-g-0.7-s5', 'oblique-g-0.7-s6', 'oblique-g-0.7-s7']);
      assert.deepEqual(rs.map((r) => r.seed_index), [0, 1, 2, 0, 1, 2]);
      assert.deepEqual(rs.map((r) => r.training.seed), [5, 6, 7, 5, 6, 7]);
      assert.deepEqual(rs.map((r) => r.variant), ['aligned', 'aligned', 'aligned', 'Oblique g=0.7', 'Oblique g=0.7', 'Oblique g=0.7']);
    });

    it('merges each variant over the top level; lists are replaced', () => {
      const all = runs(spec);
      const aligned = at(all, 0);
      const oblique = at(all, 3);
      assert.equal(aligned.network.N, 128);
      assert.equal(aligned.network.output_scale, 'small');
      assert.deepEqual(aligned.network.train, ['recurrent']);
      assert.equal(aligned.task.kind, 'flipflop');
      assert.equal(aligned.task.kind === 'flipflop' && aligned.task.bits, 3);
      assert.equal(oblique.network.output_scale, 'large');
      assert.equal(oblique.network.g, 0.7);
      assert.deepEqual(oblique.network.train, ['recurrent', 'output']);
      assert.equal(oblique.task.kind === 'flipflop' && oblique.task.bits, 2);
      assert.equal(oblique.task.kind === 'flipflop' && oblique.task.duration, 20);
    });

    it('defaults that depend on other fields are taken after the merge', () => {
      const all = runs(spec);
      const aligned = at(all, 0);
      const oblique = at(all, 3);
      assert.equal(aligned.training.lr0, 0.005); // flipflop, small
      assert.equal(oblique.training.lr0, 0.01); // flipflop, large, g 0.7
    });

    it('every run shares the evaluation batch', () => {
      assert.deepEqual(new Set(runs(spec).map((r) => r.evaluation.seed)), new Set([1000]));
    });

    it('runs are independent copies', () => {
      const rs = runs(spec);
      at(rs, 0).network.train.push('input');
      assert.deepEqual(at(rs, 1).network.train, ['recurrent']);
    });

    it('a variant can set its own seed', () => {
      const rs = runs('task: { kind: cycling }\nvariants:\n  - { name: a }\n  - { name: b, training: { seed: 10 } }\nseeds: 2\n');
      assert.deepEqual(rs.map((r) => r.name), ['a-s0', 'a-s1', 'b-s10', 'b-s11']);
    });

    it('variants can share settings through YAML anchors and merge keys', () => {
      const rs = runs([
        'task: { kind: cycling }',
        'variants:',
        '  - &small { name: aligned, network: { output_scale: small, N: 64 } }',
        '  - { <<: *small, name: aligned-noisy, noise: { state: 0.5 } }',
        '',
      ].join('\n'));
      assert.deepEqual(rs.map((r) => [r.name, r.network.N, r.network.output_scale, r.noise.state]), [
        ['aligned-s0', 64, 'small', 0.2],
        ['aligned-noisy-s0', 64, 'small', 0.5],
      ]);
    });

    it('an empty variants list is the default variant', () => {
      assert.deepEqual(runs('task: { kind: cycling }\nvariants: []\n').map((r) => r.name), ['default-s0']);
    });

    it('loadSpec returns the spec as written and its name', () => {
      const r = loadSpec(spec, '/ws/examples/quick.rnn.yaml');
      assert.equal(r.spec?.name, 'Cycling, aligned vs oblique');
      assert.equal(r.spec?.variants?.length, 2);
      assert.equal(r.name, 'cycling-aligned-vs-oblique-quick'); // name: and file (quick.rnn.yaml)
    });

    it('no runs while any error remains, but warnings keep them', () => {
      assert.deepEqual(loadSpec('task: { kind: cycling }\ntraining: { batch: 3 }\n').runs, []);
      assert.equal(loadSpec('task: { kind: cycling }\nview: { trials: 64 }\n').runs.length, 1);
    });
  });

  describe('names', () => {
    it('slug makes names filesystem-safe and stable across operating systems', () => {
      assert.equal(slug('Oblique, g=0.7'), 'oblique-g-0.7');
      assert.equal(slug('../../etc/passwd'), 'etc-passwd');
      assert.equal(slug('Réseau'), 'reseau');
      assert.equal(slug('..'), 'unnamed');
      assert.equal(slug('CON'), 'con-');
      assert.equal(slug('x'.repeat(100)).length, 64);
    });

    it('slug keeps letters and digits of every script', () => {
      assert.equal(slug('Альфа'), 'альфа');
      assert.equal(slug('实验 2'), '实验-2');
      assert.equal(slug('Ελληνικά'), 'ελληνικά');
      assert.equal(slug('../实验/x'), '实验-x');
      assert.equal(slug('-.бета.'), 'бета');
      assert.equal(slug('Straße'), 'straße');
      // bounded in characters and in UTF-8 bytes, cut between whole characters
      const long = slug('中'.repeat(100));
      assert.ok([...long].length <= 64 && Buffer.byteLength(long) <= 128, long);
      assert.equal(long, '中'.repeat(42));
      assert.equal(slug('\u{20000}'.repeat(100)), '\u{20000}'.repeat(32));
    });

    it('non-Latin variant names are distinct, and a non-Latin spec name names the run folder', () => {
      const { diagnostics, runs, name } = loadSpec('name: 实验\ntask: { kind: cycling }\nvariants: [{name: альфа}, {name: бета}]\n', 'x.rnn.yaml');
      assert.deepEqual(diagnostics, []);
      assert.equal(name, '实验-x'); // name: and file (x.rnn.yaml)
      assert.deepEqual(runs.map((r) => r.name), ['альфа-s0', 'бета-s0']);
    });

    it('a YAML timestamp is a text, e.g. as a name', () => {
      // `!!timestamp` parses to a Date even under the core schema; toJson turns it into text
      const { diagnostics, name } = loadSpec('name: !!timestamp 2001-12-14\ntask: { kind: cycling }\n');
      assert.deepEqual(diagnostics, []);
      assert.equal(name, '2001-12-14t00-00-00.000z');
    });

    it('specName is name: and the file name (the file only when it differs), else the file name without .rnn.yaml', () => {
      assert.equal(specName({ name: 'My Spec' }, 'a.rnn.yaml'), 'my-spec-a');
      assert.equal(specName({ name: 'My Spec' }), 'my-spec');
      assert.equal(specName({ name: 'Cycling' }, '/w/cycling.rnn.yaml'), 'cycling');
      assert.equal(specName({}, 'C:\\work\\Cycling Demo.rnn.yaml'), 'cycling-demo');
      assert.equal(specName(undefined, '/w/flip.yaml'), 'flip');
      assert.equal(specName(undefined), 'spec');
    });

    it('two specs with the same name: get distinct store names and titles, even with a long name', () => {
      const long = 'x'.repeat(120);
      for (const name of ['cycling', 'Cycling, aligned vs oblique', long]) {
        const a = loadSpec(`name: ${name}\ntask: { kind: cycling }\n`, '/w/cycling.rnn.yaml');
        const b = loadSpec(`name: ${name}\ntask: { kind: cycling }\n`, '/w/cycling-copy.rnn.yaml');
        assert.notEqual(a.name, b.name, name);
        assert.notEqual(a.title, b.title, name);
        assert.ok([...b.name].length <= 64 && b.name.endsWith('-cycling-copy'), b.name);
      }
      assert.equal(loadSpec('name: cycling\ntask: { kind: cycling }\n', '/w/cycling.rnn.yaml').title, 'cycling');
      assert.equal(loadSpec('name: cycling\ntask: { kind: cycling }\n', '/w/copy.rnn.yaml').title, 'cycling (copy.rnn.yaml)');
      assert.equal(loadSpec('task: { kind: cycling }\n', '/w/copy.rnn.yaml').title, 'copy');
    });

    it('loadSpec keeps the name while the spec has errors', () => {
      assert.equal(loadSpec('name: Keep me\ntask: { kind: nope }\n').name, 'keep-me');
      assert.equal(loadSpec('name: Keep me\ntask: { kind: nope }\n', 'k.rnn.yaml').title, 'Keep me (k.rnn.yaml)');
    });
  });
});

describe('spec: every problem at once', () => {
  it('reports an odd cycling batch even when other fields are invalid', () => {
    const text = `task: { kind: cycling }\nnetwork:\n  N: 0\n  gain: 1.5\ntraining: { batch: 31 }\n`;
    const { diagnostics, runs } = loadSpec(text, 'x.rnn.yaml');
    assert.deepEqual(runs, []);
    const codes = diagnostics.map((d) => `${d.line}:${d.column}:${d.code}`);
    assert.ok(codes.includes('2:5:out-of-range'), codes.join(' '));
    assert.ok(codes.includes('3:2:unknown-key'), codes.join(' '));
    assert.ok(codes.includes('4:19:task-constraint'), codes.join(' '));
  });

  it('makes no memory finding once a field was removed: it would describe the default, not what is written', () => {
    // N: 5000 is out of range; with the default N in its place the batch would be blamed for "N = 512"
    const text = 'task: { kind: cycling }\nnetwork: { N: 5000 }\ntraining: { batch: 4096 }\n';
    const { diagnostics } = loadSpec(text, 'x.rnn.yaml');
    assert.deepEqual(diagnostics.map((d) => d.code), ['out-of-range'], diagnostics.map((d) => d.message).join('\n'));
  });

  it('a bad variant item does not shift the others: their findings keep their place', () => {
    const text = 'task: { kind: cycling }\nvariants: [3, { name: b, training: { batch: 31 } }]\n';
    const { diagnostics } = loadSpec(text, 'x.rnn.yaml');
    assert.deepEqual(diagnostics.map((d) => [d.code, d.path.join('.')]), [['wrong-type', 'variants.0'], ['task-constraint', 'variants.1.training.batch']]);
    const d = at(diagnostics, 1);
    assert.equal(d.column, at(text.split('\n'), 1).indexOf('31'));
    // a variant without a name is left out the same way
    const nameless = 'task: { kind: cycling }\nvariants:\n  - { network: { N: 64 } }\n  - { name: b, training: { batch: 31 } }\n';
    assert.deepEqual(loadSpec(nameless).diagnostics.map((x) => [x.code, x.path.join('.')]), [['missing-key', 'variants.0'], ['task-constraint', 'variants.1.training.batch']]);
    const badName = 'task: { kind: cycling }\nvariants:\n  - { name: "" }\n  - { name: b, training: { batch: 31 } }\n';
    assert.deepEqual(loadSpec(badName).diagnostics.map((x) => [x.code, x.path.join('.')]), [['bad-length', 'variants.0.name'], ['task-constraint', 'variants.1.training.batch']]);
  });

  it('a bad field inside a variant is removed from that variant only', () => {
    const text = 'task: { kind: cycling }\nvariants:\n  - { name: a, network: { N: 0 } }\n  - { name: b, training: { batch: 31 } }\n';
    assert.deepEqual(loadSpec(text).diagnostics.map((d) => [d.code, d.path.join('.')]), [['out-of-range', 'variants.0.network.N'], ['task-constraint', 'variants.1.training.batch']]);
  });

  it('does not guess when a required key is missing', () => {
    const { diagnostics } = loadSpec(`task: { response: 31 }\ntraining: { batch: 31 }\n`, 'x.rnn.yaml');
    assert.ok(diagnostics.some((d) => d.code === 'missing-key'));
    assert.ok(!diagnostics.some((d) => d.code === 'task-constraint'));
  });
});

describe('spec: the sine task starts from a fixed random h_0 by default', () => {
  it('h0_std is 1 for sine (docs/science.md §1.3: x = 0 is a fixed point without input or noise) and 0 elsewhere', () => {
    const sine = at(loadSpec('task: { kind: sine }\n', 's.rnn.yaml').runs, 0);
    assert.equal(sine.network.h0_std, 1);
    const cyc = at(loadSpec('task: { kind: cycling }\n', 'c.rnn.yaml').runs, 0);
    assert.equal(cyc.network.h0_std, 0);
    const explicit = at(loadSpec('task: { kind: sine }\nnetwork: { h0_std: 0 }\n', 's.rnn.yaml').runs, 0);
    assert.equal(explicit.network.h0_std, 0);
  });
});
