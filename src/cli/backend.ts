/**
 * The tfjs backend of the CLI's own thread, for the analyses it runs there (the
 * dissimilarity after training, compare, recording): started once, on first use, with
 * the wasm binary from the bundle's folder as the training workers do.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendInfo } from '../core/backend';

let started: Promise<BackendInfo> | undefined;

export function cliBackend(): Promise<BackendInfo> {
  if (!started) {
    setWasmPaths(__dirname + '/');
    started = initBackend('auto');
  }
  return started;
}
