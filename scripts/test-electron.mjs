#!/usr/bin/env node
// The standard desktop path for machines WITH internet access: @vscode/test-electron
// downloads a desktop VS Code and runs the same extension-host tests as the CI's
// code-server run (test/e2e/exthost). Not part of `npm test` or CI: the CI machine cannot
// download VS Code. Needs a display on Linux (e.g. xvfb-run npm run test:electron).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = mkdtempSync(join(tmpdir(), 'rnnlab-electron-'));
cpSync(join(root, 'test/e2e/fixtures/workspace'), workspace, { recursive: true });
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test/e2e/harness/mocha-index.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { RNNLAB_E2E_TESTS: join(root, 'test/e2e/exthost') },
  });
  console.log('test:electron: passed');
} catch (e) {
  console.error(`test:electron: ${e.message ?? e}`);
  console.error('It downloads VS Code from update.code.visualstudio.com; offline, use `npm test` (code-server) instead.');
  process.exitCode = 1;
}
