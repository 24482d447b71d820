import { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { spawnWorkerProcess, startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { account, daysAgo, newIdNumber, PASSWORD } from './support/people';
import { freePort, PrivateRedis } from './support/private-redis';

// The daily digest (reminders.md): once per clerk per working day, whatever happens. Time moves by configuration
// only: DIGEST_TIME 00:00 (it is always past) and a HOLIDAYS_FILE that makes today a working day, whatever day the
// suite runs on. This file's own places: 兴航社区 (衢州 航埠镇) registers people of 广水市应山街道, whose two clerks owe
// the replies; 应山街道's county (广水市) has a supervisor, 随县 another.
const DEST = '330802101001';
const ORIGIN = '421381001000';
const ORIGIN_VILLAGE = '421381001001';
const COUNTY = '421381000000';
const OTHER_COUNTY = '421321000000';

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

interface Told {
  user_id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
}

describe('the daily digest (每日提醒) and the escalation (逾期上报)', () => {
  const redis = new PrivateRedis(0);
  let t: TestApp;
  let holidays: string;
  const workers: ChildProcess[] = [];
  const ids: Record<'clerk' | 'second' | 'idle' | 'supervisor' | 'otherSupervisor', string> = {} as never;

  const spawnWorker = () => {
    const worker = spawnWorkerProcess({
      DATABASE_URL: t.config.databaseUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'digest',
      DIGEST_TIME: '00:00',
      DIGEST_CHECK_EVERY: 'PT0.2S',
      ESCALATE_AFTER: 'P1D',
      HOLIDAYS_FILE: holidays,
    });
    workers.push(worker);
    return worker;
  };
  const kill = async (worker: ChildProcess) => {
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGKILL');
    await exited;
  };
  const told = async (): Promise<Told[]> =>
    t.db.query(
      `SELECT user_id, kind, title, body, link FROM notification
        WHERE user_id = ANY($1) AND kind IN ('overdue', 'due_soon', 'escalation') ORDER BY user_id, kind`,
      [Object.values(ids)],
    );
  const runs = async (): Promise<{ day: string; kind: string }[]> => t.db.query(`SELECT day::text, kind FROM digest_run ORDER BY kind`);

  beforeAll(async () => {
    Object.assign(redis, { port: await freePort() });
    await redis.start();
    holidays = join(mkdtempSync(join(tmpdir(), 'liudong-digest-')), 'holidays.json');
    writeFileSync(holidays, JSON.stringify({ holidays: [], workdays: [today()] }));
    t = await startTestApp();
    const make = (code: string, role: 'staff' | 'supervisor' = 'staff') => account(t, code, { role, displayName: '应山' });
    const names = {
      clerk: await make(ORIGIN),
      second: await make(ORIGIN_VILLAGE),
      idle: await make('421381400000'),
      supervisor: await make(COUNTY, 'supervisor'),
      otherSupervisor: await make(OTHER_COUNTY, 'supervisor'),
    };
    for (const [who, username] of Object.entries(names)) {
      ids[who as keyof typeof ids] = (await t.db.query(`SELECT id FROM app_user WHERE username = $1`, [username]))[0].id;
    }
    // Four notices to 应山街道's village: two overdue (one by three days), one due tomorrow, one in ten days.
    const dest = await t.token(await account(t, DEST), PASSWORD);
    const cases: string[] = [];
    for (const name of ['甲', '乙', '丙', '丁']) {
      const inflow = await registerInflow(
        t,
        dest,
        inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: `提醒${name}`, phone: '13800001111' }, daysAgo(2), {
          householdCode: ORIGIN_VILLAGE,
          destinationCode: DEST,
        }),
      );
      cases.push(inflow.caseId);
    }
    const notices = await waitFor(
      async () => {
        const rows: { id: string; case_id: string }[] = await t.db.query(
          `SELECT id, case_id FROM exchange WHERE case_id = ANY($1) AND status = 'delivered' AND needs_reply`,
          [cases],
        );
        return rows.length === 4 ? rows : undefined;
      },
      15_000,
      'four notices delivered',
    );
    const offsets = ['-3 days', '-2 hours', '+1 day', '+10 days'];
    for (const [i, c] of cases.entries()) {
      await t.db.query(`UPDATE exchange SET due_at = now() + $2::interval WHERE id = $1`, [notices.find((n) => n.case_id === c)!.id, offsets[i]]);
    }
    await t.db.query(`DELETE FROM digest_run`);
  }, 60_000);
  afterAll(async () => {
    for (const worker of workers) await kill(worker);
    await redis.stop();
    await t?.close();
  });

  it('sends one digest a day: a worker killed mid-run sends nothing, two workers started after DIGEST_TIME send it once', async () => {
    // The first worker is stopped in the middle of the run: the notifications wait on a lock this test holds, then
    // the process is killed. Nothing of its run may remain.
    const owner = new Client({ connectionString: t.config.databaseUrl });
    await owner.connect();
    await owner.query('BEGIN');
    await owner.query('LOCK TABLE notification IN EXCLUSIVE MODE');
    const first = spawnWorker();
    // (Inside a transaction the statistics views are a snapshot: cleared before each look.)
    await waitFor(
      async () => {
        await owner.query('SELECT pg_stat_clear_snapshot()');
        return (await owner.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO notification%'`)).rowCount === 1;
      },
      60_000,
      'the first worker blocked writing the digest',
    );
    await kill(first);
    await owner.query('ROLLBACK');
    await owner.end();
    expect(await told()).toEqual([]);
    expect(await runs()).toEqual([]);

    // The service was down at DIGEST_TIME; two workers come back the same day: the digest goes out, once.
    spawnWorker();
    spawnWorker();
    await waitFor(async () => (await runs()).length === 2, 60_000, 'the digest and the escalation run');
    await new Promise((r) => setTimeout(r, 1_500)); // several more looks by both workers
    expect(await runs()).toEqual([
      { day: today(), kind: 'digest' },
      { day: today(), kind: 'escalation' },
    ]);
    const sent = await told();
    const of = (who: keyof typeof ids) => sent.filter((n) => n.user_id === ids[who]).map(({ kind, title, link }) => ({ kind, title, link }));
    for (const clerk of ['clerk', 'second'] as const) {
      expect(of(clerk)).toEqual([
        { kind: 'due_soon', title: '1 条信息 3 天内到期', link: '/exchanges/inbox?tab=soon' },
        { kind: 'overdue', title: '2 条信息已逾期未反馈', link: '/exchanges/inbox?tab=overdue' },
      ]);
    }
    expect(of('idle')).toEqual([]);
    // 逾期上报: the county's supervisor hears of the item overdue by more than ESCALATE_AFTER (1 day), by township.
    expect(of('supervisor')).toEqual([
      { kind: 'escalation', title: '1 条信息逾期超过 1 天未反馈', link: `/rates/items?jurisdiction=${COUNTY}&indicator=feedback&state=overdue` },
    ]);
    expect(sent.find((n) => n.user_id === ids.supervisor)?.body).toContain('应山街道 1 条');
    expect(of('otherSupervisor')).toEqual([]);
    // Counts, places and times only: no name, number or phone of the people the items are about.
    for (const n of sent) for (const personal of ['提醒', '138000011']) expect(`${n.title}${n.body}${n.link}`).not.toContain(personal);
  }, 180_000);

  it('sends nothing again when Redis comes back without its memory', async () => {
    const before = await told();
    await redis.stop();
    await redis.start();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(workers.filter((w) => w.exitCode === null && w.signalCode === null)).toHaveLength(2);
    expect(await told()).toEqual(before);
    expect(await runs()).toHaveLength(2);
  }, 60_000);
});
