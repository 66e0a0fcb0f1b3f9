/**
 * A rule the code must keep: no tf.tidy returns data read back from a tensor. tfjs walks
 * a tidy's result looking for tensors, and a typed array in it is walked key by key;
 * returning dataSync() from a tidy made the 64-trial noisy evaluation take 12.5 s and
 * 1.7 GB at N = 512 (now 1.5 s, 0.35 GB). Reading a scalar inside a tidy and returning a
 * number is fine. The check is textual: an expression-bodied callback that reads data, or
 * a one-line `return` that does.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The text of each tidy(...) call's argument list, by matching parentheses. */
function tidyBodies(text: string): string[] {
  const bodies: string[] = [];
  for (let i = text.indexOf('tidy('); i >= 0; i = text.indexOf('tidy(', i + 1)) {
    let depth = 0;
    for (let j = i + 4; j < text.length; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) {
        bodies.push(text.slice(i, j + 1));
        break;
      }
    }
  }
  return bodies;
}

const READ = /\b(dataSync|arraySync)\s*\(|\.data\s*\(/;

function returnsData(body: string): boolean {
  const expressionBody = /^tidy\(\s*\(\)\s*=>\s*[^\s{]/.test(body);
  return (expressionBody && READ.test(body)) || body.split('\n').some((line) => /\breturn\b/.test(line) && READ.test(line));
}

describe('rule: no tf.tidy returns data read back from a tensor', () => {
  it('finds the tidy calls it checks (the matcher works)', () => {
    assert.deepEqual(tidyBodies('a = tf.tidy(() => f(g(x))).dataSync();'), ['tidy(() => f(g(x)))']);
    assert.ok(returnsData('tidy(() => tf.mul(a, 2).dataSync())'));
    assert.ok(returnsData('tidy(() => {\n  const x = f();\n  return { s: x.dataSync() };\n})'));
    assert.ok(!returnsData('tidy(() => {\n  const l = f().dataSync()[0];\n  return { loss: l };\n})'));
    assert.ok(sources(join(ROOT, 'src')).some((f) => tidyBodies(readFileSync(f, 'utf8')).length > 0));
  });

  it('holds in src/ and webview/', () => {
    const offenders: string[] = [];
    for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'webview'))]) {
      for (const body of tidyBodies(readFileSync(file, 'utf8'))) {
        if (returnsData(body)) offenders.push(`${relative(ROOT, file)}: ${body.slice(0, 80)}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
