/**
 * The page of `rnnlab bench --browser` (src/cli/bench-browser.ts): it starts one training
 * worker the way the panel does (the worker bundle from a blob, tfjs's wasm and the fused
 * kernel handed over as bytes; webview/panel/trainer-boot.ts), so the bench times the
 * panel's own worker. The CLI then times steps through the worker's diagnostics
 * (self.rnnlabWorker.bench, webview/worker/diagnostics.ts).
 */
import type { BackendInfo } from '../../src/core/backend';
import type { PanelAssets } from '../../src/protocol';
import { TrainerClient } from '../../src/trainer/client';
import { WorkerSource, webPlatform } from '../panel/trainer-boot';

interface BenchPage {
  /** A ready worker started for `auto` (every backend probed); what it says about itself. */
  start(assets: PanelAssets): Promise<BackendInfo>;
}

let client: TrainerClient | undefined;

const page: BenchPage = {
  async start(assets) {
    client?.terminate();
    client = await TrainerClient.start(webPlatform(assets, new WorkerSource(assets.workerUrl), () => false), 'auto');
    return client.backend;
  },
};
(window as unknown as { rnnlabBench: BenchPage }).rnnlabBench = page;
