/**
 * The Copy Python snippet: it loads real run folders (written by the run store) and its ρ
 * is the lab's own (src/core/analysis/correlation.ts) on the same stored arrays. Running it
 * needs /usr/bin/python3 with numpy; without them that test is pending, never passed.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { correlationFromGram } from '../../../src/core/analysis/correlation';
import { writeRunFolder } from '../../../src/store/runFolder';
import { pythonSnippet } from '../../../webview/panel/python-snippet';
import { fakeResult, tinyRun } from '../helpers/run-result';

const PYTHON = '/usr/bin/python3';

describe('Copy Python snippet', () => {
  it('quotes every name and folder as a Python string literal', () => {
    const text = pythonSnippet([{ name: 'a"b', folder: 'C:\\runs\\x "y"\n' }], 'spec\nname');
    assert.ok(text.includes(String.raw`"a\"b": load_run("C:\\runs\\x \"y\"\n"),`), text);
    assert.ok(text.startsWith('# spec name: 1 run of RNN Dynamics Lab'));
  });

  it('loads the stored folders with numpy and gives the lab\'s rho', function () {
    const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) this.skip(); // pending: no python3 with numpy (apt-get install python3-numpy)
    this.timeout(30_000);
    return (async () => {
      const tmp = fs.mkdtempSync(path.join(tmpdir(), 'rnnlab-snippet-'));
      try {
        const run = { ...tinyRun(), name: 'oblique-s0' };
        const result = fakeResult(run);
        const { T, B, N } = result.evaluation.trajectories;
        // States and readout with structure: a few directions, plus a mean across neurons the centring must remove.
        const states = result.evaluation.trajectories.states;
        for (let i = 0; i < states.length; i++) states[i] = Math.sin(0.7 * i) + 0.3 * Math.cos(0.13 * i * i) + 0.5;
        const wOut = result.final.W_out;
        for (let i = 0; i < wOut.length; i++) wOut[i] = Math.cos(1.3 * i) + 0.2;
        const folder = await writeRunFolder(tmp, run.name, result, 'name: t\n');
        const kMin = Math.min(Math.round(run.evaluation.t_min / run.network.dt), T - 1);
        const gram = new Float64Array(N * N);
        for (let s = kMin * B; s < T * B; s++) {
          for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) gram[i * N + j] = (gram[i * N + j] ?? 0) + (states[s * N + i] ?? 0) * (states[s * N + j] ?? 0);
        }
        const expected = correlationFromGram(wOut, result.final.dOut, N, gram).rho;
        const script = path.join(tmp, 'snippet.py');
        fs.writeFileSync(script, pythonSnippet([{ name: run.name, folder }], 'test'));
        const out = spawnSync(PYTHON, [script], { encoding: 'utf8' });
        assert.equal(out.status, 0, out.stderr);
        const m = /^oblique-s0: rho = (\S+) \(metrics\.json: (\S+)\)$/m.exec(out.stdout);
        assert.ok(m, out.stdout);
        assert.ok(Math.abs(Number(m[1]) - expected) < 1e-5 * Math.max(1, expected), `python ${m[1]}, lab ${expected}`);
        assert.ok(expected > 0.05 && expected < 0.999, `a test rho of ${expected} would not tell the centring apart`);
        assert.equal(Number(m[2]), 0.4);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    })();
  });
});
