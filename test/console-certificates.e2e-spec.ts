import type { Browser } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { openPage } from './support/browser';
import { arrowTo, choose, errorOf, pickPlace, postsTo, signIn, tabTo, startConsoleRun, stopConsoleRun } from './support/console';
import { account, daysAgo, newIdNumber, PASSWORD, staffAt } from './support/people';
import { certificateBody, inflowBody, QUZHOU_COMMUNITY } from './support/builders';

// The web console in Debian's Chromium against the real service (console.md): issuing, printing, revoking and
// verifying a certificate (on a phone, without logging in), and a journey with the keyboard alone.
// 关庙镇 is this file's own origin township: no other test sends to it.
const ORIGIN = '421381105000';
const ORIGIN_VILLAGE = '421381105201';

describe('web console (工作台): certificates and the keyboard', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;

  beforeAll(async () => ({ t, browser, base, clerk } = await startConsoleRun(ORIGIN, { prefix: 'gm', displayName: '关庙镇计生办' })));
  afterAll(() => stopConsoleRun({ t, browser }));

  it('lets the origin clerk issue a certificate (证明编号, 核验码), 打印 it as a PDF, 作废 it, and look it up', async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, clerk, '/');
    await page.getByRole('menuitem', { name: /^(出具)?婚育证明$/ }).click();
    await page.waitForURL('**/certificates/new');
    const posted = postsTo(page, '/api/certificates');
    // Nothing she did not state is chosen: 婚姻状况 and 避孕节育情况 must be, and the page says so before sending.
    await page.getByRole('button', { name: '出具证明' }).click();
    await errorOf(page, '婚姻状况').getByText('请选择婚姻状况').waitFor();
    await errorOf(page, '避孕节育情况').getByText('请选择避孕节育情况').waitFor();
    await errorOf(page, '户籍地').getByText('请选择户籍地').waitFor();
    await page.getByRole('alert').getByText('请检查：公民身份号码、姓名、户籍地、婚姻状况、避孕节育情况', { exact: true }).waitFor();
    expect(posted).toEqual([]);
    // A number issued by another county (武汉市江岸区): 户籍地 here is warned about, not refused.
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1992-03-03', county: '420102' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByLabel('姓名', { exact: true }).fill('刘敏');
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市关庙镇');
    await page.getByRole('status').getByText('户籍地与身份证号码所属地区不一致，请核对').waitFor();
    await choose(page, '婚姻状况', '未婚');
    await choose(page, '避孕节育情况', '未采取措施');
    await page.getByRole('option', { name: '未采取措施' }).waitFor({ state: 'hidden' });
    await tab.shot('certificate-new-filled');
    await page.getByRole('button', { name: '出具证明' }).click();
    await page.getByText('证明编号').waitFor();
    await page.getByText(new RegExp(`^${ORIGIN}-\\d{4}-\\d{5}$`)).waitFor();
    // The QR code the print carries and a link to copy, not the 107-character code itself.
    await page.getByRole('img', { name: '核验二维码' }).locator('svg').waitFor();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.getByRole('button', { name: '复制核验链接' }).click();
    await page.getByText('核验链接已复制').waitFor();
    const issued = (
      await t
        .http()
        .get('/api/certificates')
        .query({ idNumber })
        .set('Authorization', `Bearer ${await t.token(clerk, PASSWORD)}`)
        .expect(200)
    ).body as { verificationCode: string; verifyUrl: string };
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(issued.verifyUrl);
    expect(issued.verifyUrl).toMatch(new RegExp(`/verify/${issued.verificationCode}$`));
    expect(await page.locator('main').innerText()).not.toContain(issued.verificationCode);
    await tab.shot('certificate-issued');

    const popup = page.waitForEvent('popup');
    await page.getByRole('button', { name: '打印' }).click();
    const pdf = await popup;
    expect(pdf.url()).toMatch(/^blob:/);
    await pdf.close();

    // 作废 asks first, warns that it cannot be undone, and 取消 leaves the certificate as it was.
    const token = await t.token(clerk, PASSWORD);
    const current = async () =>
      (await t.http().get('/api/certificates').query({ idNumber }).set('Authorization', `Bearer ${token}`).expect(200)).body as { status: string };
    await page.getByRole('button', { name: '作废' }).click();
    const dialog = page.getByRole('dialog', { name: '作废婚育证明' });
    await dialog.getByText('作废后不可恢复').waitFor();
    await dialog.getByLabel('作废原因').fill('误点');
    await page.waitForTimeout(500); // the dialog's fade-in, so that the screenshot shows it as a person reads it
    await tab.shot('certificate-revoke-dialog');
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('.el-descriptions__cell').getByText('有效', { exact: true }).waitFor();
    expect((await current()).status).toBe('valid');

    await page.getByRole('button', { name: '作废' }).click();
    await dialog.getByLabel('作废原因').fill('婚姻状况已变更');
    await dialog.getByRole('button', { name: '确定作废' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('已作废').first().waitFor();
    expect((await current()).status).toBe('revoked');

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
      .send(certificateBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1993-08-08' }), name: '王芳' }, { householdCode: ORIGIN_VILLAGE }))
      .expect(201);
    const tab = await openPage(browser, base, { width: 390, height: 844 });
    const { page } = tab;
    await page.goto(`/verify/${cert.body.verificationCode}`);
    await page.getByText('真实有效').waitFor();
    await page.getByText(cert.body.number).waitFor();
    await page.getByText('王*').waitFor();
    await page.getByText('湖北省随州市广水市关庙镇').or(page.getByText('关庙镇')).first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await tab.shot('verify-valid-phone');

    // A clerk elsewhere looks the certificate up: it is valid, and 作废 is not offered (only 关庙镇 may void it).
    const elsewhere = await openPage(browser, base);
    await signIn(elsewhere.page, await account(t, QUZHOU_COMMUNITY, { prefix: 'gmlook', displayName: '柯城社区' }), '/');
    await elsewhere.page.getByRole('menuitem', { name: '证明查验' }).click();
    await elsewhere.page.getByLabel('证明编号').fill(cert.body.number);
    await elsewhere.page.getByRole('button', { name: '查验' }).click();
    await elsewhere.page.locator('.el-descriptions__cell').getByText('有效', { exact: true }).waitFor();
    await elsewhere.page.getByRole('button', { name: '打印' }).waitFor();
    expect(await elsewhere.page.getByRole('button', { name: '作废' }).count()).toBe(0);
    await elsewhere.shot('certificate-lookup-elsewhere');
    expect(elsewhere.errors).toEqual([]);
    await elsewhere.close();

    await t.http().post(`/api/certificates/${cert.body.id}/revoke`).set('Authorization', `Bearer ${token}`).send({ reason: '婚姻状况已变更' }).expect(200);
    await page.reload();
    await page.getByText('已作废').waitFor();
    await page.goto(`/verify/${cert.body.verificationCode.slice(0, -2)}xx`);
    await page.getByText('无法核验').waitFor();
    await tab.shot('verify-forged-phone');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it("says a reversed period on 考核指标 under 开始日期, in the form's words, and keeps the figures shown", async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, clerk, '/');
    await page.getByRole('menuitem', { name: '考核指标' }).click();
    await page.waitForURL('**/rates');
    await page.getByRole('group', { name: '信息提交率', exact: true }).waitFor();
    await page.getByLabel('结束日期').fill(daysAgo(30));
    await page.getByLabel('结束日期').press('Enter');
    await page.getByLabel('开始日期').fill(daysAgo(10));
    await page.getByLabel('开始日期').press('Enter');
    await page.getByRole('button', { name: '查询' }).click();
    await errorOf(page, '开始日期').getByText('开始日期不能晚于结束日期', { exact: true }).waitFor();
    expect(await page.getByText('不能晚于 to').count()).toBe(0);
    // Not a blank page: the three cards last shown stay.
    for (const card of ['信息提交率', '反馈率', '有效联系率']) await page.getByRole('group', { name: card, exact: true }).waitFor();
    expect(page.url()).not.toContain(`from=${daysAgo(10)}`);
    await tab.shot('rates-reversed-period');

    // The same period reached by the address (a bookmark, back): the API's refusal, under the same field.
    const query = new URLSearchParams({ from: daysAgo(10), to: daysAgo(30) });
    await page.goto(`/rates?${query.toString()}`);
    await errorOf(page, '开始日期').getByText('开始日期不能晚于结束日期', { exact: true }).waitFor();
    expect(await page.getByText('不能晚于 to').count()).toBe(0);
    await page.getByText('请修改上面标出的查询条件').waitFor();
    await tab.shot('rates-reversed-period-url');
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('can be used with the keyboard alone: log in, register an outflow, and answer a notice with Tab and Enter', async () => {
    const dest = await staffAt(t, QUZHOU_COMMUNITY);
    const notice = await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '郑海' }, daysAgo(2), { householdCode: ORIGIN_VILLAGE }))
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
    await keys.type(ORIGIN_VILLAGE);
    await arrowTo(page, /^湖北省随州市广水市关庙镇/);
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
    expect(outflow).toMatchObject({ householdCode: ORIGIN_VILLAGE, departureDate: daysAgo(5), status: 'active' });

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
