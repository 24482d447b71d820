#!/usr/bin/env node
'use strict';
/*
 * The one place system packages are installed: Debian/Ubuntu `apt-get`, as root or with password-less sudo. Callers
 * decide what is missing (a binary they cannot find) and name the Debian packages:
 *   .ci/run                    PostgreSQL, Redis, poppler-utils, Chromium and a CJK font on a fresh CI machine
 *   scripts/local-stack/       PostgreSQL and Redis for `npm run demo` and `npm test`
 *   scripts/test.js            poppler-utils (pdftotext) for the certificate PDF test
 * Node built-ins only: it runs before `npm ci`.
 *
 *   node scripts/system-packages.js NAME…   installs the named packages that dpkg does not list as installed
 */
const { spawnSync } = require('node:child_process');

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const defaultLog = (message) => process.stderr.write(`[system-packages] ${message}\n`);
let updated = false;

/** Whether dpkg lists the package as installed. */
function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

/** How to run apt-get here: directly as root, through `sudo -n`, or not at all (null). */
function aptCommand() {
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error) return null;
  if (IS_ROOT) return ['apt-get'];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return !sudo.error && sudo.status === 0 ? ['sudo', '-n', 'apt-get'] : null;
}

/**
 * Installs those of `pkgs` not installed yet. Answers null when they are all there, else why they are not (for the
 * caller's message: what to install by hand).
 */
function installPackages(pkgs, log = defaultLog) {
  const missing = pkgs.filter((pkg) => !installed(pkg));
  if (missing.length === 0) return null;
  const apt = aptCommand();
  if (!apt) {
    return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error
      ? 'no apt-get on this machine / 本机没有 apt-get'
      : 'not root, so nothing was installed automatically / 非 root 用户，未自动安装';
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const aptGet = (args) => spawnSync(apt[0], [...apt.slice(1), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (!updated) {
    log('apt-get update …');
    const u = aptGet(['-qq', ...lock, 'update']);
    if (u.status !== 0) log(`apt-get update failed (${u.status}): ${(u.stderr || u.stdout || '').trim().slice(-500)}`);
    updated = true;
  }
  log(`apt-get install -y ${missing.join(' ')} … (正在安装)`);
  const r = aptGet(['-qq', '-y', ...lock, 'install', '--no-install-recommends', ...missing]);
  if (r.status !== 0) return `apt-get install ${missing.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().slice(-800)}`;
  return null;
}

module.exports = { installPackages };

if (require.main === module) {
  const problem = installPackages(process.argv.slice(2));
  if (problem) {
    defaultLog(problem);
    process.exit(1);
  }
}
