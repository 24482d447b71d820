import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { openPage } from './support/browser';
import { signedInTab, startConsoleRun, stopConsoleRun } from './support/console';
import { account, daysAgo, newIdNumber, PASSWORD } from './support/people';
import { certificateBody, inflowBody, registerInflow } from './support/builders';
import type { Exchange } from './support/exchanges';

// Moving about the console as a person does (issue 32): through the menu, the tabs, the counts on 工作台 and the
// browser's back and forward, each screen shows what its route asks for (console.md, Conventions): 收件箱 and 发件箱
// their own rows, 待反馈 only what needs a reply (a 离开通报 is under 通知), another role's screen leads to 工作台 with
// `无权访问该页面`, and the public check page names the issuer by its full name.

// 郝店镇 is this file's own origin township and 斗潭社区 (衢州 信安街道) its own destination: no other test sends to
// either, so their boxes hold only this file's messages.
const HAODIAN = '421381108000';
const HAODIAN_VILLAGE = '421381108200';
const DOUTAN_COMMUNITY = '330802008001';
const XINAN = '浙江省衢州市柯城区信安街道';

describe('web console (工作台): menus, tabs, back and forward show each route its own data', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;
  let community: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const rowsWith = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

  beforeAll(async () => {
    ({ t, browser, base, clerk } = await startConsoleRun(HAODIAN, { prefix: 'hd', displayName: '郝店镇计生办' }));
    community = await account(t, DOUTAN_COMMUNITY, { prefix: 'dt', displayName: '斗潭社区专干' });
    const [dest, origin] = await Promise.all([t.token(community, PASSWORD), t.token(clerk, PASSWORD)]);
    // 斗潭社区 registers 赵明 and 钱亮 from 郝店村 (two 流入通报 to 郝店镇, each needing a reply) and keeps 孙伟 as a draft;
    // 钱亮 has gone home (a 离开通报, which needs none); 郝店镇 asks 斗潭社区 a 协查 about 赵明 (its 发件箱).
    const register = (name: string, submit = true) =>
      registerInflow(
        t,
        dest,
        inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name }, daysAgo(5), {
          householdCode: HAODIAN_VILLAGE,
          destinationCode: DOUTAN_COMMUNITY,
          address: '信安街道斗潭社区 3 号',
          submit,
        }),
      );
    const zhao = await register('赵明');
    const qian = await register('钱亮');
    await register('孙伟', false);
    const inbox = async () => (await t.http().get('/api/exchanges/inbox?pageSize=100').set(auth(origin)).expect(200)).body.items as Exchange[];
    await waitFor(async () => (await inbox()).filter((e) => e.type === 'inflow_notice').length === 2, 15_000, 'two notices delivered');
    // 赵明's notice falls due tomorrow (即将到期), 钱亮's in ten days.
    const notices = (await inbox()).filter((e) => e.type === 'inflow_notice');
    for (const e of notices) {
      await t.db.query(`UPDATE exchange SET due_at = now() + make_interval(days => $2) WHERE id = $1`, [e.id, e.caseId === zhao.caseId ? 1 : 10]);
    }
    await t
      .http()
      .post(`/api/inflows/${qian.id}/depart`)
      .set(auth(dest))
      .send({ date: daysAgo(0), kind: 'returned' })
      .expect(200);
    await t
      .http()
      .post('/api/exchanges')
      .set(auth(origin))
      .send({ caseId: zhao.caseId, type: 'verification_request', payload: { subject: '核实婚育情况', question: '请核实其婚姻状况' } })
      .expect(201);
    await waitFor(async () => (await inbox()).some((e) => e.type === 'departure_notice'), 15_000, 'departure notice delivered');
    await waitFor(
      async () => {
        const sent = (await t.http().get('/api/exchanges/outbox?pageSize=100').set(auth(origin)).expect(200)).body.items as Exchange[];
        return sent.some((e) => e.type === 'verification_request' && e.status === 'delivered');
      },
      15_000,
      '协查 delivered',
    );
  });
  afterAll(() => stopConsoleRun({ t, browser }));

  it('shows 收件箱 and 发件箱 their own rows through the menu and back and forward; 待反馈 leaves the 离开通报 to 通知', async () => {
    const tab = await signedInTab(browser, base, clerk, '/');
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    // 工作台 counts what needs a reply: the two 流入通报, not the 离开通报.
    await waitFor(async () => (await page.getByLabel('待反馈', { exact: true }).innerText()) === '2', 10_000, '待反馈 2 on 工作台');
    await tab.shot('nav-home-counts');
    // 待办: the two replies owed, the one due first on top, each with the button that opens it.
    const todo = page.getByRole('list', { name: '待办' }).getByRole('listitem');
    await todo.first().waitFor();
    expect(await todo.count()).toBe(2);
    await todo.nth(0).getByText('赵明').waitFor();
    await todo.nth(0).getByText('剩余 1 天').waitFor();
    await todo.nth(1).getByText('钱亮').waitFor();
    await todo.nth(0).getByRole('button', { name: '去反馈' }).click();
    await page.waitForURL('**/exchanges/*');
    await page.getByRole('button', { name: '提交反馈' }).waitFor();
    await page.getByText('赵明').first().waitFor();
    await page.goBack();
    await page.waitForURL(base + '/');
    await todo.first().waitFor();

    // 即将到期 counts and opens only what falls due within 3 days.
    expect(await page.getByLabel('即将到期', { exact: true }).innerText()).toBe('1');
    await page.getByLabel('即将到期', { exact: true }).click();
    await page.waitForURL('**/exchanges/inbox?tab=soon');
    await rowsWith(page, '流入通报').filter({ hasText: '赵明' }).waitFor();
    expect(await rowsWith(page, '钱亮').count()).toBe(0);
    expect(await page.getByRole('tab', { name: '即将到期' }).getAttribute('aria-selected')).toBe('true');
    await tab.shot('nav-inbox-soon');
    await page.goBack();
    await page.waitForURL(base + '/');

    await page.getByRole('menuitem', { name: '收件箱' }).click();
    await page.waitForURL('**/exchanges/inbox');
    await page.getByRole('heading', { name: '收件箱' }).waitFor();
    await page.getByRole('columnheader', { name: '来自' }).waitFor();
    for (const name of ['赵明', '钱亮']) await rowsWith(page, '流入通报').filter({ hasText: name }).getByText(XINAN).waitFor();
    // 剩余: how long each reply has left (赵明's falls due tomorrow, 钱亮's in ten days).
    await rowsWith(page, '流入通报').filter({ hasText: '赵明' }).getByText('剩余 1 天').waitFor();
    await rowsWith(page, '流入通报').filter({ hasText: '钱亮' }).getByText('剩余 10 天').waitFor();
    // 姓名或身份证号 narrows the list, and the name never enters the URL.
    await page.getByLabel('姓名或身份证号').fill('钱');
    await page.getByRole('button', { name: '查询' }).click();
    await waitFor(async () => (await rowsWith(page, '赵明').count()) === 0, 10_000, 'search leaves out 赵明');
    await rowsWith(page, '流入通报').filter({ hasText: '钱亮' }).waitFor();
    expect(decodeURIComponent(page.url())).not.toContain('钱');
    await tab.shot('nav-inbox-search');
    // 导出 Excel: the list as searched, in a file a clerk can print (ID numbers masked).
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '导出 Excel' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^收件箱-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(await file.path()) as unknown as ExcelJS.Buffer);
    const sheet = book.worksheets[0];
    const names = [];
    for (let r = 3; r <= sheet.rowCount; r++) names.push(sheet.getRow(r).getCell(3).text);
    expect(names).toEqual(['钱亮']);
    expect(sheet.getRow(3).getCell(4).text).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    await page.getByLabel('姓名或身份证号').fill('');
    await page.getByRole('button', { name: '查询' }).click();
    await rowsWith(page, '流入通报').filter({ hasText: '赵明' }).waitFor();
    expect(await rowsWith(page, '离开通报').count()).toBe(0);
    expect(await page.getByRole('tab', { name: '待反馈' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('tab').allInnerTexts()).toEqual(['待反馈', '即将到期', '已逾期', '通知', '全部']);
    await tab.shot('nav-inbox');

    await page.getByRole('menuitem', { name: '发件箱' }).click();
    await page.waitForURL('**/exchanges/outbox');
    await page.getByRole('heading', { name: '发件箱' }).waitFor();
    await rowsWith(page, '协查').filter({ hasText: '赵明' }).getByText(XINAN).waitFor();
    expect(await page.getByRole('columnheader', { name: '发往' }).count()).toBe(1);
    expect(await page.getByRole('columnheader', { name: '来自' }).count()).toBe(0);
    expect(await rowsWith(page, '流入通报').count()).toBe(0);
    await tab.shot('nav-outbox');

    await page.goBack();
    await page.waitForURL('**/exchanges/inbox');
    await rowsWith(page, '流入通报').filter({ hasText: '钱亮' }).waitFor();
    expect(await rowsWith(page, '协查').count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: '来自' }).count()).toBe(1);
    await page.goForward();
    await page.waitForURL('**/exchanges/outbox');
    await rowsWith(page, '协查').filter({ hasText: '赵明' }).waitFor();
    expect(await rowsWith(page, '流入通报').count()).toBe(0);

    // 通知 holds the 离开通报 (无需反馈); back returns to 待反馈 without it.
    await page.getByRole('menuitem', { name: '收件箱' }).click();
    await rowsWith(page, '流入通报').first().waitFor();
    await page.getByRole('tab', { name: '通知' }).click();
    await page.waitForURL('**/exchanges/inbox?tab=notices');
    await rowsWith(page, '离开通报').filter({ hasText: '钱亮' }).getByText('无需反馈').waitFor();
    expect(await rowsWith(page, '流入通报').count()).toBe(0);
    await tab.shot('nav-inbox-notices');
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/exchanges/inbox' && url.search === '');
    await rowsWith(page, '流入通报').filter({ hasText: '赵明' }).waitFor();
    expect(await rowsWith(page, '离开通报').count()).toBe(0);
    expect(await page.getByRole('tab', { name: '待反馈' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tab', { name: '全部' }).click();
    await rowsWith(page, '离开通报').waitFor();
    expect(await rowsWith(page, '流入通报').count()).toBe(2);

    // 工作台's 已逾期 opens the (empty) overdue tab; the menu's 收件箱 then shows 待反馈 again, not the overdue list.
    await page.getByRole('menuitem', { name: '工作台' }).click();
    await page.getByLabel('已逾期', { exact: true }).click();
    await page.waitForURL('**/exchanges/inbox?tab=overdue');
    await page.getByText('暂无信息').waitFor();
    expect(await page.getByRole('tab', { name: '已逾期' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('menuitem', { name: '收件箱' }).click();
    await page.waitForURL((url) => url.pathname === '/exchanges/inbox' && url.search === '');
    await rowsWith(page, '流入通报').filter({ hasText: '赵明' }).waitFor();
    expect(await page.getByRole('tab', { name: '待反馈' }).getAttribute('aria-selected')).toBe('true');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it("shows 流入人员 the menu's whole list after 工作台's 草稿, and the drafts again on back", async () => {
    const tab = await signedInTab(browser, base, community, '/');
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await waitFor(async () => (await page.getByLabel('草稿', { exact: true }).innerText()) === '1', 10_000, '草稿 1 on 工作台');
    await page.getByLabel('草稿', { exact: true }).click();
    await page.waitForURL('**/inflows?status=draft');
    await rowsWith(page, '孙伟').waitFor();
    expect(await rowsWith(page, '赵明').count()).toBe(0);
    await page.getByRole('menuitem', { name: '流入人员' }).click();
    await page.waitForURL((url) => url.pathname === '/inflows' && url.search === '');
    await rowsWith(page, '赵明').waitFor();
    await rowsWith(page, '孙伟').waitFor();
    await tab.shot('nav-inflows-all');
    await page.goBack();
    await page.waitForURL('**/inflows?status=draft');
    await rowsWith(page, '赵明').waitFor({ state: 'detached' });
    await rowsWith(page, '孙伟').waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('leads a screen of another role to 工作台 with 无权访问该页面 (a supervisor typing /inflows/new, a clerk /admin/users)', async () => {
    const supervisor = await account(t, '421381000000', { role: 'supervisor', prefix: 'hdsup', displayName: '广水市督导' });
    const tab = await signedInTab(browser, base, supervisor, '/');
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await page.getByText('信息提交率').first().waitFor();
    await page.goto('/inflows/new');
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('alert').getByText('无权访问该页面').waitFor();
    await page.getByRole('heading', { name: '工作台' }).waitFor();
    expect(await page.getByLabel('公民身份号码').count()).toBe(0);
    await tab.shot('nav-denied-supervisor');
    // The next move clears the message.
    await page.getByRole('menuitem', { name: '考核指标' }).click();
    await page.waitForURL('**/rates');
    await page.getByText('无权访问该页面').waitFor({ state: 'detached' });
    expect(tab.errors).toEqual([]);
    await tab.close();

    const own = await signedInTab(browser, base, clerk, '/');
    await own.page.goto('/admin/users');
    await own.page.waitForURL((url) => url.pathname === '/');
    await own.page.getByRole('alert').getByText('无权访问该页面').waitFor();
    expect(await own.page.getByRole('button', { name: '新建用户' }).count()).toBe(0);
    expect(own.errors).toEqual([]);
    await own.close();
  });

  it('names the issuer by its full name on the public check page (湖北省随州市广水市郝店镇, not 郝店镇)', async () => {
    const cert = await t
      .http()
      .post('/api/certificates')
      .set(auth(await t.token(clerk, PASSWORD)))
      .send(certificateBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1994-03-09' }), name: '李娟' }, { householdCode: HAODIAN_VILLAGE }))
      .expect(201);
    const tab = await openPage(browser, base, { width: 390, height: 844 });
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await page.goto(`/verify/${cert.body.verificationCode}`);
    await page.getByText('真实有效').waitFor();
    await page.getByText('湖北省随州市广水市郝店镇', { exact: true }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await tab.shot('nav-verify-full-issuer');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });
});
