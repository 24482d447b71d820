'use strict';
// Redis: start, stop, and whether the server on a port is ours.
const fs = require('node:fs');
const path = require('node:path');
const { choosePort, fileSize, freePort, pidAlive, readPid, run, sleep, tail, waitGone } = require('./util');

/** One command to the Redis server on `port`, through ioredis (required here: this file loads before `npm ci`). */
async function redisCommand(port, args, timeoutMs = 1000) {
  const Redis = require('ioredis');
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // answered through the command's promise
  try {
    await client.connect();
    return await client.call(args[0], ...args.slice(1));
  } finally {
    client.disconnect();
  }
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
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      redisDir,
      '--daemonize',
      'yes',
      '--pidfile',
      pidFile,
      '--logfile',
      logFile,
      '--save',
      '',
      '--appendonly',
      persistent ? 'yes' : 'no',
      '--protected-mode',
      'yes',
      '--maxmemory-policy',
      'noeviction',
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
    if (pid && pidAlive(pid))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
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

module.exports = { redisRunning, redisStart, redisStop };
