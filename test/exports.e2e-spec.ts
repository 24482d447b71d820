import ExcelJS from 'exceljs';
import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// 导出 Excel (api.md "Lists for paper and Excel"): the filtered list as a file, Chinese headers, Beijing times, ID
// numbers masked, at most 10 000 rows, one audit entry that records the filter but never a searched name or number.
// This file's own places: 双水桥社区 registers people from 太平镇.
const DEST = '330802010003'; // 浙江省衢州市柯城区双港街道双水桥社区
const ORIGIN = '421381111000'; // 湖北省随州市广水市太平镇
const ORIGIN_VILLAGE = '421381111201';

describe('exports (导出 Excel)', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const sheetOf = async (body: Buffer) => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(body as unknown as ExcelJS.Buffer);
    const sheet = book.worksheets[0];
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push(Array.from({ length: row.cellCount }, (_, i) => row.getCell(i + 1).text)));
    return rows;
  };
  const binary = (res: { on: (e: string, f: (c?: Buffer) => void) => void }, done: (e: null, b: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c?: Buffer) => chunks.push(c as Buffer));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  };

  beforeAll(async () => {
    t = await startTestApp();
    [dest, origin] = await Promise.all([staffAt(t, DEST), staffAt(t, ORIGIN)]);
  });
  afterAll(() => t.close());

  it('exports 流入人员 as filtered, masked, with Chinese headers, and audits the filter without the searched name', async () => {
    const first = newIdNumber({ sex: 'male' });
    const second = newIdNumber({ sex: 'male' });
    for (const [idNumber, name] of [
      [first, '上官一'],
      [second, '上官二'],
    ]) {
      await registerInflow(t, dest, inflowBody({ idNumber, name }, daysAgo(4), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }));
    }
    const res = await t.http().get('/api/inflows/export').query({ q: '上官' }).set(auth(dest)).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(decodeURIComponent(res.headers['content-disposition'])).toMatch(/filename\*=UTF-8''流入人员-\d{4}-\d{2}-\d{2}\.xlsx/);
    const rows = await sheetOf(res.body as Buffer);
    expect(rows[0][0]).toMatch(/^流入人员（导出于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}，北京时间；身份证号已脱敏）$/);
    expect(rows[1]).toEqual([
      '姓名',
      '公民身份号码',
      '性别',
      '年龄',
      '户籍地',
      '现居住地',
      '详细地址',
      '到达日期',
      '流动原因',
      '婚姻状况',
      '避孕节育情况',
      '重点对象',
      '状态',
      '登记时间',
      '提交时间',
    ]);
    expect(
      rows
        .slice(2)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['上官一', '上官二']);
    const one = rows.find((r) => r[0] === '上官一') as string[];
    expect(one[1]).toBe(`${first.slice(0, 6)}********${first.slice(-4)}`);
    expect(one[2]).toBe('男');
    expect(one[3]).toMatch(/^\d+$/);
    expect(one[4]).toMatch(/^湖北省随州市广水市太平镇/);
    expect(one[5]).toMatch(/^浙江省衢州市柯城区双港街道双水桥社区/);
    expect(one[8]).toBe('务工');
    expect(JSON.stringify(rows)).not.toContain(first);
    const [entry] = await t.db.query(`SELECT detail FROM audit_log WHERE action = 'export' AND entity = 'inflow' ORDER BY id DESC LIMIT 1`);
    expect(entry.detail).toEqual({ filter: {}, searched: true, rows: 2 });
    expect(JSON.stringify(entry.detail)).not.toContain('上官');

    // CSV: the same rows, UTF-8 with a byte-order mark so that Excel reads the Chinese headers.
    const csv = await t.http().get('/api/inflows/export').query({ q: first, format: 'csv' }).set(auth(dest)).buffer(true).parse(binary).expect(200);
    const text = (csv.body as Buffer).toString('utf8');
    expect(text.startsWith('\ufeff姓名,公民身份号码,')).toBe(true);
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(2);
  });

  it('exports a box with 剩余 and the state a clerk reads, and refuses past 10 000 rows, naming what to do', async () => {
    const reg = await registerInflow(
      t,
      dest,
      inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '司马三' }, daysAgo(1), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }),
    );
    await waitFor(
      async () => (await t.db.query(`SELECT 1 FROM exchange WHERE case_id = $1 AND status = 'delivered'`, [reg.caseId])).length > 0,
      15_000,
      'notice delivered',
    );
    const inbox = await t.http().get('/api/exchanges/inbox/export').query({ q: '司马' }).set(auth(origin)).buffer(true).parse(binary).expect(200);
    const rows = await sheetOf(inbox.body as Buffer);
    expect(rows[1]).toEqual(['类型', '加急', '当事人', '公民身份号码', '来自', '发出时间', '送达时间', '办理期限', '剩余', '状态', '反馈', '反馈说明']);
    expect(rows[2]).toEqual(expect.arrayContaining(['流入通报', '司马三', '浙江省衢州市柯城区双港街道', expect.stringMatching(/^剩余 \d+ 天$/), '待反馈']));

    // 10 001 messages in this township's outbox: too many for one file. They go again afterwards: other files in this
    // database export outboxes that contain this one (a supervisor's, an admin's).
    await t.db.query(
      `INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, payload, status)
       SELECT $1, 'event_notice', '330802010000', '421381111000', $2, '421381111201', false, false, '{"bulk": true}', 'failed' FROM generate_series(1, 10001)`,
      [reg.caseId, DEST],
    );
    try {
      const before = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'export' AND entity = 'exchange'`);
      const refused = await t.http().get('/api/exchanges/outbox/export').set(auth(dest)).expect(422);
      expect(refused.body).toMatchObject({ code: 'TOO_MANY_ROWS', message: expect.stringContaining('10000') });
      const after = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'export' AND entity = 'exchange'`);
      expect(after[0].n).toBe(before[0].n);
      // Narrowed to what needs a reply, it goes.
      await t.http().get('/api/exchanges/outbox/export').query({ needsReply: true }).set(auth(dest)).expect(200);
    } finally {
      await t.owner.query(`DELETE FROM exchange WHERE case_id = $1 AND payload @> '{"bulk": true}'`, [reg.caseId]);
    }
  });
});
