'use strict';
// The stack: PostgreSQL and Redis started (or reused) together under one directory, its lock, stop and status.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DB_NAME, DB_USER, DEFAULT_PG_PORT, DEFAULT_REDIS_PORT, IS_ROOT, exists, pidAlive, readJson, readPid, sleep, sleepSync, writeJson } = require('./util');
const { ensureBinaries } = require('./binaries');
const {
  canUserAccess,
  ownerOf,
  pgDataFor,
  pgEnsureDb,
  pgFallbackData,
  pgInit,
  pgOsUser,
  pgRunning,
  pgStart,
  pgStop,
  readPostmasterPid,
} = require('./postgres');
const { redisRunning, redisStart, redisStop } = require('./redis');

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
  const what = [
    wantPg && `postgres :${stack.pgPort} (${pgUp ? 'reused' : 'started'})`,
    wantRedis && `redis :${stack.redisPort} (${redisUp ? 'reused' : 'started'})`,
  ];
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

  return {
    databaseUrl,
    redisUrl,
    stop,
    dir,
    pgData: wantPg ? stack.pgData : null,
    pgPort: wantPg ? stack.pgPort : null,
    redisPort: wantRedis ? stack.redisPort : null,
    reused,
  };
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

module.exports = { stackStatus, startStack, stopStack };
