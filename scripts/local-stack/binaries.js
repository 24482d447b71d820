'use strict';
// Finding PostgreSQL and Redis binaries, and installing them (scripts/system-packages.js) where they are missing.
const fs = require('node:fs');
const path = require('node:path');
const { installPackages } = require('../system-packages');
const { MIN_PG_MAJOR, MIN_REDIS_MAJOR, isExecutable, runSync, which } = require('./util');

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
  for (const parent of ['/opt/homebrew/opt', '/usr/local/opt']) for (const d of globDirs(parent, /^postgresql(@\d+)?$/)) rest.push(path.join(d, 'bin'));
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

function missingMessage(missing, note) {
  const names = missing.map((m) =>
    m === 'postgresql' ? `PostgreSQL >= ${MIN_PG_MAJOR} (initdb, pg_ctl, postgres)` : `Redis >= ${MIN_REDIS_MAJOR} (redis-server)`,
  );
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
  // installPackages answers why nothing was installed (not root, no apt-get) or what failed.
  const note = missing().length ? installPackages(missing(), log) : null;
  if (wantPg && !pg) pg = findPostgres(wantPgMajor);
  if (wantRedis && !redis) redis = findRedis();
  if (missing().length) throw new Error(missingMessage(missing(), note));
  if (redis && redis.major && redis.major < MIN_REDIS_MAJOR) log(`warning: redis-server ${redis.version} is older than ${MIN_REDIS_MAJOR}.0 / redis 版本过旧`);
  return { pg, redis };
}

module.exports = { ensureBinaries, findPostgres, findPsql, findRedis };
