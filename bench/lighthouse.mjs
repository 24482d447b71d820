// Lighthouse for C3 (bench/c3-first-visit.ts runs this file as a child process: Lighthouse is an ES module only).
//   node bench/lighthouse.mjs '{"base":"http://127.0.0.1:PORT","pages":[{"name":"login","path":"/login"},
//                              {"name":"rates","path":"/rates","login":{"username":"…","password":"…"}}]}'
// Prints one JSON line: for each page its performance score (0–100) and metrics, and any request that left this
// machine (there must be none: Lighthouse runs offline here, the page loads only from the service).
// Lighthouse's default configuration is the mobile one: a Moto G Power's screen, simulated slow 4G and a 4× slower CPU.
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const { base, pages } = JSON.parse(process.argv[2]);
const chrome = await launch({ chromePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', chromeFlags: CHROMIUM_FLAGS, logLevel: 'silent' });
const results = [];
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
  for (const { name, path, login } of pages) {
    const tab = await browser.newPage();
    const flags = { onlyCategories: ['performance'], output: 'json', logLevel: 'error' };
    if (login) {
      // A signed-in page: log in through the login page (the session lives in this tab's sessionStorage), then empty
      // the HTTP cache, so the page is measured as a first visit; Lighthouse must then keep the tab's storage.
      await tab.goto(`${base}/login?redirect=${encodeURIComponent(path)}`, { waitUntil: 'networkidle0' });
      await tab.locator('::-p-aria(用户名)').fill(login.username);
      await tab.locator('::-p-aria(密码)').fill(login.password);
      await Promise.all([tab.waitForNavigation({ waitUntil: 'networkidle0' }).catch(() => undefined), tab.keyboard.press('Enter')]);
      await tab.waitForFunction((p) => globalThis.location.pathname === p, {}, path);
      const cdp = await tab.createCDPSession();
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
      flags.disableStorageReset = true;
    }
    const { lhr } = await lighthouse(`${base}${path}`, flags, undefined, tab);
    const audit = (id) => lhr.audits[id]?.numericValue ?? null;
    const requests = lhr.audits['network-requests']?.details?.items ?? [];
    results.push({
      name,
      path,
      finalUrl: lhr.finalDisplayedUrl,
      score: lhr.categories.performance.score === null ? null : Math.round(lhr.categories.performance.score * 100),
      fcpMs: audit('first-contentful-paint'),
      lcpMs: audit('largest-contentful-paint'),
      tbtMs: audit('total-blocking-time'),
      cls: audit('cumulative-layout-shift'),
      speedIndexMs: audit('speed-index'),
      transferBytes: audit('total-byte-weight'),
      requests: requests.length,
      offMachine: requests.map((r) => r.url).filter((u) => !u.startsWith(base) && !u.startsWith('data:')),
      warnings: lhr.runWarnings,
      runtimeError: lhr.runtimeError?.message ?? null,
    });
    await tab.close();
  }
  await browser.disconnect();
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results));
