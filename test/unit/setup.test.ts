// The install path of `npm start` / `npm test` on a fresh machine (scripts/setup, scripts/e2e/tools.mjs).
// The whole path runs for real in the `start` suite of npm test; these pin its two decisions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'mocha';
// @ts-expect-error: plain ES modules of the build scripts, without type declarations
import { installCommand, missingPackages } from '../../scripts/setup/debian.mjs';
// @ts-expect-error: see above
import { nestedNpmEnv } from '../../scripts/e2e/tools.mjs';

describe('a nested npm started from an npm script', () => {
  // What `npm start` hands its script on Node 20 (abridged from a real run).
  const outer = {
    PATH: '/usr/bin',
    HOME: '/root',
    npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
    npm_config_node_version: 'v20.20.2',
    npm_config_nodedir: '/usr',
    npm_config_prefix: '/usr',
    npm_config_registry: 'https://registry.example.org/',
    'npm_config_//registry.example.org/:_authToken': 'secret',
    npm_config_https_proxy: 'http://proxy:3128',
    npm_config_cache: '/root/.npm',
    npm_lifecycle_event: 'start',
    npm_package_name: 'rnn-dynamics-lab',
    npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
    npm_command: 'run-script',
    INIT_CWD: '/work',
  };
  const env = nestedNpmEnv(outer);

  it('does not inherit the outer npm user agent (code-server reads the Node version from it)', () => {
    assert.equal(env.npm_config_user_agent, undefined);
    assert.equal(env.npm_config_node_version, undefined);
  });

  it('drops the outer script context (lifecycle, package, prefix, nodedir)', () => {
    for (const k of ['npm_lifecycle_event', 'npm_package_name', 'npm_execpath', 'npm_command', 'npm_config_prefix', 'npm_config_nodedir', 'INIT_CWD']) {
      assert.equal(env[k], undefined, k);
    }
  });

  it('keeps what the user chose for downloads: registry, credentials, proxy, cache', () => {
    assert.equal(env.npm_config_registry, outer.npm_config_registry);
    assert.equal(env['npm_config_//registry.example.org/:_authToken'], 'secret');
    assert.equal(env.npm_config_https_proxy, outer.npm_config_https_proxy);
    assert.equal(env.npm_config_cache, outer.npm_config_cache);
    assert.equal(env.PATH, '/usr/bin');
    assert.equal(env.HOME, '/root');
  });
});

describe('Debian packages', () => {
  const hasDpkg = !spawnSync('dpkg-query', ['--version']).error;

  it('finds what is installed and what is not', function () {
    if (!hasDpkg) this.skip(); // counted as pending, i.e. as a failure by scripts/test.mjs
    assert.deepEqual(missingPackages(['dpkg', 'rnnlab-no-such-package']), ['rnnlab-no-such-package']);
  });

  it('names the exact command when it cannot install', () => {
    assert.equal(installCommand(['chromium', 'libkrb5-dev']), 'sudo apt-get update && sudo apt-get install -y chromium libkrb5-dev');
  });
});
