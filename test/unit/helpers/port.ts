/** Test helper: a node:worker_threads MessagePort as a channel Port (real structured clone, as a worker thread or a Web Worker gives). */
import type { MessagePort } from 'node:worker_threads';
import type { Port } from '../../../src/protocol/channel';

export function portOf(p: MessagePort): Port {
  return {
    post: (m, transfer) => p.postMessage(m, transfer),
    listen(receive) {
      p.on('message', receive);
      return () => p.off('message', receive);
    },
  };
}
