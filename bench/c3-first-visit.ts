import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Browser, chromium, Page } from 'playwright-core';
import { certificateBody, YANGZHAI_VILLAGE } from '../test/support/builders';
import { newIdNumber } from '../test/support/people';
import { PROVINCE } from './b4-rates';
import { BenchStack, createUser, login, report, ROOT, startService } from './lib';
import { seed, seededPeople } from './seed';

// Enough registrations in 广东 that /rates draws its charts over real children (B4's generator, a few seconds).
const PEOPLE = 10_000;
const YANGZHAI_TOWNSHIP = '421381101000';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Visit {
  /** Bytes received for every request of the visit, headers included (CDP `encodedDataLength`). */
  bytes: number;
  byType: Record<string, number>;
  requests: number;
  /** The page's own clock: first contentful paint and the last largest-contentful-paint candidate. */
  fcpMs: number | null;
  lcpMs: number | null;
}

/**
 * What crosses the wire from a fresh browser (empty cache) until `done` resolves and the network has been idle: every
 * response's encoded size as Chromium counts it (headers and body, compressed as sent), by resource type.
 */
async function firstVisit(browser: Browser, steps: (page: Page) => Promise<void>): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const types = new Map<string, string>();
  const visit: Visit = { bytes: 0, byType: {}, requests: 0, fcpMs: null, lcpMs: null };
  cdp.on('Network.requestWillBeSent', (e) => types.set(e.requestId, (e.type ?? 'Other').toLowerCase()));
  const count = (requestId: string, bytes: number) => {
    const type = types.get(requestId) ?? 'other';
    visit.bytes += bytes;
    visit.byType[type] = (visit.byType[type] ?? 0) + bytes;
    visit.requests += 1;
  };
  cdp.on('Network.loadingFinished', (e) => count(e.requestId, e.encodedDataLength));
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  try {
    await steps(page);
    await page.waitForLoadState('networkidle');
    const paints = await page.evaluate<{ fcp: number | null; lcp: number | null }>(`new Promise((resolve) => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      let lcp = null;
      new PerformanceObserver((list) => { const all = list.getEntries(); lcp = all[all.length - 1].startTime; })
        .observe({ type: 'largest-contentful-paint', buffered: true });
      setTimeout(() => resolve({ fcp: fcp ? fcp.startTime : null, lcp }), 100);
    })`);
    visit.fcpMs = paints.fcp === null ? null : Math.round(paints.fcp);
    visit.lcpMs = paints.lcp === null ? null : Math.round(paints.lcp);
    return visit;
  } finally {
    await context.close();
  }
}

const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
const kbByType = (v: Visit) => Object.fromEntries(Object.entries(v.byType).map(([t, b]) => [t, kb(b)]));

/** A certificate issued through the API (a woman of 杨寨镇's village, by 杨寨镇's clerk): its verification code. */
async function issueCertificate(stack: BenchStack, url: string): Promise<string> {
  await createUser(stack.databaseUrl, 'bench_yz', 'staff', YANGZHAI_TOWNSHIP, 'bench-pass-1');
  const token = await login(url, 'bench_yz', 'bench-pass-1');
  const body = certificateBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1996-05-17', county: YANGZHAI_VILLAGE.slice(0, 6) }), name: '林秀英' });
  const res = await fetch(`${url}/api/certificates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`certificate refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { verificationCode: string }).verificationCode;
}

/**
 * C3 (console.md, "Weight on the wire"): the bytes of a first visit to `/login` (≤ 150 KB) and to `/rates` for a
 * province supervisor (≤ 450 KB), and Lighthouse's mobile performance score on `/login`, `/verify/:code` and `/rates`
 * (≥ 90, ≥ 90, ≥ 75). Transfers: playwright-core driving Debian's Chromium, a fresh context each (empty cache); the
 * visit to /rates starts at the login page (`/login?redirect=/rates`, as a bookmark or a 401 sends a supervisor there),
 * logs in and ends when the 信息提交率 card shows its percentage and both charts, scrolled to, are drawn. Lighthouse:
 * its own run of Chromium (bench/lighthouse.mjs), the same flags, an empty cache for each page; /rates with the
 * supervisor's session in the tab's sessionStorage, as the login page leaves it.
 */
export async function benchFirstVisit(stack: BenchStack): Promise<void> {
  const have = await seededPeople(stack.databaseUrl);
  if (have < PEOPLE) {
    console.error(`[C3] seeding ${PEOPLE - have} people into 广东 (B4's generator)`);
    await seed(stack.databaseUrl, have, PEOPLE - have, '44', (m) => console.error(`[C3 seed] ${m}`));
  }
  await createUser(stack.databaseUrl, 'bench_gd', 'supervisor', PROVINCE, 'bench-pass-1');
  const service = await startService(stack);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const loginVisit = await firstVisit(browser, async (page) => {
      await page.goto(`${service.url}/login`);
      await page.getByRole('button', { name: '登录' }).waitFor();
    });
    report({
      figure: 'C3 /login first visit, bytes transferred',
      value: kb(loginVisit.bytes),
      unit: 'KB',
      bar: 150,
      requests: loginVisit.requests,
      byTypeKb: kbByType(loginVisit),
      fcpMs: loginVisit.fcpMs,
      lcpMs: loginVisit.lcpMs,
    });

    const ratesVisit = await firstVisit(browser, async (page) => {
      await page.goto(`${service.url}/login?redirect=/rates`);
      await page.getByLabel('用户名').fill('bench_gd');
      await page.getByLabel('密码').fill('bench-pass-1');
      await page.getByLabel('密码').press('Enter');
      await page.waitForURL(`${service.url}/rates`);
      await page
        .getByRole('group', { name: '信息提交率' })
        .getByText(/^\d+\.\d%$/)
        .waitFor({ timeout: 30_000 });
      // Both charts (bars by child, the monthly trend) drawn by ECharts' SVG renderer, once scrolled to: below the
      // table they load when they come near the viewport (RatesCharts.vue).
      // Locators, not a polled expression: the page's CSP allows no eval, and the charts are not there at once now.
      await page.getByRole('figure', { name: '按月趋势' }).scrollIntoViewIfNeeded();
      for (const chart of ['各下级对比', '按月趋势']) await page.locator(`figure[aria-label="${chart}"] [_echarts_instance_] svg`).waitFor({ timeout: 30_000 });
      await page.locator('figure svg path').nth(20).waitFor({ state: 'attached', timeout: 30_000 });
    });
    report({
      figure: 'C3 /rates first visit (supervisor, from the login page), bytes transferred',
      value: kb(ratesVisit.bytes),
      unit: 'KB',
      bar: 450,
      requests: ratesVisit.requests,
      byTypeKb: kbByType(ratesVisit),
      people: Math.max(have, PEOPLE),
    });

    const code = await issueCertificate(stack, service.url);
    const pages = [
      { name: 'login', path: '/login', bar: 90 },
      { name: 'verify', path: `/verify/${code}`, bar: 90 },
      { name: 'rates', path: '/rates', bar: 75, login: { username: 'bench_gd', password: 'bench-pass-1' } },
    ];
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bench/lighthouse.mjs'), JSON.stringify({ base: service.url, flags: CHROMIUM_ARGS, pages })],
      {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 10 * 60_000,
      },
    );
    const results = JSON.parse(stdout.trim().split('\n').pop() as string) as Array<Record<string, unknown> & { name: string; score: number | null }>;
    for (const page of pages) {
      const r = results.find((x) => x.name === page.name);
      const { name: _name, score, path: _path, finalUrl, ...rest } = r ?? { name: page.name, score: null };
      // A signed-in page that fell back to the login page would be scored as the login page: no score then.
      const landed = typeof finalUrl === 'string' && new URL(finalUrl).pathname === page.path;
      const shown = page.name === 'verify' ? '/verify/:code' : page.path;
      report({ figure: `C3 Lighthouse mobile performance ${shown}`, value: landed ? score : null, unit: 'score', bar: page.bar, ...rest, landed });
    }
  } finally {
    await browser.close();
    await service.stop();
  }
}
