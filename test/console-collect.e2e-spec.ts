import type { Browser, Page } from 'playwright-core';
import { TestApp, waitFor } from './support/app';
import { join } from 'node:path';
import { openPage, SCREENSHOTS } from './support/browser';
import { AxeAudit, settle } from './support/axe';
import { choose, errorOf, pickPlace, signIn, startConsoleRun, stopConsoleRun, typeIntoPicker } from './support/console';
import { account, newIdNumber, PASSWORD } from './support/people';

// Issue 31 in Chromium (field-collection.md): a grid worker collects on a phone (390 px) with no network, closes the
// page, opens it again offline, and the declarations arrive once when the network returns; the community clerk
// accepts one (completing 户籍地) and returns the other; the grid worker sees the reason and corrects it. This file's
// own places: 百子亭社区 (南京 玄武区) and newcomers from 安徽 太和县 旧县镇.
const DEST = '320102005001'; // 江苏省南京市玄武区玄武门街道百子亭社区
const ORIGIN = '341222101000'; // 安徽省阜阳市太和县旧县镇
const ORIGIN_VILLAGE = '341222101001';
const PHONE = { width: 390, height: 844 };

/** What the phone keeps in IndexedDB (runs in the page; the tests' tsconfig has no DOM types). */
function keptOnPhone(page: Page): Promise<{ state: string; name: string }[]> {
  return page.evaluate(
    () =>
      new Promise<{ state: string; name: string }[]>((resolve, reject) => {
        const g = globalThis as unknown as {
          indexedDB: { open(name: string): { result: Db; onsuccess: () => void; onerror: () => void } };
        };
        interface Db {
          transaction(s: string): {
            objectStore(s: string): { getAll(): { result: { state: string; body: { person: { name: string } } }[]; onsuccess: () => void } };
          };
          close(): void;
        }
        const req = g.indexedDB.open('liudong-collect');
        req.onerror = () => reject(new Error('IndexedDB'));
        req.onsuccess = () => {
          const all = req.result.transaction('declarations').objectStore('declarations').getAll();
          all.onsuccess = () => {
            resolve(all.result.map((k) => ({ state: k.state, name: k.body.person.name })));
            req.result.close();
          };
        };
      }),
  );
}

describe('grid workers on a phone (采集) and the clerk’s review (采集审核)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let originClerk: string;

  beforeAll(async () => ({ t, browser, base, clerk: originClerk } = await startConsoleRun(ORIGIN, { prefix: 'jx', displayName: '旧县镇计生办' })));
  afterAll(() => stopConsoleRun({ t, browser }));

  const count = async (collectorId: string): Promise<number> =>
    (await t.db.query(`SELECT count(*)::int AS n FROM declaration WHERE collector_id = $1`, [collectorId]))[0].n;

  async function fill(page: Page, idNumber: string, name: string, address: string): Promise<void> {
    await page.getByLabel('公民身份号码', { exact: true }).fill(idNumber);
    await page.getByLabel('姓名', { exact: true }).fill(name);
    await typeIntoPicker(page, '户籍地', '太和');
    await page.getByRole('option', { name: '安徽省阜阳市太和县', exact: true }).click();
    await page.getByLabel('详细地址').fill(address);
    await choose(page, '流动原因', '务工');
    await choose(page, '婚姻状况', '未婚');
    await choose(page, '避孕节育情况', '未采取措施');
  }

  it('collects offline, reopens offline, sends each declaration once; the clerk accepts one and returns the other, which is corrected', async () => {
    const collector = await account(t, DEST, { role: 'collector', prefix: 'wg', displayName: '百子亭网格员' });
    const clerk = await account(t, DEST, { prefix: 'bzt', displayName: '百子亭社区' });
    const [{ id: collectorId }]: { id: string }[] = await t.db.query(`SELECT id FROM app_user WHERE username = $1`, [collector]);

    // Logging in lands a grid worker on /collect; the service worker takes the shell and the place table.
    const phone = await openPage(browser, base, PHONE);
    let page = phone.page;
    const context = page.context();
    await signIn(page, collector, '/collect');
    await page.getByText('待上传 0 条').waitFor();
    await page.waitForFunction(
      () => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null,
    );
    await page.locator('#app').getByText('江苏省南京市玄武区玄武门街道百子亭社区').waitFor();

    // No network at all: the page still opens, from the service worker.
    await context.setOffline(true);
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await page.getByText('离线', { exact: true }).waitFor();

    // A wrong check digit is caught on the phone, before anything is kept.
    const first = newIdNumber({ sex: 'male', county: '341222' });
    const wrong = `${first.slice(0, 17)}${first[17] === '0' ? '1' : '0'}`;
    await page.getByLabel('公民身份号码', { exact: true }).fill(wrong);
    await page.getByText('校验位不正确，请核对号码').waitFor();
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('请检查：公民身份号码').waitFor();
    expect(await keptOnPhone(page)).toEqual([]);

    await fill(page, first, '钱海', '南京市玄武区百子亭 8 号');
    await page.getByText('离线时选到县即可，社区审核时补全到乡镇').waitFor();
    await settle(page);
    await phone.shot('collect-offline-filled');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('待上传 1 条').waitFor();
    const second = newIdNumber({ sex: 'male', county: '341222' });
    await fill(page, second, '孙河', '百子亭');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('待上传 2 条').waitFor();
    // The screenshot once the 已保存 toasts have gone (they cover the form for 3 seconds, as meant).
    await page.locator('.el-message').first().waitFor({ state: 'detached' });
    await phone.shot('collect-offline-saved');
    // axe at 390 px, as for every screen of the console.
    const audit = new AxeAudit();
    await settle(page);
    await audit.check(page, '采集（离线，手机）');
    expect(await count(collectorId)).toBe(0);

    // The page is closed and opened again, still offline: the shell and both declarations are there.
    await page.close();
    page = await context.newPage();
    const reopened = await page.goto('/collect');
    expect(reopened?.fromServiceWorker()).toBe(true);
    await page.getByText('待上传 2 条').waitFor();
    expect((await keptOnPhone(page)).map((k) => k.state)).toEqual(['unsent', 'unsent']);
    // The service worker keeps only the shell: no API answer, nothing naming the people.
    const cached = await page.evaluate(async () => {
      const c = (globalThis as unknown as { caches: { keys(): Promise<string[]>; open(n: string): Promise<CacheLike> } }).caches;
      interface CacheLike {
        keys(): Promise<{ url: string }[]>;
        match(r: { url: string }): Promise<{ text(): Promise<string> }>;
      }
      const out: { url: string; text: string }[] = [];
      for (const name of await c.keys()) {
        const cache = await c.open(name);
        for (const r of await cache.keys()) out.push({ url: r.url, text: await (await cache.match(r)).text() });
      }
      return out;
    });
    expect(cached.length).toBeGreaterThan(10);
    expect(cached.filter((c) => new URL(c.url).pathname.startsWith('/api/'))).toEqual([]);
    expect(cached.filter((c) => c.text.includes(first) || c.text.includes('钱海') || c.text.includes('孙河'))).toEqual([]);

    // The network returns, but the first answer is lost on the way back: the phone sends it again under the same key.
    let lost = false;
    await page.route('**/api/declarations', async (route) => {
      if (route.request().method() === 'POST' && !lost) {
        lost = true;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await context.setOffline(false);
    await page.getByText('待上传 0 条').waitFor();
    expect(lost).toBe(true);
    expect(await count(collectorId)).toBe(2);
    await page.getByText('已上传').first().waitFor();
    await page.unroute('**/api/declarations');

    // The clerk: 通过 with 户籍地 completed to the village, 退回 with a reason.
    const desk = await openPage(browser, base);
    await signIn(desk.page, clerk, '/declarations');
    const row = (name: string) => desk.page.locator('.el-table__row').filter({ hasText: name });
    await row('钱海').waitFor();
    await row('孙河').waitFor();
    await desk.page.getByText('百子亭网格员').first().waitFor();
    await desk.shot('declarations-pending');
    await settle(desk.page);
    await audit.check(desk.page, '采集审核');
    await row('钱海').getByRole('button', { name: '通过' }).click();
    const dialog = desk.page.getByRole('dialog', { name: '通过并登记' });
    await dialog.getByText('网格员只选到县，请补全到乡镇（街道）或村').waitFor();
    await pickPlace(desk.page, '户籍地', ORIGIN_VILLAGE, '安徽省阜阳市太和县旧县镇', dialog);
    await settle(desk.page);
    await audit.check(desk.page, '采集审核（通过并登记）');
    await dialog.getByRole('button', { name: '确认通过' }).click();
    await desk.page.getByText('已通过，钱海 已登记并通报户籍地').waitFor();
    const [inflow] = await t.db.query(
      `SELECT i.id, i.household_code, i.status FROM inflow i JOIN declaration d ON d.inflow_id = i.id WHERE d.collector_id = $1`,
      [collectorId],
    );
    expect(inflow).toMatchObject({ household_code: ORIGIN_VILLAGE, status: 'active' });
    const origin = await t.token(originClerk, PASSWORD);
    await waitFor(
      async () => {
        const inbox = await t.http().get('/api/exchanges/inbox').set('Authorization', `Bearer ${origin}`).expect(200);
        return (inbox.body.items as { subject?: { name: string }; person?: { name: string } }[]).length > 0;
      },
      15_000,
      'the inflow notice in 旧县镇’s inbox',
    );

    await row('孙河').getByRole('button', { name: '退回' }).click();
    const back = desk.page.getByRole('dialog', { name: '退回' });
    await back.getByRole('button', { name: '确认退回' }).click();
    await errorOf(desk.page, '退回原因').getByText('请填写退回原因').waitFor();
    await back.getByLabel('退回原因').fill('详细地址不全，请写到门牌号');
    await back.getByRole('button', { name: '确认退回' }).click();
    await desk.page.getByText('已退回，网格员可在手机上看到原因').waitFor();
    await desk.close();

    // The grid worker sees both outcomes, the reason, corrects the address: pending again.
    await page.reload();
    await page.getByText('退回原因：详细地址不全，请写到门牌号').waitFor();
    await page.getByText('已通过').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'collect-returned.png'), fullPage: true });
    await page.locator('.line').filter({ hasText: '孙河' }).getByRole('button', { name: '更正' }).click();
    await page.getByText('更正：孙河').waitFor();
    await settle(page);
    await audit.check(page, '采集（更正，手机）');
    expect(audit.blocking).toEqual([]);
    await page.getByLabel('详细地址').fill('南京市玄武区百子亭 12 号 3 单元 501 室');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page
      .getByText('已更正，重新待审核')
      .waitFor()
      .catch(async (e: unknown) => {
        await page.screenshot({ path: join(SCREENSHOTS, 'collect-correct-failed.png'), fullPage: true });
        throw e;
      });
    const rows: { name: string; status: string }[] = await t.db.query(`SELECT name, status FROM declaration WHERE collector_id = $1 ORDER BY name`, [
      collectorId,
    ]);
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['孙河', 'pending'],
      ['钱海', 'accepted'],
    ]);
    expect(await count(collectorId)).toBe(2);

    // 撤回: the corrected one taken back before review (the clerk no longer has it to review); the accepted one cannot be.
    const sun = page.locator('.line').filter({ hasText: '孙河' });
    await sun.getByRole('button', { name: '撤回' }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '撤回' }).click();
    await sun.getByText('已撤回').waitFor();
    expect(await page.locator('.line').filter({ hasText: '钱海' }).getByRole('button', { name: '撤回' }).count()).toBe(0);
    const [withdrawn] = await t.db.query(`SELECT status FROM declaration WHERE collector_id = $1 AND name = '孙河'`, [collectorId]);
    expect(withdrawn.status).toBe('withdrawn');

    // 退出: the login and what was sent leave the phone; what was never sent stays.
    await context.setOffline(true);
    await fill(page, newIdNumber({ sex: 'male', county: '341222' }), '周山', '百子亭 1 号');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('待上传 1 条').waitFor();
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    expect(await keptOnPhone(page)).toEqual([{ state: 'unsent', name: '周山' }]);
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { localStorage: Record<string, string> }).localStorage))).toEqual([]);
    expect(phone.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|Failed to fetch/.test(e))).toEqual([]);
    await phone.close();
  }, 180_000);
});
