// `rnnlab bench --browser` as a user runs it: the built CLI starts Debian Chromium itself
// (headless; this machine's WebGL and WebGPU are SwiftShader), times the panel's training
// worker on each backend and prints the bench table. Tiny shapes: these tests check what
// is printed, never how fast.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function rnnlab(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/rnnlab.js'), ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The table's rows (after the dashes), each as its cells. */
function tableRows(text) {
  const lines = text.trim().split('\n');
  const dashes = lines.findIndex((l) => /^-+(\s+-+)+$/.test(l));
  assert.ok(dashes > 0, `no table in:\n${text}`);
  return { head: lines[dashes - 1].trim().split(/\s{2,}/), rows: lines.slice(dashes + 1).map((l) => l.trim().split(/\s+/)) };
}

export function benchCliTests() {
  return [
    {
      name: 'bench --browser: fused and wasm timed in the panel worker, the software renderers left out and named, the table printed',
      timeoutMs: 240_000,
      fn: async () => {
        const r = await rnnlab(['bench', '--browser', '--cfg', '16x20x4,24x20x4', '--seconds', '0.2', '--iters', '3', '--no-peer']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /^Chromium [\d.]+ \(headless\), the panel's training worker$/m);
        assert.match(r.stderr, /webgl: not timed: software renderer .*SwiftShader.*auto never picks it; --backends webgl times it anyway/);
        assert.match(r.stderr, /webgpu: (not timed: software renderer|cannot run here: no WebGPU)/);
        const { head, rows } = tableRows(r.stdout);
        assert.deepEqual(head, ['N', 'T', 'B', 'fused ms', 'fused/PyTorch', 'fused GFLOP/s', 'wasm ms', 'wasm/PyTorch', 'wasm GFLOP/s', 'PyTorch 1 thr ms']);
        assert.deepEqual(rows.map((c) => c.slice(0, 3).join('x')), ['16x20x4', '24x20x4']);
        for (const c of rows) {
          assert.equal(c.length, head.length, c.join(' '));
          assert.ok(Number(c[6]) > 0, `wasm ms/step ${c[6]}`);
          assert.equal(c[4], '-', 'no ratio without the peer');
        }
      },
    },
    {
      name: 'bench --browser --backends wasm,webgl,webgpu --json: software renderers named are timed, each configuration in a fresh worker, one JSON line each',
      timeoutMs: 300_000,
      fn: async () => {
        const r = await rnnlab(['bench', '--browser', '--cfg', '32x40x4,48x40x4', '--backends', 'wasm,webgl,webgpu', '--seconds', '0.2', '--iters', '3', '--no-peer', '--json']);
        assert.equal(r.code, 0, r.stderr);
        // This machine's Chromium has a SwiftShader WebGPU adapter; one without WebGPU must say so instead of timing it.
        const webgpu = /webgpu: cannot run here: no WebGPU/.test(r.stderr) ? [] : ['webgpu'];
        // A second GPU backend in the same worker once ran out of GPU memory at the second shape.
        assert.doesNotMatch(r.stderr, /failed at/);
        const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
        const expected = ['32x40x4', '48x40x4'].flatMap((c) => ['wasm', 'webgl', ...webgpu].map((b) => `${c} ${b}`));
        assert.deepEqual(lines.map((x) => `${x.N}x${x.T}x${x.B} ${x.backend}`), expected);
        for (const x of lines) {
          assert.equal(x.iters, 3);
          assert.ok(x.ms_per_step_median > 0 && x.ms_per_step_min <= x.ms_per_step_median, JSON.stringify(x));
          assert.ok(!('peak_mb' in x), 'a browser does not tell a page its memory');
        }
        const { head, rows } = tableRows(r.stderr);
        assert.ok(head.includes('webgl ms') && head.includes('wasm ms'), head.join('|'));
        assert.equal(rows.length, 2);
      },
    },
  ];
}
