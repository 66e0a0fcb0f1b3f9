/** Node's way to the fused kernel: the binary the build writes next to the bundles. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KERNEL_FILE, kernelUnavailable, provideKernel } from './fused';

export function provideKernelFromDir(dir: string): void {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(dir, KERNEL_FILE));
  } catch {
    kernelUnavailable(`${join(dir, KERNEL_FILE)} is missing; rebuild with \`npm run build\``);
    return;
  }
  provideKernel(bytes);
}
