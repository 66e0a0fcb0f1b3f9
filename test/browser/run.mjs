// The panel's browser tests: builds the webview and worker bundles, serves them with the
// panel's CSP from 127.0.0.1, drives Debian Chromium (SwiftShader WebGL) and prints
// "N passed, M failed". Exit code 1 on any failure or when nothing ran.
//   node --import tsx test/browser/run.mjs [--only <substring of a test name>]  (tsx: the server imports the extension's CSP from TypeScript)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, launch, projectHelpers, runTests } from './harness.mjs';
import { panelTests } from './panel.test.mjs';
import { backendTests } from './backend.test.mjs';
import { poolTests } from './pool.test.mjs';
import { benchCliTests } from './bench-cli.test.mjs';
import { explorerTests } from './explorer.test.mjs';
import { polishTests } from './polish.test.mjs';
import { compareTests } from './compare.test.mjs';
import { dissimilarityTests } from './dissimilarity.test.mjs';
import { seedsTests } from './seeds.test.mjs';
import { recordingTests } from './recording.test.mjs';
import { startServer } from './server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? process.argv[onlyArg + 1] : undefined;

if (!existsSync(CHROMIUM)) {
  console.log(`Chromium not found at ${CHROMIUM}; install it with: apt-get install -y chromium\n0 passed, 1 failed`);
  process.exit(1);
}
const build = spawnSync(process.execPath, ['esbuild.mjs', '--only', 'webview,worker,bench,cli'], { cwd: repo, stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const results = path.join(repo, 'test-results');
mkdirSync(results, { recursive: true });
const helpers = await projectHelpers(repo);
const server = await startServer(repo);
const browser = await launch();
let summary = { passed: 0, failed: 1 };
try {
  const suite = { context: browser.context, launch, baseUrl: server.url, helpers, results };
  summary = await runTests([...panelTests(suite), ...polishTests(suite), ...dissimilarityTests(suite), ...backendTests(suite), ...poolTests(suite), ...benchCliTests(), ...explorerTests(suite), ...compareTests(suite), ...seedsTests(suite), ...recordingTests(suite)], { only });
} finally {
  await browser.close();
  await server.close();
}
console.log(`${summary.passed} passed, ${summary.failed} failed`);
process.exit(summary.failed === 0 && summary.passed > 0 ? 0 : 1);
