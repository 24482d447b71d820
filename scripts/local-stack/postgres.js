'use strict';
// PostgreSQL: the OS user it runs as (it refuses root), initdb, start, the database, stop.
const fs = require('node:fs');
const path = require('node:path');
const { createHash } = require('node:crypto');
const {
  DB_NAME,
  DB_USER,
  FALLBACK_OS_USER,
  asUser,
  choosePort,
  exists,
  fileSize,
  freePort,
  pidAlive,
  portAnswers,
  processInDir,
  readPid,
  run,
  runSync,
  shq,
  sleep,
  tail,
  waitGone,
  which,
} = require('./util');
const { findPsql } = require('./binaries');

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

function pgDataFor(dir) {
  return path.join(dir, 'pg');
}

/** Fallback data dir when the postgres OS user cannot reach <dir> (e.g. a repo under /root). */
function pgFallbackData(dir) {
  const h = createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 12);
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

module.exports = { canUserAccess, ownerOf, pgDataFor, pgEnsureDb, pgFallbackData, pgInit, pgOsUser, pgRunning, pgStart, pgStop, readPostmasterPid };
