#!/usr/bin/env node
'use strict';
/*
 * Local PostgreSQL + Redis for `npm run demo` and `npm test`, without Docker.
 * 本地 PostgreSQL + Redis（无需 Docker），供 demo 与测试使用。
 *
 * Plain CommonJS. It loads before `npm ci` (scripts/demo.js requires it first), so only Node built-ins are required at
 * load time; ioredis is required when a Redis server is first asked something, after the dependencies are installed.
 * The parts are in scripts/local-stack/: util (files, processes, ports), binaries (finding and installing PostgreSQL
 * and Redis), postgres, redis, stack (start or reuse, stop, status).
 *
 *   const { startStack } = require('./scripts/local-stack');
 *   const stack = await startStack({ dir, persistent, log });
 *   // stack.databaseUrl, stack.redisUrl, await stack.stop()
 *
 * CLI (persistent stack in <repo>/.data, or --dir DIR / LIUDONG_STACK_DIR):
 *   node scripts/local-stack.js start | stop | status
 */
const path = require('node:path');
const { DEFAULT_PG_PORT, DEFAULT_REDIS_PORT, REPO_ROOT, freePort, pidAlive, readPid, run, sleep, waitGone } = require('./local-stack/util');
const { findPostgres, findRedis } = require('./local-stack/binaries');
const { ownerOf, pgOsUser, pgStart, pgStop } = require('./local-stack/postgres');
const { stackStatus, startStack, stopStack } = require('./local-stack/stack');

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
