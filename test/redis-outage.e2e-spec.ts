import { ChildProcess } from 'node:child_process';
import { spawnWorkerProcess, startTestApp, TestApp, waitFor } from './support/app';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { inflowBody } from './support/builders';
import { freePort, PrivateRedis } from './support/private-redis';

const COMMUNITY = '330802005001'; // 衢州市柯城区 a community

/** Sends a request and how long the answer took. */
async function timed<T>(send: () => PromiseLike<T>): Promise<{ res: T; ms: number }> {
  const started = Date.now();
  const res = await send();
  return { res, ms: Date.now() - started };
}

describe('a Redis outage (issue 19): requests answer at once, the outbox delivers once Redis is back', () => {
  const redis = new PrivateRedis(0);
  let t: TestApp;
  let worker: ChildProcess | undefined;
  let dest: string;
  let origin: string;
  // A village no other test file writes to, so its inbox holds only this file's notices.
  let VILLAGE: string;
  const overrides = (url: string) => ({ REDIS_URL: url, REDIS_PREFIX: 'outage', RELAY_STALE: 'PT2S', WORKER_LOCK: 'PT2S', DELIVERY_BACKOFF: 'PT0.2S' });

  function registration(idNumber = newIdNumber({ sex: 'male' })) {
    return inflowBody({ idNumber, name: '陈杰' }, daysAgo(3), { householdCode: VILLAGE, destinationCode: COMMUNITY, address: '衢州市柯城区府山街道' });
  }

  /** The inflow notices of a registration in the origin's inbox, as the origin's clerk sees them. */
  async function inboxNotices(inflowId: string): Promise<number> {
    const res = await t.http().get('/api/exchanges/inbox?type=inflow_notice&pageSize=100').set('Authorization', `Bearer ${origin}`);
    expect(res.status).toBe(200);
    return (res.body.items as { payload: { inflowId: string } }[]).filter((e) => e.payload.inflowId === inflowId).length;
  }

  /** The worker as its own process, so the test sees whether it survives the outage. */
  const spawnWorker = (url: string): ChildProcess => spawnWorkerProcess({ DATABASE_URL: t.config.databaseUrl, ...overrides(url) });

  beforeAll(async () => {
    Object.assign(redis, { port: await freePort() });
    await redis.start();
    // The API alone in this process; deliveries are the worker process's.
    t = await startTestApp(overrides(redis.url), 'api');
    dest = await staffAt(t, COMMUNITY);
    [{ code: VILLAGE }] = await t.db.query(`SELECT code FROM jurisdiction WHERE level = 'village' AND code LIKE '421321%' ORDER BY random() LIMIT 1`);
    origin = await staffAt(t, VILLAGE);
    worker = spawnWorker(redis.url);
  }, 60_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await t?.close();
    await redis.stop();
  });

  it('answers registrations, replies and uploads within 2 s while Redis is down, and delivers each notice exactly once after', async () => {
    // Before the outage: a notice delivered to the origin, to be answered during it.
    const before = await t.http().post('/api/inflows').set('Authorization', `Bearer ${dest}`).send(registration());
    expect(before.status).toBe(201);
    await waitFor(async () => (await inboxNotices(before.body.id)) === 1, 60_000, 'the notice sent before the outage');
    const [toAnswer] = (await t.http().get('/api/exchanges/inbox?type=inflow_notice&pageSize=100').set('Authorization', `Bearer ${origin}`)).body.items.filter(
      (e: { payload: { inflowId: string } }) => e.payload.inflowId === before.body.id,
    );

    await redis.stop();

    const health = await timed(() => t.http().get('/api/health'));
    expect(health.res.status).toBe(503);
    expect(health.res.body).toMatchObject({ db: 'up', redis: 'down' });
    expect(health.ms).toBeLessThan(2_000);

    const during = await timed(() => t.http().post('/api/inflows').set('Authorization', `Bearer ${dest}`).send(registration()));
    expect(during.res.status).toBe(201);
    expect(during.ms).toBeLessThan(2_000);

    const reply = await timed(() =>
      t.http().post(`/api/exchanges/${toAnswer.id}/reply`).set('Authorization', `Bearer ${origin}`).send({ outcome: 'confirmed', note: '核实无误' }),
    );
    expect(reply.res.status).toBe(200);
    expect(reply.res.body.status).toBe('replied');
    expect(reply.ms).toBeLessThan(2_000);

    const csv = [
      'idNumber,name,householdCode,destinationCode,address,arrivalDate,reason,maritalStatus,contraception',
      `${newIdNumber({ sex: 'male' })},导入,${VILLAGE},${COMMUNITY},衢州市柯城区,${daysAgo(4)},work,unmarried,none`,
      '',
    ].join('\n');
    const upload = await timed(() =>
      t.http().post('/api/inflows/import').set('Authorization', `Bearer ${dest}`).attach('file', Buffer.from(csv), 'register.csv'),
    );
    expect(upload.res.status).toBe(202);
    expect(upload.ms).toBeLessThan(2_000);

    // Reads need only PostgreSQL.
    const list = await timed(() => t.http().get('/api/inflows?pageSize=5').set('Authorization', `Bearer ${dest}`));
    expect(list.res.status).toBe(200);
    expect(list.res.body.items.map((i: { id: string }) => i.id)).toContain(during.res.body.id);

    // The outage outlasts the reconnect backoff of a default client; the worker process rides it out.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(worker?.exitCode).toBeNull();
    await redis.start(); // empty: Redis lost whatever it held

    // The first request after Redis is back is not held up by a reconnect.
    const after = await timed(() => t.http().post('/api/inflows').set('Authorization', `Bearer ${dest}`).send(registration()));
    expect(after.res.status).toBe(201);
    expect(after.ms).toBeLessThan(2_000);

    for (const id of [during.res.body.id, after.res.body.id]) {
      await waitFor(async () => (await inboxNotices(id)) >= 1, 60_000, 'the notice committed during the outage in the inbox');
    }
    const importDone = await waitFor(
      async () => {
        const res = await t.http().get(`/api/imports/${upload.res.body.importId}`).set('Authorization', `Bearer ${dest}`);
        return res.body.status === 'done' ? res.body : undefined;
      },
      60_000,
      'the import accepted during the outage to finish',
    );
    expect(importDone).toMatchObject({ total: 1, succeeded: 1, failed: 0 });

    // Give a doubled delivery the time to show, then count once more: exactly one notice each.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await inboxNotices(during.res.body.id)).toBe(1);
    expect(await inboxNotices(after.res.body.id)).toBe(1);
    expect(await inboxNotices(before.body.id)).toBe(1);
    expect((await t.http().get('/api/health')).status).toBe(200);
    expect(worker?.exitCode).toBeNull();
  }, 180_000);
});
