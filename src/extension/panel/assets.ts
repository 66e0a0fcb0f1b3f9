/** The files of the extension the panel's page loads, in one place without vscode (the package test reads it too). */

import { KERNEL_FILE } from '../../kernel/fused';

/** The three tfjs-backend-wasm flavours esbuild.mjs copies to dist/ (the page picks one), and the fused kernel it builds. */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', KERNEL_FILE] as const;

/** Files of the extension the page loads, relative to its root: all must exist before a panel opens. */
export const PANEL_FILES = ['dist/webview/panel.js', 'dist/webview/panel.css', 'dist/webview/worker.js', ...WASM_FILES.map((f) => `dist/${f}`), 'media/panel.css'] as const;
