/**
 * The panel's Content Security Policy, the one measured in docs/architecture.md,
 * unchanged: nonce scripts only, 'wasm-unsafe-eval' for tfjs-wasm, blob: workers (the page
 * starts the training worker from a blob of the fetched bundle), and connect-src for the
 * page's own fetches of the worker bundle and the wasm binary. No vscode import, so the
 * browser tests serve the panel under exactly this policy.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    'worker-src blob:',
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `connect-src ${cspSource}`,
  ].join('; ');
}
