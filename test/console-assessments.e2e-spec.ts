import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { TestApp } from './support/app';
import { openPage } from './support/browser';
import { inflowBody, registerInflow } from './support/builders';
import { choose, signedInTab, startConsoleRun, stopConsoleRun } from './support/console';
import { account, newIdNumber, PASSWORD, staffAt } from './support/people';

// 月度考核 in the console (assessment.md, console.md): a county supervisor opens a month from the menu, checks it,
// downloads the 月报 and confirms; the city supervisor sees which counties confirmed and opens one; anyone checks a
// report's hash on a phone. This file's places: 哈尔滨市 道里区 (兆麟街道) and 南岗区 (花园街道).
const CITY = '230100000000';
const DAOLI = '230102000000';
const DAOLI_VILLAGE = '230102001001';
const NANGANG_VILLAGE = '230103001001';

describe('web console: 月度考核', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let countySup: string;
  let citySup: string;

  beforeAll(async () => {
    ({ t, browser, base } = await startConsoleRun(DAOLI_VILLAGE, { prefix: 'zl', displayName: '兆麟街道专干' }));
    countySup = await account(t, DAOLI, { role: 'supervisor', prefix: 'dl', displayName: '道里区督导' });
    citySup = await account(t, CITY, { role: 'supervisor', prefix: 'hrb', displayName: '哈尔滨市督导' });
    // One registration in each county, moved into assessment month 2026-10: 道里区's on time, 南岗区's a draft overdue.
    for (const [village, submit] of [
      [DAOLI_VILLAGE, true],
      [NANGANG_VILLAGE, false],
    ] as const) {
      const token = await staffAt(t, village);
      const reg = await registerInflow(
        t,
        token,
        inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '赵明' }, '2026-09-01', {
          householdCode: '130102001001',
          destinationCode: village,
          address: '哈尔滨市',
          ...(submit ? {} : { submit: false }),
        }),
      );
      await t.db.query(
        `UPDATE inflow SET registered_at = '2026-10-10T02:00:00Z', submission_due_at = '2026-10-15T02:00:00Z',
                submitted_at = CASE WHEN submitted_at IS NULL THEN NULL ELSE '2026-10-10T03:00:00Z'::timestamptz END WHERE id = $1`,
        [reg.id],
      );
    }
  }, 90_000);
  afterAll(() => stopConsoleRun({ t, browser }));

  it('lets a county supervisor open October from the menu, download the 月报 and confirm it once', async () => {
    const tab = await signedInTab(browser, base, countySup, '/');
    const { page } = tab;
    page.setDefaultTimeout(15_000);
    await page.getByRole('menuitem', { name: '月度考核' }).click();
    await page.getByRole('heading', { name: '月度考核', level: 1 }).waitFor();
    await choose(page, '考核月份', '2026年10月');
    await page.getByRole('heading', { name: '道里区 2026年10月考核' }).waitFor();
    await page.getByText('考核期 2026-09-21 至 2026-10-20').waitFor();
    await page.getByRole('group', { name: '信息提交率' }).getByText('100.0%').waitFor();
    await page.getByRole('columnheader', { name: '综合排名' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: '兆麟街道' });
    await row.getByText('1/1').waitFor();
    await page.getByText('未确认', { exact: true }).first().waitFor();
    await tab.shot('assessments-county');

    // 下载月报: the PDF a supervisor prints, signs and sends up.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载月报' }).click();
    const pdf = await (await download).path();
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('黑龙江省哈尔滨市道里区2026年10月流动人口信息交换考核月报');
    expect(text).toContain('兆麟街道');

    // 确认, with a 说明; afterwards the button is gone and the month says 已确认, in the list of months too.
    await page.getByRole('button', { name: '确认', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: '确认2026年10月考核月报' });
    await dialog.getByLabel('说明').fill('已逐项核对');
    await dialog.getByRole('button', { name: '确认', exact: true }).click();
    await page.getByText('已逐项核对').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByRole('button', { name: '确认', exact: true }).count()).toBe(0);
    await page.getByRole('row').filter({ hasText: '2026-09-21 至 2026-10-20' }).getByText('已确认').waitFor();

    // 年度考核 and back.
    await page.getByRole('radio', { name: '年度考核' }).check({ force: true });
    await page.getByRole('heading', { name: '道里区 2026年度考核' }).waitFor();
    await tab.shot('assessments-year');
    await page.goBack();
    await page.getByRole('heading', { name: '道里区 2026年10月考核' }).waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('shows the city supervisor which counties confirmed, opens one and comes back', async () => {
    const tab = await signedInTab(browser, base, citySup, '/rates');
    const { page } = tab;
    page.setDefaultTimeout(15_000);
    await page.getByRole('menuitem', { name: '月度考核' }).click();
    await choose(page, '考核月份', '2026年10月');
    await page.getByRole('heading', { name: '哈尔滨市 2026年10月考核' }).waitFor();
    const daoli = page.getByRole('row').filter({ hasText: '道里区' });
    const nangang = page.getByRole('row').filter({ hasText: '南岗区' });
    await daoli.getByText('已确认').waitFor();
    await nangang.getByText('未确认').waitFor();
    // Ranked: 道里区 (100 %) first, 南岗区 (0 %) second, the other districts without items after them, sharing 3rd.
    expect((await daoli.getByRole('cell').nth(2).innerText()).trim()).toBe('1');
    expect((await nangang.getByRole('cell').nth(2).innerText()).trim()).toBe('2');
    expect((await page.getByRole('row').filter({ hasText: '道外区' }).getByRole('cell').nth(2).innerText()).trim()).toBe('3');
    await tab.shot('assessments-city');
    // The city supervisor does not confirm for its city here until it has checked: its own 确认 is offered.
    await page.getByRole('button', { name: '确认', exact: true }).waitFor();

    await daoli.getByRole('link', { name: '道里区' }).click();
    await page.getByRole('heading', { name: '道里区 2026年10月考核' }).waitFor();
    expect(await page.getByRole('button', { name: '确认', exact: true }).count()).toBe(0);
    await page.goBack();
    await page.getByRole('heading', { name: '哈尔滨市 2026年10月考核' }).waitFor();
    expect(tab.errors).toEqual([]);
    await tab.close();
  });

  it('checks a report on a phone without logging in: 真实有效, or 无法核验 for an altered hash', async () => {
    const token = await t.token(countySup, PASSWORD);
    const a = (await t.http().get('/api/assessments').query({ jurisdiction: DAOLI, month: '2026-10' }).set('Authorization', `Bearer ${token}`).expect(200))
      .body;
    const phone = await openPage(browser, base, { width: 390, height: 844 });
    await phone.page.goto(`/assessments/verify/${a.hash}`);
    await phone.page.getByText('真实有效').waitFor();
    await phone.page.getByText('黑龙江省哈尔滨市道里区').waitFor();
    await phone.page.getByText('2026年10月').waitFor();
    await phone.shot('assessment-verify');
    await phone.page.goto(`/assessments/verify/${'0'.repeat(64)}`);
    await phone.page.getByText('无法核验').waitFor();
    await phone.close();
  });
});
