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
});
