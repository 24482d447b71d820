// The scale-out drill of quality.md (issue 18): a 6-node Redis Cluster (3 masters, 3 replicas), a PostgreSQL primary
// with one streaming replica, 2 API and 2 worker processes. N registrations are posted across the API processes
// (a client whose connection fails goes to the other API process with the same Idempotency-Key, as a load balancer
// would) while one worker is killed (kill -9), one Redis master is killed (its replica takes over) and one API
// process restarts. Afterwards every accepted registration exists once with its notice delivered once, the rates
// read on the replica equal the primary's, and refusals were 503 only.   Usage: bench/scale-drill.sh [N]
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSetup } from '@/cli/setup';
import { makeIdNumber } from '@/common/identity';
import { loadConfig } from '@/config/config';
import { checkDeliveries, createUser, freePort, login, report, ROOT, writeMarkdown, writeResults } from './lib';
import { inflowBody } from '../test/support/builders';

import { startStack } from '../scripts/local-stack';
import { startReplica, startRedisCluster } from '../scripts/scale-stack';

const TOTAL = Number(process.argv[2] ?? 3000);
const CONCURRENCY = 16;
const DESTINATION = '330802005001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.error(`[scale-drill] ${m}`);

async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`${url}/api/health`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    await sleep(200);
  }
  throw new Error(`${url} did not become healthy`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'liudong-scale-drill-'));
  const stack = await startStack({ dir: join(dir, 'stack'), persistent: true, redis: false, cleanupOnExit: false, log: () => undefined });
  const cluster = await startRedisCluster({ dir: join(dir, 'cluster') });
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: cluster.url,
    LOG_LEVEL: 'error',
    WORKER_LOCK: 'PT5S',
    RELAY_STALE: 'PT5S',
    DELIVERY_BACKOFF: 'PT1S',
    DELIVERY_ATTEMPTS: '10',
  };
  await runSetup(loadConfig({ ...env, BOOTSTRAP_ADMIN_PASSWORD: 'drill-admin-pw' }));
  const replica = await startReplica({ pgData: stack.pgData, pgPort: stack.pgPort, dir });
  await createUser(stack.databaseUrl, 'drill_dest', 'staff', DESTINATION, 'drill-pass-1');
  await createUser(stack.databaseUrl, 'drill_sup', 'supervisor', '330000000000', 'drill-pass-2');
  log(`primary :${stack.pgPort}, replica ${replica.url}, ${cluster.url}`);

  const ports = [await freePort(), await freePort()];
  const spawnRole = (role: 'api' | 'worker', name: string, extra: Record<string, string> = {}): ChildProcess =>
    spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), role], {
      env: { ...env, DATABASE_READ_URL: replica.url, ...extra },
      stdio: ['ignore', openSync(join(dir, `${name}.log`), 'a'), 'ignore'],
    });
  const apis = ports.map((port, i) => spawnRole('api', `api${i}`, { PORT: String(port) }));
  const workers = [spawnRole('worker', 'worker0'), spawnRole('worker', 'worker1')];
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  await Promise.all(urls.map(waitHealthy));
  const token = await login(urls[0], 'drill_dest', 'drill-pass-1');

  const accepted = new Set<string>();
  const statuses: Record<string, number> = {};
  let failedOver = 0;
  const DURATION_MS = Math.max(60_000, TOTAL * 15);
  const faults: { at: number; name: string; run: () => Promise<void> }[] = [
    {
      at: 0.2,
      name: 'worker_kill',
      run: async () => {
        workers[0].kill('SIGKILL');
        await sleep(1000);
        workers[0] = spawnRole('worker', 'worker0');
      },
    },
    {
      at: 0.45,
      name: 'redis_master_kill',
      run: async () => {
        const [master] = await cluster.masterPorts();
        const node = cluster.nodes.find((n) => n.port === master);
        if (!node) throw new Error('no Redis master found');
        log(`killing Redis master :${master}`);
        await cluster.kill(node);
        await cluster.waitOk(60_000);
        log('Redis Cluster ok again (a replica took over)');
      },
    },
    {
      at: 0.7,
      name: 'api_restart',
      run: async () => {
        apis[1].kill('SIGTERM');
        await new Promise((r) => apis[1].once('exit', r));
        apis[1] = spawnRole('api', 'api1', { PORT: String(ports[1]) });
        await waitHealthy(urls[1]);
      },
    },
  ];
  const started = Date.now();
  const faultRuns = faults.map(async (fault) => {
    await sleep(fault.at * DURATION_MS);
    log(`at ${((Date.now() - started) / 1000).toFixed(0)} s: ${fault.name}`);
    await fault.run();
  });

  let sent = 0;
  async function client(): Promise<void> {
    for (;;) {
      const i = sent++;
      if (i >= TOTAL) return;
      const due = started + (i / TOTAL) * DURATION_MS;
      if (due > Date.now()) await sleep(due - Date.now());
      const birth = new Date(Date.UTC(1970, 0, 1) + (i % 10000) * 86_400_000).toISOString().slice(0, 10);
      const body = JSON.stringify(
        inflowBody({ idNumber: makeIdNumber('421381', birth, 300 + Math.floor(i / 10000)), name: '扩展演练' }, '2026-01-02', { destinationCode: DESTINATION }),
      );
      const key = randomUUID();
      let status = 'network_error';
      // Up to 3 tries across the API processes, the same Idempotency-Key each time.
      for (let attempt = 0; attempt < 3 && status === 'network_error'; attempt++) {
        const url = urls[(i + attempt) % urls.length];
        try {
          const res = await fetch(`${url}/api/inflows`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          status = String(res.status);
          const json = (await res.json()) as { id?: string };
          if (res.status === 201 && json.id) accepted.add(json.id);
          if (attempt > 0) failedOver++;
        } catch {
          await sleep(200);
        }
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  await Promise.all(faultRuns);
  const seconds = (Date.now() - started) / 1000;
  log(`posted ${TOTAL} in ${seconds.toFixed(1)} s: ${JSON.stringify(statuses)}; ${failedOver} sent again to the other API process`);

  const check = await checkDeliveries(stack.databaseUrl, [...accepted]);

  // The rates for 浙江 at one instant: through an API process (replica, once it has replayed everything) and
  // through a third API process without the replica (primary).
  const primaryPort = await freePort();
  const primaryApi = spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), 'api'], { env: { ...env, PORT: String(primaryPort) }, stdio: 'ignore' });
  const primaryUrl = `http://127.0.0.1:${primaryPort}`;
  await waitHealthy(primaryUrl);
  const asOf = new Date().toISOString();
  const query = `/api/rates?jurisdiction=330000000000&asOf=${encodeURIComponent(asOf)}`;
  const supReplica = await login(urls[0], 'drill_sup', 'drill-pass-2');
  const supPrimary = await login(primaryUrl, 'drill_sup', 'drill-pass-2');
  let ratesEqual = false;
  let replicaState: unknown = null;
  for (let i = 0; i < 60 && !ratesEqual; i++) {
    const health = (await (await fetch(`${urls[0]}/api/health`)).json()) as { replica?: { serving: boolean; lagMs: number } };
    replicaState = health.replica;
    if (health.replica?.serving && health.replica.lagMs === 0) {
      const a = await (await fetch(`${urls[0]}${query}`, { headers: { authorization: `Bearer ${supReplica}` } })).text();
      const b = await (await fetch(`${primaryUrl}${query}`, { headers: { authorization: `Bearer ${supPrimary}` } })).text();
      ratesEqual = a === b;
    }
    if (!ratesEqual) await sleep(500);
  }
  primaryApi.kill('SIGTERM');

  const refusedOther = Object.entries(statuses)
    .filter(([s]) => s !== '201' && s !== '503')
    .reduce((n, [, c]) => n + c, 0);
  report({ figure: 'drill.accepted', value: accepted.size, unit: 'registrations', total: TOTAL, seconds: Math.round(seconds) });
  report({ figure: 'drill.registrations_per_s', value: Math.round(TOTAL / seconds), unit: 'req/s', note: 'paced, not a throughput figure' });
  report({ figure: 'drill.refused_503', value: statuses['503'] ?? 0, unit: 'requests' });
  report({ figure: 'drill.refused_other', value: refusedOther, unit: 'requests', statuses, bar: 0 });
  report({ figure: 'drill.sent_again_to_other_api', value: failedOver, unit: 'requests' });
  report({ figure: 'drill.lost', value: check.missingInflows + check.undelivered, unit: 'registrations', bar: 0 });
  report({ figure: 'drill.doubled', value: check.doubled, unit: 'notices', bar: 0 });
  report({
    figure: 'drill.committed_but_refused',
    value: check.committedButRefused,
    unit: 'registrations',
    note: 'committed although the client saw an error',
  });
  report({ figure: 'drill.replica_rates_equal_primary', value: ratesEqual ? 1 : 0, unit: 'boolean', replica: replicaState, bar: 1 });
  console.log(
    `lost = ${check.missingInflows + check.undelivered}, doubled = ${check.doubled}, ` +
      `replica rates equal primary = ${ratesEqual}, refused other than 503 = ${refusedOther}`,
  );
  const failed = check.missingInflows + check.undelivered + check.doubled + refusedOther > 0 || !ratesEqual;

  for (const p of [...apis, ...workers]) p.kill('SIGTERM');
  await sleep(1000);
  await Promise.allSettled([replica.stop(), cluster.stop(), stack.stop()]);
  if (!failed) rmSync(dir, { recursive: true, force: true });
  else log(`logs kept in ${dir}`);
  if (failed) process.exitCode = 1;
}

main()
  .then(() => {
    writeResults();
    writeMarkdown();
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
