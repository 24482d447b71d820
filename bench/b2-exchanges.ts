import { Queue, Worker } from 'bullmq';
import { Client } from 'pg';
import { DESTINATION, registrationRequest, run } from './b1-registrations';
import { BenchStack, createUser, login, report, startService } from './lib';

const RAW_JOBS = 20_000;
const IN_FLIGHT = 32;
const DURATION_S = 15;

/** Raw BullMQ on the same Redis: adds with 32 in flight, a no-op worker at concurrency 50, end to end. */
async function rawBullmq(redisUrl: string): Promise<number> {
  const connection = { url: redisUrl };
  const queue = new Queue('raw', { connection, prefix: 'rawbench' });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker('raw', () => Promise.resolve(undefined), { connection, prefix: 'rawbench', concurrency: 50 });
  worker.on('completed', () => {
    if (++done === RAW_JOBS) finish();
  });
  await worker.waitUntilReady();
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < RAW_JOBS) {
        next++;
        await queue.add('noop', { n: next }, { removeOnComplete: true });
      }
    }),
  );
  await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return RAW_JOBS / seconds;
}

async function waitDelivered(db: Client, since: Date): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM exchange WHERE sent_at >= $1 AND status = 'queued'`, [since]);
    if (rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('notices still queued after 2 minutes');
}

/** B2: submitted registrations → inflow notice delivered in the origin inbox, against raw BullMQ in the same run. */
export async function benchExchanges(stack: BenchStack): Promise<void> {
  const raw = await rawBullmq(stack.redisUrl);
  report({ figure: 'B2.baseline.raw_bullmq_jobs_per_s', value: Math.round(raw), unit: 'jobs/s', inFlight: IN_FLIGHT, workerConcurrency: 50 });

  await createUser(stack.databaseUrl, 'bench_dest2', 'staff', DESTINATION, 'bench-pass-2');
  const service = await startService(stack);
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const request = registrationRequest(await login(service.url, 'bench_dest2', 'bench-pass-2'));
    const fullFrom = new Date();
    const full = await run({ url: service.url, connections: 32, duration: DURATION_S, requests: [request] });
    await waitDelivered(db, fullFrom);
    const {
      rows: [e2e],
    } = await db.query(
      `SELECT count(*)::int AS n, extract(epoch FROM max(delivered_at) - min(sent_at)) AS seconds
         FROM exchange WHERE type = 'inflow_notice' AND sent_at >= $1`,
      [fullFrom],
    );
    const rate = e2e.n / Number(e2e.seconds);
    report({ figure: 'B2.notices_per_s', value: Math.round(rate), unit: 'notices/s', notices: e2e.n, registrationsPerS: Math.round(full.requests.average) });
    report({ figure: 'B2.ratio_to_raw_bullmq', value: Number((rate / raw).toFixed(3)), unit: 'ratio', bar: 0.025 });

    const halfFrom = new Date();
    await run({
      url: service.url,
      connections: 32,
      duration: DURATION_S,
      overallRate: Math.max(1, Math.round(full.requests.average / 2)),
      requests: [request],
    });
    await waitDelivered(db, halfFrom);
    const {
      rows: [latency],
    } = await db.query(
      `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - sent_at) * 1000) AS p95,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - sent_at) * 1000) AS p50
         FROM exchange WHERE type = 'inflow_notice' AND sent_at >= $1`,
      [halfFrom],
    );
    report({ figure: 'B2.p95_submit_to_delivered_ms_half_load', value: Math.round(latency.p95), unit: 'ms', p50: Math.round(latency.p50), bar: 1000 });
  } finally {
    await db.end();
    await service.stop();
  }
}
