#!/usr/bin/env node
// The extension's icon: media/icon.svg rasterised to media/icon.png (256 x 256, with
// transparency) by the project's own headless Chromium. The marketplace and VS Code
// need a PNG; the SVG is the source to edit. Run after changing the SVG:
//   node scripts/make-icon.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/e2e/harness/ui.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 256;
const svg = readFileSync(path.join(root, 'media/icon.svg'), 'utf8');
const { page, close } = await launchBrowser({ viewport: { width: SIZE, height: SIZE } });
try {
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  const png = await page.locator('svg').screenshot({ omitBackground: true });
  writeFileSync(path.join(root, 'media/icon.png'), png);
  console.log(`media/icon.png: ${SIZE} x ${SIZE}, ${png.length} bytes`);
} finally {
  await close();
}
