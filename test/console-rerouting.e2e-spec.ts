import { randomInt } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { openPage } from './support/browser';
import { choose, pickPlace, signIn, startConsoleRun, stopConsoleRun } from './support/console';
import { inflowBody } from './support/builders';
import { inboxOf, settledExchanges } from './support/exchanges';
import { makeIdNumber } from '@/common/identity';
import { account, daysAgo, PASSWORD } from './support/people';

// 编辑 a registration's 户籍地 in the console (issue 32, console.md /inflows/:id): a clerk who picked 赵屯镇 (安徽) for a
// person of 广水 corrects it to 太平镇 from 流入人员; the console asks before the case is re-routed, and the record then
// shows the new 户籍地. Places of their own: 太平镇 and a community of 杭州拱墅区 (no other test writes there).
// Not the API re-routing test's 北杨寨乡 (埇桥区): both count what waits in the wrong township and its county.
const WRONG_VILLAGE = '341321101201'; // 安徽省宿州市砀山县赵屯镇汪屯村委会
const WRONG = '341321101000';
const RIGHT = '421381111000'; // 湖北省随州市广水市太平镇
const RIGHT_VILLAGE = '421381111201';
const DEST = '330105001051';
const CONFIRM = '更正户籍地后，原通报将撤回，并向新的户籍地重新通报';

/** A man's ID number issued in 广水市 (address code 421381), as the clerk saw. */
function guangshuiIdNumber(): string {
  return makeIdNumber('421381', '1985-06-06', randomInt(0, 500) * 2 + 1);
}

describe('web console: correcting 户籍地 re-routes the case', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;

  beforeAll(async () => ({ t, browser, base, clerk } = await startConsoleRun(RIGHT, { prefix: 'tp', displayName: '太平镇计生办' })));
  afterAll(() => stopConsoleRun({ t, browser }));

  it('opens the registration from 流入人员, asks before re-routing, and shows the new 户籍地', async () => {
    const community = await account(t, DEST, { prefix: 'gs', displayName: '拱墅社区' });
    const wrongClerk = await account(t, WRONG, { prefix: 'zt', displayName: '赵屯镇' });
    const dest = await t.token(community, PASSWORD);
    const registered = await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(
        inflowBody({ idNumber: guangshuiIdNumber(), name: '吴磊' }, daysAgo(3), {
          householdCode: WRONG_VILLAGE,
          destinationCode: DEST,
          address: '杭州市拱墅区米市巷 5 号',
        }),
      )
      .expect(201);
    await settledExchanges(t, dest, registered.body.caseId, 1);
    const patches: string[] = [];

    const tab = await openPage(browser, base);
    const { page } = tab;
    page.on('request', (r) => {
      if (r.method() === 'PATCH') patches.push(r.url());
    });
    await signIn(page, community, '/');
    await page.getByRole('menuitem', { name: '流入人员' }).click();
    await page.waitForURL('**/inflows');
    await page.getByRole('row').filter({ hasText: '吴磊' }).click();
    await page.waitForURL(`**/inflows/${registered.body.id}`);
    await page.locator('.el-descriptions__cell', { hasText: '安徽省宿州市砀山县赵屯镇' }).first().waitFor();

    await page.getByRole('button', { name: '编辑' }).click();
    const dialog = page.getByRole('dialog', { name: '编辑登记' });
    // What the registration holds, nothing chosen for the person.
    expect(await dialog.getByLabel('姓名', { exact: true }).inputValue()).toBe('吴磊');
    await dialog.getByText('安徽省宿州市砀山县赵屯镇汪屯村委会').waitFor();
    // His ID number was issued in 广水 (421381): the wrong place is flagged, the right one is not.
    const warning = dialog.getByText('户籍地与身份证号码所属地区不一致，请核对');
    await warning.waitFor();
    await pickPlace(page, '户籍地', RIGHT_VILLAGE, '湖北省随州市广水市太平镇', dialog);
    await warning.waitFor({ state: 'detached' });
    await tab.shot('inflow-reroute-picked');
    await dialog.getByRole('button', { name: '保存' }).click();

    // Asked first; 取消 sends nothing and leaves the dialog as it was.
    const confirm = page.getByRole('dialog', { name: '更正户籍地' });
    await confirm.getByText(CONFIRM, { exact: true }).waitFor();
    await tab.shot('inflow-reroute-confirm');
    await confirm.getByRole('button', { name: '取消' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(patches).toEqual([]);
    await dialog.getByRole('button', { name: '保存' }).click();
    await confirm.getByRole('button', { name: '确定更正' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('.el-descriptions__cell', { hasText: '湖北省随州市广水市太平镇' }).first().waitFor();
    await tab.shot('inflow-rerouted');
    expect(patches).toHaveLength(1);

    // Back to the list and forward again: the record still shows the corrected place.
    await page.goBack();
    await page.waitForURL('**/inflows');
    await page.getByRole('row').filter({ hasText: '吴磊' }).waitFor();
    await page.goForward();
    await page.waitForURL(`**/inflows/${registered.body.id}`);
    await page.locator('.el-descriptions__cell', { hasText: '湖北省随州市广水市太平镇' }).first().waitFor();
    expect(await page.locator('.el-descriptions__cell', { hasText: '赵屯镇' }).count()).toBe(0);
    expect(tab.errors).toEqual([]);
    await tab.close();

    // The wrong township no longer owes a reply; the right one has the notice.
    // (Other test files may leave messages for that township: only this case's matter.)
    const owed = await inboxOf(t, await t.token(wrongClerk, PASSWORD), '&needsReply=true');
    expect(owed.filter((e) => e.caseId === registered.body.caseId)).toEqual([]);
    const origin = await t.token(clerk, PASSWORD);
    await waitFor(async () => (await inboxOf(t, origin, '&needsReply=true')).find((e) => e.caseId === registered.body.caseId), 15_000, 'notice re-sent');
  });

  it('leads the destination clerk from a 非本地户籍 reply straight to correcting 户籍地', async () => {
    const community = await account(t, DEST, { prefix: 'gs', displayName: '拱墅社区' });
    const wrongClerk = await account(t, WRONG, { prefix: 'zt', displayName: '赵屯镇' });
    const dest = await t.token(community, PASSWORD);
    const registered = await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(inflowBody({ idNumber: guangshuiIdNumber(), name: '钟亮' }, daysAgo(2), { householdCode: WRONG_VILLAGE, destinationCode: DEST }))
      .expect(201);
    const [notice] = await settledExchanges(t, dest, registered.body.caseId, 1);
    await t
      .http()
      .post(`/api/exchanges/${notice.id}/reply`)
      .set('Authorization', `Bearer ${await t.token(wrongClerk, PASSWORD)}`)
      .send({ outcome: 'not_ours', note: '本乡查无此户' })
      .expect(200);

    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, community, '/');
    await page.getByRole('menuitem', { name: '发件箱' }).click();
    await page.waitForURL('**/exchanges/outbox**');
    await page.getByRole('row').filter({ hasText: '钟亮' }).first().click();
    await page.waitForURL(`**/exchanges/${notice.id}`);
    await page.getByText('户籍地答复此人不是本地户籍', { exact: false }).waitFor();
    await tab.shot('exchange-not-ours');
    await page.getByRole('button', { name: '更正户籍地' }).click();
    await page.waitForURL(`**/inflows/${registered.body.id}?edit=household`);
    const dialog = page.getByRole('dialog', { name: '编辑登记' });
    await dialog.getByText('安徽省宿州市砀山县赵屯镇汪屯村委会').waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets the community clerk answer a 协查 addressed to the community, not only to its township', async () => {
    const community = await account(t, DEST, { prefix: 'gs', displayName: '拱墅社区' });
    const dest = await t.token(community, PASSWORD);
    const registered = await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(inflowBody({ idNumber: guangshuiIdNumber(), name: '龚平' }, daysAgo(2), { householdCode: RIGHT_VILLAGE, destinationCode: DEST }))
      .expect(201);
    // The origin (the township) asks the destination; the message is addressed to the community that registered him.
    const asked = await t
      .http()
      .post('/api/exchanges')
      .set('Authorization', `Bearer ${await t.token(clerk, PASSWORD)}`)
      .send({ caseId: registered.body.caseId, type: 'verification_request', payload: { subject: '核实现居住地址' } })
      .expect(201);
    expect(asked.body.toUnitCode).toBe(DEST);
    await settledExchanges(t, dest, registered.body.caseId, 2);

    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, community, '/');
    await page.getByRole('menuitem', { name: '收件箱' }).click();
    await page.waitForURL('**/exchanges/inbox**');
    await page.getByRole('row').filter({ hasText: '龚平' }).first().click();
    await page.waitForURL(`**/exchanges/${asked.body.id}`);
    await choose(page, '反馈结果', '核实无误');
    await page.getByRole('button', { name: '提交反馈' }).click();
    await page.getByRole('button', { name: '提交反馈' }).waitFor({ state: 'detached' });
    await page.getByText('核实无误').first().waitFor();
    await tab.shot('exchange-community-replied');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });
});
