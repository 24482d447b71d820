import type { Browser, Page } from 'playwright-core';
import { startTestApp, TestApp, uniqueName, waitFor } from './support/app';
import { launchBrowser, openPage } from './support/browser';
import { daysAgo, newIdNumber, PASSWORD, staffAt } from './support/people';

// The web console in Debian's Chromium against the real service (console.md): login, the header, the staff home,
// a 401 mid-session, and the public certificate check on a phone. Journeys go through the visible labels.

const YANGZHAI = '421381101000';
const YANGZHAI_VILLAGE = '421381101201';
const QUZHOU_COMMUNITY = '330802005001';

/** Picks an option of an Element Plus select by the field's label (its input is hidden behind the wrapper). */
async function choose(page: Page, field: string, option: string): Promise<void> {
  await page.getByLabel(field).locator('xpath=ancestor::*[contains(@class, "el-select__wrapper")][1]').click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Types a code into the place picker and chooses the place offered, by its full name. */
async function pickPlace(page: Page, field: string, code: string, fullNameStart: string): Promise<void> {
  await page.getByLabel(field, { exact: true }).locator('xpath=ancestor::*[contains(@class, "el-select__wrapper")][1]').click();
  await page.keyboard.type(code);
  await page.getByRole('option', { name: new RegExp(`^${fullNameStart}`) }).click();
}

describe('web console (工作台)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;

  beforeAll(async () => {
    t = await startTestApp();
    base = await t.app.getUrl();
    browser = await launchBrowser();
    clerk = uniqueName('yz');
    await t.http().post('/api/users').set('Authorization', `Bearer ${await t.token()}`)
      .send({ username: clerk, password: PASSWORD, displayName: '杨寨镇计生办', role: 'staff', jurisdictionCode: YANGZHAI }).expect(201);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

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
    const api = await t.http().get('/api/nowhere').expect(404);
    expect(api.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('shows the API\'s message for a wrong password, then logs in, shows who is logged in, and logs out', async () => {
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
    await header.getByText('杨寨镇计生办').waitFor();
    await header.getByText('工作人员').waitFor();
    await header.getByText('杨寨镇', { exact: true }).waitFor();
    for (const count of ['待反馈', '即将到期', '已逾期', '草稿']) await page.getByLabel(count, { exact: true }).waitFor();
    await tab.shot('home-staff');
    // A reload keeps the session (sessionStorage); 退出 ends it.
    await page.reload();
    await header.getByText('杨寨镇计生办').waitFor();
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
    await page.getByLabel('当前用户').getByText('杨寨镇计生办').waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets the origin clerk find a notice in 收件箱 by the person\'s name and answer 核实无误 and 信息有误 with a corrected marital status', async () => {
    const dest = await staffAt(t, QUZHOU_COMMUNITY);
    const register = (name: string) =>
      t.http().post('/api/inflows').set('Authorization', `Bearer ${dest}`).send({
        person: { idNumber: newIdNumber({ sex: 'male' }), name }, householdCode: YANGZHAI_VILLAGE, destinationCode: QUZHOU_COMMUNITY,
        address: '衢州市柯城区', arrivalDate: daysAgo(3), reason: 'work', maritalStatus: 'unmarried', contraception: 'none',
      }).expect(201);
    const first = await register('张建国');
    const second = await register('李卫东');
    const origin = await t.token(clerk, PASSWORD);
    await waitFor(async () => {
      const inbox = await t.http().get('/api/exchanges/inbox?status=delivered&pageSize=100').set('Authorization', `Bearer ${origin}`);
      return [first, second].every((r) => inbox.body.items.some((e: { caseId: string }) => e.caseId === r.body.caseId));
    }, 15_000, 'notices delivered');

    const tab = await openPage(browser, base);
    const { page } = tab;
    await page.goto('/login?redirect=/exchanges/inbox');
    await page.getByLabel('用户名').fill(clerk);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByLabel('密码').press('Enter');
    await page.waitForURL('**/exchanges/inbox*');
    const row = page.getByRole('row').filter({ hasText: '张建国' });
    await row.getByText('流入通报').waitFor();
    await row.getByText('待反馈').waitFor();
    await row.getByText(first.body.person.idNumber).waitFor();
    await page.getByRole('row').filter({ hasText: '李卫东' }).waitFor();
    await tab.shot('inbox');

    await row.click();
    await page.waitForURL('**/exchanges/*');
    await page.getByText('浙江省衢州市柯城区', { exact: false }).first().waitFor();
    await choose(page, '反馈结果', '核实无误');
    await page.getByLabel('说明').fill('已电话核实');
    await tab.shot('exchange-reply-form');
    await page.getByRole('button', { name: '提交反馈' }).click();
    // Answered: the form gives way to the reply, with who answered.
    await page.getByRole('button', { name: '提交反馈' }).waitFor({ state: 'detached' });
    await page.getByText('核实无误').first().waitFor();
    await page.getByText('已电话核实').waitFor();
    await page.getByText('杨寨镇计生办（湖北省随州市广水市杨寨镇）', { exact: false }).waitFor();

    await page.goto('/exchanges/inbox');
    await page.getByRole('row').filter({ hasText: '李卫东' }).click();
    await choose(page, '反馈结果', '信息有误');
    await choose(page, '婚姻状况', '初婚');
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
    await page.getByText('婚姻状况：初婚', { exact: false }).waitFor();
    await tab.shot('case');
    expect(tab.errors).toEqual([]);
    await tab.close();

    // The destination sees the answers in its 发件箱.
    const sender = uniqueName('qzout');
    await t.http().post('/api/users').set('Authorization', `Bearer ${await t.token()}`)
      .send({ username: sender, password: PASSWORD, displayName: '柯城社区', role: 'staff', jurisdictionCode: QUZHOU_COMMUNITY }).expect(201);
    const out = await openPage(browser, base);
    await out.page.goto('/login?redirect=/exchanges/outbox');
    await out.page.getByLabel('用户名').fill(sender);
    await out.page.getByLabel('密码').fill(PASSWORD);
    await out.page.getByLabel('密码').press('Enter');
    await out.page.waitForURL('**/exchanges/outbox*');
    const answered = out.page.getByRole('row').filter({ hasText: '张建国' });
    await answered.getByText('湖北省随州市广水市杨寨镇').waitFor();
    await answered.getByText('核实无误：已电话核实').waitFor();
    await answered.getByText('已反馈').waitFor();
    await out.shot('outbox');
    expect(out.errors).toEqual([]);
    await out.close();
  });

  it('lets a destination clerk register a woman without a certificate (登记成功, 未提供, 重点对象) and save a draft; a wrong check character shows at once', async () => {
    const community = uniqueName('qz');
    await t.http().post('/api/users').set('Authorization', `Bearer ${await t.token()}`)
      .send({ username: community, password: PASSWORD, displayName: '柯城社区', role: 'staff', jurisdictionCode: QUZHOU_COMMUNITY }).expect(201);
    const tab = await openPage(browser, base);
    const { page } = tab;
    await page.goto('/login?redirect=/inflows/new');
    await page.getByLabel('用户名').fill(community);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByLabel('密码').press('Enter');
    await page.waitForURL('**/inflows/new');

    const idNumber = newIdNumber({ sex: 'female', birthDate: '1995-04-12' });
    const wrong = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    await page.getByLabel('公民身份号码', { exact: true }).fill(wrong);
    await page.getByText('校验位不正确，请核对号码').waitFor();
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByText('1995-04-12 出生，女').waitFor();
    await page.getByLabel('姓名', { exact: true }).fill('陈静');
    await pickPlace(page, '户籍地', '421381101201', '湖北省随州市广水市杨寨镇');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    await page.getByLabel('详细地址').fill('衢州市柯城区金桂社区 12 号');
    await choose(page, '婚姻状况', '初婚');
    await page.getByLabel('配偶姓名').fill('李强');
    await page.getByLabel('配偶公民身份号码').fill(newIdNumber({ sex: 'male', birthDate: '1993-01-01' }));
    await page.getByRole('button', { name: '添加子女' }).click();
    await page.getByLabel('出生日期').fill('2020-05-01');
    await page.getByLabel('出生日期').press('Enter');
    await page.getByLabel('是否怀孕').waitFor({ state: 'attached' });
    await tab.shot('inflow-new-filled');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('登记成功').waitFor();
    await page.getByText('未提供').waitFor();
    await page.getByText('重点对象').waitFor();
    await tab.shot('inflow-new-saved');
    const [saved] = (await t.http().get(`/api/inflows?q=${idNumber}`).set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`).expect(200)).body.items;
    expect(saved).toMatchObject({ status: 'active', keyTarget: true, certificateCheck: 'missing', maritalStatus: 'first_married', children: [{ sex: 'female', birthDate: '2020-05-01' }] });

    // A draft: saved, not sent.
    await page.getByRole('button', { name: '继续登记' }).click();
    const other = newIdNumber({ sex: 'male', birthDate: '1988-09-09' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(other);
    await page.getByLabel('姓名', { exact: true }).fill('周强');
    await pickPlace(page, '户籍地', '421381101201', '湖北省随州市广水市杨寨镇');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    await page.getByLabel('详细地址').fill('衢州市柯城区金桂社区 3 号');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('登记成功').waitFor();
    await page.getByText('已保存为草稿', { exact: false }).waitFor();
    const [draft] = (await t.http().get(`/api/inflows?q=${other}`).set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`).expect(200)).body.items;
    expect(draft.status).toBe('draft');

    // Both are in 流入人员; the draft is submitted from its record.
    await page.getByRole('menuitem', { name: '流入人员' }).click();
    await page.waitForURL('**/inflows');
    await page.getByRole('row').filter({ hasText: '陈静' }).getByText('重点对象').waitFor();
    await page.getByRole('row').filter({ hasText: '周强' }).getByText('草稿').waitFor();
    expect(page.url()).not.toContain(other);
    await tab.shot('inflows-list');
    await page.getByRole('row').filter({ hasText: '周强' }).click();
    await page.waitForURL(`**/inflows/${draft.id}`);
    await page.getByText(other).waitFor();
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('在册').waitFor();
    await tab.shot('inflow-detail');
    const submitted = await t.http().get(`/api/inflows/${draft.id}`).set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`).expect(200);
    expect(submitted.body.status).toBe('active');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets the origin clerk register a resident who left (未联系), find it under 联系状态, and 注销 it as 返回户籍地', async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await page.goto('/login?redirect=/outflows/new');
    await page.getByLabel('用户名').fill(clerk);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByLabel('密码').press('Enter');
    await page.waitForURL('**/outflows/new');
    const idNumber = newIdNumber({ sex: 'male', birthDate: '1985-02-02' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByLabel('姓名', { exact: true }).fill('吴亮');
    await pickPlace(page, '户籍地', YANGZHAI_VILLAGE, '湖北省随州市广水市杨寨镇');
    await page.getByLabel('外出日期').fill(daysAgo(20));
    await page.getByLabel('外出日期').press('Enter');
    await tab.shot('outflow-new');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('登记成功').waitFor();
    await page.getByText('联系状态：未联系').waitFor();

    await page.getByRole('button', { name: '流出人员' }).click();
    await page.waitForURL('**/outflows');
    await choose(page, '联系状态', '未联系');
    const row = page.getByRole('row').filter({ hasText: '吴亮' });
    await row.getByText('未联系').waitFor();
    await tab.shot('outflows');
    await row.getByRole('button', { name: '注销' }).click();
    await choose(page, '注销类型', '返回户籍地');
    await page.getByRole('button', { name: '确定' }).click();
    await row.waitFor({ state: 'detached' });
    const [closed] = (await t.http().get('/api/outflows?status=returned&pageSize=100').set('Authorization', `Bearer ${await t.token(clerk, PASSWORD)}`).expect(200))
      .body.items.filter((o: { person: { name: string } }) => o.person.name === '吴亮');
    expect(closed).toMatchObject({ status: 'returned', closeDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets the origin clerk issue a certificate (证明编号, 核验码), 打印 it as a PDF, 作废 it, and look it up', async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await page.goto('/login?redirect=/certificates/new');
    await page.getByLabel('用户名').fill(clerk);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByLabel('密码').press('Enter');
    await page.waitForURL('**/certificates/new');
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1992-03-03' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByLabel('姓名', { exact: true }).fill('刘敏');
    await pickPlace(page, '户籍地', YANGZHAI_VILLAGE, '湖北省随州市广水市杨寨镇');
    await page.getByRole('button', { name: '出具证明' }).click();
    await page.getByText('证明编号').waitFor();
    await page.getByText(/^421381101000-\d{4}-\d{5}$/).waitFor();
    await page.getByText('核验码').waitFor();
    await tab.shot('certificate-issued');

    const popup = page.waitForEvent('popup');
    await page.getByRole('button', { name: '打印' }).click();
    const pdf = await popup;
    expect(pdf.url()).toMatch(/^blob:/);
    await pdf.close();

    await page.getByRole('button', { name: '作废' }).click();
    await page.getByLabel('作废原因').fill('婚姻状况已变更');
    await page.getByRole('button', { name: '确定作废' }).click();
    await page.getByText('已作废').first().waitFor();

    await page.getByRole('menuitem', { name: '证明查验' }).click();
    await page.waitForURL('**/certificates/lookup');
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByRole('button', { name: '查验' }).click();
    await page.getByText('婚姻状况已变更').waitFor();
    expect(page.url()).not.toContain(idNumber);
    await page.getByLabel('公民身份号码', { exact: true }).fill(newIdNumber({ sex: 'female', birthDate: '1990-01-01' }));
    await page.getByRole('button', { name: '查验' }).click();
    await page.getByText('未找到').waitFor();
    await tab.shot('certificate-lookup');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('verifies a printed certificate on a phone without logging in: 真实有效, then 已作废, and 无法核验 for a forged code', async () => {
    const token = await t.token(clerk, PASSWORD);
    const cert = await t.http().post('/api/certificates').set('Authorization', `Bearer ${token}`)
      .send({ person: { idNumber: newIdNumber({ sex: 'female', birthDate: '1993-08-08' }), name: '王芳' }, householdCode: YANGZHAI_VILLAGE, maritalStatus: 'unmarried', children: [], contraception: 'none' }).expect(201);
    const tab = await openPage(browser, base, { width: 390, height: 844 });
    const { page } = tab;
    await page.goto(`/verify/${cert.body.verificationCode}`);
    await page.getByText('真实有效').waitFor();
    await page.getByText(cert.body.number).waitFor();
    await page.getByText('王*').waitFor();
    await page.getByText('湖北省随州市广水市杨寨镇').or(page.getByText('杨寨镇')).first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await tab.shot('verify-valid-phone');

    await t.http().post(`/api/certificates/${cert.body.id}/revoke`).set('Authorization', `Bearer ${token}`).send({ reason: '婚姻状况已变更' }).expect(200);
    await page.reload();
    await page.getByText('已作废').waitFor();
    await page.goto(`/verify/${cert.body.verificationCode.slice(0, -2)}xx`);
    await page.getByText('无法核验').waitFor();
    await tab.shot('verify-forged-phone');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });
});
