// Runs the extension-host tests on a fresh copy of the fixture workspace, so runs,
// new specs and edits never touch the repository:
//   node test/e2e/exthost/run.mjs [--keep] [--verbose] [--grep <regex over test titles>]
// Build first: node esbuild.mjs --only extension,webview,worker
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExtensionHostTests } from '../harness/run-exthost.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : undefined;
const workspace = mkdtempSync(path.join(tmpdir(), 'rnnlab-e2e-ws-'));
cpSync(path.join(root, 'test/e2e/fixtures/workspace'), workspace, { recursive: true });
let code = 1;
try {
  const r = await runExtensionHostTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: here,
    workspace,
    timeoutMs: Number(process.env.RNNLAB_E2E_TIMEOUT ?? 900_000),
    verbose: args.includes('--verbose'),
    ...(grep ? { env: { RNNLAB_E2E_GREP: grep } } : {}),
    name: 'exthost',
  });
  code = r.ok ? 0 : r.timedOut ? 124 : r.exitCode || 1;
  if (!r.ok && r.reason) console.error(r.reason);
} finally {
  if (keep) console.log(`workspace kept: ${workspace}`);
  else rmSync(workspace, { recursive: true, force: true });
}
process.exit(code);
