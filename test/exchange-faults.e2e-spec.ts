import { ChildProcess } from 'node:child_process';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { AppModule } from '@/app.module';
import { spawnWorkerProcess, startTestApp, TestApp, waitFor } from './support/app';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';

/** Deletes every Redis key of this service prefix: Redis restarted without its memory, for this service only. */
async function wipeRedis(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url);
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) removed += await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  return removed;
}

describe('exchange pipeline under faults (quality.md Reliability)', () => {
  let t: TestApp;
  let dest: string;
  const prefix = `faults${process.env.JEST_WORKER_ID ?? '1'}`;
  const overrides = { REDIS_PREFIX: prefix, RELAY_STALE: 'PT1S', WORKER_LOCK: 'PT2S', DELIVERY_BACKOFF: 'PT0.2S', IMPORT_BATCH_ROWS: '100' };

  async function registerMany(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, n - i) }, () =>
          t
            .http()
            .post('/api/inflows')
            .set('Authorization', `Bearer ${dest}`)
            .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '郑伟' }, daysAgo(2))),
        ),
      );
      for (const res of batch) {
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
    }
    return ids;
  }

  /** Each registration's inflow notice: how many exist, and how many reached the inbox. */
  async function notices(inflowIds: string[]) {
    const rows: { inflow_id: string; n: number; delivered: number }[] = await t.db.query(
      `SELECT payload->>'inflowId' AS inflow_id, count(*)::int AS n, count(*) FILTER (WHERE status = 'delivered')::int AS delivered
         FROM exchange WHERE type = 'inflow_notice' AND payload->>'inflowId' = ANY($1) GROUP BY 1`,
      [inflowIds],
    );
    return {
      lost: inflowIds.length - rows.length,
      doubled: rows.filter((r) => r.n > 1).length,
      delivered: rows.reduce((sum, r) => sum + r.delivered, 0),
    };
  }

  /** A real worker process, so it can be killed with SIGKILL mid-job. */
  const spawnWorker = (): ChildProcess => spawnWorkerProcess({ DATABASE_URL: t.config.databaseUrl, REDIS_URL: t.config.redisUrl, ...overrides });

  beforeAll(async () => {
    // The API alone: messages are committed and enqueued, but nothing in this process delivers them.
    t = await startTestApp(overrides, 'api');
    dest = await staffAt(t, QUZHOU_COMMUNITY);
  });
  afterAll(() => t.close());

  it('re-enqueues committed notices after Redis lost its memory, and delivers each once', async () => {
    const ids = await registerMany(30);
    const [{ enqueued }] = await t.db.query(
      `SELECT count(*)::int AS enqueued FROM exchange WHERE status = 'queued' AND enqueued_at IS NOT NULL AND payload->>'inflowId' = ANY($1)`,
      [ids],
    );
    expect(enqueued).toBe(30);
    expect(await wipeRedis(t.config.redisUrl, prefix)).toBeGreaterThan(0);

    const worker = await NestFactory.createApplicationContext(AppModule.forRoot(t.config, 'worker'), { logger: false });
    try {
      const result = await waitFor(
        async () => {
          const r = await notices(ids);
          return r.delivered === ids.length ? r : undefined;
        },
        20_000,
        'all notices delivered after the wipe',
      );
      expect(result).toEqual({ lost: 0, doubled: 0, delivered: 30 });
    } finally {
      await worker.close();
    }
  });

  it('delivers everything exactly once when the worker is killed (kill -9) mid-batch and another starts', async () => {
    // Slow each delivery down so that the kill lands in the middle of the batch.
    await t.owner.query(`CREATE OR REPLACE FUNCTION test_slow_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END $$`);
    await t.owner.query(
      `CREATE TRIGGER test_slow_delivery BEFORE UPDATE ON exchange FOR EACH ROW WHEN (NEW.status = 'delivered') EXECUTE FUNCTION test_slow_delivery()`,
    );
    const startWorker = spawnWorker;
    let first: ChildProcess | undefined;
    let second: ChildProcess | undefined;
    try {
      const ids = await registerMany(200);
      first = startWorker();
      await waitFor(async () => (await notices(ids)).delivered >= 30, 60_000, 'first deliveries');
      first.kill('SIGKILL');
      await new Promise((r) => first?.once('exit', r));
      const midway = await notices(ids);
      expect(midway.delivered).toBeLessThan(ids.length);

      second = startWorker();
      const result = await waitFor(
        async () => {
          const r = await notices(ids);
          return r.delivered === ids.length ? r : undefined;
        },
        90_000,
        'all notices delivered after the kill',
      );
      expect(result).toEqual({ lost: 0, doubled: 0, delivered: 200 });
      const [{ failed }] = await t.db.query(`SELECT count(*)::int AS failed FROM exchange WHERE status = 'failed' AND payload->>'inflowId' = ANY($1)`, [ids]);
      expect(failed).toBe(0);
    } finally {
      first?.kill('SIGKILL');
      second?.kill('SIGTERM');
      await t.owner.query(`DROP TRIGGER IF EXISTS test_slow_delivery ON exchange`);
    }
  }, 180_000);

  it('resumes a bulk import where it stopped when the worker is killed mid-import, registering no row twice', async () => {
    await t.owner.query(`CREATE OR REPLACE FUNCTION test_slow_import() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$`);
    await t.owner.query(
      `CREATE TRIGGER test_slow_import BEFORE INSERT ON inflow FOR EACH ROW WHEN (NEW.import_id IS NOT NULL) EXECUTE FUNCTION test_slow_import()`,
    );
    const header = 'idNumber,name,householdCode,destinationCode,address,arrivalDate,reason,maritalStatus,contraception';
    const rows = Array.from(
      { length: 400 },
      () => `${newIdNumber({ sex: 'male' })},续传,421381101201,${QUZHOU_COMMUNITY},衢州市柯城区,${daysAgo(3)},work,unmarried,none`,
    );
    let first: ChildProcess | undefined;
    let second: ChildProcess | undefined;
    try {
      const accepted = await t
        .http()
        .post('/api/inflows/import')
        .set('Authorization', `Bearer ${dest}`)
        .attach('file', Buffer.from([header, ...rows].join('\n')), 'big.csv')
        .expect(202);
      const id = accepted.body.importId as string;
      const progress = async () => (await t.db.query(`SELECT processed, succeeded, failed, status FROM import_job WHERE id = $1`, [id]))[0];
      first = spawnWorker();
      await waitFor(async () => (await progress()).processed >= 100, 90_000, 'first batches');
      first.kill('SIGKILL');
      await new Promise((r) => first?.once('exit', r));
      const midway = await progress();
      expect(midway.processed).toBeLessThan(400);

      second = spawnWorker();
      const done = await waitFor(
        async () => {
          const p = await progress();
          return p.status === 'done' ? p : undefined;
        },
        120_000,
        'import resumed and done',
      );
      expect(done).toEqual({ processed: 400, succeeded: 400, failed: 0, status: 'done' });
      const [{ n, people }] = await t.db.query(`SELECT count(*)::int AS n, count(DISTINCT person_id)::int AS people FROM inflow WHERE import_id = $1`, [id]);
      expect({ n, people }).toEqual({ n: 400, people: 400 });
    } finally {
      first?.kill('SIGKILL');
      second?.kill('SIGTERM');
      await t.owner.query(`DROP TRIGGER IF EXISTS test_slow_import ON inflow`);
    }
  }, 240_000);
});
