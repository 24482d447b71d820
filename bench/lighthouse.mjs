// Lighthouse for C3 (bench/c3-first-visit.ts runs this file as a child process: Lighthouse is an ES module only).
//   node bench/lighthouse.mjs '{"base":"http://127.0.0.1:PORT","flags":["--headless",…],"pages":[{"name":"login","path":"/login"},
//                              {"name":"rates","path":"/rates","login":{"username":"…","password":"…"}}]}'
// Prints one JSON line: for each page its performance score (0–100) and metrics, and any request that left this
// machine (there must be none: Lighthouse runs offline here, the page loads only from the service).
// Lighthouse's default configuration is the mobile one: a Moto G Power's screen, simulated slow 4G and a 4× slower CPU.
// LIGHTHOUSE_REPORTS=DIR keeps each page's full report (DIR/<name>.json) to read what the score is made of.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

// The Chromium flags come from c3-first-visit.ts (one list for both of C3's browsers).
const { base, pages, flags } = JSON.parse(process.argv[2]);
const chrome = await launch({ chromePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', chromeFlags: flags, logLevel: 'silent' });
const results = [];
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
  for (const { name, path, login } of pages) {
    const tab = await browser.newPage();
    const flags = { onlyCategories: ['performance'], output: 'json', logLevel: 'error' };
    if (login) {
      // A signed-in page: the session the login page would keep in the tab's sessionStorage (stores/session.ts) is put
      // there before the page's scripts run, so nothing of the page is loaded (and cached) before Lighthouse's own
      // first visit, which starts from an empty HTTP cache as for every page.
      const res = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(login),
      });
      if (!res.ok) throw new Error(`login ${login.username}: ${res.status}`);
      const { accessToken, user } = await res.json();
      await tab.evaluateOnNewDocument((session) => globalThis.sessionStorage.setItem('liudong.session', session), JSON.stringify({ token: accessToken, user }));
    }
    // A run that could not record its trace (Lighthouse's NO_NAVSTART, seen once here) is taken again, once.
    let lhr;
    for (let attempt = 0; attempt < 2 && (!lhr || lhr.runtimeError); attempt++) {
      lhr = (await lighthouse(`${base}${path}`, flags, undefined, tab)).lhr;
    }
    if (process.env.LIGHTHOUSE_REPORTS) writeFileSync(join(process.env.LIGHTHOUSE_REPORTS, `${name}.json`), JSON.stringify(lhr, null, 1));
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
      // Lighthouse's measure of this machine's CPU (a typical desktop: 1 000–2 000); its 4× slowdown comes on top.
      benchmarkIndex: lhr.environment.benchmarkIndex,
    });
    await tab.close();
  }
  await browser.disconnect();
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results));
