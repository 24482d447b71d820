'use strict';
// Beside a local stack (scripts/local-stack.js): a PostgreSQL streaming replica of its database, and a Redis Cluster.
// Plain processes on 127.0.0.1, for the scale-out drill (bench/scale-drill.sh) and its short version in `npm test`.

const fs = require('node:fs');
const path = require('node:path');
const { findPostgres, findRedis, _internal } = require('./local-stack');
const { ownerOf, run, pgStart, pgStop, freePort, waitGone, readPid, pidAlive, sleep } = _internal;

const DB_USER = 'liudong';

/**
 * A streaming replica of the stack's PostgreSQL (pg_basebackup -R: it follows the primary's WAL as a hot standby),
 * in `dir`, run by the same OS user as the primary. Returns its URL and port and how to stop it.
 */
async function startReplica({ pgData, pgPort, dir, log = () => undefined }) {
  const pg = findPostgres();
  if (!pg) throw new Error('PostgreSQL binaries not found');
  const user = ownerOf(pgData);
  const data = path.join(dir, 'pg-replica');
  fs.rmSync(data, { recursive: true, force: true });
  // Run as root, the data goes to the primary's OS user, who must be able to reach it (a mkdtemp directory is 0700).
  if (user) fs.chmodSync(dir, (fs.statSync(dir).mode & 0o777) | 0o011);
  fs.mkdirSync(data, { recursive: true, mode: 0o700 });
  if (user) fs.chownSync(data, user.uid, user.gid);
  const backup = await run(
    path.join(pg.bindir, 'pg_basebackup'),
    ['-D', data, '-R', '-X', 'stream', '-c', 'fast', '-h', '127.0.0.1', '-p', String(pgPort), '-U', DB_USER],
    {
      user: user && user.name,
    },
  );
  if (backup.code !== 0) throw new Error(`pg_basebackup failed: ${(backup.stderr || backup.stdout).trim()}`);
  // The copy carries the primary's postmaster options file and pid; the replica gets its own port and socket.
  fs.rmSync(path.join(data, 'postmaster.pid'), { force: true });
  const port = await pgStart({ pg, pgData: data, user, persistent: true, ports: [], sockDir: data, log });
  log(`replica of :${pgPort} on :${port}`);
  return { port, url: `postgres://${DB_USER}@127.0.0.1:${port}/liudong`, pgData: data, stop: () => pgStop(data, { fast: true }) };
}

/** One cluster-enabled redis-server in its own directory. */
async function startClusterNode(redisBin, dir, port) {
  fs.mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'yes',
    '--pidfile',
    pidFile,
    '--logfile',
    path.join(dir, 'redis.log'),
    '--save',
    '',
    '--appendonly',
    'no',
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    '2000',
    '--maxmemory-policy',
    'noeviction',
  ];
  const r = await run(redisBin, args, { detached: true, timeoutMs: 30000 });
  if (r.code !== 0) throw new Error(`redis-server :${port} failed: ${(r.stderr || r.stdout).trim()}`);
  for (let i = 0; i < 300 && !readPid(pidFile); i++) await sleep(20);
  return { port, dir, pid: readPid(pidFile) };
}

async function redisCli(port, args) {
  const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeoutMs: 60000 });
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Waits until every given node reports cluster_state:ok. */
async function waitClusterOk(ports, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      ports.map((p) =>
        redisCli(p, ['CLUSTER', 'INFO']).then(
          (o) => /cluster_state:ok/.test(o),
          () => false,
        ),
      ),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > until) throw new Error('Redis Cluster did not reach cluster_state:ok');
    await sleep(200);
  }
}

/**
 * A Redis Cluster of `masters` masters each with `replicasPerMaster` replicas (default 3 + 3), in `dir`. Returns its
 * REDIS_URL (`redis+cluster://127.0.0.1:p1,…`), its nodes, and helpers for the drill: the node serving a master role
 * now, killing a node (kill -9), and stopping all.
 */
async function startRedisCluster({ dir, masters = 3, replicasPerMaster = 1, log = () => undefined }) {
  const redis = findRedis();
  if (!redis) throw new Error('redis-server not found');
  const count = masters * (1 + replicasPerMaster);
  const nodes = [];
  for (let i = 0; i < count; i++) nodes.push(await startClusterNode(redis.bin, path.join(dir, `redis-${i}`), await freePort()));
  const ports = nodes.map((n) => n.port);
  await redisCli(ports[0], ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes']);
  await waitClusterOk(ports);
  log(`Redis Cluster: ${masters} masters + ${masters * replicasPerMaster} replicas on :${ports.join(', :')}`);
  const kill = async (node) => {
    if (node.pid && pidAlive(node.pid)) process.kill(node.pid, 'SIGKILL');
    await waitGone(node.pid, null, 5000);
  };
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    nodes,
    /** The nodes that are masters now (CLUSTER NODES from any live node). */
    async masterPorts() {
      for (const node of nodes) {
        if (!pidAlive(node.pid)) continue;
        const out = await redisCli(node.port, ['CLUSTER', 'NODES']).catch(() => null);
        if (!out) continue;
        return out
          .split('\n')
          .filter((l) => / master /.test(` ${l.split(' ')[2]?.replace(/,/g, ' ')} `) && !/fail/.test(l.split(' ')[2]))
          .map((l) => Number(/:(\d+)@/.exec(l)?.[1]));
      }
      return [];
    },
    kill,
    /** Waits until the live nodes agree the cluster is ok again (after a failover). */
    waitOk: (timeoutMs) =>
      waitClusterOk(
        nodes.filter((n) => pidAlive(n.pid)).map((n) => n.port),
        timeoutMs,
      ),
    async stop() {
      await Promise.all(nodes.map(kill));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startReplica, startRedisCluster };
