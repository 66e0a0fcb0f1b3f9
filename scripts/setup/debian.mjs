// Debian packages the project needs on a fresh machine (Chromium for the tests, the headers
// code-server's native modules build against, Slurm for the slurm suite), installed by
// `npm start` and `npm test` themselves: as root with apt-get, else through `sudo -n`, else
// an error that names the exact command to run. Nothing is downloaded from anywhere but Debian's own mirrors.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** What each need is for, so a missing package explains itself. */
export const PACKAGES = {
  chromium: 'the browser the tests drive (no browser is downloaded)',
  'libkrb5-dev': "headers for code-server's native module kerberos",
  'g++': "compiler for code-server's native modules",
  make: "build tool for code-server's native modules",
  python3: "node-gyp, which builds code-server's native modules",
  'slurm-wlm': 'the single-node Slurm cluster of the slurm suite (scripts/cluster.mjs)',
  munge: "Slurm's authentication daemon",
  'python3-numpy': "numpy, with which a unit test runs the panel's Copy Python snippet on a stored run",
};

/** True when dpkg says the package is installed. */
export function isInstalled(pkg) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

/** The packages of `pkgs` that are not installed; an empty list where dpkg does not exist. */
export function missingPackages(pkgs) {
  if (spawnSync('dpkg-query', ['--version']).error) return [];
  return pkgs.filter((p) => !isInstalled(p));
}

/** How this process may run apt-get: as root, through passwordless sudo, or not at all. */
export function privilege() {
  if (process.getuid?.() === 0) return { prefix: [] };
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? { prefix: ['sudo', '-n'] } : null;
}

export function installCommand(pkgs) {
  return `sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`;
}

/**
 * Installs the missing packages of `pkgs`. Throws an Error naming the exact command when
 * the machine has no apt-get, or this process can neither be root nor use sudo.
 */
export async function ensureDebianPackages(pkgs, { log = (s) => console.log(`[setup] ${s}`) } = {}) {
  const missing = missingPackages(pkgs);
  if (missing.length === 0) return [];
  const why = missing.map((p) => `  ${p}: ${PACKAGES[p] ?? 'needed'}`).join('\n');
  const how = privilege();
  if (!how || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error(`these Debian packages are missing:\n${why}\nInstall them with:\n  ${installCommand(missing)}\nthen run the command again.`);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const apt = (args) => run([...how.prefix, 'apt-get', ...args], log);
  // A fresh machine has empty package lists; a reused one may have stale ones: update then.
  if (!hasPackageLists()) await apt(['update', '-qq']);
  let code = await apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (code !== 0) {
    await apt(['update', '-qq']);
    code = await apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  }
  const still = missingPackages(missing);
  if (code !== 0 || still.length) {
    throw new Error(`apt-get could not install ${still.join(', ') || missing.join(', ')} (exit ${code}).\n` +
      `Try it by hand:\n  ${installCommand(still.length ? still : missing)}`);
  }
  log(`installed ${missing.join(', ')}`);
  return missing;
}

function hasPackageLists() {
  const dir = '/var/lib/apt/lists';
  try {
    return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('_Packages') || f.endsWith('_Packages.lz4'));
  } catch {
    return false;
  }
}

function run(argv, log) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (d) => { tail = (tail + d).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => { log(String(e)); resolve(127); });
    child.on('close', (code) => {
      if (code !== 0) log(`${argv.join(' ')} exited with ${code}:\n${tail.trim().split('\n').slice(-15).join('\n')}`);
      resolve(code ?? 1);
    });
  });
}
