/**
 * The page's boot block: `<script type="application/json" id="rnnlab-boot">`, written by
 * the host. JSON, not a script, because the CSP allows no inline script.
 */
import type { PanelAssets } from '../../src/protocol';

export interface BootData {
  version: number;
  assets: PanelAssets;
  specName: string;
}

export function readBootData(doc: Document): BootData {
  const el = doc.getElementById('rnnlab-boot');
  if (!el) throw new Error('The page has no #rnnlab-boot block: the extension host did not write the panel page.');
  let data: unknown;
  try {
    data = JSON.parse(el.textContent ?? '');
  } catch (err) {
    throw new Error(`The #rnnlab-boot block is not JSON: ${(err as Error).message}`);
  }
  const d = data as Partial<BootData> | null;
  const assets = d?.assets;
  if (!d || typeof d.version !== 'number' || !assets || typeof assets.workerUrl !== 'string' || typeof assets.wasmUrls !== 'object' || assets.wasmUrls === null) {
    throw new Error('The #rnnlab-boot block lacks version, assets.workerUrl or assets.wasmUrls.');
  }
  for (const [name, url] of Object.entries(assets.wasmUrls)) {
    if (typeof url !== 'string') throw new Error(`assets.wasmUrls.${name} is not a URL.`);
  }
  return { version: d.version, assets: { workerUrl: assets.workerUrl, wasmUrls: { ...assets.wasmUrls } }, specName: typeof d.specName === 'string' ? d.specName : '' };
}
