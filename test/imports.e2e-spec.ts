import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { startTestApp, TestApp } from './support/app';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';
import { badCheckDigit, HEADER, importFinished, line, uploadRegister } from './support/imports';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { sharedStringsBomb } from './support/xlsx-bomb';
import { ImportFilesDropped1795393200000 } from '../migrations/1795393200000-ImportFilesDropped';

/** An XLSX register of `rows` valid rows (men, so no certificate is asked for). */
async function xlsxRows(rows: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('登记');
  sheet.addRow(HEADER.split(','));
  for (let i = 0; i < rows; i++) sheet.addRow(line(newIdNumber({ sex: 'male' })).split(','));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('bulk import of inflow registers (批量导入)', () => {
  let t: TestApp;
  let dest: string;

  const upload = (content: Buffer | string, filename = 'register.csv', query = '') => uploadRegister(t, dest, content, filename, query);
  const finished = (importId: string) => importFinished(t, dest, importId);

  beforeAll(async () => {
    t = await startTestApp({ IMPORT_MAX_BYTES: String(64 * 1024), IMPORT_MAX_ROWS: '50' });
    dest = await staffAt(t, QUZHOU_COMMUNITY);
  });
  afterAll(() => t.close());

  /** The template as a clerk downloads it (下载模板), read back by exceljs. */
  const template = async (): Promise<ExcelJS.Workbook> => {
    const res = await t
      .http()
      .get('/api/inflows/import/template.xlsx')
      .set('Authorization', `Bearer ${dest}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    return workbook;
  };

  it('serves a template with Chinese headers and drop-down lists, readable by exceljs', async () => {
    const workbook = await template();
    const sheet = workbook.worksheets[0];
    const headers = (sheet.getRow(1).values as string[]).slice(1);
    expect(headers).toEqual([
      '公民身份号码',
      '姓名',
      '联系电话',
      '户籍地代码',
      '现居住地代码',
      '现居住地址',
      '到达日期',
      '流动原因',
      '婚姻状况',
      '避孕节育情况',
      '是否怀孕',
      '婚育证明编号',
    ]);
    expect(sheet.getCell('H2').value).toBeNull();
    expect(sheet.getCell('H2').dataValidation).toMatchObject({ type: 'list' });
    expect(sheet.getCell('I5').dataValidation).toMatchObject({ type: 'list' });
  });

  it('keeps the example off the data sheet: 填写说明 explains every column with one, and a row copying it registers nobody', async () => {
    const workbook = await template();
    expect(workbook.worksheets.map((w) => w.name).slice(0, 2)).toEqual(['流入登记', '填写说明']);
    const sheet = workbook.worksheets[0];
    const filled: number[] = [];
    sheet.eachRow((row, n) => {
      if ((row.values as unknown[]).some((v) => v !== null && v !== undefined && v !== '')) filled.push(n);
    });
    expect(filled).toEqual([1]);
    const headers = (sheet.getRow(1).values as string[]).slice(1);

    // 填写说明: a row per column of the data sheet, saying whether it must be filled, how, and an example.
    const guide = workbook.getWorksheet('填写说明')!;
    expect((guide.getRow(1).values as string[]).slice(1)).toEqual(['列名', '是否必填', '填写说明', '示例']);
    const explained = new Map<string, string[]>();
    guide.eachRow((row, n) => {
      if (n > 1)
        explained.set(
          row.getCell(1).text,
          [2, 3, 4].map((c) => row.getCell(c).text),
        );
    });
    for (const header of headers) {
      const [required, hint, example] = explained.get(header) ?? [];
      expect([header, required]).toEqual([header, expect.stringMatching(/^(必填|选填)$/)]);
      expect(hint).toMatch(/[\u4e00-\u9fff]/);
      expect(example).not.toBe('');
    }
    expect(explained.get('婚姻状况')?.[1]).toContain('初婚');
    const example = headers.map((h) => explained.get(h)![2]);

    // The template uploaded unchanged: no data rows, nobody registered.
    const unchanged = await finished((await upload(Buffer.from(await workbook.xlsx.writeBuffer()), '流入登记导入模板.xlsx').expect(202)).body.importId);
    expect(unchanged).toMatchObject({ status: 'failed', succeeded: 0, error: '文件中没有数据行' });

    // The example copied onto the data sheet, above a real row: the example is refused, the real row registered.
    const real = newIdNumber({ sex: 'male' });
    sheet.addRow(example);
    sheet.addRow([real, '刘强', '', '421381101201', QUZHOU_COMMUNITY, '衢州市柯城区', daysAgo(3), '务工', '未婚', '未采取措施', '', '']);
    const copied = await finished((await upload(Buffer.from(await workbook.xlsx.writeBuffer()), '流入登记导入模板.xlsx').expect(202)).body.importId);
    expect(copied).toMatchObject({ status: 'done', total: 2, succeeded: 1, failed: 1, errors: [{ row: 1, field: '', message: '示例行，请删除后再导入' }] });
    // The same example as a CSV, with only its date changed: still the made-up person.
    const csv = [headers.join(','), example.map((v, i) => (headers[i] === '到达日期' ? daysAgo(2) : v)).join(',')].join('\n');
    const fromCsv = await finished((await upload(csv).expect(202)).body.importId);
    expect(fromCsv).toMatchObject({ status: 'done', succeeded: 0, failed: 1, errors: [{ row: 1, message: '示例行，请删除后再导入' }] });
    const registered = await t.db.query(`SELECT p.id_masked FROM inflow i JOIN person p ON p.id = i.person_id WHERE i.import_id = ANY($1)`, [
      [unchanged.id, copied.id, fromCsv.id],
    ]);
    expect(registered).toEqual([{ id_masked: `${real.slice(0, 6)}********${real.slice(-4)}` }]);
  });

  it('registers the valid rows of a mixed file and reports each bad row with its field, in Chinese', async () => {
    const first = newIdNumber({ sex: 'male' });
    const second = newIdNumber({ sex: 'male' });
    const csv = [
      HEADER,
      line(first),
      line(second, { reason: '经商', maritalStatus: '未婚' }),
      line(badCheckDigit(newIdNumber())),
      line(newIdNumber({ sex: 'male' }), { householdCode: '330802005002' }),
      line(newIdNumber({ sex: 'male' }), { householdCode: '421381999201' }),
      line(first),
    ].join('\n');
    const accepted = await upload(csv).expect(202);
    const result = await finished(accepted.body.importId);
    expect(result).toMatchObject({ status: 'done', total: 6, processed: 6, succeeded: 2, failed: 4, skipped: 0 });
    expect(result.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [3, 'idNumber'],
      [4, 'destinationCode'],
      [5, 'householdCode'],
      [6, 'idNumber'],
    ]);
    expect(result.errors.every((e: { message: string }) => /[\u4e00-\u9fff]/.test(e.message))).toBe(true);
    // The repeat names the row the spreadsheet shows (the header is row 1, the first person row 2).
    expect(result.errors[3].message).toContain('第 2 行');
    const rows = await t.db.query(`SELECT reason FROM inflow WHERE import_id = $1 ORDER BY registered_at`, [accepted.body.importId]);
    expect(rows.map((r: { reason: string }) => r.reason).sort()).toEqual(['business', 'work']);

    // The clerk's own list shows it, newest first, with the counts; another clerk's list does not.
    const mine = await t.http().get('/api/imports?pageSize=5').set('Authorization', `Bearer ${dest}`).expect(200);
    expect(mine.body.items[0]).toMatchObject({ id: accepted.body.importId, status: 'done', total: 6, succeeded: 2, failed: 4, filename: 'register.csv' });
    expect(mine.body.items[0].errors).toBeUndefined();
    const other = await t
      .http()
      .get('/api/imports')
      .set('Authorization', `Bearer ${await staffAt(t, QUZHOU_COMMUNITY)}`)
      .expect(200);
    expect(other.body).toMatchObject({ items: [], total: 0 });

    // The same file again registers nothing twice.
    const again = await finished((await upload(csv).expect(202)).body.importId);
    expect(again).toMatchObject({ succeeded: 0, skipped: 2, failed: 4 });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM inflow i JOIN person p ON p.id = i.person_id WHERE p.id_masked IN ($1, $2)`, [
      `${first.slice(0, 6)}********${first.slice(-4)}`,
      `${second.slice(0, 6)}********${second.slice(-4)}`,
    ]);
    expect(n).toBe(2);
  });

  it('reports a refused row by the row number the spreadsheet shows and its 姓名, and reads dates as people type them', async () => {
    // As a clerk fills a sheet: a blank row between people, dates typed four ways and one a date cell.
    const [slashes, dots, chinese, cell, wrong] = [0, 1, 2, 3, 4].map(() => newIdNumber({ sex: 'male' }));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('登记');
    const fields = HEADER.split(',');
    const add = (rowNumber: number, id: string, overrides: Record<string, string | Date>) => {
      const values = line(id).split(',') as (string | Date)[];
      for (const [field, value] of Object.entries(overrides)) values[fields.indexOf(field)] = value;
      sheet.getRow(rowNumber).values = values;
    };
    sheet.getRow(1).values = fields;
    add(2, slashes, { name: '斜杠', arrivalDate: '2026/11/2' });
    add(3, dots, { name: '圆点', arrivalDate: '2026.11.3' });
    // row 4 left blank
    add(5, chinese, { name: '中文', arrivalDate: '2026年11月4日' });
    add(6, cell, { name: '日期格', arrivalDate: new Date(Date.UTC(2026, 10, 5)) });
    add(7, wrong, { name: '错日期', arrivalDate: '2026年13月5日' });
    add(8, badCheckDigit(newIdNumber()), { name: '校验错' });
    const result = await finished((await upload(Buffer.from(await workbook.xlsx.writeBuffer()), 'register.xlsx').expect(202)).body.importId);
    expect(result).toMatchObject({ status: 'done', total: 6, succeeded: 4, failed: 2 });
    expect(result.errors.map((e: { row: number; sheetRow: number; name: string; field: string }) => [e.row, e.sheetRow, e.name, e.field])).toEqual([
      [5, 7, '错日期', 'arrivalDate'],
      [6, 8, '校验错', 'idNumber'],
    ]);
    const dates = await t.db.query(
      `SELECT to_char(i.arrival_date, 'YYYY-MM-DD') AS d FROM inflow i JOIN person p ON p.id = i.person_id WHERE p.id_masked = ANY($1) ORDER BY 1`,
      [[slashes, dots, chinese, cell].map((id) => `${id.slice(0, 6)}********${id.slice(-4)}`)],
    );
    expect(dates.map((r: { d: string }) => r.d)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);

    // A CSV numbers its rows the same way: a blank line is a row of the sheet.
    const csv = [HEADER, line(newIdNumber({ sex: 'male' })), '', line(badCheckDigit(newIdNumber()), { name: '空行后' })].join('\n');
    const fromCsv = await finished((await upload(csv).expect(202)).body.importId);
    expect(fromCsv.errors).toMatchObject([{ row: 2, sheetRow: 4, name: '空行后', field: 'idNumber' }]);
  });

  it('refuses a row of a person already registered in this township, changing nothing of them, and registers the rest', async () => {
    const registered = newIdNumber({ sex: 'male' });
    await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(inflowBody({ idNumber: registered, name: '已登记' }, daysAgo(20)))
      .expect(201);
    const others = [newIdNumber({ sex: 'male' }), newIdNumber({ sex: 'male' })];
    const csv = [HEADER, line(others[0]), line(registered, { name: '改名测试', householdCode: '421381102201' }), line(others[1])].join('\n');
    const result = await finished((await upload(csv).expect(202)).body.importId);
    expect(result).toMatchObject({ status: 'done', succeeded: 2, failed: 1, skipped: 0 });
    expect(result.errors).toEqual([{ row: 2, sheetRow: 3, name: '改名测试', field: 'idNumber', message: '已有有效登记' }]);
    const [person] = await t.db.query(`SELECT name, household_code FROM person WHERE id_masked = $1`, [
      `${registered.slice(0, 6)}********${registered.slice(-4)}`,
    ]);
    expect(person).toEqual({ name: '已登记', household_code: '421381101201' });
  });

  it('reads a GBK-encoded CSV with Chinese headers and labels', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const text = [
      '公民身份号码,姓名,户籍地代码,现居住地代码,现居住地址,到达日期,流动原因,婚姻状况,避孕节育情况',
      `${idNumber},张国庆,421381101201,${QUZHOU_COMMUNITY},衢州市柯城区,${daysAgo(6)},务工,初婚,宫内节育器`,
    ].join('\r\n');
    const result = await finished((await upload(iconv.encode(text, 'gbk'), '登记表.csv').expect(202)).body.importId);
    expect(result).toMatchObject({ succeeded: 1, failed: 0 });
    const [row] = await t.db.query(
      `SELECT p.name, i.marital_status, i.contraception FROM inflow i JOIN person p ON p.id = i.person_id WHERE i.import_id = $1`,
      [result.id],
    );
    expect(row).toEqual({ name: '张国庆', marital_status: 'first_married', contraception: 'iud' });
  });

  it('imports an XLSX register', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('登记');
    sheet.addRow(['公民身份号码', '姓名', '户籍地代码', '现居住地代码', '现居住地址', '到达日期', '流动原因', '婚姻状况', '避孕节育情况']);
    sheet.addRow([
      newIdNumber({ sex: 'male' }),
      '李明',
      '421381101201',
      QUZHOU_COMMUNITY,
      '衢州市柯城区',
      new Date(`${daysAgo(7)}T00:00:00Z`),
      '务工',
      '未婚',
      '未采取措施',
    ]);
    sheet.addRow([newIdNumber({ sex: 'male' }), '赵亮', '421381101201', QUZHOU_COMMUNITY, '衢州市柯城区', daysAgo(7), 'study', 'unmarried', 'none']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await finished((await upload(buffer, 'register.xlsx').expect(202)).body.importId);
    expect(result).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
  });

  it('accepts legacy rows with a wrong check digit only when asked, and marks them', async () => {
    const legacyId = badCheckDigit(newIdNumber({ sex: 'male' }));
    const csv = [HEADER, line(legacyId)].join('\n');
    const refused = await finished((await upload(csv).expect(202)).body.importId);
    expect(refused).toMatchObject({ succeeded: 0, failed: 1, errors: [{ row: 1, field: 'idNumber' }] });
    const accepted = await finished((await upload(csv, 'legacy.csv', '?legacy=true').expect(202)).body.importId);
    expect(accepted).toMatchObject({ succeeded: 1, failed: 0, legacy: true });
    const [row] = await t.db.query(`SELECT i.legacy, p.id_masked FROM inflow i JOIN person p ON p.id = i.person_id WHERE i.import_id = $1`, [accepted.id]);
    expect(row).toEqual({ legacy: true, id_masked: `${legacyId.slice(0, 6)}********${legacyId.slice(-4)}` });
  });

  it('deletes an uploaded register once its import is done or failed, keeping its counts and row errors', async () => {
    const csv = [HEADER, line(newIdNumber({ sex: 'male' })), line(badCheckDigit(newIdNumber()))].join('\n');
    const accepted = await upload(csv).expect(202);
    const done = await finished(accepted.body.importId);
    expect(done).toMatchObject({ status: 'done', total: 2, succeeded: 1, failed: 1, errors: [{ row: 2, field: 'idNumber' }] });
    const failed = await finished((await upload(await xlsxRows(51), 'many.xlsx').expect(202)).body.importId);
    expect(failed.status).toBe('failed');
    const stored = await t.db.query(`SELECT id, octet_length(file) AS bytes FROM import_job WHERE id = ANY($1) ORDER BY id`, [[done.id, failed.id]]);
    expect(stored.map((r: { bytes: number }) => r.bytes)).toEqual([0, 0]);
    // What the clerk needs is still there.
    const again = await t.http().get(`/api/imports/${done.id}`).set('Authorization', `Bearer ${dest}`).expect(200);
    expect(again.body).toMatchObject({ status: 'done', succeeded: 1, failed: 1, errors: [{ row: 2, field: 'idNumber', message: expect.any(String) }] });
  });

  it('clears, on upgrade, the registers of imports that had already finished, and keeps those still to run', async () => {
    // In a transaction rolled back afterwards: the worker never sees these imports.
    const runner = t.db.createQueryRunner();
    await runner.startTransaction();
    try {
      const [user] = await runner.query(`SELECT id FROM app_user WHERE jurisdiction_code = $1 LIMIT 1`, [QUZHOU_COMMUNITY]);
      const ids: Record<string, string> = {};
      for (const status of ['done', 'failed', 'queued', 'running']) {
        const [row] = await runner.query(
          `INSERT INTO import_job (created_by, jurisdiction_code, filename, format, file, status) VALUES ($1, $2, 'old.csv', 'csv', $3, $4) RETURNING id`,
          [user.id, QUZHOU_COMMUNITY, Buffer.from(`${HEADER}\n${line(newIdNumber())}`), status],
        );
        ids[status] = row.id;
      }
      await new ImportFilesDropped1795393200000().up(runner);
      const rows: { status: string; bytes: number }[] = await runner.query(
        `SELECT status, octet_length(file) AS bytes FROM import_job WHERE id = ANY($1) ORDER BY status`,
        [Object.values(ids)],
      );
      expect(rows.map((r) => [r.status, r.bytes > 0])).toEqual([
        ['done', false],
        ['failed', false],
        ['queued', true],
        ['running', true],
      ]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('reads a spreadsheet in the worker within its limits: too many rows or shared strings end the import failed, saying which', async () => {
    // Known only by reading the rows, which the API process does not do: accepted, then failed by the worker.
    const many = await finished((await upload(await xlsxRows(51), 'many.xlsx').expect(202)).body.importId);
    expect(many).toMatchObject({ status: 'failed', succeeded: 0, error: '一次最多导入 50 行，此文件超过 50 行，请分批导入' });
    // Exactly at the limit: imported.
    expect(await finished((await upload(await xlsxRows(50), 'fifty.xlsx').expect(202)).body.importId)).toMatchObject({ status: 'done', succeeded: 50 });
    // 1 000 strings of 1 000 characters (1 MB unpacked, a few KB packed): more than 51 rows × 12 columns could need.
    const { honest } = await sharedStringsBomb(1_000);
    const strings = await finished((await upload(honest, 'strings.xlsx').expect(202)).body.importId);
    expect(strings).toMatchObject({ status: 'failed', succeeded: 0, error: expect.stringContaining('文字条目超过 612 个') });
    // Written as empty elements or as rich-text runs, each is still an object to exceljs: counted all the same.
    for (const item of ['<si/>', '<si ><r><t>x</t></r><r><t>y</t></r></si >']) {
      const other = await finished((await upload((await sharedStringsBomb(700, item)).honest, 'strings.xlsx').expect(202)).body.importId);
      expect(other).toMatchObject({ status: 'failed', succeeded: 0, error: expect.stringContaining('文字条目超过 612 个') });
    }
    // A workbook with headers only.
    const empty = await finished((await upload(await xlsxRows(0), 'empty.xlsx').expect(202)).body.importId);
    expect(empty).toMatchObject({ status: 'failed', error: '文件中没有数据行' });
    // Not a workbook at all, or cut short: refused at upload from its ZIP directory.
    const notWorkbook = await upload(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]), 'x.xlsx').expect(400);
    expect(notWorkbook.body.details).toEqual([{ field: 'file', message: expect.stringContaining('无法读取') }]);
    const cut = (await xlsxRows(1)).subarray(0, 2_000);
    expect((await upload(cut, 'cut.xlsx').expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a file over the size limit (413), too many rows (400), and files that are not registers (400)', async () => {
    const big = `${HEADER}\n${'x'.repeat(70 * 1024)}`;
    const tooBig = await upload(big).expect(413);
    expect(tooBig.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    const many = [HEADER, ...Array.from({ length: 51 }, () => line(newIdNumber()))].join('\n');
    const tooMany = await upload(many).expect(400);
    expect(tooMany.body).toMatchObject({ code: 'IMPORT_TOO_MANY_ROWS', details: [{ field: 'file' }] });
    const pdf = await upload('%PDF-1.4', 'x.pdf').expect(400);
    expect(pdf.body.details).toEqual([{ field: 'file', message: expect.any(String) }]);
    await t.http().post('/api/inflows/import').set('Authorization', `Bearer ${dest}`).send({ file: 'x' }).expect(400);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM import_job WHERE filename = 'x.pdf'`);
    expect(n).toBe(0);
  });
});
