import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runSetup } from '@/cli/setup';
import { loadConfig } from '@/config/config';
import { startTestApp, TestApp, waitFor } from './support/app';
import { BOOTSTRAP_ADMIN } from './support/env';
import { account, newIdNumber, PASSWORD } from './support/people';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';

import { startStack } from '../scripts/local-stack';
import { startReplica, startRedisCluster } from '../scripts/scale-stack';

const ORIGIN = '421381101000'; // 杨寨镇
const REGISTRATIONS = 240;

/**
 * The short scale-out drill (issue 18; the full one with kills is bench/scale-drill.sh): its own PostgreSQL primary
 * with a streaming replica, a 6-node Redis Cluster, two API instances and two worker instances, each with its own
 * pools, connections and caches as separate processes would have.
 */
describe('scale-out: API and workers on a Redis Cluster, dashboards on a streaming replica', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liudong-scale-'));
  let stack: Awaited<ReturnType<typeof startStack>>;
  let replica: Awaited<ReturnType<typeof startReplica>>;
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  const apis: TestApp[] = [];
  const workers: TestApp[] = [];
  let primaryOnly: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack({ dir: join(dir, 'stack'), persistent: false, redis: false, log: () => undefined });
    cluster = await startRedisCluster({ dir: join(dir, 'cluster') });
    await runSetup(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: stack.databaseUrl,
        REDIS_URL: cluster.url,
        BOOTSTRAP_ADMIN_USERNAME: BOOTSTRAP_ADMIN.username,
        BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
      }),
    );
    replica = await startReplica({ pgData: stack.pgData, pgPort: stack.pgPort, dir });
    env = { DATABASE_URL: stack.databaseUrl, DATABASE_READ_URL: replica.url, REDIS_URL: cluster.url, REDIS_PREFIX: 'scale', RELAY_STALE: 'PT2S' };
    for (let i = 0; i < 2; i++) apis.push(await startTestApp(env, 'api'));
    for (let i = 0; i < 2; i++) workers.push(await startTestApp(env, 'worker'));
    // The same service without the replica: what the primary says.
    primaryOnly = await startTestApp({ ...env, DATABASE_READ_URL: '' }, 'api');
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([...apis, ...workers, primaryOnly].filter(Boolean).map((t) => t.close()));
    await Promise.allSettled([replica?.stop(), cluster?.stop(), stack?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const login = async (t: TestApp, username: string) => {
    const res = await t.http().post('/api/auth/login').send({ username, password: PASSWORD });
    expect(res.status).toBe(200);
    return res.body.accessToken as string;
  };

  it('reports the cluster and the replica in health', async () => {
    const health = await waitFor(
      async () => {
        const res = await apis[0].http().get('/api/health');
        // Gossip may take a moment to tell every node of every other after the cluster forms.
        return res.status === 200 && res.body.replica?.serving && res.body.redisCluster?.knownNodes === 6 ? res.body : undefined;
      },
      30_000,
      'replica serving and every cluster node known',
    );
    expect(health).toMatchObject({
      status: 'ok',
      db: 'up',
      redis: 'up',
      redisCluster: { state: 'ok', masters: 3, knownNodes: 6 },
      replica: { status: 'up', serving: true },
    });
    expect(health.replica.lagMs).toBeLessThanOrEqual(10_000);
  });

  it('registers across both API instances; every notice reaches the origin inbox exactly once; the replica rates equal the primary', async () => {
    const destStaff = await account(apis[0], QUZHOU_COMMUNITY);
    const originStaff = await account(apis[0], ORIGIN);
    const supervisor = await account(apis[0], '330000000000', { role: 'supervisor' });
    const tokens = await Promise.all(apis.map((t) => login(t, destStaff)));
    const ids: string[] = [];
    for (let i = 0; i < REGISTRATIONS; i += 12) {
      const batch = await Promise.all(
        Array.from({ length: 12 }, (_, j) => {
          const k = (i + j) % 2;
          return apis[k]
            .http()
            .post('/api/inflows')
            .set('Authorization', `Bearer ${tokens[k]}`)
            .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '扩展测试' }, '2026-01-05'));
        }),
      );
      for (const res of batch) {
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
    }
    const db = apis[0].db;
    const notices = await waitFor(
      async () => {
        const rows: { inflow_id: string; n: number; delivered: number }[] = await db.query(
          `SELECT payload->>'inflowId' AS inflow_id, count(*)::int AS n, count(*) FILTER (WHERE status = 'delivered')::int AS delivered
           FROM exchange WHERE type = 'inflow_notice' AND payload->>'inflowId' = ANY($1) GROUP BY 1`,
          [ids],
        );
        return rows.length === ids.length && rows.every((r) => r.delivered === 1) ? rows : undefined;
      },
      60_000,
      'every notice delivered',
    );
    expect({ lost: ids.length - notices.length, doubled: notices.filter((r) => r.n > 1).length }).toEqual({ lost: 0, doubled: 0 });

    // The origin clerk, on the other API instance, sees each notice once in the inbox.
    const originToken = await login(apis[1], originStaff);
    const inbox: string[] = [];
    for (let page = 1; ; page++) {
      const res = await apis[1]
        .http()
        .get(`/api/exchanges/inbox?type=inflow_notice&pageSize=100&page=${page}`)
        .set('Authorization', `Bearer ${originToken}`)
        .expect(200);
      inbox.push(...res.body.items.map((e: { payload: { inflowId: string } }) => e.payload.inflowId));
      if (res.body.items.length < 100) break;
    }
    expect(inbox.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());

    // Rates for 浙江 read on the replica (once it has replayed everything) equal the primary's, at the same instant.
    const asOf = new Date().toISOString();
    const query = `/api/rates?jurisdiction=330000000000&asOf=${encodeURIComponent(asOf)}`;
    const [viaReplica, viaPrimary] = [await login(apis[1], supervisor), await login(primaryOnly, supervisor)];
    const [fromReplica, fromPrimary] = await waitFor(
      async () => {
        const health = await apis[1].http().get('/api/health');
        if (!health.body.replica?.serving || health.body.replica.lagMs !== 0) return undefined;
        const a = await apis[1].http().get(query).set('Authorization', `Bearer ${viaReplica}`).expect(200);
        const b = await primaryOnly.http().get(query).set('Authorization', `Bearer ${viaPrimary}`).expect(200);
        return JSON.stringify(a.body) === JSON.stringify(b.body) ? [a.body, b.body] : undefined;
      },
      30_000,
      'replica rates equal to the primary',
    );
    expect(fromReplica).toEqual(fromPrimary);
    expect(fromReplica.submission.denominator).toBeGreaterThanOrEqual(REGISTRATIONS);
  }, 180_000);

  it('counts login failures across API instances, and a deactivated account is refused by every instance at once', async () => {
    const username = await account(apis[0], QUZHOU_COMMUNITY);
    // 10 wrong passwords per account and minute, shared: alternate instances, the 11th try is refused on either.
    for (let i = 0; i < 10; i++) {
      const res = await apis[i % 2].http().post('/api/auth/login').send({ username, password: 'wrong-password-1' });
      expect(res.status).toBe(401);
    }
    for (const t of apis) expect((await t.http().post('/api/auth/login').send({ username, password: 'wrong-password-1' })).status).toBe(429);

    const other = await account(apis[0], QUZHOU_COMMUNITY);
    const token = await login(apis[1], other);
    await apis[1].http().get('/api/inflows').set('Authorization', `Bearer ${token}`).expect(200);
    const [{ id }] = await apis[0].db.query(`SELECT id FROM app_user WHERE username = $1`, [other]);
    await apis[0]
      .http()
      .patch(`/api/users/${id}`)
      .set('Authorization', `Bearer ${await apis[0].token()}`)
      .send({ active: false })
      .expect(200);
    // apis[1] cached the account a moment ago; the change made on apis[0] reaches it through Redis.
    await waitFor(
      async () => (await apis[1].http().get('/api/inflows').set('Authorization', `Bearer ${token}`)).status === 401,
      2_000,
      'deactivation seen by the other instance',
    );
  });

  it('reads the dashboards from the primary while the replica lags past REPLICA_MAX_LAG or is down', async () => {
    const strict = await startTestApp({ ...env, REPLICA_MAX_LAG: 'PT1S' }, 'api');
    apis.push(strict); // closed with the others
    const supervisor = await account(strict, '330000000000', { role: 'supervisor' });
    const dest = await login(strict, await account(strict, QUZHOU_COMMUNITY));
    const [viaStrict, viaPrimary] = [await login(strict, supervisor), await login(primaryOnly, supervisor)];
    const rates = async (t: TestApp, token: string) =>
      (await t.http().get('/api/rates?jurisdiction=330000000000').set('Authorization', `Bearer ${token}`).expect(200)).body.submission.denominator as number;
    const replicaDb = new Client({ connectionString: replica.url });
    await replicaDb.connect();
    try {
      // The replica stops replaying what it receives; a registration made now is on the primary only.
      await replicaDb.query('SELECT pg_wal_replay_pause()');
      await strict
        .http()
        .post('/api/inflows')
        .set('Authorization', `Bearer ${dest}`)
        .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '延迟测试' }, '2026-01-05'))
        .expect(201);
      const lagging = await waitFor(
        async () => {
          const res = await strict.http().get('/api/health');
          return res.body.replica?.status === 'lagging' ? res.body.replica : undefined;
        },
        15_000,
        'replica reported lagging',
      );
      expect(lagging).toMatchObject({ serving: false });
      expect(lagging.lagMs).toBeGreaterThan(1_000);
      expect(await rates(strict, viaStrict)).toBe(await rates(primaryOnly, viaPrimary));
    } finally {
      await replicaDb.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
      await replicaDb.end();
    }

    await replica.stop();
    const down = await waitFor(
      async () => {
        const res = await strict.http().get('/api/health');
        return res.body.replica?.status === 'down' ? res.body : undefined;
      },
      15_000,
      'replica reported down',
    );
    // A missing replica is not an outage: health stays ok and the dashboards answer from the primary.
    expect(down).toMatchObject({ status: 'ok', replica: { serving: false } });
    expect(await rates(strict, viaStrict)).toBe(await rates(primaryOnly, viaPrimary));
  });
});
