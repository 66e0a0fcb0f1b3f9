#!/usr/bin/env node
// The rnnlab command: the bundled CLI (build it with `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('rnnlab: dist/cli.js is missing; run `npm run build` first.\n');
  process.exit(2);
}
require(cli);
