import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { makeIdNumber } from '@/common/identity';
import { BenchStack, createUser, login, pgbenchPath, report, startService } from './lib';
import { inflowBody } from '../test/support/builders';

export const DESTINATION = '330802005001'; // 衢州市柯城区 金桂社区
const DURATION_S = 20;
const WARMUP_S = 5;
const B6_RUN_S = 10;
const S1_RUN_S = 20;

let counter = 0;
/** Every request a new person: unique ID numbers from a counter (birth day × sequence). */
function nextBody(): string {
  const i = counter++;
  const birth = new Date(Date.UTC(1970, 0, 1) + (i % 10000) * 86_400_000).toISOString().slice(0, 10);
  const idNumber = makeIdNumber('421381', birth, Math.floor(i / 10000) % 1000);
  return JSON.stringify(
    inflowBody({ idNumber, name: '测试人员' }, '2026-01-02', { destinationCode: DESTINATION, address: '衢州市柯城区金桂社区 1 号', submit: true }),
  );
}

async function pgbenchBaseline(stack: BenchStack): Promise<number> {
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  await db.query(`DROP TABLE IF EXISTS bench_registration, bench_outbox`);
  await db.query(`CREATE TABLE bench_registration (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  await db.query(`CREATE TABLE bench_outbox (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  await db.end();
  const script = join(mkdtempSync(join(tmpdir(), 'liudong-pgbench-')), 'two-inserts.sql');
  writeFileSync(
    script,
    `BEGIN;\nINSERT INTO bench_registration (payload) VALUES (md5(random()::text));\nINSERT INTO bench_outbox (payload) VALUES (md5(random()::text));\nEND;\n`,
  );
  const url = new URL(stack.databaseUrl);
  const out = execFileSync(
    pgbenchPath(),
    ['-n', '-c', '8', '-j', '2', '-T', String(DURATION_S), '-f', script, '-h', '127.0.0.1', '-p', url.port, '-U', url.username, url.pathname.slice(1)],
    { encoding: 'utf8' },
  );
  return Number(/tps = ([\d.]+)/.exec(out)?.[1]);
}

/** The autocannon request of B1 and B2: a valid, submitted registration of a new person each time. */
export function registrationRequest(token: string) {
  return {
    method: 'POST' as const,
    path: '/api/inflows',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: nextBody() }),
  };
}

export function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(opts, (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result))),
  );
}

/**
 * Registrations arriving evenly, `rate` a second, each sent on time whether or not earlier ones have answered (open
 * loop). Not autocannon's `overallRate`: that gives each connection a quota per second, and all of them spend it at
 * the start of the second, so "half load" arrives as one burst a second and measures the time to drain it.
 */
async function paced(url: string, token: string, rate: number, seconds: number) {
  const times: number[] = [];
  let non2xx = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < Math.round(rate * seconds); i++) {
    const due = started + (i * 1000) / rate;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
    pending.push(
      (async () => {
        const res = await fetch(`${url}/api/inflows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: nextBody(),
        });
        await res.arrayBuffer();
        if (res.status >= 300) non2xx++;
        // From when it was due, not when it left: a request sent late because the loop fell behind counts its wait.
        times.push(performance.now() - due);
      })(),
    );
  }
  await Promise.all(pending);
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] * 10) / 10;
  return { requests: times.length, non2xx, p50: at(0.5), p99: at(0.99) };
}

/** B1: registrations/s through POST /api/inflows against pgbench's 2-INSERT transaction on the same PostgreSQL. */
export async function benchRegistrations(stack: BenchStack): Promise<void> {
  await createUser(stack.databaseUrl, 'bench_dest', 'staff', DESTINATION, 'bench-pass-1');
  const baseline = await pgbenchBaseline(stack);
  report({ figure: 'B1.baseline.pgbench_tps', value: Math.round(baseline), unit: 'tx/s', clients: 8 });

  const service = await startService(stack);
  let rssMax = service.rssMb();
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, service.rssMb())), 500);
  try {
    const token = await login(service.url, 'bench_dest', 'bench-pass-1');
    const request = registrationRequest(token);
    await run({ url: service.url, connections: 32, duration: WARMUP_S, requests: [request] });
    const full = await run({ url: service.url, connections: 32, duration: DURATION_S, requests: [request] });
    const rate = full.requests.average;
    report({ figure: 'B1.registrations_per_s', value: Math.round(rate), unit: 'req/s', connections: 32, non2xx: full.non2xx, errors: full.errors });
    report({ figure: 'B1.ratio_to_pgbench', value: Number((rate / baseline).toFixed(3)), unit: 'ratio', bar: 0.04 });
    report({ figure: 'B1.p99_full_load_ms', value: full.latency.p99, unit: 'ms' });

    const half = await paced(service.url, token, Math.max(1, rate / 2), DURATION_S);
    report({
      figure: 'B1.p99_half_load_ms',
      value: half.p99,
      unit: 'ms',
      rate: Math.round(rate / 2),
      bar: 150,
      p50: half.p50,
      requests: half.requests,
      non2xx: half.non2xx,
    });
    report({ figure: 'B5.rss_max_mb', value: rssMax, unit: 'MB', bar: 400, note: 'npm start during B1: supervisor, API and worker processes together' });

    // B6: full load with the rates triggers on and off, alternately (on, off, on, off; B6_RUN_S each), so that both
    // sides see the same warmed-up service and the same stretch of this VM's varying CPU steal.
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const triggers = async (on: boolean) => {
      const verb = on ? 'ENABLE' : 'DISABLE';
      await db.query(`ALTER TABLE inflow ${verb} TRIGGER inflow_rates_ins, ${verb} TRIGGER inflow_rates_upd`);
      await db.query(`ALTER TABLE exchange ${verb} TRIGGER exchange_rates_ins, ${verb} TRIGGER exchange_rates_upd`);
      await db.query(`ALTER TABLE person ${verb} TRIGGER person_rates_upd`);
      await db.query(`ALTER TABLE outflow ${verb} TRIGGER outflow_rates_ins, ${verb} TRIGGER outflow_rates_upd`);
    };
    try {
      const served = { on: 0, off: 0 };
      let non2xx = 0;
      for (const on of [true, false, true, false]) {
        await triggers(on);
        const part = await run({ url: service.url, connections: 32, duration: B6_RUN_S, requests: [request] });
        served[on ? 'on' : 'off'] += part.requests.total;
        non2xx += part.non2xx;
      }
      report({
        figure: 'B6.registrations_per_s_without_rollups',
        value: Math.round(served.off / (2 * B6_RUN_S)),
        unit: 'req/s',
        withRollups: Math.round(served.on / (2 * B6_RUN_S)),
        non2xx,
      });
      report({
        figure: 'B6.ratio_with_to_without_rollups',
        value: Number((served.on / served.off).toFixed(3)),
        unit: 'ratio',
        bar: 0.85,
        method: `on, off, on, off, ${B6_RUN_S} s each`,
      });
    } finally {
      for (const table of ['inflow', 'exchange', 'person', 'outflow']) await db.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
      await db.query(`SELECT rate_rebuild()`);
      await db.end();
    }
  } finally {
    clearInterval(sampler);
    await service.stop();
  }
}

/**
 * S1: B1's load (32 connections, 5 s warm-up, then S1_RUN_S) against `npm start` with 1 API process, then with 2
 * (the worker process apart in both), in the same run; the ratio of 2 to 1.
 */
export async function benchScaleOut(stack: BenchStack): Promise<void> {
  await createUser(stack.databaseUrl, 'bench_scale', 'staff', DESTINATION, 'bench-pass-s1');
  const rates: number[] = [];
  for (const processes of [1, 2]) {
    const service = await startService(stack, { API_PROCESSES: String(processes) });
    try {
      const request = registrationRequest(await login(service.url, 'bench_scale', 'bench-pass-s1'));
      await run({ url: service.url, connections: 32, duration: WARMUP_S, requests: [request] });
      const result = await run({ url: service.url, connections: 32, duration: S1_RUN_S, requests: [request] });
      rates.push(result.requests.average);
      report({ figure: `S1.registrations_per_s.api_processes_${processes}`, value: Math.round(result.requests.average), unit: 'req/s', non2xx: result.non2xx });
    } finally {
      await service.stop();
    }
  }
  report({
    figure: 'S1.ratio_2_to_1_api_processes',
    value: Number((rates[1] / rates[0]).toFixed(3)),
    unit: 'ratio',
    note: 'worker process apart in both; 2 vCPU shared with PostgreSQL and Redis',
  });
}
