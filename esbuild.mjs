// The one build script: one esbuild entry per target (docs/architecture.md).
//   node esbuild.mjs                 build everything
//   node esbuild.mjs --only cli      build some targets (comma-separated names)
//   node esbuild.mjs --watch         rebuild on change
//   node esbuild.mjs --production    minify, no source maps
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const watch = args.includes('--watch');
const production = args.includes('--production');
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set(args[onlyArg + 1].split(',')) : null;

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
  // tfjs-core prints a banner suggesting tfjs-node, which cannot be installed offline
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
};

/** Targets. `files` are copied next to the bundle. */
const targets = {
  cli: {
    entryPoints: { cli: 'src/cli/main.ts', 'cli-worker': 'src/cli/worker.ts', 'cli-compare': 'src/cli/compare-main.ts', 'cli-recording': 'src/cli/recording-main.ts' },
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
    // the paper's figures: Vega's Node build has a top-level await (its optional canvas),
    // which a CommonJS bundle cannot hold, so they load from node_modules by import()
    // bench --browser drives Chromium through it, from the repository's node_modules (never bundled)
    external: ['vega', 'vega-lite', 'playwright-core'],
  },
  extension: {
    entryPoints: { extension: 'src/extension/extension.ts' },
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
    external: ['vscode'],
  },
  webview: {
    entryPoints: { 'webview/panel': 'webview/panel/main.ts' },
    platform: 'browser',
    format: 'iife',
    outdir: 'dist',
  },
  worker: {
    // one self-contained IIFE: the panel starts it from a blob and it may fetch nothing (docs/architecture.md)
    entryPoints: { 'webview/worker': 'webview/worker/main.ts' },
    platform: 'browser',
    format: 'iife',
    outdir: 'dist',
  },
  bench: {
    // the page of `rnnlab bench --browser`: starts the panel's training worker as the panel does
    entryPoints: { 'webview/bench': 'webview/bench/main.ts' },
    platform: 'browser',
    format: 'iife',
    outdir: 'dist',
  },
};

function copyAssets() {
  // a production build starts clean, so nothing stale (source maps, old bundles) gets packaged
  if (production && !only) rmSync(join(root, 'dist'), { recursive: true, force: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(root, 'dist', f));
  // the spec schema, for contributes.yamlValidation
  copyFileSync(join(root, 'src/spec/rnn-spec.schema.json'), join(root, 'dist/rnn-spec.schema.json'));
}

/**
 * The fused training kernel (src/kernel/assembly, AssemblyScript) to dist/rnn-kernel.wasm.
 * Built with the targets that load it (cli, worker) or alone with `--only kernel`; skipped
 * when the binary is newer than its sources and this script.
 */
const KERNEL_SOURCES = join(root, 'src/kernel/assembly');
const KERNEL_OUT = join(root, 'dist/rnn-kernel.wasm');
const KERNEL_FLAGS = ['-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd'];

async function buildKernel() {
  const newest = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, ...readdirSync(KERNEL_SOURCES).map((f) => statSync(join(KERNEL_SOURCES, f)).mtimeMs));
  if (!production && existsSync(KERNEL_OUT) && statSync(KERNEL_OUT).mtimeMs > newest) return;
  const { default: asc } = await import('assemblyscript/asc');
  let log = '';
  const sink = { write: (s) => ((log += String(s)), true) };
  const { error } = await asc.main([join(KERNEL_SOURCES, 'step.ts'), ...KERNEL_FLAGS, '--outFile', KERNEL_OUT], { stdout: sink, stderr: sink });
  if (error) {
    rmSync(KERNEL_OUT, { force: true });
    throw new Error(`esbuild.mjs: the fused kernel did not compile:\n${log}`);
  }
}
const KERNEL_USERS = ['cli', 'worker', 'kernel'];

if (only) for (const name of only) if (!targets[name] && name !== 'kernel') throw new Error(`esbuild.mjs: unknown target ${name}; known: ${Object.keys(targets).join(', ')}`);
const selected = Object.entries(targets).filter(([name]) => !only || only.has(name));
for (const [name, t] of selected) {
  for (const p of Object.values(t.entryPoints)) if (!existsSync(join(root, p))) throw new Error(`esbuild.mjs: target ${name}: missing entry ${p}`);
}
copyAssets();
const started = Date.now();
if (!only || KERNEL_USERS.some((n) => only.has(n))) await buildKernel();
if (watch) {
  for (const [, t] of selected) await (await esbuild.context({ ...common, ...t })).watch();
  console.log(`watching ${selected.map(([n]) => n).join(', ')}`);
} else {
  await Promise.all(selected.map(([, t]) => esbuild.build({ ...common, ...t })));
  writeFileSync(join(root, 'dist/.built'), new Date().toISOString());
  console.log(`built ${[...selected.map(([n]) => n), ...(only?.has('kernel') ? ['kernel'] : [])].join(', ')} in ${Date.now() - started} ms`);
}
