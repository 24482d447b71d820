import { randomInt } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { openPage } from './support/browser';
import { pickPlace, signIn, startConsoleRun, stopConsoleRun } from './support/console';
import { inflowBody } from './support/builders';
import { inboxOf, settledExchanges } from './support/exchanges';
import { makeIdNumber } from '@/common/identity';
import { account, daysAgo, PASSWORD } from './support/people';

// 编辑 a registration's 户籍地 in the console (issue 32, console.md /inflows/:id): a clerk who picked 北杨寨乡 (安徽) for a
// person of 广水 corrects it to 太平镇 from 流入人员; the console asks before the case is re-routed, and the record then
// shows the new 户籍地. Places of their own: 太平镇 and a community of 杭州拱墅区 (no other test writes there).
const WRONG_VILLAGE = '341302209202'; // 安徽省宿州市埇桥区北杨寨乡大王村委会
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
    const wrongClerk = await account(t, '341302209000', { prefix: 'byz', displayName: '北杨寨乡' });
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
    await page.locator('.el-descriptions__cell', { hasText: '安徽省宿州市埇桥区北杨寨乡' }).first().waitFor();

    await page.getByRole('button', { name: '编辑' }).click();
    const dialog = page.getByRole('dialog', { name: '编辑登记' });
    // What the registration holds, nothing chosen for the person.
    expect(await dialog.getByLabel('姓名', { exact: true }).inputValue()).toBe('吴磊');
    await dialog.getByText('安徽省宿州市埇桥区北杨寨乡大王村委会').waitFor();
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
    expect(await page.locator('.el-descriptions__cell', { hasText: '北杨寨乡' }).count()).toBe(0);
    expect(tab.errors).toEqual([]);
    await tab.close();

    // The wrong township no longer owes a reply; the right one has the notice.
    // (Other test files may leave messages for that township: only this case's matter.)
    const owed = await inboxOf(t, await t.token(wrongClerk, PASSWORD), '&needsReply=true');
    expect(owed.filter((e) => e.caseId === registered.body.caseId)).toEqual([]);
    const origin = await t.token(clerk, PASSWORD);
    await waitFor(async () => (await inboxOf(t, origin, '&needsReply=true')).find((e) => e.caseId === registered.body.caseId), 15_000, 'notice re-sent');
  });
});
