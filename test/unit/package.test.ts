/**
 * The .vsix holds what the extension needs and nothing else: built with vsce from a copy
 * of the tree that a user has used (a run store and their own specs under examples/,
 * source maps and CLI bundles in dist/), and read back entry by entry.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { TASKS } from '../../src/core/tasks/registry';
import { PANEL_FILES } from '../../src/extension/panel/assets';
import { COMPARE_BUNDLE } from '../../src/extension/panel/dissimilarity';
import { RECORDING_BUNDLE } from '../../src/extension/panel/recordingJob';

const ROOT = resolve(__dirname, '../..');
const VSCE = join(ROOT, 'node_modules/@vscode/vsce/vsce');

interface ZipEntry {
  name: string;
  data: () => Buffer;
}

/** The entries of a zip file, from its central directory (stored or deflated). */
function readZip(buf: Buffer): ZipEntry[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    out.push({
      name,
      data: () => {
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + size);
        return method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
      },
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('the package (.vsix)', function () {
  this.timeout(120_000);
  let work: string;
  let files: string[];
  /** the CLI's bundles and the page of its `bench --browser`: built into dist/, never loaded by the extension */
  const CLI_ONLY = /^dist\/(cli(-worker)?\.js|webview\/bench\.js)$/;
  let entries: ZipEntry[];
  let vsixBytes: number;

  before(() => {
    if (!existsSync(join(ROOT, 'dist/extension.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it first).');
    work = mkdtempSync(join(tmpdir(), 'rnnlab-package-'));
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'LICENSE', 'dist', 'media', 'examples', 'docs', 'src', 'scripts']) {
      if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(work, f), { recursive: true });
    }
    // What using the product leaves behind: a run store and specs of the user's own.
    const run = join(work, 'examples/.rnnlab/runs/cycling-20260101-000000/aligned-s0');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'weights.safetensors'), Buffer.alloc(4096));
    writeFileSync(join(work, 'examples/my-experiment.rnn.yaml'), 'task: { kind: cycling }\n');
    writeFileSync(join(work, 'examples/cycling-2.rnn.yaml'), 'task: { kind: cycling }\n');
    mkdirSync(join(work, '.rnnlab/demo'), { recursive: true });
    writeFileSync(join(work, '.rnnlab/demo/x'), 'x');
    writeFileSync(join(work, 'dist/extension.js.map'), '{}');
    const vsix = join(work, 'out.vsix');
    const r = spawnSync(process.execPath, [VSCE, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], { cwd: work, encoding: 'utf8', timeout: 110_000 });
    assert.equal(r.status, 0, `vsce package failed:\n${r.stdout}\n${r.stderr}`);
    const buf = readFileSync(vsix);
    vsixBytes = buf.length;
    entries = readZip(buf);
    files = entries.map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** The bytes of one packaged file, matched by its name in lower case (vsce renames readme.md). */
  const packaged = (name: string): Buffer => {
    const e = entries.find((x) => x.name.toLowerCase() === name.toLowerCase());
    assert.ok(e, `${name} is not in the package`);
    return e.data();
  };

  it('holds everything the extension loads', () => {
    // the panel forks `rnnlab compare` for the dissimilarity (src/extension/panel/dissimilarity.ts), the recordings panel `rnnlab recording` (recordingJob.ts)
    const needed = ['package.json', 'readme.md', 'dist/extension.js', `dist/${COMPARE_BUNDLE}`, `dist/${RECORDING_BUNDLE}`, 'dist/rnn-spec.schema.json', 'media/icon.png', ...PANEL_FILES];
    for (const kind of Object.keys(TASKS)) needed.push(`examples/${kind}.rnn.yaml`); // New experiment's templates
    // vsce stores the README as readme.md
    for (const f of needed) assert.ok(files.includes(f), `${f} is not in the package: ${files.join(', ')}`);
    assert.ok(files.some((f) => /^LICENSE(\.txt|\.md)?$/.test(f)), 'a license');
  });

  it('holds every runtime file of dist/ (a new bundle or binary is packaged without editing .vscodeignore)', () => {
    const runtime = filesUnder(join(ROOT, 'dist'))
      .map((f) => relative(ROOT, f).split('\\').join('/'))
      .filter((f) => !f.endsWith('.map') && !CLI_ONLY.test(f) && !f.startsWith('dist/.'));
    for (const f of runtime) assert.ok(files.includes(f), `${f} is built but not packaged`);
  });

  it('holds no run store, no spec of the user\'s, no source map, no CLI, no source', () => {
    const bad = files.filter(
      (f) =>
        f.includes('.rnnlab') ||
        f.endsWith('.map') ||
        CLI_ONLY.test(f) ||
        /^(src|test|scripts|node_modules)\//.test(f) ||
        (f.startsWith('examples/') && !Object.keys(TASKS).some((k) => f === `examples/${k}.rnn.yaml`)),
    );
    assert.deepEqual(bad, []);
    // About 1.4 MB of it is dist/cli-recording.js, most of that h5wasm (HDF5 compiled to wasm, for NWB
    // and MATLAB v7.3 recordings), and 1.1 MB the README's screenshots (docs/images, which the
    // packaged README shows). A run store or node_modules would be tens of MB.
    assert.ok(vsixBytes < 5 * 1024 * 1024, `the package is ${(vsixBytes / 1024 / 1024).toFixed(1)} MB`);
  });

  it('every relative link in the packaged README resolves inside the package', () => {
    const readme = packaged('extension/readme.md').toString('utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].flatMap((m) => (m[1] ? [m[1]] : [])).filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith('#'));
    assert.ok(links.length > 0, 'the README links its docs');
    const missing = links.map((l) => (l.split('#')[0] ?? '').replace(/^\.\//, '')).filter((l) => !files.includes(l) && !files.some((f) => f.startsWith(l.endsWith('/') ? l : `${l}/`)));
    assert.deepEqual(missing, [], 'linked but not packaged');
  });

  it('the manifest names its icon and repository, and the icon is a 256 x 256 PNG', () => {
    const manifest = JSON.parse(packaged('extension/package.json').toString('utf8')) as { icon?: string; repository?: { url?: string } };
    assert.equal(manifest.icon, 'media/icon.png');
    assert.match(manifest.repository?.url ?? '', /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+(\.git)?$/);
    const png = packaged('extension/media/icon.png');
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [256, 256]);
    assert.equal(png[25], 6, 'RGBA, so the rounded corners are transparent');
    assert.ok(statSync(join(ROOT, 'media/icon.svg')).size > 0, 'the icon\'s source is in the repository');
  });
});
