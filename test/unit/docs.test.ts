/**
 * The repository's docs stand alone: every `docs/science.md §X.Y` cited anywhere in the
 * tree names a section that exists, every doc a file cites exists, the docs' relative
 * links resolve, nothing cites a file outside the repository, and every spec the docs
 * show is one the checker accepts.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadSpec } from '../../src/spec/resolve';

const root = resolve(__dirname, '../..');
const SCANNED = ['src', 'webview', 'examples', 'test', 'scripts', 'docs', 'media', 'README.md', 'esbuild.mjs', 'package.json'];
const TEXT = /\.(ts|mts|mjs|js|json|ya?ml|md|py|css|html)$/;

function filesUnder(p: string): string[] {
  const abs = join(root, p);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return TEXT.test(abs) ? [abs] : [];
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' || e.name.startsWith('.') ? [] : filesUnder(join(p, e.name)),
  );
}

const files = SCANNED.flatMap(filesUnder);
const read = (f: string) => readFileSync(f, 'utf8');

/** Section numbers of a markdown file's numbered headings: "## 4. Measures" -> 4, "### 4.1 ..." -> 4.1. */
export function sectionsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1] ?? '');
  return out;
}

/**
 * The section numbers a citation names: "§4.1", "§§1-3", "§4.1-4.5, 8", "§1.4, 5.1",
 * "sections 1.2 and 2". A range cites both ends.
 */
export function citedSections(text: string): { section: string; at: number }[] {
  const out: { section: string; at: number }[] = [];
  const re = /docs\/science\.md,?\s*(?:§§?\s*|sections?\s+)(\d+(?:\.\d+)*(?:\s*(?:,|-|–|and)\s*\d+(?:\.\d+)*)*)/g;
  for (const m of text.matchAll(re)) {
    for (const n of (m[1] ?? '').split(/\s*(?:,|-|–|and)\s*/)) out.push({ section: n.replace(/\.$/, ''), at: m.index ?? 0 });
  }
  return out;
}

const lineOf = (text: string, at: number) => text.slice(0, at).split('\n').length;

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    out.add((m[1] ?? '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return out;
}

describe('docs: citations and links resolve inside the repository', () => {
  const science = read(join(root, 'docs/science.md'));
  const sections = sectionsOf(science);

  it('the citation parser reads every form the code uses', () => {
    const got = (s: string) => citedSections(s).map((c) => c.section);
    assert.deepEqual(got('see docs/science.md §4.1 item 4'), ['4.1']);
    assert.deepEqual(got('(docs/science.md §§1-3)'), ['1', '3']);
    assert.deepEqual(got('docs/science.md §4.1-4.5, 8'), ['4.1', '4.5', '8']);
    assert.deepEqual(got('docs/science.md sections 1.2 and 2:'), ['1.2', '2']);
    assert.deepEqual(got('docs/science.md §3.1.'), ['3.1']);
    assert.deepEqual([...sectionsOf('## 1. Model\n### 1.2 Discretisation\n#### 4.0 x\n# 9 no\n')], ['1', '1.2', '4.0']);
  });

  it('science.md keeps the numbering the code cites: §0-§8 and every subsection of §1, §3, §4, §5', () => {
    const expected = ['0', '1', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '2', '3', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '4']
      .concat(['4.0', '4.1', '4.2', '4.3', '4.4', '4.5', '4.6', '4.7', '4.8', '4.9', '5', '5.1', '5.2', '6', '7', '8']);
    for (const s of expected) assert.ok(sections.has(s), `docs/science.md has no section ${s}`);
  });

  it('every docs/science.md §X.Y cited in the tree exists', () => {
    const bad: string[] = [];
    let count = 0;
    for (const f of files) {
      const text = read(f);
      for (const c of citedSections(text)) {
        count++;
        if (!sections.has(c.section)) bad.push(`${relative(root, f)}:${lineOf(text, c.at)}: §${c.section}`);
      }
    }
    assert.ok(count > 50, `only ${count} citations found: the scan is broken`);
    assert.deepEqual(bad, []);
  });

  it('every docs/<name>.md named in the tree exists', () => {
    const bad: string[] = [];
    for (const f of files) {
      const text = read(f);
      for (const m of text.matchAll(/\bdocs\/([\w.-]+\.md)/g)) {
        if (!existsSync(join(root, 'docs', m[1] ?? ''))) bad.push(`${relative(root, f)}:${lineOf(text, m.index ?? 0)}: docs/${m[1]}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('nothing cites the team documents outside the repository', () => {
    const bad: string[] = [];
    for (const f of files) {
      if (f === __filename) continue;
      const text = read(f);
      for (const m of text.matchAll(/paper-spec|\.\.\/shared\/|DESIGN\.md|webview-training\.md|tfjs-performance\.md|anchors\.md|testing-in-vscode\.md/g)) {
        bad.push(`${relative(root, f)}:${lineOf(text, m.index ?? 0)}: ${m[0]}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('anchors are made as GitHub makes them', () => {
    assert.deepEqual([...anchorsOf("## 5. The paper's numbers\n### 4.1 The correlation ρ (key)\n")], ['5-the-papers-numbers', '41-the-correlation-ρ-key']);
  });

  it('relative links in README.md and docs/*.md point at files (and headings) that exist', () => {
    const bad: string[] = [];
    const markdown = [join(root, 'README.md'), ...filesUnder('docs').filter((f) => f.endsWith('.md'))];
    for (const f of markdown) {
      const text = read(f);
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? f : resolve(dirname(f), path);
        const ok = existsSync(file) && (!anchor || !file.endsWith('.md') || anchorsOf(read(file)).has(anchor));
        if (!ok) bad.push(`${relative(root, f)}:${lineOf(text, m.index ?? 0)}: ${target}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('every whole spec shown in README.md and docs/*.md (a yaml block with task:) loads without errors', () => {
    const bad: string[] = [];
    let count = 0;
    const markdown = [join(root, 'README.md'), ...filesUnder('docs').filter((f) => f.endsWith('.md'))];
    for (const f of markdown) {
      const text = read(f);
      for (const m of text.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)) {
        const yaml = m[1] ?? '';
        if (!/^task:/m.test(yaml)) continue;
        count++;
        for (const d of loadSpec(yaml).diagnostics) {
          if (d.severity === 'error') bad.push(`${relative(root, f)}:${lineOf(text, m.index ?? 0) + 1 + d.line}: ${d.message}`);
        }
      }
    }
    assert.ok(count >= 2, `only ${count} specs found in the docs: the scan is broken`);
    assert.deepEqual(bad, []);
  });
});
