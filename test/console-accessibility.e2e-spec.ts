import type { Browser, Page } from 'playwright-core';
import { startTestApp, TestApp, waitFor } from './support/app';
import { AxeAudit, settle } from './support/axe';
import { launchBrowser, openPage } from './support/browser';
import { certificateBody, inflowBody, registerInflow } from './support/builders';
import { choose, signIn, stopConsoleRun, tabTo } from './support/console';
import { inboxOf } from './support/exchanges';
import { account, daysAgo, newIdNumber, PASSWORD } from './support/people';

// Accessibility (console.md, Conventions; issue 33): axe-core finds no critical or serious violation on any screen of
// any role — the anonymous login and certificate check, a township's and a community's clerk, a supervisor and an
// admin — with data in them (rows, a record, a reply form, a certificate, an import with refused rows, rates with
// children and items) and the dialogs they open. Screens are reached through the side menu and links, as a person
// does. Each screen also carries its `说明`, folded until asked for.
//
// 吴家店镇 (河南 信阳 浉河区) is this file's origin and 总府路社区 (四川 成都 锦江区 春熙路街道) its destination: no
// other test uses either province. The submission limit is 3 seconds, so a draft is overdue and 信息提交率 is missed.

const WUJIADIAN = '411502101000'; // 河南省信阳市浉河区吴家店镇
const WUDIAN_VILLAGE = '411502101201'; // 吴店村
const ZONGFULU = '510104022006'; // 四川省成都市锦江区春熙路街道总府路社区
const CHENGDU = '510100000000';
const SICHUAN = '510000000000';
const LIMIT_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The side menu's entries, where each leads and the heading of the screen it opens (console.md, Screens). */
const SCREENS: Record<string, { path: string; heading: string }> = {
  工作台: { path: '/', heading: '工作台' },
  流入登记: { path: '/inflows/new', heading: '流入登记' },
  流入人员: { path: '/inflows', heading: '流入人员' },
  // Issue 31.
  采集审核: { path: '/declarations', heading: '采集审核' },
  批量导入: { path: '/imports', heading: '批量导入' },
  流出登记: { path: '/outflows/new', heading: '流出登记' },
  流出人员: { path: '/outflows', heading: '流出人员' },
  收件箱: { path: '/exchanges/inbox', heading: '收件箱' },
  发件箱: { path: '/exchanges/outbox', heading: '发件箱' },
  婚育证明: { path: '/certificates/new', heading: '出具婚育证明' },
  证明查验: { path: '/certificates/lookup', heading: '查验婚育证明' },
  考核指标: { path: '/rates', heading: '考核指标' },
  月度考核: { path: '/assessments', heading: '月度考核' },
  用户管理: { path: '/admin/users', heading: '用户管理' },
  审计日志: { path: '/admin/audit', heading: '审计日志' },
  投递失败: { path: '/admin/failed', heading: '投递失败' },
};

/** The folded `说明` under a screen's title. */
const help = (page: Page) => page.locator('details.screen-help');

describe('web console accessibility: axe on every screen of every role, and each screen’s 说明', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let township: string;
  let community: string;
  let supervisor: string;
  let admin: string;
  let verificationCode: string;
  const chen = newIdNumber({ sex: 'female', birthDate: '1992-04-17', county: '411502' });
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  /**
   * Opens a side-menu entry as a person does and checks the screen it shows: its title, one folded `说明`, then axe.
   * `ready` waits for what the screen's data puts on it.
   */
  async function visit(page: Page, audit: AxeAudit, entry: string, who: string, ready?: () => Promise<unknown>): Promise<void> {
    const { path, heading } = SCREENS[entry];
    await page.getByRole('menuitem', { name: entry, exact: true }).click();
    await page.waitForURL((url) => url.pathname === path);
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    await ready?.();
    await settle(page);
    expect({ screen: heading, help: await help(page).count(), open: await help(page).getAttribute('open') }).toEqual({ screen: heading, help: 1, open: null });
    await audit.check(page, `${heading}（${who}）`);
  }

  /** 消息, opened by the header's link (with the unread count in its name), checked as `visit` checks a menu entry. */
  async function visitMessages(page: Page, audit: AxeAudit, who: string, ready?: () => Promise<unknown>): Promise<void> {
    await page.getByRole('link', { name: /^消息/ }).click();
    await page.waitForURL((url) => url.pathname === '/notifications');
    await page.getByRole('heading', { level: 1, name: '消息', exact: true }).waitFor();
    await ready?.();
    await settle(page);
    expect({ screen: '消息', help: await help(page).count(), open: await help(page).getAttribute('open') }).toEqual({ screen: '消息', help: 1, open: null });
    await audit.check(page, `消息（${who}）`);
  }

  /** Every entry of the side menu, in its order, each checked by `visit`. */
  async function visitMenu(page: Page, audit: AxeAudit, who: string, ready: Record<string, () => Promise<unknown>> = {}): Promise<string[]> {
    const entries = (await page.getByRole('menuitem').allInnerTexts()).map((s) => s.trim());
    for (const entry of entries) await visit(page, audit, entry, who, ready[entry]);
    return entries;
  }

  beforeAll(async () => {
    // The short submission limit is the only change to the defaults: replies keep their 30 days.
    t = await startTestApp({ SUBMISSION_TIME_LIMIT: `PT${LIMIT_MS / 1000}S` });
    base = await t.app.getUrl();
    browser = await launchBrowser();
    township = await account(t, WUJIADIAN, { prefix: 'wjd', displayName: '吴家店镇计生办 刘洋' });
    community = await account(t, ZONGFULU, { prefix: 'zfl', displayName: '总府路社区 王丽' });
    supervisor = await account(t, CHENGDU, { role: 'supervisor', prefix: 'cdsup', displayName: '成都市督导' });
    admin = await account(t, SICHUAN, { role: 'admin', prefix: 'scadm', displayName: '四川省管理员' });
    const [origin, dest] = await Promise.all([t.token(township, PASSWORD), t.token(community, PASSWORD)]);

    // 吴家店镇 issues 陈静 her 婚育证明; 总府路社区 registers 陈静 (certificate found: 有效), 张伟, and 李芳 without one
    // (重点对象: a 协查 goes to 吴家店镇), and keeps 王强 as a draft past its limit.
    const cert = await t
      .http()
      .post('/api/certificates')
      .set(auth(origin))
      .send(certificateBody({ idNumber: chen, name: '陈静' }, { householdCode: WUDIAN_VILLAGE }))
      .expect(201);
    verificationCode = cert.body.verificationCode;
    const register = (name: string, idNumber: string, submit = true) =>
      registerInflow(
        t,
        dest,
        inflowBody({ idNumber, name, phone: '13800138000' }, daysAgo(6), {
          householdCode: WUDIAN_VILLAGE,
          destinationCode: ZONGFULU,
          address: '春熙路街道总府路 8 号',
          submit,
        }),
      );
    const zhang = await register('张伟', newIdNumber({ sex: 'male', county: '411502' }));
    await register('李芳', newIdNumber({ sex: 'female', birthDate: '1995-08-02', county: '411502' }));
    await register('陈静', chen);
    await register('王强', newIdNumber({ sex: 'male', county: '411502' }), false);
    // 吴家店镇 answers 张伟's notice at once (反馈率 on time) and registers 赵磊 as leaving for 总府路社区.
    const notices = await waitFor(
      async () => {
        const inbox = await inboxOf(t, origin);
        return inbox.filter((e) => e.status === 'delivered').length === 4 ? inbox : undefined;
      },
      15_000,
      '3 notices and a 协查 delivered',
    );
    const zhangNotice = notices.find((e) => e.caseId === zhang.caseId && e.type === 'inflow_notice');
    await t.http().post(`/api/exchanges/${zhangNotice!.id}/reply`).set(auth(origin)).send({ outcome: 'confirmed' }).expect(200);
    await t
      .http()
      .post('/api/outflows')
      .set(auth(origin))
      .send({
        person: { idNumber: newIdNumber({ sex: 'male', county: '411502' }), name: '赵磊' },
        householdCode: WUDIAN_VILLAGE,
        departureDate: daysAgo(2),
        expectedDestinationCode: ZONGFULU,
      })
      .expect(201);
    await sleep(LIMIT_MS + 500);
  });
  afterAll(() => stopConsoleRun({ t, browser }));

  it('finds nothing serious on the pages anyone may open: 登录, 婚育证明核验 (office and phone), an unreadable code, an unknown address', async () => {
    const audit = new AxeAudit();
    const tab = await openPage(browser, base);
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await page.goto('/login');
    await page.getByRole('button', { name: '登录' }).waitFor();
    await audit.check(page, '登录');
    // A wrong password: the API's message in an alert.
    await page.getByLabel('用户名').fill(township);
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByLabel('密码').press('Enter');
    await page.getByRole('alert').waitFor();
    await audit.check(page, '登录（密码错误）');
    await page.goto(`/verify/${verificationCode}`);
    await page.getByText('真实有效').waitFor();
    await audit.check(page, '婚育证明核验');
    await page.goto('/verify/not-a-code');
    await page.getByText('无法核验').first().waitFor();
    await audit.check(page, '婚育证明核验（无法核验）');
    await page.goto(`/assessments/verify/${'0'.repeat(64)}`);
    await page.getByText('无法核验').first().waitFor();
    await audit.check(page, '考核月报核验（无法核验）');
    await page.goto('/no/such/page');
    await page.getByText('页面不存在').first().waitFor();
    await audit.check(page, '页面不存在');
    await tab.close();

    const phone = await openPage(browser, base, { width: 390, height: 844 });
    await phone.page.goto(`/verify/${verificationCode}`);
    await phone.page.getByText('真实有效').waitFor();
    await audit.check(phone.page, '婚育证明核验（手机）');
    expect(audit.blocking).toEqual([]);
    // A wrong password is an expected 401; nothing else went wrong in the browser.
    expect([...tab.errors, ...phone.errors]).toEqual([]);
    await phone.close();
  });

  it("finds nothing serious on a township clerk's screens: every menu entry, a 协查 with its reply form, the case, 注销, a certificate and 作废", async () => {
    const audit = new AxeAudit();
    const who = '乡镇工作人员';
    const tab = await openPage(browser, base);
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await signIn(page, township, '/');
    await page.getByRole('list', { name: '待办' }).getByText('李芳').first().waitFor();
    const rowsWith = (text: string) => page.getByRole('row').filter({ hasText: text });
    const entries = await visitMenu(page, audit, who, {
      工作台: () => page.getByRole('list', { name: '待办' }).getByText('李芳').first().waitFor(),
      收件箱: async () => {
        await rowsWith('协查').filter({ hasText: '李芳' }).waitFor();
        await tab.shot('a11y-inbox');
      },
      发件箱: () => rowsWith('流出通报').filter({ hasText: '赵磊' }).waitFor(),
      流出人员: () => rowsWith('赵磊').waitFor(),
      考核指标: () => page.getByRole('group', { name: '反馈率' }).getByText('达标').waitFor(),
    });
    expect(entries).toEqual([
      '工作台',
      '流入登记',
      '流入人员',
      '批量导入',
      '采集审核',
      '流出登记',
      '流出人员',
      '收件箱',
      '发件箱',
      '婚育证明',
      '证明查验',
      '考核指标',
    ]);

    // 收件箱 → the 协查 about 李芳: what to verify and the reply form (信息有误 shows the fields to correct).
    await page.getByRole('menuitem', { name: '收件箱' }).click();
    await rowsWith('协查').filter({ hasText: '李芳' }).click();
    await page.waitForURL('**/exchanges/*');
    await page.getByRole('button', { name: '提交反馈' }).waitFor();
    await audit.check(page, `信息详情（协查，${who}）`);
    await tab.shot('a11y-exchange-reply');
    await choose(page, '反馈结果', '信息有误');
    await page.getByLabel('婚姻状况').waitFor();
    await audit.check(page, `信息详情（信息有误的更正项，${who}）`);
    // The case, and its 协查 dialog.
    await page.getByRole('link', { name: '查看个案' }).click();
    await page.waitForURL('**/cases/*');
    await page.getByRole('heading', { level: 1, name: '个案' }).waitFor();
    await page.getByText('李芳').first().waitFor();
    await audit.check(page, `个案（${who}）`);
    const ask = page.getByRole('button', { name: '协查' });
    if (await ask.count()) {
      await ask.click();
      await page.getByRole('dialog').waitFor();
      await audit.check(page, `个案 · 协查对话框（${who}）`);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
    }

    // 流出人员 → 注销.
    await page.getByRole('menuitem', { name: '流出人员' }).click();
    await rowsWith('赵磊').getByRole('button', { name: '注销' }).click();
    await page.getByRole('dialog', { name: '注销流出登记' }).waitFor();
    await audit.check(page, `流出人员 · 注销对话框（${who}）`);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: '注销流出登记' }).waitFor({ state: 'hidden' });

    // 证明查验 → 陈静's certificate with its QR code, then 作废's dialog (cancelled).
    await page.getByRole('menuitem', { name: '证明查验' }).click();
    await page.getByLabel('公民身份号码').fill(chen);
    await page.getByRole('button', { name: '查验' }).click();
    await page.getByRole('cell', { name: '证明编号', exact: true }).waitFor();
    await audit.check(page, `查验婚育证明 · 证明（${who}）`);
    await tab.shot('a11y-certificate');
    await page.getByRole('button', { name: '作废' }).click();
    const revoke = page.getByRole('dialog', { name: '作废婚育证明' });
    await revoke.getByText('作废后不可恢复').waitFor();
    await audit.check(page, `查验婚育证明 · 作废对话框（${who}）`);
    await tab.shot('a11y-certificate-revoke');
    await revoke.getByRole('button', { name: '取消' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await visitMessages(page, audit, who);

    expect(audit.blocking).toEqual([]);
    expect(tab.errors).toEqual([]);
    await tab.close();
  }, 180_000);

  it("finds nothing serious on a community clerk's screens: a 重点对象's record and dialogs, the case, an import with refused rows, missed rates", async () => {
    const audit = new AxeAudit();
    const who = '社区工作人员';
    const tab = await openPage(browser, base);
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await signIn(page, community, '/');
    const rowsWith = (text: string) => page.getByRole('row').filter({ hasText: text });
    await visitMenu(page, audit, who, {
      工作台: () => page.getByRole('list', { name: '待办' }).getByText('王强').first().waitFor(),
      流入人员: () => rowsWith('李芳').getByText('重点对象').waitFor(),
      考核指标: () => page.getByRole('group', { name: '信息提交率' }).getByText('未达标').waitFor(),
    });

    // 流入人员 → 李芳 (重点对象): the record, 编辑 and 离开登记.
    await page.getByRole('menuitem', { name: '流入人员' }).click();
    await rowsWith('李芳').click();
    await page.waitForURL('**/inflows/*');
    await page.getByText('重点对象', { exact: true }).waitFor();
    await audit.check(page, `流入登记详情（重点对象，${who}）`);
    await tab.shot('a11y-inflow-key-target');
    await page.getByRole('button', { name: '编辑' }).click();
    await page.getByRole('dialog').first().waitFor();
    await audit.check(page, `流入登记详情 · 编辑对话框（${who}）`);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').first().waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: '离开登记' }).click();
    await page.getByRole('dialog', { name: '离开登记' }).waitFor();
    await audit.check(page, `流入登记详情 · 离开登记对话框（${who}）`);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: '离开登记' }).waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: '查看个案' }).click();
    await page.waitForURL('**/cases/*');
    await page.getByText('李芳').first().waitFor();
    await audit.check(page, `个案（${who}）`);

    // 批量导入: a register with a wrong check character on its second row, followed to the end.
    const header = '公民身份号码,姓名,联系电话,户籍地代码,现居住地代码,现居住地址,到达日期,流动原因,婚姻状况,避孕节育情况,是否怀孕,婚育证明编号';
    const line = (id: string, name: string) => `${id},${name},,${WUDIAN_VILLAGE},${ZONGFULU},总府路社区,${daysAgo(5)},务工,未婚,未采取措施,,`;
    const wrong = newIdNumber({ sex: 'male', county: '411502' });
    const csv = [
      header,
      line(newIdNumber({ sex: 'male', county: '411502' }), '孙涛'),
      line(`${wrong.slice(0, 17)}${wrong[17] === '0' ? '1' : '0'}`, '校验错'),
      line(newIdNumber({ sex: 'male', county: '411502' }), '周强'),
    ].join('\n');
    await page.getByRole('menuitem', { name: '批量导入' }).click();
    await page.getByLabel('选择文件').setInputFiles({ name: '总府路社区登记表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: '上传' }).click();
    await page.getByRole('status').getByText('已处理 3 / 3 行 · 成功 2 · 失败 1').waitFor({ timeout: 30_000 });
    await page.getByRole('progressbar').and(page.locator('[aria-valuenow="100"]')).waitFor();
    await page.locator('.el-card', { hasText: '未登记的行' }).getByRole('row').filter({ hasText: '校验' }).waitFor();
    await audit.check(page, `批量导入（有未登记的行，${who}）`);
    await tab.shot('a11y-import-refused');
    // 消息: the import is done (导入完成).
    await visitMessages(page, audit, who, () => rowsWith('导入完成').waitFor());

    // 考核指标 → the overdue draft behind 信息提交率 (明细).
    await page.getByRole('menuitem', { name: '考核指标' }).click();
    await page.getByRole('group', { name: '信息提交率' }).getByRole('link', { name: '1', exact: true }).click();
    await page.waitForURL('**/rates/items?*');
    await rowsWith('王强')
      .getByText(/^逾期 \d+ 天$/)
      .waitFor();
    await audit.check(page, `明细（${who}）`);

    expect(audit.blocking).toEqual([]);
    expect(tab.errors).toEqual([]);
    await tab.close();
  }, 180_000);

  it("finds nothing serious on a supervisor's screens: 工作台, 考核指标 with children, down to a district, 明细, and 无权访问该页面", async () => {
    const audit = new AxeAudit();
    const who = '督导';
    const tab = await openPage(browser, base);
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await signIn(page, supervisor, '/');
    const entries = await visitMenu(page, audit, who, {
      工作台: () => page.getByRole('group', { name: '信息提交率' }).getByText('未达标').waitFor(),
      考核指标: () => page.getByRole('table').getByRole('link', { name: '锦江区', exact: true }).waitFor(),
      月度考核: () => page.getByRole('table').getByRole('link', { name: '锦江区', exact: true }).waitFor(),
    });
    expect(entries).toEqual(['工作台', '考核指标', '月度考核']);
    // 月度考核's 确认 dialog (the supervisor of 成都市 confirms 成都市's month).
    await page.getByRole('button', { name: '确认', exact: true }).click();
    await page.getByRole('dialog').getByLabel('说明').waitFor();
    await settle(page);
    await audit.check(page, `月度考核 · 确认对话框（${who}）`);
    await page.getByRole('dialog').getByRole('button', { name: '取消' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.getByRole('radio', { name: '年度考核' }).check({ force: true });
    await page.getByRole('heading', { name: /年度考核$/ }).waitFor();
    await settle(page);
    await audit.check(page, `月度考核 · 年度考核（${who}）`);
    await page.getByRole('menuitem', { name: '考核指标', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/rates');
    await page.getByRole('table').getByRole('link', { name: '锦江区', exact: true }).click();
    await page.waitForURL('**/rates?*jurisdiction=510104000000*');
    await page.getByRole('table').getByRole('link', { name: '春熙路街道', exact: true }).waitFor();
    await page.getByRole('figure', { name: '各下级对比' }).scrollIntoViewIfNeeded();
    await page.locator('figure[aria-label="各下级对比"] svg').waitFor();
    await audit.check(page, `考核指标 · 锦江区（${who}）`);
    await tab.shot('a11y-rates-district');
    await page.getByLabel('春熙路街道信息提交率逾期').click();
    await page.waitForURL('**/rates/items?*');
    await page
      .getByRole('row')
      .filter({ hasText: '王强' })
      .getByText(/^逾期 \d+ 天$/)
      .waitFor();
    await audit.check(page, `明细（${who}）`);
    await visitMessages(page, audit, who);
    // A clerk's screen typed in: 工作台 says 无权访问该页面.
    await page.goto('/inflows/new');
    await page.getByRole('alert').getByText('无权访问该页面').waitFor();
    await page.getByRole('group', { name: '信息提交率' }).waitFor();
    await audit.check(page, `工作台 · 无权访问该页面（${who}）`);
    expect(audit.blocking).toEqual([]);
    expect(tab.errors).toEqual([]);
    await tab.close();
  }, 180_000);

  it("finds nothing serious on an admin's screens: 用户管理 with its 新建用户 dialog, 审计日志 with rows, 投递失败", async () => {
    const audit = new AxeAudit();
    const who = '管理员';
    const tab = await openPage(browser, base);
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await signIn(page, admin, '/');
    const entries = await visitMenu(page, audit, who, {
      工作台: () => page.getByRole('group', { name: '信息提交率' }).waitFor(),
      考核指标: () => page.getByRole('table').getByRole('link', { name: '成都市', exact: true }).waitFor(),
      月度考核: () => page.getByRole('table').getByRole('link', { name: '成都市', exact: true }).waitFor(),
      用户管理: () => page.getByRole('row').filter({ hasText: '总府路社区 王丽' }).waitFor(),
      审计日志: () => page.getByRole('row').filter({ hasText: '四川省管理员' }).first().waitFor(),
    });
    expect(entries).toEqual(['工作台', '考核指标', '月度考核', '用户管理', '审计日志', '投递失败']);
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await page.getByRole('button', { name: '新建用户' }).click();
    const dialog = page.getByRole('dialog', { name: '新建用户' });
    await dialog.getByLabel('用户名').waitFor();
    await audit.check(page, `用户管理 · 新建用户对话框（${who}）`);
    // Saved empty: each field says what it needs.
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error').first().waitFor();
    await audit.check(page, `用户管理 · 新建用户（未填写，${who}）`);
    await tab.shot('a11y-user-new');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await visitMessages(page, audit, who);
    expect(audit.blocking).toEqual([]);
    expect(tab.errors).toEqual([]);
    await tab.close();
  }, 180_000);

  it('shows each screen’s 说明 folded under its title, and its words only once unfolded (收件箱 and 流入登记, through the menu)', async () => {
    const tab = await openPage(browser, base);
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await signIn(page, township, '/');
    // The side menu answers the keyboard: Tab reaches an entry, Enter opens it.
    await tabTo(page, page.getByRole('menuitem', { name: '流出登记' }));
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/outflows/new');
    for (const [entry, words] of [
      ['收件箱', /30 天内反馈/],
      ['流入登记', /重点对象/],
    ] as const) {
      await page.getByRole('menuitem', { name: entry }).click();
      await page.waitForURL((url) => url.pathname === SCREENS[entry].path);
      const heading = page.getByRole('heading', { level: 1, name: SCREENS[entry].heading });
      await heading.waitFor();
      const folded = help(page);
      const summary = folded.locator('summary');
      expect(await summary.innerText()).toBe('说明');
      // Right under the title, before anything else on the screen.
      expect(await folded.evaluate((d: { previousElementSibling: { tagName: string } | null }) => d.previousElementSibling?.tagName)).toBe('H1');
      const text = folded.getByText(words);
      expect(await text.isVisible()).toBe(false);
      await summary.click();
      await text.waitFor();
      expect(await folded.getAttribute('open')).not.toBeNull();
      await tab.shot(`help-${SCREENS[entry].path.replaceAll('/', '-').slice(1)}`);
      // Folded again by a second click (or Enter on the summary).
      await summary.press('Enter');
      await text.waitFor({ state: 'hidden' });
    }
    expect(tab.errors).toEqual([]);
    await tab.close();
  });
});
