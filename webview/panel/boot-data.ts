/**
 * The page's boot block: `<script type="application/json" id="rnnlab-boot">`, written by
 * the host. JSON, not a script, because the CSP allows no inline script.
 */
import { panelBoot, type PanelBoot, type PanelMode } from '../../src/protocol';

export type BootData = PanelBoot;
/** The boot block of a panel of runs (not the recordings page). */
export type RunsBootData = BootData & { mode: PanelMode };

export function readBootData(doc: Document): BootData {
  const el = doc.getElementById('rnnlab-boot');
  if (!el) throw new Error('The page has no #rnnlab-boot block: the extension host did not write the panel page.');
  let data: unknown;
  try {
    data = JSON.parse(el.textContent ?? '');
  } catch (err) {
    throw new Error(`The #rnnlab-boot block is not JSON: ${(err as Error).message}`);
  }
  const problem = panelBoot.problem(data);
  if (problem !== undefined) throw new Error(`The #rnnlab-boot block is not what this page expects: ${problem}.`);
  const d = data as BootData;
  return { version: d.version, assets: { workerUrl: d.assets.workerUrl, wasmUrls: { ...d.assets.wasmUrls } }, specName: d.specName, mode: d.mode, resource: d.resource, ...(d.folders ? { folders: [...d.folders] } : {}) };
}
