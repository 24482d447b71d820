import ExcelJS from 'exceljs';
import { startTestApp, TestApp } from './support/app';
import { daysAgo, staffAt } from './support/people';
import { D, D_COUNTY, D_TOWNSHIP, O, O_COUNTY, O_VILLAGES, registerAtD, workedExample } from './support/rates-example';
import type { FlowFigure } from '@/modules/rates/rate-math';
import type { RateRow } from '@/modules/rates/rates.service';

// The worked example of rates.md, with every time limit set to 2 seconds. Nothing else in the test suite touches
// these jurisdictions, so the counts are exactly the example's.
const MONTH_END_DEST = '610113002001'; // 翠华北路社区: the 23:30 registration

describe('rates (考核指标): the worked example of rates.md', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  let destSupervisor: string;
  let originSupervisor: string;
  let admin: string;
  let notices: { id: string; deliveredAt: string }[];
  let beforeReplies: string;
  let afterFirstRegistrations: string;
  let T: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const register = (token: string, householdCode: string, extra: Record<string, unknown> = {}) => registerAtD(t, token, householdCode, extra);

  function rates(token: string, query: Record<string, string>) {
    return t.http().get('/api/rates').query(query).set(auth(token));
  }

  beforeAll(async () => {
    t = await startTestApp({ SUBMISSION_TIME_LIMIT: 'PT2S', REPLY_TIME_LIMIT: 'PT2S', REPLY_TIME_LIMIT_URGENT: 'PT2S' });
    ({ dest, origin, destSupervisor, originSupervisor, admin, notices, beforeReplies, afterFirstRegistrations, T } = await workedExample(t));
  }, 60_000);
  afterAll(() => t.close());

  it('counts submission for D as onTime 2, late 1, overdue 0 → 2/3', async () => {
    const res = await rates(dest, { jurisdiction: D, asOf: T }).expect(200);
    expect(res.body.jurisdiction).toMatchObject({ code: D, level: 'village' });
    expect(res.body.submission).toEqual({
      onTime: 2,
      late: 1,
      overdue: 0,
      pending: 0,
      numerator: 2,
      denominator: 3,
      rate: 0.6667,
      target: 0.9,
      meetsTarget: false,
    });
    expect(res.body.children).toEqual([]);
  });

  it('counts feedback for O as onTime 1, late 1, overdue 1 → 1/3, and effective contact 3/4', async () => {
    const res = await rates(origin, { jurisdiction: O, asOf: T }).expect(200);
    expect(res.body.feedback).toEqual({
      onTime: 1,
      late: 1,
      overdue: 1,
      pending: 0,
      numerator: 1,
      denominator: 3,
      rate: 0.3333,
      target: 0.9,
      meetsTarget: false,
    });
    expect(res.body.effectiveContact).toEqual({ numerator: 3, denominator: 4, rate: 0.75, target: 0.9, meetsTarget: false });
    // The origin registered nobody arriving, so it has no submission items of its own.
    expect(res.body.submission).toMatchObject({ numerator: 0, denominator: 0, rate: null, meetsTarget: null });
  });

  it('gives the same answer with the default as-of instant (now), once nothing more is due', async () => {
    const res = await rates(origin, { jurisdiction: O }).expect(200);
    expect(res.body.feedback).toMatchObject({ onTime: 1, late: 1, overdue: 1, pending: 0 });
    expect(Date.parse(res.body.asOf)).toBeGreaterThanOrEqual(Date.parse(T));
  });

  it('rolls up: children add up exactly to the parent, up to the province', async () => {
    for (const [token, code] of [
      [originSupervisor, O_COUNTY],
      [origin, O],
      [destSupervisor, D_COUNTY],
      [admin, '620000000000'],
    ] as const) {
      const res = await rates(token, { jurisdiction: code, asOf: T }).expect(200);
      const children = res.body.children as RateRow[];
      expect(children.length).toBeGreaterThan(0);
      for (const indicator of ['submission', 'feedback'] as const) {
        for (const state of ['onTime', 'late', 'overdue', 'pending'] as const) {
          expect(children.reduce((sum, c) => sum + c[indicator][state], 0)).toBe(res.body[indicator][state]);
        }
      }
      for (const part of ['numerator', 'denominator'] as const) {
        expect(children.reduce((sum, c) => sum + c.effectiveContact[part], 0)).toBe(res.body.effectiveContact[part]);
      }
    }
    const county = (await rates(originSupervisor, { jurisdiction: O_COUNTY, asOf: T }).expect(200)).body;
    expect(county.feedback).toMatchObject({ onTime: 1, late: 1, overdue: 1 });
    const township = (county.children as RateRow[]).find((c) => c.jurisdiction.code === O) as RateRow;
    expect(township.feedback).toMatchObject({ onTime: 1, late: 1, overdue: 1, rate: 0.3333 });
    expect(township.effectiveContact).toMatchObject({ numerator: 3, denominator: 4 });
    // Each notice is counted under the village it was addressed to.
    const villages = (await rates(origin, { jurisdiction: O, asOf: T }).expect(200)).body.children as RateRow[];
    expect(
      villages
        .filter((v) => v.feedback.denominator + v.feedback.pending > 0)
        .map((v) => v.jurisdiction.code)
        .sort(),
    ).toEqual(O_VILLAGES);
    const destCounty = (await rates(destSupervisor, { jurisdiction: D_COUNTY, asOf: T }).expect(200)).body;
    expect((destCounty.children as RateRow[]).find((c) => c.jurisdiction.code === D_TOWNSHIP)?.submission).toMatchObject({ onTime: 2, late: 1 });
  });

  it('counts what happened after asOf as not done: replies and the late submission are not there yet', async () => {
    const feedback = (await rates(origin, { jurisdiction: O, asOf: beforeReplies }).expect(200)).body.feedback;
    // Two notices delivered and still within their limit; the third not even sent.
    expect(feedback).toMatchObject({ onTime: 0, late: 0, overdue: 0, pending: 2, denominator: 0, rate: null });
    const submission = (await rates(dest, { jurisdiction: D, asOf: afterFirstRegistrations }).expect(200)).body.submission;
    expect(submission).toMatchObject({ onTime: 2, late: 0, overdue: 0, pending: 1, rate: 1 });
    const before = (await rates(origin, { jurisdiction: O, asOf: '2020-01-01T00:00:00+08:00', from: '2019-01-01', to: daysAgo(0) }).expect(200)).body;
    expect(before.feedback).toMatchObject({ onTime: 0, late: 0, overdue: 0, pending: 0 });
    expect(before.effectiveContact).toMatchObject({ numerator: 0, denominator: 0, rate: null });
  });

  it('drills down to exactly the overdue item, masked', async () => {
    const res = await t
      .http()
      .get('/api/rates/items')
      .query({ jurisdiction: O, indicator: 'feedback', state: 'overdue', asOf: T })
      .set(auth(originSupervisor))
      .expect(200);
    expect(res.body.total).toBe(1);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ id: notices[2].id, type: 'inflow_notice', state: 'overdue', indicator: 'feedback' });
    expect(res.body.items[0].person.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    // The place it is counted at, by its full name (the addressee township of the origin).
    expect(res.body.items[0]).toMatchObject({
      jurisdictionCode: expect.stringMatching(/^622921100/),
      jurisdictionName: expect.stringMatching(/^甘肃省临夏回族自治州临夏县韩集镇/),
    });
    const late = await t.http().get('/api/rates/items').query({ jurisdiction: D, indicator: 'submission', state: 'late', asOf: T }).set(auth(dest)).expect(200);
    expect(late.body.items.map((i: { state: string }) => i.state)).toEqual(['late']);
    const unlinked = await t
      .http()
      .get('/api/rates/items')
      .query({ jurisdiction: O, indicator: 'effectiveContact', state: 'none', asOf: T })
      .set(auth(origin))
      .expect(200);
    expect(unlinked.body).toMatchObject({ total: 1 });
    expect(unlinked.body.items[0].person.name).toBe('马刚');
  });

  it('refuses a jurisdiction outside the caller’s subtree (403) and bad parameters by name (400)', async () => {
    const outside = await rates(destSupervisor, { jurisdiction: O }).expect(403);
    expect(outside.body.code).toBeDefined();
    await rates(originSupervisor, { jurisdiction: '620000000000' }).expect(403);
    await t.http().get('/api/rates/items').query({ jurisdiction: O, indicator: 'feedback' }).set(auth(destSupervisor)).expect(403);
    await t.http().get('/api/rates').expect(401);
    for (const [query, field] of [
      [{ jurisdiction: 'abc' }, 'jurisdiction'],
      [{ from: '2026-02-30' }, 'from'],
      [{ from: '2026-05-01', to: '2026-04-01' }, 'from'],
      [{ asOf: 'yesterday' }, 'asOf'],
      [{ asOf: '2999-01-01T00:00:00Z' }, 'asOf'],
    ] as [Record<string, string>, string][]) {
      const res = await rates(origin, { jurisdiction: O, ...query }).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    // In the words of the form's labels (console.md), never a parameter's name.
    const reversed = await rates(origin, { jurisdiction: O, from: '2026-05-01', to: '2026-04-01' }).expect(400);
    expect(reversed.body.details).toEqual([{ field: 'from', message: '开始日期不能晚于结束日期' }]);
    await t.http().get('/api/rates/items').query({ jurisdiction: O, state: 'later' }).set(auth(origin)).expect(400);
  });

  it('exports one row per child with all counts, as CSV and XLSX with Chinese headers', async () => {
    const report = (await rates(origin, { jurisdiction: O, asOf: T }).expect(200)).body;
    const csv = await t
      .http()
      .get('/api/rates/export')
      .query({ jurisdiction: O, asOf: T, format: 'csv' })
      .set(auth(origin))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const text = (csv.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text
      .slice(1)
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const header = lines[0];
    expect(header.slice(0, 3)).toEqual(['行政区划代码', '名称', '层级']);
    expect(header).toContain('反馈-逾期未办');
    const rows = lines.slice(1);
    expect(rows).toHaveLength(report.children.length + 1);
    const col = (name: string) => header.indexOf(name);
    for (const child of report.children as RateRow[]) {
      const line = rows.find((r) => r[0] === child.jurisdiction.code) as string[];
      expect(line[1]).toBe(child.jurisdiction.name);
      expect(Number(line[col('反馈-按时')])).toBe(child.feedback.onTime);
      expect(Number(line[col('反馈-超时完成')])).toBe(child.feedback.late);
      expect(Number(line[col('反馈-逾期未办')])).toBe(child.feedback.overdue);
      expect(Number(line[col('信息提交-分母')])).toBe(child.submission.denominator);
      expect(Number(line[col('有效联系-分母')])).toBe(child.effectiveContact.denominator);
    }
    const total = rows[rows.length - 1];
    expect(total[0]).toBe(O);
    expect([total[col('反馈-按时')], total[col('反馈-超时完成')], total[col('反馈-逾期未办')], total[col('反馈率')]]).toEqual(['1', '1', '1', '0.3333']);

    const xlsx = await t
      .http()
      .get('/api/rates/export')
      .query({ jurisdiction: O, asOf: T, format: 'xlsx' })
      .set(auth(origin))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ExcelJS.Buffer);
    const sheet = book.worksheets[0];
    // The title's time is Beijing time as people read it, not an ISO instant.
    const shanghai = new Date(Date.parse(T) + 8 * 3600_000).toISOString();
    expect(sheet.getCell('A1').value).toBe(
      `${report.jurisdiction.name} 考核指标 统计期 ${report.from} 至 ${report.to}，截至 ${shanghai.slice(0, 10)} ${shanghai.slice(11, 16)}（北京时间）`,
    );
    const xHeader = (sheet.getRow(2).values as unknown[]).slice(1);
    expect(xHeader).toEqual(header);
    const xRows = [];
    for (let r = 3; r <= sheet.rowCount; r++) xRows.push((sheet.getRow(r).values as unknown[]).slice(1));
    expect(xRows).toHaveLength(report.children.length + 1);
    const xTotal = xRows[xRows.length - 1];
    expect([
      xTotal[header.indexOf('反馈-按时')],
      xTotal[header.indexOf('反馈-逾期未办')],
      xTotal[header.indexOf('有效联系-分子')],
      xTotal[header.indexOf('有效联系-分母')],
    ]).toEqual([1, 1, 3, 4]);
  });

  it('puts a registration at 23:30 Shanghai time on the last day of a month in that month', async () => {
    const token = await staffAt(t, MONTH_END_DEST);
    const reg = await register(token, '622922100002', { destinationCode: MONTH_END_DEST }).expect(201);
    // 2026-10-31 23:30 in Shanghai is 15:30 UTC: still October there, already past midnight nowhere near.
    await t.db.query(
      `UPDATE inflow SET registered_at = '2026-10-31T15:30:00Z', submitted_at = '2026-10-31T15:31:00Z', submission_due_at = '2026-11-15T15:30:00Z'
        WHERE id = $1`,
      [reg.body.id],
    );
    const october = (await rates(token, { jurisdiction: MONTH_END_DEST, from: '2026-10-01', to: '2026-10-31' }).expect(200)).body;
    expect(october.submission).toMatchObject({ onTime: 1, denominator: 1 });
    const november = (await rates(token, { jurisdiction: MONTH_END_DEST, from: '2026-11-01', to: '2026-11-30' }).expect(200)).body;
    expect(november.submission).toMatchObject({ onTime: 0, late: 0, overdue: 0, pending: 0 });
    const trend = await t
      .http()
      .get('/api/rates/trend')
      .query({ jurisdiction: MONTH_END_DEST, from: '2026-09-01', to: '2026-11-30' })
      .set(auth(token))
      .expect(200);
    const byMonth = Object.fromEntries(trend.body.points.map((p: { period: string; submission: FlowFigure }) => [p.period, p.submission.onTime]));
    expect(byMonth).toMatchObject({ '2026-09': 0, '2026-10': 1, '2026-11': 0 });
  });

  it('applies targets set by an admin to the jurisdiction and everything below it', async () => {
    await t.http().put(`/api/rates/targets/${O_COUNTY}`).set(auth(admin)).send({ feedback: 0.3, effectiveContact: 0.75 }).expect(200);
    const res = (await rates(origin, { jurisdiction: O, asOf: T }).expect(200)).body;
    expect(res.feedback).toMatchObject({ target: 0.3, meetsTarget: true });
    expect(res.effectiveContact).toMatchObject({ target: 0.75, meetsTarget: true });
    expect(res.submission.target).toBe(0.9);
    await t.http().put(`/api/rates/targets/${O_COUNTY}`).set(auth(originSupervisor)).send({ feedback: 0.5 }).expect(403);
    await t.http().put(`/api/rates/targets/${O_COUNTY}`).set(auth(admin)).send({ feedback: 1.5 }).expect(400);
    await t.http().put(`/api/rates/targets/${O_COUNTY}`).set(auth(admin)).send({}).expect(200);
    expect((await rates(origin, { jurisdiction: O, asOf: T }).expect(200)).body.feedback.target).toBe(0.9);
  });

  it('gives the same answer call after call on one connection (the report is a prepared statement)', async () => {
    // After five calls PostgreSQL may switch a prepared statement to a generic plan; the service's connections
    // forbid it (at 1 M inflows the generic plan of the report took 2 s instead of 10 ms).
    const [{ plan_cache_mode: mode }] = await t.db.query(`SHOW plan_cache_mode`);
    expect(mode).toBe('force_custom_plan');
    const first = (await rates(admin, { jurisdiction: '620000000000', asOf: T }).expect(200)).body;
    expect(first.effectiveContact.denominator).toBeGreaterThan(0);
    for (let i = 0; i < 7; i++) {
      expect((await rates(admin, { jurisdiction: '620000000000', asOf: T }).expect(200)).body).toEqual(first);
    }
  });
});
