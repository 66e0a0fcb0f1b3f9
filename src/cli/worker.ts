/** A worker_threads training worker for the CLI: the shared TrainerService over a MessagePort. */
import { parentPort } from 'node:worker_threads';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { provideKernelFromDir } from '../kernel/node';
import { TrainerService } from '../trainer/service';
import { toTrainer, type FromTrainer, type ToTrainer } from '../protocol';
import { Channel } from '../protocol/channel';

if (!parentPort) throw new Error('cli-worker.js runs as a worker thread of rnnlab.');
const port = parentPort;

const channel = new Channel<ToTrainer, FromTrainer>(
  { post: (msg, transfer) => port.postMessage(msg, transfer), listen: (receive) => (port.on('message', receive), () => port.off('message', receive)) },
  toTrainer,
  (why) => console.error(`rnnlab training worker: ${why}`),
);

const service = new TrainerService({
  post: (msg, transfer) => channel.send(msg, transfer),
  yieldTurn: () => new Promise((resolve) => setImmediate(resolve)),
  prepareWasm: (source) => {
    if (source.kind !== 'path') throw new Error('The CLI worker loads wasm from a folder.');
    setWasmPaths(source.dir.endsWith('/') ? source.dir : source.dir + '/');
    provideKernelFromDir(source.dir);
  },
  backendOptions: {},
  sendViews: false,
});

// Messages are handled one at a time, but a 'train' handler runs for minutes, so do not await it here:
// pause/stop must be seen while it runs.
channel.onAny((msg) => void service.handle(msg));
