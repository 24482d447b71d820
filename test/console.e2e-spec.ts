import type { Browser } from 'playwright-core';
import { startTestApp, TestApp, waitFor } from './support/app';
import { launchBrowser, openPage } from './support/browser';
import { arrowTo, choose, errorOf, pickPlace, signIn, tabTo } from './support/console';
import { account, daysAgo, newIdNumber, PASSWORD, staffAt } from './support/people';
import { certificateBody, inflowBody, QUZHOU_COMMUNITY } from './support/builders';

// The web console in Debian's Chromium against the real service (console.md): login, the header, the staff home,
// a 401 mid-session, and the public certificate check on a phone. Journeys go through the visible labels.

// 长岭镇 is this file's own origin township: no other test sends to it, so its inbox holds only these journeys' notices.
const CHANGLING = '421381103000';
const CHANGLING_VILLAGE = '421381103201';

describe('web console (工作台)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;

  beforeAll(async () => {
    t = await startTestApp();
    base = await t.app.getUrl();
    browser = await launchBrowser();
    clerk = await account(t, CHANGLING, { prefix: 'cl', displayName: '长岭镇计生办' });
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
    await header.getByText('长岭镇', { exact: true }).waitFor();
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
    const dest = await staffAt(t, QUZHOU_COMMUNITY);
    const register = (name: string) =>
      t
        .http()
        .post('/api/inflows')
        .set('Authorization', `Bearer ${dest}`)
        .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name }, daysAgo(3), { householdCode: CHANGLING_VILLAGE }))
        .expect(201);
    const first = await register('张建国');
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
    await tab.shot('case');
    expect(tab.errors).toEqual([]);
    await tab.close();

    // The destination sees the answers in its 发件箱.
    const sender = await account(t, QUZHOU_COMMUNITY, { prefix: 'qzout', displayName: '柯城社区' });
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

  it('lets a destination clerk register a woman without a certificate (登记成功, 未提供, 重点对象) and save a draft; a wrong check character shows at once', async () => {
    const community = await account(t, QUZHOU_COMMUNITY, { prefix: 'qz', displayName: '柯城社区' });
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, community, '/inflows/new');

    const idNumber = newIdNumber({ sex: 'female', birthDate: '1995-04-12' });
    const wrong = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    await page.getByLabel('公民身份号码', { exact: true }).fill(wrong);
    await page.getByText('校验位不正确，请核对号码').waitFor();
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByText('1995-04-12 出生，女').waitFor();
    await page.getByLabel('姓名', { exact: true }).fill('陈静');
    await pickPlace(page, '户籍地', CHANGLING_VILLAGE, '湖北省随州市广水市长岭镇');
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
    const [saved] = (
      await t
        .http()
        .get(`/api/inflows?q=${idNumber}`)
        .set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`)
        .expect(200)
    ).body.items;
    expect(saved).toMatchObject({
      status: 'active',
      keyTarget: true,
      certificateCheck: 'missing',
      maritalStatus: 'first_married',
      children: [{ sex: 'female', birthDate: '2020-05-01' }],
    });

    // A draft: saved, not sent.
    await page.getByRole('button', { name: '继续登记' }).click();
    const other = newIdNumber({ sex: 'male', birthDate: '1988-09-09' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(other);
    await page.getByLabel('姓名', { exact: true }).fill('周强');
    await pickPlace(page, '户籍地', CHANGLING_VILLAGE, '湖北省随州市广水市长岭镇');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    await page.getByLabel('详细地址').fill('衢州市柯城区金桂社区 3 号');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('登记成功').waitFor();
    await page.getByText('已保存为草稿', { exact: false }).waitFor();
    const [draft] = (
      await t
        .http()
        .get(`/api/inflows?q=${other}`)
        .set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`)
        .expect(200)
    ).body.items;
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
    const submitted = await t
      .http()
      .get(`/api/inflows/${draft.id}`)
      .set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`)
      .expect(200);
    expect(submitted.body.status).toBe('active');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets the origin clerk register a resident who left (未联系), find it under 联系状态, and 注销 it as 返回户籍地', async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, clerk, '/outflows/new');
    const idNumber = newIdNumber({ sex: 'male', birthDate: '1985-02-02' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByLabel('姓名', { exact: true }).fill('吴亮');
    await pickPlace(page, '户籍地', CHANGLING_VILLAGE, '湖北省随州市广水市长岭镇');
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
    const [closed] = (
      await t
        .http()
        .get('/api/outflows?status=returned&pageSize=100')
        .set('Authorization', `Bearer ${await t.token(clerk, PASSWORD)}`)
        .expect(200)
    ).body.items.filter((o: { person: { name: string } }) => o.person.name === '吴亮');
    expect(closed).toMatchObject({ status: 'returned', closeDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets the origin clerk issue a certificate (证明编号, 核验码), 打印 it as a PDF, 作废 it, and look it up', async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, clerk, '/certificates/new');
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1992-03-03' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByLabel('姓名', { exact: true }).fill('刘敏');
    await pickPlace(page, '户籍地', CHANGLING_VILLAGE, '湖北省随州市广水市长岭镇');
    await page.getByRole('button', { name: '出具证明' }).click();
    await page.getByText('证明编号').waitFor();
    await page.getByText(/^421381103000-\d{4}-\d{5}$/).waitFor();
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
    const cert = await t
      .http()
      .post('/api/certificates')
      .set('Authorization', `Bearer ${token}`)
      .send(certificateBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1993-08-08' }), name: '王芳' }, { householdCode: CHANGLING_VILLAGE }))
      .expect(201);
    const tab = await openPage(browser, base, { width: 390, height: 844 });
    const { page } = tab;
    await page.goto(`/verify/${cert.body.verificationCode}`);
    await page.getByText('真实有效').waitFor();
    await page.getByText(cert.body.number).waitFor();
    await page.getByText('王*').waitFor();
    await page.getByText('湖北省随州市广水市长岭镇').or(page.getByText('长岭镇')).first().waitFor();
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
  it("shows the API's refusals next to the fields they name, in the API's words, and saves nothing", async () => {
    const community = await account(t, QUZHOU_COMMUNITY, { prefix: 'qzerr', displayName: '柯城社区' });
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, community, '/inflows/new');
    const idNumber = newIdNumber({ sex: 'male', birthDate: '1990-06-06' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await pickPlace(page, '户籍地', CHANGLING_VILLAGE, '湖北省随州市广水市长岭镇');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    // 姓名 and 详细地址 left empty, 联系电话 not a mobile number.
    await page.getByLabel('联系电话').fill('12345');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByRole('alert').getByText('请求数据有误，请检查标出的字段').waitFor();
    await errorOf(page, '姓名').getByText('不能为空').waitFor();
    await errorOf(page, '详细地址').getByText('不能为空').waitFor();
    expect(await errorOf(page, '联系电话').textContent()).toMatch(/手机号/);
    expect(await errorOf(page, '户籍地').count()).toBe(0);
    await tab.shot('inflow-new-errors');
    const listed = await t
      .http()
      .get(`/api/inflows?q=${idNumber}`)
      .set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`)
      .expect(200);
    expect(listed.body.total).toBe(0);
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('lets the destination clerk edit a registration (the origin is told what changed) and start a 协查 from the case', async () => {
    const community = await account(t, QUZHOU_COMMUNITY, { prefix: 'qzask', displayName: '柯城社区' });
    const dest = await t.token(community, PASSWORD);
    const registered = await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(
        inflowBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1960-02-02' }), name: '孙丽' }, daysAgo(10), {
          householdCode: CHANGLING_VILLAGE,
          address: '衢州市柯城区荷花街道 8 号',
          reason: 'family',
          maritalStatus: 'widowed',
        }),
      )
      .expect(201);
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, community, `/inflows/${registered.body.id}`);
    await page.getByRole('button', { name: '编辑' }).click();
    const dialog = page.getByRole('dialog', { name: '编辑登记' });
    await dialog.getByLabel('联系电话').fill('13912345678');
    await choose(page, '避孕节育情况', '绝育');
    await tab.shot('inflow-edit');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('13912345678').waitFor();
    await page.locator('.el-descriptions__cell', { hasText: '绝育' }).first().waitFor();

    await page.getByRole('button', { name: '查看个案' }).click();
    await page.waitForURL(`**/cases/${registered.body.caseId}`);
    await page.getByRole('button', { name: '协查' }).click();
    const ask = page.getByRole('dialog', { name: '发起协查' });
    await ask.getByRole('button', { name: '发送协查' }).click();
    await ask.getByText('请填写协查事项').waitFor();
    await ask.getByLabel('协查事项').fill('核实婚姻状况');
    await ask.getByLabel('说明').fill('本人称丧偶，请核实户籍地记录');
    await tab.shot('case-ask');
    await ask.getByRole('button', { name: '发送协查' }).click();
    await ask.waitFor({ state: 'hidden' });
    await page.getByText('协查事项：核实婚姻状况；说明：本人称丧偶，请核实户籍地记录').waitFor();
    await page.getByText('避孕节育情况：绝育', { exact: false }).first().waitFor();
    await tab.shot('case-with-request');
    expect(tab.errors).toEqual([]);
    await tab.close();

    // The origin finds the 协查 in its inbox, with what to check, and the change in the 事项通报.
    const origin = await t.token(clerk, PASSWORD);
    const request = await waitFor(
      async () => {
        const inbox = await t.http().get('/api/exchanges/inbox?type=verification_request&pageSize=100').set('Authorization', `Bearer ${origin}`);
        return inbox.body.items.find((e: { caseId: string; status: string }) => e.caseId === registered.body.caseId && e.status === 'delivered');
      },
      15_000,
      '协查 delivered',
    );
    expect(request).toMatchObject({
      urgent: false,
      needsReply: true,
      toName: expect.stringMatching(/^湖北省随州市广水市长岭镇/),
      payload: { subject: '核实婚姻状况' },
    });
    const view = await openPage(browser, base);
    await signIn(view.page, clerk, `/exchanges/${request.id}`);
    await view.page.getByText('协查', { exact: true }).first().waitFor();
    await view.page.locator('.el-descriptions__cell', { hasText: '核实婚姻状况' }).first().waitFor();
    await view.page.getByText('本人称丧偶，请核实户籍地记录').waitFor();
    await view.page.getByRole('button', { name: '提交反馈' }).waitFor();
    await view.shot('exchange-request');
    expect(view.errors).toEqual([]);
    await view.close();
  });

  it('can be used with the keyboard alone: log in, register an outflow, and answer a notice with Tab and Enter', async () => {
    const dest = await staffAt(t, QUZHOU_COMMUNITY);
    const notice = await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '郑海' }, daysAgo(2), { householdCode: CHANGLING_VILLAGE }))
      .expect(201);
    const tab = await openPage(browser, base);
    const { page } = tab;
    const keys = page.keyboard;
    await page.goto('/login');
    await tabTo(page, page.getByLabel('用户名'));
    await keys.type(clerk);
    await tabTo(page, page.getByLabel('密码'));
    await keys.type(PASSWORD);
    await keys.press('Enter');
    await page.waitForURL(base + '/');

    await page.goto('/outflows/new');
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1991-07-07' });
    await tabTo(page, page.getByLabel('公民身份号码', { exact: true }));
    await keys.type(idNumber);
    await tabTo(page, page.getByLabel('姓名', { exact: true }));
    await keys.type('钱芳');
    await tabTo(page, page.getByLabel('户籍地', { exact: true }));
    await keys.type(CHANGLING_VILLAGE);
    await arrowTo(page, /^湖北省随州市广水市长岭镇/);
    await tabTo(page, page.getByLabel('外出日期'));
    await keys.press('ControlOrMeta+a');
    await keys.type(daysAgo(5));
    await keys.press('Enter');
    await tabTo(page, page.getByRole('button', { name: '提交', exact: true }));
    await keys.press('Enter');
    await page.getByText('登记成功').waitFor();
    const [outflow] = (
      await t
        .http()
        .get('/api/outflows?pageSize=100')
        .set('Authorization', `Bearer ${await t.token(clerk, PASSWORD)}`)
        .expect(200)
    ).body.items.filter((o: { person: { name: string } }) => o.person.name === '钱芳');
    expect(outflow).toMatchObject({ householdCode: CHANGLING_VILLAGE, departureDate: daysAgo(5), status: 'active' });

    const origin = await t.token(clerk, PASSWORD);
    const exchange = await waitFor(
      async () => {
        const inbox = await t.http().get('/api/exchanges/inbox?status=delivered&pageSize=100').set('Authorization', `Bearer ${origin}`);
        return inbox.body.items.find((e: { caseId: string }) => e.caseId === notice.body.caseId);
      },
      15_000,
      'notice delivered',
    );
    await page.goto(`/exchanges/${exchange.id}`);
    await tabTo(page, page.getByLabel('反馈结果'));
    await keys.press('Enter');
    await arrowTo(page, '查无此人');
    await tabTo(page, page.getByLabel('说明'));
    await keys.type('村委会查无此人');
    await tabTo(page, page.getByRole('button', { name: '提交反馈' }));
    await keys.press('Enter');
    await page.getByRole('button', { name: '提交反馈' }).waitFor({ state: 'detached' });
    const answered = await t.http().get(`/api/exchanges/${exchange.id}`).set('Authorization', `Bearer ${origin}`).expect(200);
    expect(answered.body.reply).toMatchObject({ outcome: 'not_found', note: '村委会查无此人' });
    expect(tab.errors).toEqual([]);
    await tab.close();
  });
});
