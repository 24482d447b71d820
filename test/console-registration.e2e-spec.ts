import type { Browser } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { openPage } from './support/browser';
import { choose, errorOf, pickPlace, postsTo, signIn, startConsoleRun, stopConsoleRun, typeIntoPicker } from './support/console';
import { account, daysAgo, newIdNumber, PASSWORD } from './support/people';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';

// The web console in Debian's Chromium against the real service (console.md): a destination clerk's registration and
// draft, the origin clerk's outflow and 注销, refusals shown by their fields, editing a registration and a 协查.
// 马坪镇 is this file's own origin township: no other test sends to it.
const ORIGIN = '421381104000';
const ORIGIN_VILLAGE = '421381104201';

describe('web console (工作台): registering, correcting and editing', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let clerk: string;

  beforeAll(async () => ({ t, browser, base, clerk } = await startConsoleRun(ORIGIN, { prefix: 'mp', displayName: '马坪镇计生办' })));
  afterAll(() => stopConsoleRun({ t, browser }));

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
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市马坪镇');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    await page.getByLabel('详细地址').fill('衢州市柯城区金桂社区 12 号');
    await choose(page, '流动原因', '务工');
    await choose(page, '婚姻状况', '初婚');
    await page.getByLabel('配偶姓名').fill('李强');
    await page.getByLabel('配偶公民身份号码').fill(newIdNumber({ sex: 'male', birthDate: '1993-01-01' }));
    await page.getByRole('button', { name: '添加子女' }).click();
    await choose(page, '性别', '女');
    await page.getByLabel('出生日期').fill('2020-05-01');
    await page.getByLabel('出生日期').press('Enter');
    await choose(page, '避孕节育情况', '未采取措施');
    // Whether a woman is pregnant is asked, never assumed: nothing is chosen, and the form will not go without it.
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await errorOf(page, '是否怀孕').getByText('请选择是否怀孕').waitFor();
    await choose(page, '是否怀孕', '否');
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
      pregnant: false,
    });

    // A draft: saved, not sent.
    await page.getByRole('button', { name: '继续登记' }).click();
    const other = newIdNumber({ sex: 'male', birthDate: '1988-09-09' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(other);
    await page.getByLabel('姓名', { exact: true }).fill('周强');
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市马坪镇');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    await page.getByLabel('详细地址').fill('衢州市柯城区金桂社区 3 号');
    await choose(page, '流动原因', '经商');
    await choose(page, '婚姻状况', '未婚');
    await choose(page, '避孕节育情况', '避孕套');
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
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市马坪镇');
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

  it('lets the origin clerk name only the county a resident went to (无锡市梁溪区): the page says nobody is notified yet', async () => {
    const NOT_NOTIFIED = '未通报：流入地只到县级，待流入地登记后自动关联';
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, clerk, '/');
    await page.getByRole('menuitem', { name: '流出登记' }).click();
    await page.waitForURL('**/outflows/new');
    const idNumber = newIdNumber({ sex: 'male', birthDate: '1987-03-03', county: '421381' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByLabel('姓名', { exact: true }).fill('钱勇');
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市马坪镇');
    await page.getByLabel('外出日期').fill(daysAgo(12));
    await page.getByLabel('外出日期').press('Enter');
    await pickPlace(page, '预计流入地', '320213000000', '江苏省无锡市梁溪区');
    // Said before it is sent, and again once it is saved.
    await page.getByRole('note').getByText(NOT_NOTIFIED).waitFor();
    await page.getByRole('option').first().waitFor({ state: 'hidden' });
    await tab.shot('outflow-new-county');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('登记成功').waitFor();
    await page.getByRole('alert').getByText(NOT_NOTIFIED).waitFor();
    await page.getByText('联系状态：未联系').waitFor();
    await tab.shot('outflow-saved-county');
    const token = await t.token(clerk, PASSWORD);
    const saved = (await t.http().get('/api/outflows?pageSize=100').set('Authorization', `Bearer ${token}`).expect(200)).body.items.find(
      (o: { person: { name: string } }) => o.person.name === '钱勇',
    );
    expect(saved).toMatchObject({ expectedDestinationCode: '320213000000', notified: false, contact: 'none' });

    // A township is told at once: no such message.
    await page.getByRole('button', { name: '继续登记' }).click();
    await page.getByLabel('公民身份号码', { exact: true }).fill(newIdNumber({ sex: 'male', birthDate: '1989-04-04', county: '421381' }));
    await page.getByLabel('姓名', { exact: true }).fill('孙波');
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市马坪镇');
    await pickPlace(page, '预计流入地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    expect(await page.getByText(NOT_NOTIFIED).count()).toBe(0);
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('登记成功').waitFor();
    expect(await page.getByText(NOT_NOTIFIED).count()).toBe(0);

    // Both are in 流出人员, reached from the menu; back returns to the form.
    await page.getByRole('menuitem', { name: '流出人员' }).click();
    await page.waitForURL('**/outflows');
    const qian = page.getByRole('row').filter({ hasText: '钱勇' });
    await qian.getByText('未联系').waitFor();
    await qian.getByText('江苏省无锡市梁溪区', { exact: true }).waitFor();
    await qian.getByText('未通报').waitFor();
    const sun = page.getByRole('row').filter({ hasText: '孙波' });
    await sun.getByText('已通报').waitFor();
    await sun.getByText('湖北省随州市广水市马坪镇', { exact: false }).first().waitFor();
    // The latest departure first: 孙波 left today, 钱勇 12 days ago.
    const names = await page.locator('.el-table__body tr').allInnerTexts();
    expect(names.findIndex((r) => r.includes('孙波'))).toBeLessThan(names.findIndex((r) => r.includes('钱勇')));
    await tab.shot('outflows-list');
    // A row opens the person's case; back returns to the list.
    await sun.getByRole('link', { name: '孙波' }).click();
    await page.waitForURL('**/cases/*');
    await page.getByRole('heading', { name: '个案' }).waitFor();
    await page.getByText(`外出 ${daysAgo(0)}`).waitFor(); // the outflow half of the case
    await page.goBack();
    await page.waitForURL('**/outflows');
    await sun.waitFor();
    await page.goBack();
    await page.waitForURL('**/outflows/new');
    await page.getByRole('heading', { name: '流出登记' }).waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it("shows the API's refusals next to the fields they name, in the API's words, and saves nothing", async () => {
    const community = await account(t, QUZHOU_COMMUNITY, { prefix: 'qzerr', displayName: '柯城社区' });
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, community, '/inflows/new');
    const idNumber = newIdNumber({ sex: 'male', birthDate: '1990-06-06' });
    const posted = postsTo(page, '/api/inflows');
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市马坪镇');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    await choose(page, '流动原因', '务工');
    await choose(page, '婚姻状况', '离婚');
    await choose(page, '避孕节育情况', '未采取措施');
    // 姓名 and 详细地址 left empty: the page names them itself, by their labels, and sends nothing.
    await page.getByLabel('联系电话').fill('12345');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByRole('alert').getByText('请检查：姓名、详细地址', { exact: true }).waitFor();
    await errorOf(page, '姓名').getByText('请填写姓名').waitFor();
    await errorOf(page, '详细地址').getByText('请填写详细地址').waitFor();
    expect(posted).toEqual([]);
    // 联系电话 not a mobile number: the API's refusal, in its words, under the field it names, and named above.
    await page.getByLabel('姓名', { exact: true }).fill('郑伟');
    await page.getByLabel('详细地址').fill('衢州市柯城区府山街道 6 号');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByRole('alert').getByText('请检查：联系电话', { exact: true }).waitFor();
    expect(await errorOf(page, '联系电话').textContent()).toMatch(/手机号/);
    // The page's own messages went as the fields were filled (Element lets them fade out).
    await errorOf(page, '姓名').waitFor({ state: 'detached' });
    expect(await errorOf(page, '户籍地').count()).toBe(0);
    expect(posted).toHaveLength(1);
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

  it('starts 流入登记 with nothing chosen, offers the places of the ID number’s county first, warns on another, says each problem once', async () => {
    const community = await account(t, QUZHOU_COMMUNITY, { prefix: 'qzpick', displayName: '柯城社区' });
    const tab = await openPage(browser, base);
    const { page } = tab;
    await signIn(page, community, '/');
    await page.getByRole('menuitem', { name: '流入登记' }).click();
    await page.waitForURL('**/inflows/new');
    const posted = postsTo(page, '/api/inflows');

    // An empty form: every missing fact named next to its field, in the form's words, and nothing sent.
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await errorOf(page, '婚姻状况').getByText('请选择婚姻状况').waitFor();
    await errorOf(page, '避孕节育情况').getByText('请选择避孕节育情况').waitFor();
    await errorOf(page, '流动原因').getByText('请选择流动原因').waitFor();
    await errorOf(page, '户籍地').getByText('请选择户籍地').waitFor();
    await errorOf(page, '姓名').getByText('请填写姓名').waitFor();
    await page.getByText('请填写公民身份号码').waitFor();
    await page.getByRole('alert').getByText('请检查：公民身份号码、姓名、户籍地、详细地址、流动原因、婚姻状况、避孕节育情况', { exact: true }).waitFor();
    expect(await page.getByText('12 位行政区划代码').count()).toBe(0);
    // 现居住地 is already the clerk's own community.
    await page
      .locator('.el-form-item', { hasText: '现居住地' })
      .getByText(/^浙江省衢州市柯城区.*社区/)
      .first()
      .waitFor();
    await tab.shot('inflow-new-empty');
    expect(posted).toEqual([]);

    // 户籍地 for a person from 广水市 (421381): 杨寨 offers 广水市杨寨镇 first, not 安徽 北杨寨乡; another county is
    // accepted with a warning.
    const idNumber = newIdNumber({ sex: 'male', birthDate: '1986-08-08', county: '421381' });
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await typeIntoPicker(page, '户籍地', '杨寨');
    await page
      .getByRole('option', { name: /^湖北省随州市广水市杨寨镇/ })
      .first()
      .waitFor();
    expect(await page.getByRole('option').first().innerText()).toMatch(/^湖北省随州市广水市杨寨镇/);
    await tab.shot('inflow-new-household-ranked');
    await page.getByRole('option', { name: /^安徽省宿州市埇桥区北杨寨乡/ }).click();
    await errorOf(page, '户籍地').waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('户籍地与身份证号码所属地区不一致，请核对').waitFor();
    await tab.shot('inflow-new-household-elsewhere');
    await pickPlace(page, '户籍地', ORIGIN_VILLAGE, '湖北省随州市广水市马坪镇');
    await page.getByText('户籍地与身份证号码所属地区不一致，请核对').waitFor({ state: 'detached' });

    // A wrong check character: one message, the page's, and nothing sent.
    const wrong = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    await page.getByLabel('公民身份号码', { exact: true }).fill(wrong);
    await page.getByLabel('姓名', { exact: true }).fill('冯涛');
    await pickPlace(page, '现居住地', QUZHOU_COMMUNITY, '浙江省衢州市柯城区');
    await page.getByLabel('详细地址').fill('衢州市柯城区信安街道 9 号');
    await choose(page, '流动原因', '务工');
    await choose(page, '婚姻状况', '未婚');
    await choose(page, '避孕节育情况', '未采取措施');
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByRole('alert').getByText('请检查：公民身份号码', { exact: true }).waitFor();
    expect(await page.getByText('校验位不正确，请核对号码').count()).toBe(1);
    expect(await page.getByText(/公民身份号码无效/).count()).toBe(0);
    await page.locator('.el-form-item__error').first().waitFor({ state: 'detached' });
    await tab.shot('inflow-new-check-digit');
    expect(posted).toEqual([]);

    // Corrected, it is registered with exactly what was chosen.
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByText('校验位不正确，请核对号码').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.getByText('登记成功').waitFor();
    const [saved] = (
      await t
        .http()
        .get(`/api/inflows?q=${idNumber}`)
        .set('Authorization', `Bearer ${await t.token(community, PASSWORD)}`)
        .expect(200)
    ).body.items;
    expect(saved).toMatchObject({ householdCode: ORIGIN_VILLAGE, reason: 'work', maritalStatus: 'unmarried', contraception: 'none' });
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
          householdCode: ORIGIN_VILLAGE,
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

    // 打印登记表 opens the form as a PDF.
    const form = page.waitForEvent('popup');
    await page.getByRole('button', { name: '打印登记表' }).click();
    const pdf = await form;
    expect(pdf.url()).toMatch(/^blob:/);
    await pdf.close();

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
      toName: expect.stringMatching(/^湖北省随州市广水市马坪镇/),
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
});
