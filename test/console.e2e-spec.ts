import type { Browser } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { openPage } from './support/browser';
import { choose, signIn, startConsoleRun, stopConsoleRun } from './support/console';
import { account, daysAgo, newIdNumber, PASSWORD, staffAt } from './support/people';
import { inflowBody } from './support/builders';

// The web console in Debian's Chromium against the real service (console.md): login, the header, the staff home,
// a 401 mid-session and the inbox. Journeys go through the visible labels. Registering and editing are in
// console-registration.e2e-spec.ts, certificates and the keyboard in console-certificates.e2e-spec.ts.

// 长岭镇 is this file's own origin township: no other test sends to it, so its inbox holds only these journeys' notices.
const CHANGLING = '421381103000';
const CHANGLING_VILLAGE = '421381103201';
// 彩虹社区 (衢州 柯城区) is its own destination likewise: its 发件箱 holds only these journeys' notices, however many
// registrations other test files make meanwhile.
const RAINBOW_COMMUNITY = '330802005004';

describe('web console (工作台)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;

  beforeAll(async () => ({ t, browser, base, clerk } = await startConsoleRun(CHANGLING, { prefix: 'cl', displayName: '长岭镇计生办' })));
  afterAll(() => stopConsoleRun({ t, browser }));

  it('is served at / with a strict CSP, hashed assets cached, history routes answered, unknown /api still JSON 404', async () => {
    const page = await t.http().get('/').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1] as string;
    const js = await t.http().get(asset).expect(200);
    expect(js.headers['cache-control']).toContain('immutable');
    const deep = await t.http().get('/exchanges/inbox?tab=open').expect(200);
    expect(deep.text).toBe(page.text);
    // robots.txt is a file (an internal service: nothing to index), not the console's page.
    const robots = await t.http().get('/robots.txt').expect(200);
    expect(robots.headers['content-type']).toMatch(/^text\/plain/);
    expect(robots.text).toBe('User-agent: *\nDisallow: /\n');
    const api = await t.http().get('/api/nowhere').expect(404);
    expect(api.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it("shows the API's message for a wrong password, then logs in, shows who is logged in, and logs out", async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByLabel('用户名').fill(clerk);
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByLabel('密码').press('Enter');
    await page.getByRole('alert').getByText('用户名或密码错误').waitFor();
    await tab.shot('login-wrong-password');

    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(base + '/');
    const header = page.getByLabel('当前用户');
    await header.getByText('长岭镇计生办').waitFor();
    await header.getByText('工作人员').waitFor();
    await header.getByText('湖北省随州市广水市长岭镇', { exact: true }).waitFor(); // in full: there are several 长岭镇
    for (const count of ['待反馈', '即将到期', '已逾期', '草稿']) await page.getByLabel(count, { exact: true }).waitFor();
    await tab.shot('home-staff');
    // A reload keeps the session (sessionStorage); 退出 ends it.
    await page.reload();
    await header.getByText('长岭镇计生办').waitFor();
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL('**/login');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('returns to the login page on a 401 mid-session, and afterwards to where the user was', async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await page.goto('/login');
    await page.getByLabel('用户名').fill(clerk);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByLabel('密码').press('Enter');
    await page.waitForURL(base + '/');
    // The token goes bad (expired, or the account was deactivated): the next API call answers 401.
    await page.evaluate(`(() => {
      const saved = JSON.parse(sessionStorage.getItem('liudong.session'));
      sessionStorage.setItem('liudong.session', JSON.stringify({ ...saved, token: 'expired' }));
    })()`);
    await page.reload();
    await page.waitForURL(/\/login\?redirect=/);
    await page.getByLabel('用户名').fill(clerk);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(base + '/');
    await page.getByLabel('当前用户').getByText('长岭镇计生办').waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it("lets the origin clerk find a notice in 收件箱 by the person's name and answer 核实无误 and 信息有误 with a corrected marital status", async () => {
    const dest = await staffAt(t, RAINBOW_COMMUNITY);
    const register = (name: string, idNumber = newIdNumber({ sex: 'male' })) =>
      t
        .http()
        .post('/api/inflows')
        .set('Authorization', `Bearer ${dest}`)
        .send(inflowBody({ idNumber, name }, daysAgo(3), { householdCode: CHANGLING_VILLAGE, destinationCode: RAINBOW_COMMUNITY }))
        .expect(201);
    const firstIdNumber = newIdNumber({ sex: 'male' });
    const first = await register('张建国', firstIdNumber);
    const second = await register('李卫东');
    const origin = await t.token(clerk, PASSWORD);
    await waitFor(
      async () => {
        const inbox = await t.http().get('/api/exchanges/inbox?status=delivered&pageSize=100').set('Authorization', `Bearer ${origin}`);
        return [first, second].every((r) => inbox.body.items.some((e: { caseId: string }) => e.caseId === r.body.caseId));
      },
      15_000,
      'notices delivered',
    );

    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, clerk, '/exchanges/inbox');
    const row = page.getByRole('row').filter({ hasText: '张建国' });
    await row.getByText('流入通报').waitFor();
    await row.getByText('待反馈').waitFor();
    await row.getByText(first.body.person.idNumber).waitFor();
    await page.getByRole('row').filter({ hasText: '李卫东' }).waitFor();
    await tab.shot('inbox');

    await row.click();
    await page.waitForURL('**/exchanges/*');
    await page.getByText('浙江省衢州市柯城区', { exact: false }).first().waitFor();
    // What to verify, as the destination registered it, and who to call back; the full number only on request.
    const facts = page.locator('.el-card', { hasText: '需核实的登记内容' });
    await facts.getByText('张建国').waitFor();
    await facts
      .getByText(/^浙江省衢州市柯城区/)
      .first()
      .waitFor();
    await facts.getByRole('button', { name: '显示完整号码' }).click();
    await facts.getByText(firstIdNumber).waitFor();
    expect(page.url()).not.toContain(firstIdNumber);
    // The message says what the list said: 待反馈, not the delivery state 已送达.
    await page.locator('.el-descriptions__cell', { hasText: '待反馈' }).first().waitFor();
    expect(await page.locator('.el-descriptions').first().innerText()).not.toContain('已送达');
    await choose(page, '反馈结果', '核实无误');
    await page.getByLabel('说明').fill('已电话核实');
    await tab.shot('exchange-reply-form');
    await page.getByRole('button', { name: '提交反馈' }).click();
    // Answered: the form gives way to the reply, with who answered.
    await page.getByRole('button', { name: '提交反馈' }).waitFor({ state: 'detached' });
    await page.getByText('核实无误').first().waitFor();
    await page.getByText('已电话核实').waitFor();
    await page.getByText('长岭镇计生办（湖北省随州市广水市长岭镇）', { exact: false }).waitFor();

    await page.goto('/exchanges/inbox');
    await page.getByRole('row').filter({ hasText: '李卫东' }).click();
    await choose(page, '反馈结果', '信息有误');
    await choose(page, '婚姻状况', '初婚');
    // The choices shown in their fields before sending (on a loaded machine a dropdown may still be closing).
    await page.locator('.el-select__wrapper').filter({ hasText: '信息有误' }).waitFor();
    await page.locator('.el-select__wrapper').filter({ hasText: '初婚' }).waitFor();
    await page.getByRole('button', { name: '提交反馈' }).click();
    await page.getByRole('button', { name: '提交反馈' }).waitFor({ state: 'detached' });
    await page.getByText('信息有误').first().waitFor();
    const corrected = await t.http().get(`/api/inflows/${second.body.id}`).set('Authorization', `Bearer ${dest}`).expect(200);
    expect(corrected.body.maritalStatus).toBe('first_married');

    // The case shows both messages and the replies in order.
    await page.getByRole('link', { name: '查看个案' }).click();
    await page.waitForURL(`**/cases/${second.body.caseId}`);
    await page.getByText('李卫东').first().waitFor();
    await page.getByText('反馈 信息有误', { exact: false }).waitFor();
    await page.getByText('更正 婚姻状况：初婚', { exact: false }).waitFor();
    await page.locator('.el-descriptions__cell', { hasText: '湖北省随州市广水市长岭镇' }).first().waitFor(); // the full name of the origin
    await page.getByText('送达 ', { exact: false }).first().waitFor(); // the time the inbox shows, beside the time it was sent
    await tab.shot('case');
    expect(tab.errors).toEqual([]);
    await tab.close();

    // The destination sees the answers in its 发件箱.
    const sender = await account(t, RAINBOW_COMMUNITY, { prefix: 'qzout', displayName: '彩虹社区专干' });
    const out = await openPage(browser, base);
    await signIn(out.page, sender, '/exchanges/outbox');
    const answered = out.page.getByRole('row').filter({ hasText: '张建国' });
    await answered.getByText('湖北省随州市广水市长岭镇').waitFor();
    await answered.getByText('核实无误：已电话核实').waitFor();
    await answered.getByText('已反馈').waitFor();
    await out.shot('outbox');
    expect(out.errors).toEqual([]);
    await out.close();
  });
});
