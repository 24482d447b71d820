import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { signedInTab, startConsoleRun, stopConsoleRun } from './support/console';
import { account, daysAgo, newIdNumber, PASSWORD } from './support/people';
import { inflowBody, registerInflow } from './support/builders';

// 消息 in the console (reminders.md): the header says how many notifications are unread, the list opens where to act,
// and reading one lowers the count. This file's own places: 文景苑社区 (柯城区万田乡) registers people of 广水市城郊街道.
const DEST = '330802214001';
const ORIGIN = '421381004000';
const ORIGIN_VILLAGE = '421381004001';

describe('web console: 消息', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;

  beforeAll(async () => {
    ({ t, browser, base, clerk } = await startConsoleRun(DEST, { prefix: 'wjy', displayName: '文景苑社区专干' }));
  });
  afterAll(() => stopConsoleRun({ t, browser }));

  it('shows the unread count in the header, opens a 查无此人 reply from the list, and counts it read', async () => {
    const dest = await t.token(clerk, PASSWORD);
    const origin = await t.token(await account(t, ORIGIN, { prefix: 'cj', displayName: '城郊街道' }), PASSWORD);
    const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
    const register = (name: string) =>
      registerInflow(
        t,
        dest,
        inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name }, daysAgo(3), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }),
      );
    const [first, second] = [await register('卫一'), await register('卫二')];
    const noticeOf = (caseId: string) =>
      waitFor(
        async () => (await t.db.query(`SELECT id FROM exchange WHERE case_id = $1 AND status = 'delivered'`, [caseId]))[0] as { id: string } | undefined,
        15_000,
        'notice delivered',
      );
    const [one, two] = [await noticeOf(first.caseId), await noticeOf(second.caseId)];
    await t.http().post(`/api/exchanges/${one.id}/reply`).set(auth(origin)).send({ outcome: 'not_found' }).expect(200);
    await t.http().post(`/api/exchanges/${two.id}/reply`).set(auth(origin)).send({ outcome: 'not_ours' }).expect(200);

    const tab = await signedInTab(browser, base, clerk, '/');
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    const messages = page.getByRole('link', { name: /^消息/ });
    await messages.and(page.getByLabel('消息，2 条未读')).waitFor();
    await messages.click();
    await page.getByRole('heading', { name: '消息' }).waitFor();
    const rows = page.getByRole('row').filter({ hasText: '一条登记需要核对' });
    await rows.filter({ hasText: '反馈“查无此人”' }).waitFor();
    expect(await rows.count()).toBe(2);
    await tab.shot('notifications');

    // 去处理 opens the message the reply is on; back in the list it is read, and the header says 1.
    await rows.filter({ hasText: '反馈“查无此人”' }).getByRole('button', { name: '去处理' }).click();
    await page.waitForURL(`**/exchanges/${one.id}`);
    await page.getByText('查无此人').first().waitFor();
    await messages.and(page.getByLabel('消息，1 条未读')).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: '消息' }).waitFor();
    await page.getByRole('radio', { name: '未读' }).check({ force: true });
    await page.getByRole('row').filter({ hasText: '反馈“非本地户籍”' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: '反馈“查无此人”' }).count()).toBe(0);

    // 全部标为已读: nothing unread is left, and the header's count is gone.
    await page.getByRole('button', { name: '全部标为已读' }).click();
    await page.getByText('没有未读消息').first().waitFor();
    await messages.and(page.getByLabel('消息', { exact: true })).waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets a county supervisor send 催办 from 考核指标; the clerks of the place find it first in 待办 and in 消息', async () => {
    const supervisor = await account(t, '330802000000', { role: 'supervisor', prefix: 'kc', displayName: '柯城区督导' });
    const tab = await signedInTab(browser, base, supervisor, '/');
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await page.getByRole('menuitem', { name: '考核指标' }).click();
    await page.getByRole('heading', { name: '考核指标' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: '万田乡', exact: true }) });
    const dialog = page.getByRole('dialog', { name: '催办：万田乡' });
    // The page settles first (the dialog's code and the row's last 催办 arrive after the table); a click that landed
    // while the row was redrawn is made again, as a person would.
    await page.waitForLoadState('networkidle');
    for (let attempt = 0; attempt < 3 && !(await dialog.isVisible()); attempt++) {
      await row.getByRole('button', { name: '催办万田乡' }).click();
      await dialog.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    await dialog.getByLabel('说明').fill('请本周内处理完逾期的反馈');
    await dialog.getByRole('button', { name: '发送' }).click();
    await page.getByText(/已催办：\d+ 名工作人员收到/).waitFor();
    await row.getByText(/上次 \d{2}-\d{2}/).waitFor();
    await tab.shot('rates-reminded');
    // The same place again today: the dialog says why not.
    await row.getByRole('button', { name: '催办万田乡' }).click();
    await dialog.getByRole('button', { name: '发送' }).click();
    await page.getByText('今天已经就这一指标催办过该辖区，明天可再次催办').waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    expect(tab.errors).toEqual([]);
    await tab.close();

    // 文景苑社区's clerk: 催办 heads 待办, and opens 消息.
    const clerkTab = await signedInTab(browser, base, clerk, '/');
    const first = clerkTab.page.getByRole('list', { name: '待办' }).getByRole('listitem').first();
    await first.getByText('催办', { exact: true }).waitFor();
    await first.getByText(/^催办：浙江省衢州市柯城区万田乡/).waitFor();
    await first.getByText('去查看').click();
    await clerkTab.page.getByRole('heading', { name: '消息' }).waitFor();
    await clerkTab.page.getByText('说明：请本周内处理完逾期的反馈').waitFor();
    expect(clerkTab.errors).toEqual([]);
    await clerkTab.close();
  });

  it('lets a clerk set 企业微信 from 消息 → 接收设置, refuses a bad address under its field, and sends a test message', async () => {
    const received: string[] = [];
    const robot = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(body);
        res.setHeader('content-type', 'application/json');
        res.end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((r) => robot.listen(0, '127.0.0.1', r));
    try {
      const tab = await signedInTab(browser, base, clerk, '/');
      const { page } = tab;
      page.setDefaultTimeout(10_000);
      await page.getByRole('link', { name: /^消息/ }).click();
      await page.getByRole('button', { name: '接收设置' }).click();
      await page.getByRole('heading', { name: '消息接收设置' }).waitFor();
      await page.getByText('还没有设置任何渠道：消息只在工作台中显示。').waitFor();
      await page
        .locator('.el-switch')
        .filter({ has: page.getByRole('switch', { name: '使用企业微信' }) })
        .click();
      await page.locator('#wecom-url').fill('不是网址');
      await page.getByRole('button', { name: '保存' }).click();
      await page
        .locator('.el-form-item')
        .filter({ has: page.locator('#wecom-url') })
        .getByText('不是有效的网址')
        .waitFor();
      await page.locator('#wecom-url').fill(`http://127.0.0.1:${(robot.address() as AddressInfo).port}/cgi-bin/webhook/send?key=k1`);
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByText('已保存').waitFor();
      await page.getByRole('button', { name: '发送测试消息' }).click();
      await page.getByRole('list', { name: '测试结果' }).getByText('已发送').waitFor();
      await page.getByText(/上次发送 \d{4}-\d{2}-\d{2}/).waitFor();
      await tab.shot('channels');
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0])).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringContaining('测试消息') } });
      expect(tab.errors).toEqual([]);
      await tab.close();
    } finally {
      await new Promise((r) => robot.close(r));
    }
  });
});
