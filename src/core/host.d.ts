/**
 * The only host APIs the core relies on. Node and browser workers both provide them
 * (the WinterCG minimum common API); declaring them here instead of pulling in the DOM
 * or Node typings keeps anything else out of src/core at compile time.
 */
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(id: unknown): void;
declare const performance: { now(): number };
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array): string;
}
/** Compression Streams (also WinterCG): inflating the deflated entries of .npz files. */
declare class DecompressionStream {
  constructor(format: 'deflate' | 'deflate-raw' | 'gzip');
  readonly readable: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }> } };
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } };
}
