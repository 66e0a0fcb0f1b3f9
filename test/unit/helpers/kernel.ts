/**
 * Test helper: the fused kernel as the build makes it (dist/rnn-kernel.wasm). A binary
 * older than its sources is rebuilt first, so a targeted mocha run never tests stale code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KERNEL_FILE, kernelProvided, provideKernel } from '../../../src/kernel/fused';

const root = join(__dirname, '../../..');

export function loadKernel(): void {
  if (kernelProvided()) return;
  const out = join(root, 'dist', KERNEL_FILE);
  const sources = join(root, 'src/kernel/assembly');
  const newest = Math.max(...readdirSync(sources).map((f) => statSync(join(sources, f)).mtimeMs));
  if (!existsSync(out) || statSync(out).mtimeMs < newest) {
    execFileSync(process.execPath, [join(root, 'esbuild.mjs'), '--only', 'kernel'], { cwd: root, stdio: 'inherit' });
  }
  provideKernel(readFileSync(out));
}
