/**
 * Every message that crosses a thread or process boundary, and every check of one, in
 * one place (docs/architecture.md). Discriminated unions on `type`; bulk arrays travel as
 * { meta, buffer } envelopes (one ArrayBuffer, transferred), never as JSON arrays.
 *
 * - trainer.ts: a worker's owner (CLI pool, panel pool) <-> the training worker
 * - panel.ts: the extension host <-> the webview page (and the page's boot and saved state)
 * - view.ts: the 3D view's data inside envelopes
 * - explorer.ts: the panel page <-> the worker that kicks trials (the perturbation explorer)
 * - dissimilarity.ts: the dissimilarity across runs, from `rnnlab compare` to the host and on to the page
 * - recording.ts: `rnnlab recording` forked by the host (progress, result, view file) and the recordings page's data
 * - check.ts: the one way a value from the other side is checked
 * - channel.ts: the typed channel every transport is built on
 */
import type { Envelope } from '../core/pack';
import { validator } from './check';

export { PROTOCOL_VERSION } from './version';
export * from './trainer';
export * from './panel';
export * from './view';
export * from './explorer';
export * from './dissimilarity';
export * from './recording';
export { Check, type Rec, type Validator } from './check';

/** The envelope's layout is sane: fromEnvelope can then only fail on the tree's content. */
export const isEnvelope = validator<Envelope>((c, x) => c.envelope(x, 'envelope')).is;
