/**
 * The panel's training worker: the shared TrainerService behind a browser Web Worker.
 *
 * The page starts this bundle from a blob and hands over the wasm binary as bytes
 * (docs/architecture.md): a blob worker in a VS Code webview can fetch no webview
 * resource (microsoft/vscode#315494), so nothing here may touch the network.
 *
 * The same bundle answers the perturbation explorer's kicks (explorer-service.ts): its
 * messages go to their own channel, and a worker the page starts only for the explorer
 * never starts a tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { kernelUnavailable, provideKernel } from '../../src/kernel/fused';
import { TrainerService } from '../../src/trainer/service';
import { EXPLORER_MESSAGE_TYPES, toExplorer, toTrainer, type FromExplorer, type FromTrainer, type ToExplorer, type ToTrainer, type WasmSource } from '../../src/protocol';
import { Channel, type Port } from '../../src/protocol/channel';
import { isRecord } from '../../src/protocol/check';
import { ExplorerService } from './explorer-service';
import { gpuLost, probeGpu } from './gpu';
import { diagnostics, type WorkerDiagnostics } from './diagnostics';

const scope = self as unknown as DedicatedWorkerGlobalScope & { rnnlabWorker: WorkerDiagnostics };
scope.rnnlabWorker = diagnostics;

/** wasm binaries the page sent, by file name */
const wasmFiles = new Map<string, ArrayBuffer>();

/** The worker's port, for the messages `mine` picks: the trainer's and the explorer's channels share it. */
function portFor(mine: (type: unknown) => boolean): Port {
  return {
    post: (msg, transfer) => scope.postMessage(msg, transfer),
    listen(receive) {
      const onMessage = (e: MessageEvent<unknown>) => {
        if (mine(isRecord(e.data) ? e.data.type : undefined)) receive(e.data);
      };
      scope.addEventListener('message', onMessage);
      return () => scope.removeEventListener('message', onMessage);
    },
  };
}
const isExplorerMessage = (type: unknown) => typeof type === 'string' && EXPLORER_MESSAGE_TYPES.has(type);

const channel = new Channel<ToTrainer, FromTrainer>(portFor((t) => !isExplorerMessage(t)), toTrainer, (why) => console.error(`training worker: ${why}`));

const explorerChannel = new Channel<ToExplorer, FromExplorer>(portFor(isExplorerMessage), toExplorer, (why) => console.error(`explorer worker: ${why}`));
const explorer = new ExplorerService({
  post: (msg, transfer) => explorerChannel.send(msg, transfer),
  yieldTurn: messageChannelTurn(),
  now: () => performance.now(),
});
explorerChannel.onAny((msg) => explorer.handle(msg));

const service = new TrainerService({
  post: (msg, transfer) => channel.send(msg, transfer),
  yieldTurn: messageChannelTurn(),
  prepareWasm: serveWasmFromMemory,
  // Inside the page's own init timeout, so the page hears the worker's reason first.
  backendOptions: { timeoutMs: 15000, gpu: probeGpu, gpuLost },
  sendViews: true,
});

// A violation here would not reach the page's listener (a blob worker has its own); say it in the console.
scope.addEventListener('securitypolicyviolation', (ev) => {
  const e = ev as SecurityPolicyViolationEvent;
  console.error(`CSP violation in the training worker: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`);
});

// Not awaited: a 'train' runs for minutes and 'pause'/'stop' must be handled meanwhile.
channel.onAny((msg) => void service.handle(msg));

function serveWasmFromMemory(source: WasmSource): void {
  if (source.kind !== 'bytes') throw new Error('The panel worker cannot read wasm from a folder; the page must send the bytes.');
  wasmFiles.set(source.name, source.bytes);
  if (source.kernel) provideKernel(source.kernel);
  else kernelUnavailable('the page did not send rnn-kernel.wasm');
  const platform = tf.env().platform;
  platform.fetch = async (path: string) => {
    const name = String(path).split('/').pop() ?? '';
    const bytes = wasmFiles.get(name);
    // Never fall through to a real fetch: in a webview it hangs for 30 s and then fails.
    if (!bytes) {
      throw new Error(`tfjs asked for ${name}, but the page sent ${[...wasmFiles.keys()].join(', ') || 'no wasm'} (SIMD or thread support differs between page and worker).`);
    }
    return new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
  };
  setWasmPaths('memory/', true);
}

/**
 * A macrotask turn through a MessageChannel: lets queued messages (pause, stop) run
 * between training steps without setTimeout's 4 ms clamp.
 */
function messageChannelTurn(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}
