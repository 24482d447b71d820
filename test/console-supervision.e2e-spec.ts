import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { RatesReport } from '@/modules/rates/rates.service';
import { startTestApp, TestApp, waitFor } from './support/app';
import { launchBrowser } from './support/browser';
import { choose, pickPlace, signedInTab } from './support/console';
import { inflowBody, registerInflow } from './support/builders';
import { account, daysAgo, newIdNumber, PASSWORD } from './support/people';

// The supervisors', clerks' bulk and admins' screens of console.md in Chromium against the real service: 考核指标 with
// drill-down, breadcrumb, 明细 and the Excel export; 批量导入 with live progress; 用户管理 and 投递失败. Time limits are
// 3 seconds, so on-time, late and overdue items exist for real; nothing else in the suite touches 湖南 or 江西.
const HUNAN = '430000000000';
const CHANGSHA = '430100000000';
const FURONG = '430102000000';
const FURONG_COMMUNITY = '430102001001'; // 长沙市芙蓉区文艺路街道识字里社区
const FURONG_HOME = '430102001002'; // 文艺新村社区: households of people who live in 江西
const FURONG_TOWNSHIP = '430102001000';
const TIANXIN_COMMUNITY = '430103002001'; // 长沙市天心区坡子街街道八角亭社区
const HETANG_COMMUNITY = '430202001001'; // 株洲市荷塘区月塘街道文化路社区
const NANCHANG_HOME = '360102002001'; // 南昌市东湖区滕王阁街道: where the people who live in 湖南 come from
const NANCHANG_COMMUNITY = '360102002002';
const UNREACHABLE_HOME = '360102002004'; // 上凤凰坡社区: the one origin whose deliveries the admin's test makes fail
const LIMIT_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('web console for supervisors and admins (考核指标, 批量导入, 管理)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  const register = (token: string, householdCode: string, destinationCode: string, name: string, submit = true) =>
    registerInflow(
      t,
      token,
      inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name }, daysAgo(3), { householdCode, destinationCode, address: '社区登记', submit }),
    );
  const login = (username: string, path: string) => signedInTab(browser, base, username, path);

  beforeAll(async () => {
    t = await startTestApp({
      SUBMISSION_TIME_LIMIT: 'PT3S',
      REPLY_TIME_LIMIT: 'PT3S',
      REPLY_TIME_LIMIT_URGENT: 'PT3S',
      DELIVERY_ATTEMPTS: '2',
      DELIVERY_BACKOFF: 'PT0.2S',
    });
    base = await t.app.getUrl();
    browser = await launchBrowser();
    const [furong, tianxin, hetang, nanchang, furongTown] = await Promise.all(
      [FURONG_COMMUNITY, TIANXIN_COMMUNITY, HETANG_COMMUNITY, NANCHANG_COMMUNITY, FURONG_TOWNSHIP].map(async (code) =>
        t.token(await account(t, code), PASSWORD),
      ),
    );
    // Submission (counted at 湖南's destinations): 芙蓉区 2 on time + 1 never submitted; 天心区 1 on time;
    // 荷塘区 1 never submitted + 1 submitted after its limit.
    await register(furong, NANCHANG_HOME, FURONG_COMMUNITY, '赵一');
    await register(furong, NANCHANG_HOME, FURONG_COMMUNITY, '钱二');
    await register(furong, NANCHANG_HOME, FURONG_COMMUNITY, '孙三', false);
    await register(tianxin, NANCHANG_HOME, TIANXIN_COMMUNITY, '李四');
    await register(hetang, NANCHANG_HOME, HETANG_COMMUNITY, '周五', false);
    const lateDraft = await register(hetang, NANCHANG_HOME, HETANG_COMMUNITY, '吴六', false);
    // Feedback (counted at 湖南's origins): two people from 文艺新村社区 registered in 南昌; 文艺路街道 answers one in time.
    const answered = await register(nanchang, FURONG_HOME, NANCHANG_COMMUNITY, '郑七');
    await register(nanchang, FURONG_HOME, NANCHANG_COMMUNITY, '王八');
    const notice = await waitFor(
      async () => {
        const inbox = await t.http().get('/api/exchanges/inbox?type=inflow_notice&pageSize=100').set(auth(furongTown));
        return inbox.body.items.find((e: { caseId: string; status: string }) => e.caseId === answered.caseId && e.status === 'delivered');
      },
      15_000,
      'notice delivered',
    );
    await t.http().post(`/api/exchanges/${notice.id}/reply`).set(auth(furongTown)).send({ outcome: 'confirmed' }).expect(200);
    await sleep(LIMIT_MS + 500);
    await t.http().post(`/api/inflows/${lateDraft.id}/submit`).set(auth(hetang)).expect(200);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lets a province supervisor read the 3 rates, go down to a city and a county and back, open the overdue items and export the same counts', async () => {
    const supervisor = await account(t, HUNAN, { role: 'supervisor', displayName: '湖南省督导' });
    const token = await t.token(supervisor, PASSWORD);
    const tab = await login(supervisor, '/');
    const { page } = tab;
    // The supervisor's home: the three rates and what is overdue.
    const province = (await t.http().get(`/api/rates?jurisdiction=${HUNAN}`).set(auth(token)).expect(200)).body as RatesReport;
    expect(province.submission).toMatchObject({ onTime: 3, late: 1, overdue: 2, numerator: 3, denominator: 6 });
    expect(province.feedback).toMatchObject({ onTime: 1, overdue: 1, numerator: 1, denominator: 2 });
    await page.getByRole('group', { name: '信息提交率' }).getByText('50.0%').waitFor();
    await page.getByLabel('逾期合计').getByText('3', { exact: true }).waitFor();
    await tab.shot('home-supervisor');

    const trend = page.waitForResponse((r) => r.url().includes('/api/rates/trend'));
    await page.getByRole('menuitem', { name: '考核指标' }).click();
    await page.waitForURL('**/rates');
    const trendResponse = await trend;
    const trendBody = await trendResponse.json();
    expect({ status: trendResponse.status(), thisMonth: trendBody.points?.at(-1)?.submission ?? trendBody }).toMatchObject({
      status: 200,
      thisMonth: { numerator: 3, denominator: 6 },
    });
    const submission = page.getByRole('group', { name: '信息提交率' });
    await submission.getByText('50.0%').waitFor();
    await submission.getByText('3 / 6').waitFor();
    await submission.getByText('未达标').waitFor();
    await page.getByRole('group', { name: '反馈率' }).getByText('1 / 2').waitFor();
    const contact = province.effectiveContact;
    await page.getByRole('group', { name: '有效联系率' }).getByText(`${contact.numerator} / ${contact.denominator}`).waitFor();
    await page.getByLabel('长沙市信息提交率逾期').waitFor();
    // The charts are drawn once scrolled to (below the table), as a supervisor reading down the page sees them.
    await page.getByRole('figure', { name: '各下级对比' }).scrollIntoViewIfNeeded();
    await page.locator('figure[aria-label="各下级对比"] svg').waitFor();
    await tab.shot('rates-province');

    // The Excel file says what the screen says.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 Excel' }).click();
    const file = await (await download).path();
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(file) as unknown as ExcelJS.Buffer);
    const sheet = book.worksheets[0];
    const headers = (sheet.getRow(2).values as string[]).slice(1);
    const rowOf = (name: string) => {
      for (let r = 3; r <= sheet.rowCount; r++) if (sheet.getRow(r).getCell(2).value === name) return sheet.getRow(r);
      throw new Error(`no row ${name} in the export`);
    };
    const cell = (name: string, header: string) => rowOf(name).getCell(headers.indexOf(header) + 1).value;
    const guiyangOverdue = await page.getByLabel('长沙市信息提交率逾期').innerText();
    expect(cell('长沙市', '信息提交-逾期未办')).toBe(Number(guiyangOverdue.trim()));
    expect(cell('长沙市', '信息提交-逾期未办')).toBe(1);
    expect(cell('株洲市', '信息提交-超时完成')).toBe(1);
    expect(cell('湖南省（合计）', '信息提交-分子')).toBe(3);
    expect(cell('湖南省（合计）', '信息提交-分母')).toBe(6);
    expect(cell('湖南省（合计）', '反馈-逾期未办')).toBe(1);

    // Down to the city, then the county, by clicking; back up by the breadcrumb.
    await page.getByRole('table').getByRole('link', { name: '长沙市', exact: true }).click();
    await page.waitForURL(`**/rates?*jurisdiction=${CHANGSHA}*`);
    const trail = page.getByLabel('辖区层级');
    await trail.getByText('湖南省').waitFor();
    await trail.getByText('长沙市').waitFor();
    await page.getByRole('group', { name: '信息提交率' }).getByText('3 / 4').waitFor();
    await page.getByRole('table').getByRole('link', { name: '芙蓉区', exact: true }).click();
    await page.waitForURL(`**/rates?*jurisdiction=${FURONG}*`);
    await trail.getByText('芙蓉区').waitFor();
    await page.getByRole('group', { name: '信息提交率' }).getByText('2 / 3').waitFor();
    await page.getByRole('group', { name: '反馈率' }).getByText('1 / 2').waitFor();
    await tab.shot('rates-county');
    await trail.getByRole('link', { name: '长沙市', exact: true }).click();
    await page.waitForURL(`**/rates?*jurisdiction=${CHANGSHA}*`);
    await page.getByRole('group', { name: '信息提交率' }).getByText('3 / 4').waitFor();
    // 天心区 only receives people: its townships have no 反馈率. The chart's legend names only the rates it draws,
    // and the caption says which have no data. The browser's back button returns to 长沙市.
    await page.getByRole('table').getByRole('link', { name: '天心区', exact: true }).click();
    await page.waitForURL('**/rates?*jurisdiction=430103000000*');
    const bars = page.locator('figure[aria-label="各下级对比"]');
    await bars.getByText(/反馈率.*：下级均无应办事项/).waitFor();
    await bars.scrollIntoViewIfNeeded();
    await bars.locator('svg text', { hasText: '信息提交率' }).first().waitFor();
    expect(await bars.locator('svg text', { hasText: '反馈率' }).count()).toBe(0);
    await tab.shot('rates-destination-county');
    await page.goBack();
    await page.waitForURL(`**/rates?*jurisdiction=${CHANGSHA}*`);
    await page.getByRole('group', { name: '信息提交率' }).getByText('3 / 4').waitFor();

    // 辖区 shows the place in full; a click opens the place picker, where a place typed is offered and 查询 shows it.
    const place = page.getByLabel('辖区', { exact: true });
    expect(await place.inputValue()).toBe('湖南省长沙市');
    await place.click();
    await page.keyboard.type(FURONG);
    await page.getByRole('option', { name: /^湖南省长沙市芙蓉区/ }).click();
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(`**/rates?*jurisdiction=${FURONG}*`);
    await page.getByRole('group', { name: '信息提交率' }).getByText('2 / 3').waitFor();
    await page.goBack();
    await page.waitForURL(`**/rates?*jurisdiction=${CHANGSHA}*`);
    await page.getByRole('group', { name: '信息提交率' }).getByText('3 / 4').waitFor();

    // 开始日期 holds the date as typed; a click opens the calendar, where a day is chosen (shown with 查询 only).
    const from = page.getByLabel('开始日期', { exact: true });
    expect(await from.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await from.click();
    await page.getByRole('grid').getByText('15', { exact: true }).first().click();
    await waitFor(async () => /^\d{4}-\d{2}-15$/.test(await page.getByLabel('开始日期', { exact: true }).inputValue()));

    // The overdue registrations of 芙蓉区: who, where, since when.
    await page.getByLabel('芙蓉区信息提交率逾期').click();
    await page.waitForURL('**/rates/items?*');
    const row = page.getByRole('row').filter({ hasText: '孙三' });
    await row.getByText('湖南省长沙市芙蓉区文艺路街道识字里社区居委会').waitFor();
    await row.getByText('逾期未办').waitFor();
    await row.getByText(/^\d{6}\*{8}[\dX]{4}$/).waitFor();
    expect(await page.getByRole('row').count()).toBe(2); // the header and 孙三
    await row.getByText(/^逾期 \d+ 天$/).waitFor();
    await tab.shot('rate-items');
    // The same items in a file for paper: masked, with how long each is overdue.
    const itemsDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 Excel' }).click();
    const itemsBook = new ExcelJS.Workbook();
    await itemsBook.xlsx.load(readFileSync(await (await itemsDownload).path()) as unknown as ExcelJS.Buffer);
    const itemsSheet = itemsBook.worksheets[0];
    expect(itemsSheet.getRow(1).getCell(1).text).toMatch(/^湖南省长沙市芙蓉区 信息提交率 · 逾期未办 明细/);
    expect(itemsSheet.rowCount).toBe(3);
    const sun = itemsSheet.getRow(3);
    expect([sun.getCell(1).text, sun.getCell(9).text]).toEqual(['孙三', '逾期未办']);
    expect(sun.getCell(2).text).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    expect(Number(sun.getCell(10).text)).toBeGreaterThanOrEqual(1);
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets a clerk import a register with bad rows and watch it reach 100 %, with the refused rows listed', async () => {
    const clerk = await account(t, FURONG_COMMUNITY, { displayName: '识字里社区' });
    const header = '公民身份号码,姓名,联系电话,户籍地代码,现居住地代码,现居住地址,到达日期,流动原因,婚姻状况,避孕节育情况,是否怀孕,婚育证明编号';
    const line = (id: string, name: string, home = NANCHANG_HOME) =>
      `${id},${name},,${home},${FURONG_COMMUNITY},识字里社区,${daysAgo(5)},务工,未婚,未采取措施,,`;
    const good = Array.from({ length: 30 }, (_, i) => line(newIdNumber({ sex: 'male' }), `导入${i + 1}`));
    const wrong = newIdNumber({ sex: 'male' });
    const csv = [
      header,
      ...good.slice(0, 10),
      `${wrong.slice(0, 17)}${wrong[17] === '0' ? '1' : '0'},校验错,,${NANCHANG_HOME},${FURONG_COMMUNITY},社区,${daysAgo(5)},务工,未婚,未采取措施,,`,
      ...good.slice(10),
      line(newIdNumber({ sex: 'male' }), '同县', '430102001003'),
    ].join('\n');

    const tab = await login(clerk, '/imports');
    const { page } = tab;
    await page.getByText('还没有导入过').waitFor();
    const template = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载模板' }).click();
    expect((await template).suggestedFilename()).toBe('流入登记导入模板.xlsx');
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByRole('alert').getByText('请先选择文件').waitFor();
    await page.getByLabel('选择文件').setInputFiles({ name: '识字里社区登记表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('识字里社区登记表.csv').first().waitFor();
    await page.getByRole('button', { name: '上传' }).click();
    const progress = page.getByRole('status');
    await progress.getByText(/已处理 \d+ \/ 32 行/).waitFor();
    await progress.getByText('已处理 32 / 32 行 · 成功 30 · 失败 2').waitFor({ timeout: 30_000 });
    await page.getByRole('progressbar').and(page.locator('[aria-valuenow="100"]')).waitFor();
    const refused = page.locator('.el-card', { hasText: '未登记的行' });
    const refusedRow = (n: number) => refused.getByRole('row').filter({ has: page.getByRole('cell', { name: String(n), exact: true }) });
    // 行号 is the row the spreadsheet shows (the header is row 1), beside the 姓名 the row gives.
    await refusedRow(12).getByText('公民身份号码', { exact: true }).waitFor();
    await refusedRow(12).getByText('校验错', { exact: true }).waitFor();
    await refusedRow(12).getByText('校验位', { exact: false }).waitFor();
    await refusedRow(33).getByText('现居住地代码').waitFor();
    await refusedRow(33).getByText('同县', { exact: true }).waitFor();
    await refusedRow(33).getByText('同一县', { exact: false }).waitFor();
    await page.getByRole('row').filter({ hasText: '识字里社区登记表.csv' }).getByText('已完成').waitFor();
    await page.waitForTimeout(700); // the bar's width transition, for the screenshot only
    await tab.shot('imports-done');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM inflow WHERE destination_code = $1 AND import_id IS NOT NULL`, [FURONG_COMMUNITY]);
    expect(n).toBe(30);
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets an admin create a staff account that can log in, deactivate it, and re-deliver a failed message', async () => {
    const admin = await account(t, HUNAN, { role: 'admin', displayName: '湖南省管理员' });
    const tab = await login(admin, '/admin/users');
    const { page } = tab;
    await page.getByRole('button', { name: '新建用户' }).click();
    const dialog = page.getByRole('dialog', { name: '新建用户' });
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error').first().waitFor();
    const username = `changsha${Date.now() % 100000}`;
    await dialog.getByLabel('用户名').fill(username);
    await dialog.getByLabel('姓名').fill('芙蓉区文艺路街道 张敏');
    await dialog.getByLabel('密码').fill('xinhua-road-2026');
    await choose(page, '角色', '工作人员', dialog);
    await pickPlace(page, '所属辖区', FURONG_TOWNSHIP, '湖南省长沙市芙蓉区文艺路街道', dialog);
    await tab.shot('admin-user-new');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const created = page.getByRole('row').filter({ hasText: username });
    await created.getByText('芙蓉区文艺路街道 张敏').waitFor();
    await created.getByText('工作人员').waitFor();
    await created.getByText('湖南省长沙市芙蓉区文艺路街道', { exact: true }).waitFor(); // the full name: there are many 文艺路街道
    await tab.shot('admin-users');
    const login1 = await t.http().post('/api/auth/login').send({ username, password: 'xinhua-road-2026' }).expect(200);
    expect(login1.body.user).toMatchObject({ role: 'staff', jurisdiction: { code: FURONG_TOWNSHIP } });
    await created.getByRole('button', { name: '停用' }).click();
    await page.getByRole('dialog', { name: '停用账号' }).getByRole('button', { name: '停用' }).click();
    await created.getByText('已停用').waitFor();
    await t.http().post('/api/auth/login').send({ username, password: 'xinhua-road-2026' }).expect(401);

    // A message the database refuses to deliver (twice: DELIVERY_ATTEMPTS=2) is a dead letter the admin re-delivers.
    const dest = await t.token(await account(t, TIANXIN_COMMUNITY), PASSWORD);
    await t.owner.query(`CREATE OR REPLACE FUNCTION test_refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'inbox unavailable (test)'; END $$`);
    await t.owner.query(`CREATE TRIGGER test_refuse_delivery BEFORE UPDATE ON exchange FOR EACH ROW
      WHEN (NEW.status = 'delivered' AND NEW.to_unit_code = '${UNREACHABLE_HOME}') EXECUTE FUNCTION test_refuse_delivery()`);
    let failed: { id: string };
    try {
      const stuck = await register(dest, UNREACHABLE_HOME, TIANXIN_COMMUNITY, '冯九');
      failed = await waitFor(
        async () => {
          const out = await t.http().get('/api/exchanges/outbox?status=failed&pageSize=100').set(auth(dest));
          return out.body.items.find((e: { caseId: string }) => e.caseId === stuck.caseId);
        },
        20_000,
        'delivery failed',
      );
    } finally {
      await t.owner.query(`DROP TRIGGER IF EXISTS test_refuse_delivery ON exchange`);
    }
    await page.getByRole('menuitem', { name: '投递失败' }).click();
    await page.waitForURL('**/admin/failed');
    const row = page.getByRole('row').filter({ hasText: '冯九' });
    await row.getByText('inbox unavailable (test)', { exact: false }).waitFor();
    await row.getByText('湖南省长沙市天心区坡子街街道', { exact: true }).waitFor();
    await row.getByText('江西省南昌市东湖区滕王阁街道', { exact: true }).waitFor();
    await tab.shot('admin-failed');
    await row.getByRole('button', { name: '重新投递' }).click();
    await page.getByText('已重新投递').waitFor();
    await row.waitFor({ state: 'detached' });
    await waitFor(
      async () => {
        const res = await t.http().get(`/api/exchanges/${failed.id}`).set(auth(dest));
        return res.body.status === 'delivered';
      },
      15_000,
      'delivered after retry',
    );

    // Who read what: the audit log shows the admin's own logins, with the address.
    await page.getByRole('menuitem', { name: '审计日志' }).click();
    await page.waitForURL('**/admin/audit');
    await choose(page, '操作', '登录');
    await page.getByRole('button', { name: '查询' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: `湖南省管理员（${admin}）` })
      .filter({ hasText: '登录' })
      .first()
      .waitFor();
    // What an entry is about: the kind of record and the person's masked name and number, never a bare record id.
    await choose(page, '操作', '新建');
    await choose(page, '对象', '流入登记');
    await page.getByRole('button', { name: '查询' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: /流入登记 · 赵\*（\d{6}\*{8}\d{3}[\dX]）/ })
      .first()
      .waitFor();
    expect(await page.locator('.el-table').innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await tab.shot('admin-audit');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });
});
