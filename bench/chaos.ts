// The fault drill of quality.md: registrations are posted while the worker is killed twice, Redis restarts without
// its memory, Redis is down for 35 s and PostgreSQL restarts. Afterwards every accepted registration must exist once
// with its inflow notice delivered exactly once; only the PostgreSQL restart may refuse requests, and only with a
// clear 503.   Usage: bench/chaos.sh [registrations]
import { ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSetup } from '@/cli/setup';
import { makeIdNumber } from '@/common/identity';
import { loadConfig } from '@/config/config';
import { checkDeliveries, createUser, freePort, login, report, ROOT, writeMarkdown, writeResults } from './lib';
import { inflowBody } from '../test/support/builders';

import { startStack } from '../scripts/local-stack';

const TOTAL = Number(process.argv[2] ?? 1000);
const CONCURRENCY = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.error(`[chaos] ${m}`);

function pidOf(file: string): number {
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

async function waitDead(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'liudong-chaos-'));
  const stack = await startStack({ dir, persistent: true, cleanupOnExit: false, log: () => undefined });
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    LOG_LEVEL: 'error',
    WORKER_LOCK: 'PT5S',
    RELAY_STALE: 'PT5S',
    DELIVERY_BACKOFF: 'PT1S',
    DELIVERY_ATTEMPTS: '10',
  };
  await runSetup(loadConfig({ ...env, BOOTSTRAP_ADMIN_PASSWORD: 'chaos-admin-pw' }));
  await createUser(stack.databaseUrl, 'chaos_dest', 'staff', '330802005001', 'chaos-pass-1');
  const port = await freePort();
  const spawnRole = (role: 'api' | 'worker'): ChildProcess =>
    spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), role], {
      env: { ...env, PORT: String(port) },
      // The service's own error log, for a refusal that was not a clean 503.
      stdio: ['ignore', openSync(join(dir, `${role}.log`), 'a'), 'ignore'],
    });
  const api = spawnRole('api');
  let worker = spawnRole('worker');
  const url = `http://127.0.0.1:${port}`;
  for (
    let i = 0;
    i < 100 &&
    !(await fetch(`${url}/api/health`)
      .then((r) => r.ok)
      .catch(() => false));
    i++
  )
    await sleep(200);
  const token = await login(url, 'chaos_dest', 'chaos-pass-1');

  const accepted: string[] = [];
  const statuses: Record<string, number> = {};
  // Refusals by the fault under way while the request was in flight ('none' when no fault was).
  const byPhase: Record<string, Record<string, number>> = {};
  const killWorker = async () => {
    worker.kill('SIGKILL');
    await sleep(1000);
    worker = spawnRole('worker');
  };
  const stopRedis = async () => {
    const pid = pidOf(join(dir, 'redis', 'redis.pid'));
    process.kill(pid, 'SIGKILL');
    await waitDead(pid);
    for (const f of readdirSync(join(dir, 'redis'))) if (/^(dump\.rdb|appendonly)/.test(f)) rmSync(join(dir, 'redis', f), { recursive: true, force: true });
  };
  const startRedis = () => startStack({ dir, persistent: true, cleanupOnExit: false, log: () => undefined }).then(() => undefined);
  // Registrations are paced evenly over the drill, so every fault, the long Redis outage included, has requests
  // arriving throughout it. Each fault starts at its share of the drill and counts as under way until it has
  // recovered plus a grace of 3 s (connections coming back).
  const DURATION_MS = Math.max(90_000, TOTAL * 15);
  const faults: { at: number; phase: string; run: () => Promise<void> }[] = [
    { at: 0.1, phase: 'worker_kill', run: killWorker },
    {
      at: 0.2,
      phase: 'redis_restart',
      run: async () => {
        await stopRedis();
        await sleep(1000);
        await startRedis();
      },
    },
    { at: 0.3, phase: 'worker_kill_2', run: killWorker },
    {
      at: 0.4,
      phase: 'redis_outage_35s',
      run: async () => {
        await stopRedis();
        await sleep(35_000);
        await startRedis();
      },
    },
    {
      at: 0.85,
      phase: 'postgres_restart',
      run: async () => {
        const pid = pidOf(join(dir, 'pg', 'postmaster.pid'));
        process.kill(pid, 'SIGINT');
        await waitDead(pid);
        await sleep(1000);
        await startStack({ dir, persistent: true, cleanupOnExit: false, log: () => undefined });
      },
    },
  ];
  const windows: { phase: string; from: number; to: number }[] = [];
  const started = Date.now();
  const faultRuns = faults.map(async (fault) => {
    await sleep(fault.at * DURATION_MS);
    log(`at ${((Date.now() - started) / 1000).toFixed(0)} s: ${fault.phase}`);
    const window = { phase: fault.phase, from: Date.now(), to: Number.POSITIVE_INFINITY };
    windows.push(window);
    await fault.run();
    window.to = Date.now() + 3_000;
  });
  // A request belongs to every fault that was under way at some time while it was in flight.
  const phaseOf = (from: number, to: number) =>
    windows
      .filter((w) => to >= w.from && from <= w.to)
      .map((w) => w.phase)
      .join('+') || 'none';

  let sent = 0;
  async function client(): Promise<void> {
    for (;;) {
      const i = sent++;
      if (i >= TOTAL) return;
      const due = started + (i / TOTAL) * DURATION_MS;
      if (due > Date.now()) await sleep(due - Date.now());
      const birth = new Date(Date.UTC(1970, 0, 1) + (i % 10000) * 86_400_000).toISOString().slice(0, 10);
      const body = inflowBody({ idNumber: makeIdNumber('421381', birth, 100 + Math.floor(i / 10000)), name: '演练' }, '2026-01-02');
      const sentAt = Date.now(); // the request is in flight from here until its answer
      let status = 'network_error';
      try {
        const res = await fetch(`${url}/api/inflows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        status = String(res.status);
        const json = (await res.json()) as { id?: string };
        if (res.status === 201 && json.id) accepted.push(json.id);
      } catch {
        // counted as network_error
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== '201') {
        const phase = phaseOf(sentAt, Date.now());
        if (phase === 'none') log(`refused outside a fault at ${((sentAt - started) / 1000).toFixed(1)} s: ${status}`);
        byPhase[phase] = byPhase[phase] ?? {};
        byPhase[phase][status] = (byPhase[phase][status] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  await Promise.all(faultRuns);
  log(`posted ${TOTAL} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(statuses)}; refusals by phase ${JSON.stringify(byPhase)}`);

  const check = await checkDeliveries(stack.databaseUrl, accepted);

  const refusedOther = Object.entries(statuses)
    .filter(([s]) => s !== '201' && s !== '503')
    .reduce((n, [, c]) => n + c, 0);
  // The bar (issue 19): only a PostgreSQL restart may refuse work; a worker kill or a Redis outage of any length may not.
  const sum = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((n, c) => n + c, 0);
  const refusedOutsidePg = Object.entries(byPhase)
    .filter(([phase]) => !phase.includes('postgres_restart'))
    .reduce((n, [, c]) => n + sum(c), 0);
  report({ figure: 'chaos.accepted', value: accepted.length, unit: 'registrations', total: TOTAL });
  report({ figure: 'chaos.refused_503', value: statuses['503'] ?? 0, unit: 'requests' });
  for (const fault of faults)
    report({ figure: `chaos.refused.${fault.phase}`, value: sum(byPhase[fault.phase]), unit: 'requests', statuses: byPhase[fault.phase] ?? {} });
  report({ figure: 'chaos.refused_outside_postgres_restart', value: refusedOutsidePg, unit: 'requests', phases: byPhase, bar: 0 });
  report({ figure: 'chaos.refused_other', value: refusedOther, unit: 'requests', statuses, bar: 0 });
  report({ figure: 'chaos.lost', value: check.missingInflows + check.undelivered, unit: 'registrations', bar: 0 });
  report({ figure: 'chaos.doubled', value: check.doubled, unit: 'notices', bar: 0 });
  report({
    figure: 'chaos.committed_but_refused',
    value: check.committedButRefused,
    unit: 'registrations',
    note: 'committed although the client saw an error (safe to retry with Idempotency-Key)',
  });
  console.log(`lost = ${check.missingInflows + check.undelivered}, doubled = ${check.doubled}`);
  const failed = check.missingInflows + check.undelivered + check.doubled + refusedOther + refusedOutsidePg > 0;

  if (refusedOther > 0) {
    copyFileSync(join(dir, 'api.log'), join(ROOT, 'bench/results/chaos-api.log'));
    log('service log of the unexpected refusals: bench/results/chaos-api.log');
  }
  api.kill('SIGTERM');
  worker.kill('SIGTERM');
  await sleep(500);
  await stack.stop();
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
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
