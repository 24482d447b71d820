import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadDemoCases } from '@/cli/demo-cases';
import { freezeDemoMonths } from '@/cli/demo-assessments';
import { DEMO_PASSWORD, DemoLogin, loadDemoData } from '@/cli/demo-data';
import { loadDemoDeclarations } from '@/cli/demo-declarations';
import { startTestApp, TestApp } from './support/app';

// The demo (npm run demo) must show supervisors something: a year of history with every state in every indicator,
// and children that differ. It runs on a database of its own, copied from the test template, so its people and
// accounts never meet another test's counts.

interface Flow {
  onTime: number;
  late: number;
  overdue: number;
  pending: number;
  denominator: number;
  rate: number | null;
}
interface Report {
  submission: Flow;
  feedback: Flow;
  effectiveContact: { numerator: number; denominator: number; rate: number | null };
  children: Report[];
}

const DATABASE = 'liudong_test_demo';

describe('demo data (npm run demo)', () => {
  let t: TestApp;
  let logins: DemoLogin[];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const base = new URL(process.env.LIUDONG_TEST_DATABASE_URL as string);
    const admin = new Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE} TEMPLATE liudong_test_template`);
    await admin.end();
    base.pathname = `/${DATABASE}`;
    t = await startTestApp({ DATABASE_URL: base.toString(), REDIS_PREFIX: 'demo-test' }, 'api');
    logins = await loadDemoData(t.config.databaseUrl);
    const result = await loadDemoCases(t.config, logins, 1000);
    expect(result.created).toBeGreaterThan(900);
    expect(result.certificates).toBeGreaterThan(20);
    expect(result.outflows).toBeGreaterThan(150);
    for (const username of ['hubei_sup', 'guangshui_sup', 'quzhou_sup', 'yangzhai']) tokens[username] = await t.token(username, DEMO_PASSWORD);
  }, 240_000);
  afterAll(() => t?.close());

  const rates = async (username: string, jurisdiction: string): Promise<Report> => {
    const res = await t
      .http()
      .get('/api/rates')
      .query({ jurisdiction, from: new Date(Date.now() - 366 * 86_400_000).toISOString().slice(0, 10) })
      .set('Authorization', `Bearer ${tokens[username]}`);
    expect(res.status).toBe(200);
    return res.body as Report;
  };

  it.each([
    ['hubei_sup', '420000000000'],
    ['guangshui_sup', '421381000000'],
    ['quzhou_sup', '330800000000'],
  ])('%s sees every state in each indicator of %s, and children that differ', async (username, code) => {
    const report = await rates(username, code);
    for (const flow of [report.submission, report.feedback]) {
      expect(flow.onTime).toBeGreaterThan(0);
      expect(flow.late).toBeGreaterThan(0);
      expect(flow.overdue).toBeGreaterThan(0);
      expect(flow.rate).toBeGreaterThan(0.3);
      expect(flow.rate).toBeLessThan(1);
    }
    expect(report.submission.pending + report.feedback.pending).toBeGreaterThan(0);
    expect(report.effectiveContact.denominator).toBeGreaterThan(report.effectiveContact.numerator);
    expect(report.effectiveContact.numerator).toBeGreaterThan(0);
    const feedbackRates = report.children.map((c) => c.feedback.rate).filter((r): r is number => r !== null);
    expect(new Set(feedbackRates).size).toBeGreaterThan(1);
  });

  it('freezes the closed months of the year for each supervisor: eleven or more months and a ranking at once', async () => {
    const frozen = await freezeDemoMonths(t.config, logins);
    expect(frozen.months).toBeGreaterThanOrEqual(33);
    const auth = (username: string) => ({ Authorization: `Bearer ${tokens[username]}` });
    const months = (await t.http().get('/api/assessments/months').set(auth('hubei_sup')).expect(200)).body.months;
    expect(months.filter((m: { frozenAt: string | null }) => m.frozenAt).length).toBeGreaterThanOrEqual(11);
    const latest = (await t.http().get('/api/assessments').query({ month: months[0].month }).set(auth('hubei_sup')).expect(200)).body;
    const ranked = latest.children.filter((c: { ranks: { overall: number } | null; feedback: { rate: number | null } }) => c.ranks && c.feedback.rate !== null);
    expect(ranked.length).toBeGreaterThan(0);
    // 广水's supervisor confirmed its older months: 随州's table says so for them, and not for the latest.
    const older = (await t.http().get('/api/assessments').query({ jurisdiction: '421300000000', month: months[3].month }).set(auth('hubei_sup')).expect(200))
      .body;
    expect(older.children.find((c: { jurisdiction: { code: string } }) => c.jurisdiction.code === '421381000000').confirmation).toMatchObject({
      note: '已逐项核对',
    });
    const newest = (await t.http().get('/api/assessments').query({ jurisdiction: '421300000000', month: months[0].month }).set(auth('hubei_sup')).expect(200))
      .body;
    expect(newest.children.find((c: { jurisdiction: { code: string } }) => c.jurisdiction.code === '421381000000').confirmation).toBeNull();
    // Run again (npm run demo a second time): nothing new.
    expect((await freezeDemoMonths(t.config, logins)).confirmed).toBe(0);
  }, 120_000);

  it('spreads the history over the past year (the trend has most months filled)', async () => {
    const from = new Date(Date.now() - 330 * 86_400_000).toISOString().slice(0, 10);
    const res = await t
      .http()
      .get('/api/rates/trend')
      .query({ jurisdiction: '420000000000', from })
      .set('Authorization', `Bearer ${tokens.hubei_sup}`)
      .expect(200);
    const filled = res.body.points.filter((p: { submission: Flow; feedback: Flow }) => p.submission.denominator > 0 && p.feedback.denominator > 0);
    expect(filled.length).toBeGreaterThanOrEqual(9);
  });

  it("has the README's logins right: every account of its table signs in with the password it states", async () => {
    const root = join(__dirname, '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const password = /Every demo account's password is `([^`]+)`/.exec(readme)?.[1];
    expect(password).toBe(DEMO_PASSWORD);
    // The national admin the README names is the one scripts/demo.js has setup create.
    const admin = /the national admin `([^`]+)` \/ `([^`]+)`/.exec(readme);
    const demoScript = readFileSync(join(root, 'scripts', 'demo.js'), 'utf8');
    expect(demoScript).toContain(`BOOTSTRAP_ADMIN_USERNAME || '${admin?.[1]}'`);
    expect(demoScript).toContain(`BOOTSTRAP_ADMIN_PASSWORD || '${admin?.[2]}'`);
    const table = readme.slice(readme.indexOf('| username | role |')).split('\n\n')[0];
    const rows = table.split('\n').slice(2);
    const named = rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1])).filter((n) => n !== admin?.[2]);
    expect([...named].sort()).toEqual([...logins.map((l) => l.username), admin?.[1]].sort());
    expect(rows.find((row) => row.includes(`\`${admin?.[1]}\``))).toContain(`password \`${admin?.[2]}\``);
    for (const login of logins) {
      const res = await t.http().post('/api/auth/login').send({ username: login.username, password });
      expect([login.username, res.status]).toEqual([login.username, 200]);
    }
  });

  // Issue 31: every demo community has a grid worker with declarations waiting, one of them on the clerk's 待办.
  it("gives each community's grid worker pending declarations its clerk reviews", async () => {
    const collectors = logins.filter((l) => l.role === 'collector');
    expect(collectors.map((l) => l.username).sort()).toEqual(
      ['guangshui_shequ_wg', 'quzhou_kecheng_wg', 'wuhan_jianghan_wg', 'wuxi_liangxi_wg', 'zhengzhou_jinshui_wg'].sort(),
    );
    expect(
      await loadDemoDeclarations(
        t.config,
        collectors.map((l) => l.username),
      ),
    ).toBe(15);
    const mine = await t
      .http()
      .get('/api/declarations?status=pending')
      .set('Authorization', `Bearer ${await t.token('quzhou_kecheng_wg', DEMO_PASSWORD)}`);
    expect(mine.body.total).toBe(3);
    const clerk = `Bearer ${await t.token('quzhou_kecheng', DEMO_PASSWORD)}`;
    expect((await t.http().get('/api/declarations?status=pending').set('Authorization', clerk)).body.total).toBe(3);
    const work = await t.http().get('/api/worklist').set('Authorization', clerk).expect(200);
    expect((work.body.items as { kind: string }[]).filter((i) => i.kind === 'declaration')).toHaveLength(1);
  });

  it('gives an origin clerk an inbox with answered, overdue and open items', async () => {
    const res = await t.http().get('/api/exchanges/inbox?pageSize=100').set('Authorization', `Bearer ${tokens.yangzhai}`).expect(200);
    expect(res.body.total).toBeGreaterThan(20);
    const statuses = new Set(
      (
        await Promise.all(
          ['replied', 'overdue', 'delivered'].map(async (status) =>
            (await t.http().get(`/api/exchanges/inbox?status=${status}`).set('Authorization', `Bearer ${tokens.yangzhai}`)).body.total > 0 ? status : null,
          ),
        )
      ).filter(Boolean),
    );
    expect([...statuses].sort()).toEqual(['delivered', 'overdue', 'replied']);
  });
});
