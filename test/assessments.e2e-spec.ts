import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Response as SuperagentResponse } from 'superagent';
import { AssessmentFreezer } from '@/modules/assessments/assessment-freezer';
import { startTestApp, TestApp } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { settledExchanges } from './support/exchanges';
import { newIdNumber, staffAt } from './support/people';

// 月度考核 (assessment.md) against real PostgreSQL and Redis. Destination: 南宁市兴宁区 (two 街道); origin: 福州市鼓楼区.
// Items are moved into assessment month 2026-10 (2026-09-21 … 2026-10-20, cut-off 2026-10-21 00:00 Beijing) and
// 2026-11 by SQL, as a year of history would have put them there. Nothing else in the suite uses these places.
const CITY = '450100000000';
const COUNTY = '450102000000';
const T1 = '450102001000'; // 民生街道
const T1_VILLAGE = '450102001003';
const T2 = '450102002000'; // 朝阳街道
const T2_VILLAGE = '450102002001';
const ORIGIN_COUNTY = '350102000000';
const O1_VILLAGE = '350102001001'; // 鼓东街道
const O2_VILLAGE = '350102002002'; // 鼓西街道
const OCTOBER = { month: '2026-10', from: '2026-09-21', to: '2026-10-20', asOf: '2026-10-20T16:00:00.000Z' };

describe('monthly assessment (月度考核): frozen at the cut-off, ranked, confirmed, checked', () => {
  let t: TestApp;
  let citySup: string;
  let countySup: string;
  let originSup: string;
  let t1Clerk: string;
  let origin1: string;
  let t2Clerk: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const ids: Record<string, string> = {};
  const cases: Record<string, string> = {};

  const get = (token: string, path: string, query: Record<string, string> = {}) => t.http().get(path).query(query).set(auth(token));

  /** Registers a man from `household` at `village` (submitted unless `submit: false`), then moves him in time. */
  async function registered(key: string, token: string, village: string, household: string, at: string, opts: { submit?: boolean; dueDays?: number } = {}) {
    const body = inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '韦明' }, '2026-09-01', {
      householdCode: household,
      destinationCode: village,
      address: '南宁市兴宁区',
      ...(opts.submit === false ? { submit: false } : {}),
    });
    const reg = await registerInflow(t, token, body);
    ids[key] = reg.id;
    cases[key] = reg.caseId;
    const registeredAt = new Date(at);
    const due = new Date(registeredAt.getTime() + (opts.dueDays ?? 15) * 86_400_000);
    await t.db.query(
      `UPDATE inflow SET registered_at = $2, submission_due_at = $3,
              submitted_at = CASE WHEN submitted_at IS NULL THEN NULL ELSE $4::timestamptz END WHERE id = $1`,
      [reg.id, registeredAt, due, new Date(registeredAt.getTime() + 60_000)],
    );
  }

  /** Moves the inflow notice of a case into the past: delivered at `at`, due 10 days later. */
  async function noticeDelivered(key: string, at: string): Promise<string> {
    const [notice] = await settledExchanges(t, t2Clerk, cases[key], 1);
    const delivered = new Date(at);
    await t.db.query(`UPDATE exchange SET delivered_at = $2, due_at = $3 WHERE id = $1`, [
      notice.id,
      delivered,
      new Date(delivered.getTime() + 10 * 86_400_000),
    ]);
    return notice.id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    [citySup, countySup, originSup, t1Clerk, origin1] = await Promise.all([
      staffAt(t, CITY, 'supervisor'),
      staffAt(t, COUNTY, 'supervisor'),
      staffAt(t, ORIGIN_COUNTY, 'supervisor'),
      staffAt(t, T1_VILLAGE),
      staffAt(t, '350102001000'),
    ]);
    t2Clerk = await staffAt(t, T2_VILLAGE);
    // 民生街道: one submitted at 23:59 on the cut-off day (on time, October), one left a draft past its limit (overdue);
    // one at 00:00 the day after (November). 朝阳街道: two submitted on time, whose notices the origin owes a reply.
    await registered('lastMinute', t1Clerk, T1_VILLAGE, O1_VILLAGE, '2026-10-20T15:59:00Z');
    await registered('draft', t1Clerk, T1_VILLAGE, O1_VILLAGE, '2026-10-01T02:00:00Z', { submit: false, dueDays: 5 });
    await registered('nextDay', t1Clerk, T1_VILLAGE, O1_VILLAGE, '2026-10-20T16:00:00Z');
    await registered('d', t2Clerk, T2_VILLAGE, O1_VILLAGE, '2026-10-05T02:00:00Z');
    await registered('e', t2Clerk, T2_VILLAGE, O1_VILLAGE, '2026-10-06T02:00:00Z');
    ids.dNotice = await noticeDelivered('d', '2026-10-06T02:00:00Z');
    ids.eNotice = await noticeDelivered('e', '2026-10-07T02:00:00Z');
  }, 90_000);
  afterAll(() => t.close());

  it('freezes a month at its cut-off for every assessed jurisdiction, once, when the job runs (and catches up after downtime)', async () => {
    const freezer = t.app.get(AssessmentFreezer);
    // The service "began" just before November's cut-off and was down at it: the first look afterwards freezes November.
    const [{ since }] = await t.owner.query(`SELECT since FROM assessment_epoch`);
    await t.owner.query(`UPDATE assessment_epoch SET since = '2026-11-20T15:00:00Z'`);
    try {
      await freezer.runIfDue(new Date('2026-11-22T01:00:00Z'));
      const [run] = await t.db.query(`SELECT frozen FROM assessment_run WHERE month = '2026-11'`);
      const [{ assessed }] = await t.db.query(`SELECT count(*)::int AS assessed FROM jurisdiction WHERE level IN ('country', 'province', 'city', 'county')`);
      const [{ stored }] = await t.db.query(`SELECT count(*)::int AS stored FROM assessment WHERE month = '2026-11'`);
      expect(stored).toBe(assessed);
      expect(run.frozen).toBeLessThanOrEqual(assessed);
      // A second look, or another worker's, freezes nothing more.
      expect(await freezer.runIfDue(new Date('2026-11-22T01:05:00Z'))).toEqual([]);
      const november = (await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-11' }).expect(200)).body;
      expect(november).toMatchObject({ month: '2026-11', from: '2026-10-21', to: '2026-11-20', frozenLate: false });
      // The registration at 00:00 on the day after October's cut-off is November's.
      expect(november.submission).toMatchObject({ onTime: 1, late: 0, overdue: 0 });
    } finally {
      await t.owner.query(`UPDATE assessment_epoch SET since = $1`, [since]);
    }
  }, 120_000);

  it('stores October as GET /api/rates with its from, to and asOf gives it, with ranks, marked frozenLate', async () => {
    const res = await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200);
    const a = res.body;
    expect(a).toMatchObject({ ...OCTOBER, jurisdiction: { code: COUNTY, level: 'county' }, frozenLate: true, confirmation: null });
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    // 23:59 on the cut-off day counts in October: on time; the draft is overdue; 朝阳街道's two are on time.
    expect(a.submission).toMatchObject({ onTime: 3, late: 0, overdue: 1, numerator: 3, denominator: 4, rate: 0.75 });
    const rates = (await get(countySup, '/api/rates', { jurisdiction: COUNTY, from: OCTOBER.from, to: OCTOBER.to, asOf: OCTOBER.asOf }).expect(200)).body;
    for (const key of ['submission', 'feedback', 'effectiveContact']) expect(a[key]).toEqual(rates[key]);
    const strip = (c: Record<string, unknown>) => ({
      jurisdiction: c.jurisdiction,
      submission: c.submission,
      feedback: c.feedback,
      effectiveContact: c.effectiveContact,
    });
    expect(a.children.map(strip)).toEqual(rates.children.map(strip));
    const byCode = new Map(a.children.map((c: { jurisdiction: { code: string } }) => [c.jurisdiction.code, c]));
    // 朝阳街道 2/2 ranks first, 民生街道 1/2 second, every 街道 without items shares the rank after them.
    expect(byCode.get(T2)).toMatchObject({ submission: { rate: 1 }, ranks: { submission: 1 } });
    expect(byCode.get(T1)).toMatchObject({ submission: { rate: 0.5 }, ranks: { submission: 2 } });
    const empty = a.children.filter((c: { submission: { rate: number | null } }) => c.submission.rate === null);
    expect(empty.length).toBeGreaterThan(0);
    for (const c of empty) expect(c.ranks.submission).toBe(3);
    expect(a.overdueTownships[0]).toMatchObject({ jurisdiction: { code: T1 }, submission: 1, total: 1 });
    // Asked again: the same stored month, not a new computation.
    expect((await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200)).body).toEqual(a);
  });

  it('never changes a frozen month: a late reply, a corrected origin, a repair rebuilt with rate_rebuild', async () => {
    const before = (await get(originSup, '/api/assessments', { jurisdiction: ORIGIN_COUNTY, month: '2026-10' }).expect(200)).body;
    expect(before.feedback).toMatchObject({ overdue: 2, denominator: 2 });
    const countyBefore = (await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200)).body;

    // The origin answers one notice now, long after its limit.
    await t.http().post(`/api/exchanges/${ids.dNotice}/reply`).set(auth(origin1)).send({ outcome: 'confirmed' }).expect(200);
    // The destination corrects the other's 户籍地 to 鼓西街道: the notice to 鼓东街道 is withdrawn and sent again.
    await t.http().patch(`/api/inflows/${ids.e}`).set(auth(t2Clerk)).send({ householdCode: O2_VILLAGE }).expect(200);
    // A repair in SQL makes the overdue draft one submitted on time, and the roll-up is rebuilt from the raw rows.
    await t.owner.query(`UPDATE inflow SET status = 'active', submitted_at = registered_at + interval '1 hour' WHERE id = $1`, [ids.draft]);
    await t.owner.query(`SELECT rate_rebuild()`);

    // What GET /api/rates now says of October differs (the repair changed history) …
    const live = (await get(countySup, '/api/rates', { jurisdiction: COUNTY, from: OCTOBER.from, to: OCTOBER.to, asOf: OCTOBER.asOf }).expect(200)).body;
    expect(live.submission).toMatchObject({ onTime: 4, overdue: 0 });
    // … the frozen months do not.
    expect((await get(originSup, '/api/assessments', { jurisdiction: ORIGIN_COUNTY, month: '2026-10' }).expect(200)).body).toEqual(before);
    expect((await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200)).body).toEqual(countyBefore);
    // And the database refuses to change one behind the service's back.
    await expect(t.db.query(`UPDATE assessment SET body = jsonb_set(body, '{frozenLate}', 'false') WHERE id = $1`, [before.id])).rejects.toThrow(
      /never changes/,
    );
    await expect(t.db.query(`DELETE FROM assessment WHERE id = $1`, [before.id])).rejects.toThrow(/never deleted/);
  });

  it('answers 404 NOT_YET_DUE before the cut-off, and names the field of a bad month or place', async () => {
    const future = await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2099-01' }).expect(404);
    expect(future.body.code).toBe('NOT_YET_DUE');
    const bad = await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-13' }).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'month', message: '必须是月份（YYYY-MM）' })]);
    const township = await get(countySup, '/api/assessments', { jurisdiction: T1, month: '2026-10' }).expect(400);
    expect(township.body.details[0].field).toBe('jurisdiction');
    await get(countySup, '/api/assessments', { jurisdiction: ORIGIN_COUNTY, month: '2026-10' }).expect(403);
    await get(t1Clerk, '/api/assessments', { jurisdiction: T1, month: '2026-10' }).expect(403);
  });

  it('lets the county’s supervisor confirm once, and shows the city which counties confirmed', async () => {
    const a = (await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200)).body;
    await t.http().post(`/api/assessments/${a.id}/confirm`).set(auth(citySup)).send({}).expect(403);
    const confirmed = await t.http().post(`/api/assessments/${a.id}/confirm`).set(auth(countySup)).send({ note: '已核对' }).expect(200);
    expect(confirmed.body.confirmation).toMatchObject({ by: expect.any(String), note: '已核对' });
    // Confirming changes no figure.
    expect({ ...confirmed.body, confirmation: null }).toEqual(a);
    const again = await t.http().post(`/api/assessments/${a.id}/confirm`).set(auth(countySup)).send({}).expect(409);
    expect(again.body.code).toBe('ALREADY_CONFIRMED');
    const city = (await get(citySup, '/api/assessments', { jurisdiction: CITY, month: '2026-10' }).expect(200)).body;
    const children = new Map(city.children.map((c: { jurisdiction: { code: string } }) => [c.jurisdiction.code, c]));
    expect(children.get(COUNTY)).toMatchObject({ confirmation: { note: '已核对' } });
    expect(city.children.filter((c: { confirmation: unknown }) => c.confirmation).length).toBe(1);
    const months = (await get(citySup, '/api/assessments/months', { jurisdiction: COUNTY }).expect(200)).body.months;
    expect(months.find((m: { month: string }) => m.month === '2026-10')).toMatchObject({ confirmed: true, frozenLate: true });
    expect(months[0].month > months[1].month).toBe(true);
    const [audit] = await t.db.query(`SELECT action, entity FROM audit_log WHERE entity_id = $1`, [a.id]);
    expect(audit).toEqual({ action: 'confirm', entity: 'assessment' });
  });

  it('checks a report’s hash publicly, and refuses a hash altered by one character or a row altered in the database', async () => {
    const a = (await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200)).body;
    const ok = await t.http().get(`/api/public/assessments/verify/${a.hash}`).expect(200);
    expect(ok.body).toEqual({
      authentic: true,
      jurisdiction: { code: COUNTY, name: '广西壮族自治区南宁市兴宁区', level: 'county' },
      month: '2026-10',
      frozenAt: a.frozenAt,
    });
    const altered = `${a.hash.slice(0, -1)}${a.hash.endsWith('0') ? '1' : '0'}`;
    expect((await t.http().get(`/api/public/assessments/verify/${altered}`).expect(404)).body.authentic).toBe(false);
    await t.http().get('/api/public/assessments/verify/not-a-hash').expect(404);
    // Someone with the owner's rights rewrites a figure with the trigger off: the hash no longer holds.
    const nov = (await get(originSup, '/api/assessments', { jurisdiction: ORIGIN_COUNTY, month: '2026-11' }).expect(200)).body;
    await t.owner.query(`ALTER TABLE assessment DISABLE TRIGGER assessment_frozen`);
    try {
      await t.owner.query(`UPDATE assessment SET body = jsonb_set(body, '{feedback,numerator}', '99') WHERE id = $1`, [nov.id]);
    } finally {
      await t.owner.query(`ALTER TABLE assessment ENABLE TRIGGER assessment_frozen`);
    }
    expect((await t.http().get(`/api/public/assessments/verify/${nov.hash}`).expect(404)).body.authentic).toBe(false);
  });

  it('prints the monthly report as a PDF with its title, tables, signature block and hash, and the same tables as XLSX', async () => {
    const a = (await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200)).body;
    const pdf = await t.http().get(`/api/assessments/${a.id}/report.pdf`).set(auth(countySup)).buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'assessment-'));
    writeFileSync(join(dir, 'report.pdf'), pdf.body as Buffer);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('广西壮族自治区南宁市兴宁区2026年10月流动人口信息交换考核月报');
    expect(text).toContain('2026-09-21 至 2026-10-20');
    for (const words of [
      '信息提交率',
      '综合排名',
      '民生街道',
      '朝阳街道',
      '各下级对比',
      '按月趋势',
      '逾期事项最多的乡镇',
      '本月催办',
      '制表人',
      '审核人',
      '日期',
      a.hash,
    ]) {
      expect(text).toContain(words);
    }
    expect(text).toMatch(/75\.0%/);
    const pages = execFileSync('pdfinfo', [join(dir, 'report.pdf')], { encoding: 'utf8' });
    expect(pages).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);

    const xlsx = await t.http().get(`/api/assessments/${a.id}/report.xlsx`).set(auth(countySup)).buffer(true).parse(binary).expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ExcelJS.Buffer);
    const sheet = book.getWorksheet('各下级排名');
    const rows = (sheet?.getSheetValues() ?? []).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    const t2 = rows.find((r) => r?.[0] === T2);
    expect(t2?.[1]).toBe('朝阳街道');
    expect(t2?.[5]).toBe(1);
    expect(book.getWorksheet('考核结果')?.getCell('A1').value).toBe('广西壮族自治区南宁市兴宁区2026年10月流动人口信息交换考核月报');
  });

  it('sums the year’s closed months (rates recomputed from the sums)', async () => {
    const year = (await get(countySup, '/api/assessments/year', { jurisdiction: COUNTY, year: '2026' }).expect(200)).body;
    expect(year).toMatchObject({ year: '2026', from: '2025-12-21', to: '2026-12-20' });
    expect(year.months).toEqual(expect.arrayContaining(['2026-10', '2026-11']));
    const oct = (await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-10' }).expect(200)).body;
    const nov = (await get(countySup, '/api/assessments', { jurisdiction: COUNTY, month: '2026-11' }).expect(200)).body;
    expect(year.submission.onTime).toBeGreaterThanOrEqual(oct.submission.onTime + nov.submission.onTime);
    expect(year.submission.rate).toBeCloseTo(year.submission.onTime / year.submission.denominator, 4);
    await get(countySup, '/api/assessments/year', { jurisdiction: COUNTY, year: '26' }).expect(400);
    expect((await get(countySup, '/api/assessments/year', { jurisdiction: COUNTY, year: '2099' }).expect(404)).body.code).toBe('NOT_YET_DUE');
  });
});

/** A binary answer (PDF, XLSX) collected whole, as supertest's parser hands it over. */
function binary(res: SuperagentResponse, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
