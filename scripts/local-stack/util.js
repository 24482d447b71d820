'use strict';
// Helpers of the local stack: files, processes, commands run as another user, free ports, and its constants.
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const { spawn, spawnSync } = require('node:child_process');

const MIN_PG_MAJOR = 14;
const MIN_REDIS_MAJOR = 7;
const DEFAULT_PG_PORT = 54329;
const DEFAULT_REDIS_PORT = 63799;
const DB_USER = 'liudong';
const DB_NAME = 'liudong';
const FALLBACK_OS_USER = 'liudong';
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const REPO_ROOT = path.resolve(__dirname, '..', '..');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function exists(p) {
  try {
    fs.accessSync(p);
    return true;
  } catch {
    return false;
  }
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function which(name, extraDirs = []) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean).concat(extraDirs);
  for (const d of dirs) {
    const p = path.join(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

function readJson(p) {
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch {
    return null;
  }
}

function writeJson(p, obj) {
  const tmp = `${p}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(obj, null, 2) + '\n');
  fs.renameSync(tmp, p);
}

function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== 'EPERM') return false;
  }
  // A killed server stays a zombie until PID 1 reaps it (slow in some containers/VMs): treat as dead.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return process.platform !== 'linux' || exists(`/proc/${pid}`);
  }
}

/** Linux: is any live process working inside dir (postgres backends chdir to their data dir)? */
function processInDir(dir) {
  if (process.platform !== 'linux') return true;
  try {
    dir = fs.realpathSync(dir);
    for (const n of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(n) || !pidAlive(+n)) continue;
      try {
        if (fs.readlinkSync(`/proc/${n}/cwd`) === dir) return true;
      } catch {}
    }
  } catch {
    return true;
  }
  return false;
}

function readPid(file) {
  try {
    const n = parseInt(fs.readFileSync(file, 'utf8').split('\n')[0], 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function tail(file, lines = 15, fromByte = 0) {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(Math.min(fromByte, buf.length)).toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function fileSize(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function shq(s) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/** Environment for child processes without PG* variables that could redirect our tools. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^PG/.test(k)) env[k] = v;
  return Object.assign(env, extra);
}

/** Wrap a command so it runs as `user` (only used when we are root). */
function asUser(user, cmd, args) {
  if (!user) return [cmd, args];
  const runuser = which('runuser', ['/usr/sbin', '/sbin']);
  if (runuser) return [runuser, ['-u', user, '--', cmd, ...args]];
  const sudo = which('sudo', ['/usr/bin']);
  if (sudo) return [sudo, ['-n', '-u', user, '--', cmd, ...args]];
  const su = which('su', ['/bin', '/usr/bin']);
  if (su) return [su, ['-s', '/bin/sh', '-c', [cmd, ...args].map(shq).join(' '), user]];
  throw new Error('Cannot switch user (need runuser, sudo or su) / 无法切换用户（需要 runuser、sudo 或 su）');
}

/** Run a command, collect output. Never rejects; check .code. */
function run(cmd, args, { user, env, detached, timeoutMs = 300000 } = {}) {
  const [c, a] = asUser(user, cmd, args);
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(c, a, {
        cwd: '/',
        env: env || cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: !!detached,
      });
    } catch (e) {
      resolve({ code: -1, stdout, stderr: String(e.message) });
      return;
    }
    const timer = setTimeout(() => {
      stderr += `\n[timeout after ${timeoutMs} ms]`;
      try {
        child.kill('SIGKILL');
      } catch {}
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => (stderr += String(e.message)));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code == null ? -1 : code, stdout, stderr });
    });
  });
}

function runSync(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: '/', env: cleanEnv(), timeout: 30000, ...opts });
  return { code: r.status == null ? -1 : r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function portAnswers(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}

async function choosePort(preferred) {
  for (const p of preferred) if (p && (await portFree(p))) return p;
  return freePort();
}

async function waitGone(pid, pidFile, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!pidAlive(pid) || (pidFile && !exists(pidFile))) return true;
    await sleep(25);
  }
  return false;
}

module.exports = {
  DB_NAME,
  DB_USER,
  DEFAULT_PG_PORT,
  DEFAULT_REDIS_PORT,
  FALLBACK_OS_USER,
  IS_ROOT,
  MIN_PG_MAJOR,
  MIN_REDIS_MAJOR,
  REPO_ROOT,
  asUser,
  choosePort,
  cleanEnv,
  exists,
  fileSize,
  freePort,
  isExecutable,
  pidAlive,
  portAnswers,
  processInDir,
  readJson,
  readPid,
  run,
  runSync,
  shq,
  sleep,
  sleepSync,
  tail,
  waitGone,
  which,
  writeJson,
};
