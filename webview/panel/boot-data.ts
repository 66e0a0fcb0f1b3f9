/**
 * The page's boot block: `<script type="application/json" id="rnnlab-boot">`, written by
 * the host. JSON, not a script, because the CSP allows no inline script.
 */
import type { PanelBoot } from '../../src/protocol';

export type BootData = PanelBoot;

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
  // The mode decides whether the page starts a worker at all: a wrong guess either wastes one or delays the first Train.
  if (d.mode !== 'live' && d.mode !== 'stored') throw new Error(`The #rnnlab-boot block has mode ${JSON.stringify(d.mode)}; expected "live" or "stored".`);
  return {
    version: d.version,
    assets: { workerUrl: assets.workerUrl, wasmUrls: { ...assets.wasmUrls } },
    specName: typeof d.specName === 'string' ? d.specName : '',
    mode: d.mode,
    resource: typeof d.resource === 'string' ? d.resource : '',
  };
}
