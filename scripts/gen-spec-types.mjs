#!/usr/bin/env node
// Regenerates src/spec/types.gen.ts and docs/spec-reference.md from
// src/spec/rnn-spec.schema.json. With --check it writes nothing and exits 1 when a
// generated file is out of date. The generators are TypeScript shared with the unit
// tests (test/unit/spec/generated.test.ts), so they are loaded through tsx.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { generateSpecTypes, GENERATED_TYPES_PATH } = await tsImport('./spec-codegen/types.ts', import.meta.url);
const { generateSpecReference, GENERATED_REFERENCE_PATH } = await tsImport('./spec-codegen/reference.ts', import.meta.url);

const schema = JSON.parse(await readFile(join(root, 'src/spec/rnn-spec.schema.json'), 'utf8'));
const outputs = [
  [GENERATED_TYPES_PATH, generateSpecTypes(schema)],
  [GENERATED_REFERENCE_PATH, generateSpecReference(schema)],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [rel, text] of outputs) {
  const file = join(root, rel);
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old === text) continue;
  if (check) {
    console.error(`${rel} is out of date: run node scripts/gen-spec-types.mjs`);
    stale++;
  } else {
    await writeFile(file, text);
    console.log(`wrote ${rel}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
