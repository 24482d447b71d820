#!/usr/bin/env node
'use strict';
/*
 * Local PostgreSQL + Redis for `npm run demo` and `npm test`, without Docker.
 * 本地 PostgreSQL + Redis（无需 Docker），供 demo 与测试使用。
 *
 * Plain CommonJS, Node built-ins only: it must work before `npm install` has built anything.
 *
 *   const { startStack } = require('./scripts/local-stack');
 *   const stack = await startStack({ dir, persistent, log });
 *   // stack.databaseUrl, stack.redisUrl, await stack.stop()
 *
 * CLI (persistent stack in <repo>/.data, or --dir DIR / LIUDONG_STACK_DIR):
 *   node scripts/local-stack.js start | stop | status
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const crypto = require('crypto');
const { spawn, spawnSync } = require('child_process');

const MIN_PG_MAJOR = 14;
const MIN_REDIS_MAJOR = 7;
const DEFAULT_PG_PORT = 54329;
const DEFAULT_REDIS_PORT = 63799;
const DB_USER = 'liudong';
const DB_NAME = 'liudong';
const FALLBACK_OS_USER = 'liudong';
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const REPO_ROOT = path.resolve(__dirname, '..');

let aptUpdated = false;

// ---------------------------------------------------------------------------
// small helpers

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

// ---------------------------------------------------------------------------
// ports

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

// ---------------------------------------------------------------------------
// minimal Redis client (RESP over raw TCP)

function redisCommand(port, args, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (err, val) => {
      if (settled) return;
      settled = true;
      s.destroy();
      err ? reject(err) : resolve(val);
    };
    s.setTimeout(timeoutMs, () => finish(new Error('redis timeout')));
    s.on('error', (e) => finish(e));
    s.on('close', () => finish(new Error('redis connection closed')));
    s.on('connect', () => {
      let msg = `*${args.length}\r\n`;
      for (const a of args) msg += `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`;
      s.write(msg);
    });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const head = buf.subarray(0, nl).toString();
      const t = head[0];
      if (t === '+' || t === ':') return finish(null, head.slice(1));
      if (t === '-') return finish(new Error(head.slice(1)));
      if (t === '$') {
        const len = parseInt(head.slice(1), 10);
        if (len < 0) return finish(null, null);
        if (buf.length >= nl + 2 + len + 2) return finish(null, buf.subarray(nl + 2, nl + 2 + len).toString());
        return;
      }
      finish(new Error(`unexpected redis reply: ${head}`));
    });
  });
}

async function redisPid(port) {
  try {
    const info = await redisCommand(port, ['INFO', 'server'], 700);
    const m = /process_id:(\d+)/.exec(info || '');
    return m ? parseInt(m[1], 10) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// finding / installing binaries

function pgMajorOf(bindir) {
  const r = runSync(path.join(bindir, 'initdb'), ['--version']);
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(r.stdout) || /(\d+)(?:\.\d+)/.exec(r.stdout);
  return m ? parseInt(m[1], 10) : 0;
}

function isPgBindir(d) {
  return !!d && ['initdb', 'pg_ctl', 'postgres'].every((b) => isExecutable(path.join(d, b)));
}

function globDirs(parent, re) {
  try {
    return fs
      .readdirSync(parent)
      .filter((n) => re.test(n))
      .map((n) => path.join(parent, n));
  } catch {
    return [];
  }
}

/**
 * PostgreSQL server binaries. Returns { bindir, major } or null.
 * Order: highest >= 14 in /usr/lib/postgresql/N/bin, then `pg_config --bindir`, then PATH,
 * then common Homebrew / PGDG locations. `wantMajor` (an existing data directory's version) wins.
 */
function findPostgres(wantMajor) {
  const groups = [];
  groups.push(
    globDirs('/usr/lib/postgresql', /^\d+$/)
      .map((d) => ({ bindir: path.join(d, 'bin'), major: parseInt(path.basename(d), 10) }))
      .filter((c) => isPgBindir(c.bindir))
      .sort((a, b) => b.major - a.major),
  );
  const rest = [];
  const pgConfig = which('pg_config');
  if (pgConfig) {
    const r = runSync(pgConfig, ['--bindir']);
    if (r.code === 0) rest.push(r.stdout.trim());
  }
  const initdb = which('initdb');
  if (initdb) rest.push(path.dirname(fs.realpathSync(initdb)));
  for (const parent of ['/opt/homebrew/opt', '/usr/local/opt'])
    for (const d of globDirs(parent, /^postgresql(@\d+)?$/)) rest.push(path.join(d, 'bin'));
  for (const d of globDirs('/usr', /^pgsql-\d+$/)) rest.push(path.join(d, 'bin'));
  rest.push('/opt/homebrew/bin', '/usr/local/bin', '/usr/local/pgsql/bin');
  const seen = new Set(groups[0].map((c) => c.bindir));
  const others = [];
  for (const d of rest) {
    if (seen.has(d) || !isPgBindir(d)) continue;
    seen.add(d);
    others.push({ bindir: d, major: pgMajorOf(d) });
  }
  groups.push(others);
  const all = groups.flat();
  if (wantMajor) {
    const exact = all.find((c) => c.major === wantMajor);
    if (exact) return exact;
  }
  for (const g of groups) {
    const ok = g.filter((c) => c.major >= MIN_PG_MAJOR).sort((a, b) => b.major - a.major);
    if (ok.length) return ok[0];
  }
  return null;
}

function findRedis() {
  const bin = which('redis-server', ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/sbin']);
  if (!bin) return null;
  const r = runSync(bin, ['--version']);
  const m = /v=(\d+)\.(\d+)/.exec(r.stdout);
  return { bin, major: m ? parseInt(m[1], 10) : 0, version: m ? `${m[1]}.${m[2]}` : 'unknown' };
}

function findPsql(bindir) {
  const p = bindir && path.join(bindir, 'psql');
  return p && isExecutable(p) ? p : which('psql', ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin']);
}

async function aptInstall(pkgs, log) {
  const env = cleanEnv({ DEBIAN_FRONTEND: 'noninteractive' });
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  if (!aptUpdated) {
    log('apt-get update …');
    const u = await run('apt-get', ['-qq', ...lock, 'update'], { env });
    if (u.code !== 0) log(`apt-get update failed (${u.code}): ${(u.stderr || u.stdout).trim().slice(-500)}`);
    aptUpdated = true;
  }
  log(`apt-get install -y ${pkgs.join(' ')} … (正在安装)`);
  const r = await run('apt-get', ['-qq', '-y', ...lock, 'install', '--no-install-recommends', ...pkgs], { env });
  if (r.code !== 0) return `apt-get install ${pkgs.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-800)}`;
  return null;
}

function missingMessage(missing, note) {
  const names = missing.map((m) => (m === 'postgresql' ? `PostgreSQL >= ${MIN_PG_MAJOR} (initdb, pg_ctl, postgres)` : `Redis >= ${MIN_REDIS_MAJOR} (redis-server)`));
  const deb = missing.join(' ');
  const brew = missing.map((m) => (m === 'postgresql' ? 'postgresql@16' : 'redis')).join(' ');
  const vars = missing.map((m) => (m === 'postgresql' ? 'DATABASE_URL=postgres://USER:PASS@HOST:5432/liudong' : 'REDIS_URL=redis://HOST:6379'));
  return [
    `Local stack: cannot find ${names.join(' and ')}.`,
    `本地服务栈：未找到 ${names.join('、')}。`,
    note ? `(${note})` : null,
    'Install / 请安装:',
    `  Debian/Ubuntu:   sudo apt-get install -y ${deb}`,
    `  macOS (Homebrew): brew install ${brew}`,
    'or use existing servers / 或使用已有服务器:',
    ...vars.map((v) => `  export ${v}`),
  ]
    .filter(Boolean)
    .join('\n');
}

async function ensureBinaries({ wantPg, wantRedis, wantPgMajor, log }) {
  let pg = wantPg ? findPostgres(wantPgMajor) : null;
  let redis = wantRedis ? findRedis() : null;
  const missing = () => [...(wantPg && !pg ? ['postgresql'] : []), ...(wantRedis && !redis ? ['redis-server'] : [])];
  let note = null;
  if (missing().length) {
    if (IS_ROOT && which('apt-get', ['/usr/bin'])) {
      note = await aptInstall(missing(), log);
      if (wantPg && !pg) pg = findPostgres(wantPgMajor);
      if (wantRedis && !redis) redis = findRedis();
    } else if (!IS_ROOT) {
      note = 'not root, so nothing was installed automatically / 非 root 用户，未自动安装';
    } else {
      note = 'no apt-get on this machine / 本机没有 apt-get';
    }
  }
  if (missing().length) throw new Error(missingMessage(missing(), note));
  if (redis && redis.major && redis.major < MIN_REDIS_MAJOR)
    log(`warning: redis-server ${redis.version} is older than ${MIN_REDIS_MAJOR}.0 / redis 版本过旧`);
  return { pg, redis };
}

// ---------------------------------------------------------------------------
// OS user for PostgreSQL (it refuses to run as root)

function userIds(name) {
  const u = runSync('id', ['-u', name]);
  const g = runSync('id', ['-g', name]);
  if (u.code !== 0 || g.code !== 0) return null;
  return { name, uid: parseInt(u.stdout, 10), gid: parseInt(g.stdout, 10) };
}

function pgOsUser(log, candidates = ['postgres', FALLBACK_OS_USER]) {
  for (const c of candidates) {
    const ids = userIds(c);
    if (ids) return ids;
  }
  const useradd = which('useradd', ['/usr/sbin', '/sbin']);
  if (useradd) {
    const shell = exists('/usr/sbin/nologin') ? '/usr/sbin/nologin' : '/bin/false';
    log(`creating system user ${FALLBACK_OS_USER} to run PostgreSQL / 创建系统用户 ${FALLBACK_OS_USER}`);
    const r = runSync(useradd, ['-r', '-M', '-d', '/nonexistent', '-s', shell, '-c', 'Liudong local PostgreSQL', FALLBACK_OS_USER]);
    const ids = userIds(FALLBACK_OS_USER); // may also exist now because a parallel run created it
    if (ids) return ids;
    throw new Error(`useradd ${FALLBACK_OS_USER} failed: ${r.stderr.trim()}`);
  }
  throw new Error(
    'PostgreSQL cannot run as root and there is no "postgres" user nor useradd to create one.\n' +
      'PostgreSQL 不能以 root 运行，且没有 postgres 用户或 useradd。请以普通用户运行，或设置 DATABASE_URL。',
  );
}

function ownerOf(p) {
  const uid = fs.statSync(p).uid;
  if (uid === 0) return null;
  const r = runSync('id', ['-nu', String(uid)]);
  return r.code === 0 ? userIds(r.stdout.trim()) : null;
}

function canUserAccess(user, p) {
  const [c, a] = asUser(user.name, 'test', ['-x', p, '-a', '-w', p]);
  return runSync(c, a).code === 0;
}

// ---------------------------------------------------------------------------
// PostgreSQL

function pgDataFor(dir) {
  return path.join(dir, 'pg');
}

/** Fallback data dir when the postgres OS user cannot reach <dir> (e.g. a repo under /root). */
function pgFallbackData(dir) {
  const h = crypto.createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `liudong-pg-${h}`);
}

function readPostmasterPid(pgData) {
  try {
    const lines = fs.readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: parseInt(lines[0], 10), port: parseInt(lines[3], 10), status: (lines[7] || '').trim() };
  } catch {
    return null;
  }
}

async function pgRunning(pgData) {
  const pm = readPostmasterPid(pgData);
  if (!pm || !pidAlive(pm.pid) || !pm.port) return null;
  return (await portAnswers(pm.port)) ? pm : null;
}

function pgLocaleArgs() {
  const r = runSync('locale', ['-a']);
  // C collation (fast, byte order) with a Unicode-aware ctype when the C.UTF-8 locale exists.
  if (r.code === 0 && /^c\.utf-?8$/im.test(r.stdout)) return ['--locale=C', '--lc-ctype=C.UTF-8'];
  return ['--no-locale'];
}

async function pgInit({ pg, pgData, user, persistent, log }) {
  if (exists(path.join(pgData, 'PG_VERSION'))) return;
  if (exists(pgData)) fs.rmSync(pgData, { recursive: true, force: true }); // half-done initdb
  fs.mkdirSync(pgData, { recursive: true, mode: 0o700 });
  if (user) fs.chownSync(pgData, user.uid, user.gid);
  log(`initdb (PostgreSQL ${pg.major}) → ${pgData}`);
  const args = ['-D', pgData, '-U', DB_USER, '-E', 'UTF8', ...pgLocaleArgs(), '--auth=trust'];
  if (!persistent) args.push('--no-sync');
  const r = await run(path.join(pg.bindir, 'initdb'), args, { user: user && user.name });
  if (r.code !== 0) {
    fs.rmSync(pgData, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim()}`);
  }
}

/**
 * postmaster.pid / socket lock files left by a server that was killed (kill -9, reboot). PostgreSQL
 * clears them itself when their pid is gone, but not while that pid is an unreaped zombie.
 */
function removeStaleLocks(pgData, sockDir, log) {
  const files = [path.join(pgData, 'postmaster.pid')];
  try {
    for (const n of fs.readdirSync(sockDir)) if (/^\.s\.PGSQL\.\d+\.lock$/.test(n)) files.push(path.join(sockDir, n));
  } catch {}
  for (const f of files) {
    const pid = readPid(f);
    if (!pid || pidAlive(pid) || processInDir(pgData)) continue;
    log(`removing stale ${path.basename(f)} (pid ${pid} is gone) / 清理残留锁文件`);
    fs.rmSync(f, { force: true });
    if (f.endsWith('.lock')) fs.rmSync(f.slice(0, -'.lock'.length), { force: true });
  }
}

async function pgStart({ pg, pgData, user, persistent, ports, sockDir, log }) {
  const logFile = path.join(pgData, 'server.log');
  let port = await choosePort(ports);
  for (let attempt = 0; attempt < 6; attempt++) {
    removeStaleLocks(pgData, sockDir, log);
    const o = [
      `-p ${port}`,
      `-k ${shq(sockDir)}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      ...(persistent ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');
    const logFrom = fileSize(logFile);
    const r = await run(path.join(pg.bindir, 'pg_ctl'), ['-D', pgData, '-l', logFile, '-w', '-t', '60', '-s', '-o', o, 'start'], {
      user: user && user.name,
      detached: true,
    });
    if (r.code === 0) return port;
    const serverLog = tail(logFile, 15, logFrom);
    if (/could not bind|Address already in use|could not create any TCP\/IP sockets|could not create lock file ".*\.s\.PGSQL/i.test(serverLog)) {
      log(`port ${port} taken, retrying with another / 端口被占用，重试`);
      port = await freePort();
      continue;
    }
    if (/lock file ".*" already exists/.test(serverLog) && attempt < 3) {
      // A server killed a moment ago (kill -9): its backends may still be exiting.
      const until = Date.now() + 10000;
      while (Date.now() < until && processInDir(pgData)) await sleep(100);
      continue;
    }
    throw new Error(`PostgreSQL failed to start (pg_ctl exit ${r.code}):\n${(r.stderr || r.stdout).trim()}\n${serverLog}`);
  }
  throw new Error(`PostgreSQL did not start after several attempts / PostgreSQL 启动失败:\n${tail(logFile, 15)}`);
}

async function pgEnsureDb({ pg, port }) {
  const psql = findPsql(pg.bindir);
  if (!psql) throw new Error('psql not found (install postgresql-client) / 未找到 psql');
  const base = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', DB_USER, '-d', 'postgres', '-tA', '-c'];
  const q = await run(psql, [...base, `SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'`]);
  if (q.code !== 0) throw new Error(`psql failed: ${q.stderr.trim()}`);
  if (q.stdout.trim() === '1') return;
  const c = await run(psql, [...base, `CREATE DATABASE ${DB_NAME}`]);
  if (c.code !== 0 && !/already exists/.test(c.stderr)) throw new Error(`CREATE DATABASE failed: ${c.stderr.trim()}`);
}

async function waitGone(pid, pidFile, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!pidAlive(pid) || (pidFile && !exists(pidFile))) return true;
    await sleep(25);
  }
  return false;
}

async function pgStop(pgData, { fast }) {
  const pm = readPostmasterPid(pgData);
  if (!pm || !pidAlive(pm.pid)) return;
  // What `pg_ctl stop` does: SIGINT = fast shutdown, SIGQUIT = immediate. Signals avoid needing
  // to switch to the postgres OS user (pg_ctl refuses to run as root).
  try {
    process.kill(pm.pid, fast ? 'SIGINT' : 'SIGQUIT');
  } catch {}
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (await waitGone(pm.pid, pidFile, fast ? 60000 : 10000)) return;
  try {
    process.kill(pm.pid, fast ? 'SIGQUIT' : 'SIGKILL');
  } catch {}
  await waitGone(pm.pid, pidFile, 5000);
}

// ---------------------------------------------------------------------------
// Redis

async function redisRunning(redisDir, port) {
  const pid = readPid(path.join(redisDir, 'redis.pid'));
  if (!pid || !pidAlive(pid) || !port) return null;
  return (await redisPid(port)) === pid ? { pid, port } : null;
}

async function redisStart({ redis, redisDir, persistent, ports, log }) {
  fs.mkdirSync(redisDir, { recursive: true });
  const pidFile = path.join(redisDir, 'redis.pid');
  const logFile = path.join(redisDir, 'redis.log');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = attempt === 0 ? await choosePort(ports) : await freePort();
    try {
      fs.rmSync(pidFile, { force: true });
    } catch {}
    const logFrom = fileSize(logFile);
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', redisDir,
      '--daemonize', 'yes',
      '--pidfile', pidFile,
      '--logfile', logFile,
      '--save', '',
      '--appendonly', persistent ? 'yes' : 'no',
      '--protected-mode', 'yes',
      '--maxmemory-policy', 'noeviction',
    ];
    const r = await run(redis.bin, args, { detached: true, timeoutMs: 30000 });
    if (r.code !== 0) throw new Error(`redis-server failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}\n${tail(logFile, 10, logFrom)}`);
    const until = Date.now() + 15000;
    let portTaken = false;
    while (Date.now() < until) {
      const pid = readPid(pidFile);
      if (pid && (await redisPid(port)) === pid) return port;
      const l = tail(logFile, 20, logFrom);
      if (/Address already in use|Could not create server TCP listening socket/i.test(l)) {
        portTaken = true;
        break;
      }
      if (/# (FATAL|Fatal error)|Can't chdir|Failed opening/i.test(l) && !(pid && pidAlive(pid))) break;
      await sleep(30);
    }
    if (portTaken) {
      log(`port ${port} taken, retrying with another / 端口被占用，重试`);
      continue;
    }
    const pid = readPid(pidFile);
    if (pid && pidAlive(pid)) try { process.kill(pid, 'SIGKILL'); } catch {}
    throw new Error(`Redis did not come up on port ${port} / Redis 启动失败:\n${tail(logFile, 15, logFrom)}`);
  }
  throw new Error('Redis: could not find a free port / 找不到可用端口');
}

async function redisStop(redisDir, port, { save }) {
  const pidFile = path.join(redisDir, 'redis.pid');
  const pid = readPid(pidFile);
  if (!pid || !pidAlive(pid)) return;
  if (port && (await redisPid(port)) === pid) {
    try {
      await redisCommand(port, save ? ['SHUTDOWN'] : ['SHUTDOWN', 'NOSAVE'], 5000);
    } catch {} // the server closes the connection without a reply
  } else {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
  if (await waitGone(pid, pidFile, 10000)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  await waitGone(pid, null, 3000);
}

// ---------------------------------------------------------------------------
// lock for persistent dirs (two `npm run demo` at once)

async function withLock(dir, fn) {
  const lockDir = path.join(dir, '.stack.lock');
  const until = Date.now() + 180000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const owner = readPid(path.join(lockDir, 'pid'));
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lockDir).mtimeMs;
      } catch {}
      if ((owner && !pidAlive(owner)) || (!owner && age > 5000)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > until) throw new Error(`local stack in ${dir} is locked by pid ${owner} / 目录被占用`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// public API

/**
 * Start (or, for a persistent dir, reuse) a local PostgreSQL + Redis.
 *
 * @param {object} opts
 * @param {string} opts.dir          base directory for data (created if missing)
 * @param {boolean} [opts.persistent=false]  true: keep data & ports in dir/stack.json, reuse a running stack,
 *                                   durable settings. false: throwaway (fsync off), dir removed by stop().
 * @param {(msg: string) => void} [opts.log]  progress messages (default: stderr)
 * @param {boolean} [opts.postgres=true]  start PostgreSQL (false → databaseUrl null)
 * @param {boolean} [opts.redis=true]     start Redis (false → redisUrl null)
 * @param {boolean} [opts.cleanupOnExit=!persistent]  kill the servers and remove dir if this process
 *                                   exits (or gets SIGINT/SIGTERM/SIGHUP) without calling stop()
 * @returns {Promise<{databaseUrl: string|null, redisUrl: string|null, stop: () => Promise<void>,
 *                    dir: string, pgPort: number|null, redisPort: number|null, reused: boolean}>}
 */
async function startStack(opts = {}) {
  const { persistent = false } = opts;
  const wantPg = opts.postgres !== false;
  const wantRedis = opts.redis !== false;
  const log = typeof opts.log === 'function' ? opts.log : (m) => process.stderr.write(`[local-stack] ${m}\n`);
  if (!opts.dir) throw new Error('startStack: dir is required');
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const body = () => startIn(dir, { persistent, wantPg, wantRedis, log, cleanupOnExit: opts.cleanupOnExit ?? !persistent });
  if (persistent) return withLock(dir, body);
  try {
    return await body();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true }); // a throwaway stack leaves nothing behind
    throw e;
  }
}

async function startIn(dir, { persistent, wantPg, wantRedis, log, cleanupOnExit }) {
  const t0 = Date.now();
  const stateFile = path.join(dir, 'stack.json');
  const state = (persistent && readJson(stateFile)) || {};
  const redisDir = path.join(dir, 'redis');
  let pgData = state.pgData && exists(path.join(state.pgData, 'PG_VERSION')) ? state.pgData : pgDataFor(dir);

  // Reuse what is already running (persistent only).
  let pgUp = persistent && wantPg ? await pgRunning(pgData) : null;
  let redisUp = persistent && wantRedis ? await redisRunning(redisDir, state.redisPort) : null;

  let wantPgMajor = null;
  try {
    wantPgMajor = parseInt(fs.readFileSync(path.join(pgData, 'PG_VERSION'), 'utf8'), 10) || null;
  } catch {}
  const { pg, redis } = await ensureBinaries({ wantPg: wantPg && !pgUp, wantRedis: wantRedis && !redisUp, wantPgMajor, log });
  if (pg && wantPgMajor && pg.major !== wantPgMajor)
    throw new Error(
      `${pgData} holds PostgreSQL ${wantPgMajor} data but only PostgreSQL ${pg.major} is installed.\n` +
        `${pgData} 是 PostgreSQL ${wantPgMajor} 的数据，但只安装了 ${pg.major}。Install postgresql-${wantPgMajor} or delete ${pgData}.`,
    );

  const cleanups = []; // for failure part-way
  const stack = {
    dir,
    persistent,
    pgData: wantPg ? pgData : null,
    redisDir: wantRedis ? redisDir : null,
    pgPort: pgUp ? pgUp.port : null,
    redisPort: redisUp ? redisUp.port : null,
    sockTmp: null,
  };

  const startPg = async () => {
    if (!wantPg || pgUp) return;
    let user = null;
    if (IS_ROOT) {
      const st = fs.statSync(dir);
      if ((st.mode & 0o011) !== 0o011) fs.chmodSync(dir, (st.mode & 0o777) | 0o011); // let the pg user traverse
      if (exists(path.join(pgData, 'PG_VERSION'))) {
        user = ownerOf(pgData) || pgOsUser(log); // keep running an existing cluster as its owner
      } else {
        user = pgOsUser(log);
        fs.mkdirSync(pgData, { recursive: true, mode: 0o700 });
        fs.chownSync(pgData, user.uid, user.gid);
        if (!canUserAccess(user, pgData)) {
          // An ancestor (e.g. /root, mode 0700) is closed to that user: keep the cluster in /var/tmp.
          fs.rmSync(pgData, { recursive: true, force: true });
          pgData = pgFallbackData(dir);
          stack.pgData = pgData;
          log(`user ${user.name} cannot reach ${dir}; PostgreSQL data goes to ${pgData}`);
        }
      }
    }
    await pgInit({ pg, pgData, user, persistent, log });
    if (user) fs.chownSync(pgData, user.uid, user.gid);
    let sockDir = pgData;
    if (Buffer.byteLength(path.join(sockDir, '.s.PGSQL.65535.lock')) > 100) {
      sockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ldpg-'));
      if (user) fs.chownSync(sockDir, user.uid, user.gid);
      stack.sockTmp = sockDir;
    }
    const ports = persistent ? [state.pgPort, DEFAULT_PG_PORT] : [];
    stack.pgPort = await pgStart({ pg, pgData, user, persistent, ports, sockDir, log });
    cleanups.push(() => pgStop(pgData, { fast: false }));
    await pgEnsureDb({ pg, port: stack.pgPort });
  };

  const startRedis = async () => {
    if (!wantRedis || redisUp) return;
    const ports = persistent ? [state.redisPort, DEFAULT_REDIS_PORT] : [];
    stack.redisPort = await redisStart({ redis, redisDir, persistent, ports, log });
    cleanups.push(() => redisStop(redisDir, stack.redisPort, { save: false }));
  };

  const results = await Promise.allSettled([startPg(), startRedis()]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(cleanups.map((f) => f()));
    if (!persistent) removeDirs(stack);
    throw failed.reason;
  }

  const databaseUrl = wantPg ? `postgres://${DB_USER}@127.0.0.1:${stack.pgPort}/${DB_NAME}` : null;
  const redisUrl = wantRedis ? `redis://127.0.0.1:${stack.redisPort}` : null;
  const info = {
    persistent,
    pgData: stack.pgData,
    pgPort: stack.pgPort ?? state.pgPort ?? null,
    redisPort: stack.redisPort ?? state.redisPort ?? null,
    sockTmp: stack.sockTmp,
    databaseUrl: databaseUrl ?? state.databaseUrl ?? null,
    redisUrl: redisUrl ?? state.redisUrl ?? null,
    updatedAt: new Date().toISOString(),
  };
  writeJson(stateFile, info);
  const reused = !!(pgUp || redisUp);
  const what = [wantPg && `postgres :${stack.pgPort} (${pgUp ? 'reused' : 'started'})`, wantRedis && `redis :${stack.redisPort} (${redisUp ? 'reused' : 'started'})`];
  log(`${what.filter(Boolean).join(', ')} in ${dir}, ${Date.now() - t0} ms`);

  let stopped = false;
  const hooks = [];
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const [ev, fn] of hooks) process.removeListener(ev, fn);
    await Promise.all([
      wantPg ? pgStop(stack.pgData, { fast: persistent }) : null,
      wantRedis ? redisStop(redisDir, stack.redisPort, { save: persistent }) : null,
    ]);
    if (!persistent) removeDirs(stack);
    else if (stack.sockTmp) fs.rmSync(stack.sockTmp, { recursive: true, force: true });
  };

  if (cleanupOnExit) {
    const syncCleanup = () => {
      if (stopped) return;
      stopped = true;
      killSync(stack, wantPg, wantRedis);
      if (!persistent) removeDirs(stack);
    };
    const onExit = () => syncCleanup();
    hooks.push(['exit', onExit]);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      const onSig = () => {
        syncCleanup();
        for (const [ev, fn] of hooks) process.removeListener(ev, fn);
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      };
      hooks.push([sig, onSig]);
    }
    for (const [ev, fn] of hooks) process.on(ev, fn);
  }

  return { databaseUrl, redisUrl, stop, dir, pgData: wantPg ? stack.pgData : null, pgPort: wantPg ? stack.pgPort : null, redisPort: wantRedis ? stack.redisPort : null, reused };
}

function removeDirs(stack) {
  for (const p of [stack.dir, stack.sockTmp, stack.pgData && !stack.pgData.startsWith(stack.dir + path.sep) ? stack.pgData : null]) {
    if (p) {
      try {
        fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
      } catch {}
    }
  }
}

/** Synchronous best-effort kill, for process 'exit' / signals. */
function killSync(stack, wantPg, wantRedis) {
  const pids = [];
  const pm = wantPg && stack.pgData ? readPostmasterPid(stack.pgData) : null;
  if (pm && pidAlive(pm.pid)) {
    try {
      process.kill(pm.pid, 'SIGQUIT');
      pids.push(pm.pid);
    } catch {}
  }
  const rpid = wantRedis ? readPid(path.join(stack.redisDir, 'redis.pid')) : null;
  if (rpid && pidAlive(rpid)) {
    try {
      process.kill(rpid, 'SIGTERM');
      pids.push(rpid);
    } catch {}
  }
  const until = Date.now() + 3000;
  while (pids.some(pidAlive) && Date.now() < until) sleepSync(20);
}

/** Stop the stack recorded in dir (CLI `stop`). Safe when nothing runs. */
async function stopStack({ dir, log = () => {} } = {}) {
  dir = path.resolve(dir);
  const state = readJson(path.join(dir, 'stack.json')) || {};
  const pgData = state.pgData || pgDataFor(dir);
  const redisDir = path.join(dir, 'redis');
  const pgWas = await pgRunning(pgData);
  const redisWas = await redisRunning(redisDir, state.redisPort);
  await Promise.all([pgStop(pgData, { fast: true }), redisStop(redisDir, state.redisPort, { save: true })]);
  if (state.sockTmp) fs.rmSync(state.sockTmp, { recursive: true, force: true });
  log(`postgres: ${pgWas ? 'stopped' : 'was not running'}; redis: ${redisWas ? 'stopped' : 'was not running'}`);
  return { postgres: !!pgWas, redis: !!redisWas };
}

/** What runs in dir (CLI `status`). */
async function stackStatus({ dir } = {}) {
  dir = path.resolve(dir);
  const state = readJson(path.join(dir, 'stack.json')) || {};
  const pgData = state.pgData || pgDataFor(dir);
  const pm = await pgRunning(pgData);
  const rd = await redisRunning(path.join(dir, 'redis'), state.redisPort);
  return {
    dir,
    postgres: pm ? { pid: pm.pid, port: pm.port, databaseUrl: `postgres://${DB_USER}@127.0.0.1:${pm.port}/${DB_NAME}` } : null,
    redis: rd ? { pid: rd.pid, port: rd.port, redisUrl: `redis://127.0.0.1:${rd.port}` } : null,
  };
}

module.exports = {
  startStack,
  stopStack,
  stackStatus,
  findPostgres,
  findRedis,
  DEFAULT_PG_PORT,
  DEFAULT_REDIS_PORT,
  // For scripts/scale-stack.js (a replica and a Redis Cluster beside a stack).
  _internal: { pgOsUser, ownerOf, run, pgStart, pgStop, freePort, waitGone, readPid, pidAlive, sleep },
};

// ---------------------------------------------------------------------------
// CLI

async function cli(argv) {
  const args = argv.slice(2);
  let dir = process.env.LIUDONG_STACK_DIR || path.join(REPO_ROOT, '.data');
  const di = args.indexOf('--dir');
  if (di >= 0) {
    dir = args[di + 1];
    args.splice(di, 2);
  }
  const cmd = args[0];
  const log = (m) => process.stderr.write(`[local-stack] ${m}\n`);
  if (cmd === 'start') {
    const s = await startStack({ dir, persistent: true, log });
    process.stdout.write(`DATABASE_URL=${s.databaseUrl}\nREDIS_URL=${s.redisUrl}\n`);
    return 0;
  }
  if (cmd === 'stop') {
    await stopStack({ dir, log });
    return 0;
  }
  if (cmd === 'status') {
    const st = await stackStatus({ dir });
    process.stderr.write(
      `postgres: ${st.postgres ? `running, pid ${st.postgres.pid}, port ${st.postgres.port}` : 'not running'}\n` +
        `redis:    ${st.redis ? `running, pid ${st.redis.pid}, port ${st.redis.port}` : 'not running'}\n`,
    );
    if (st.postgres) process.stdout.write(`DATABASE_URL=${st.postgres.databaseUrl}\n`);
    if (st.redis) process.stdout.write(`REDIS_URL=${st.redis.redisUrl}\n`);
    return st.postgres && st.redis ? 0 : 3;
  }
  process.stderr.write(
    'usage: node scripts/local-stack.js start|stop|status [--dir DIR]\n' +
      '  start   start (or reuse) PostgreSQL + Redis with data in DIR (default <repo>/.data, or $LIUDONG_STACK_DIR);\n' +
      '          prints DATABASE_URL=... and REDIS_URL=... on stdout\n' +
      '  stop    stop them (data is kept)\n' +
      '  status  show what runs; exit 0 when both run, 3 otherwise\n',
  );
  return 2;
}

if (require.main === module) {
  cli(process.argv).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`[local-stack] ${err && err.message ? err.message : err}\n`);
      process.exit(1);
    },
  );
}
