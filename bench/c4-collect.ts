import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BenchStack, createUser, report, ROOT, startService } from './lib';

// The grid worker's community (衢州 柯城区) and the flags C3 uses.
const COMMUNITY = '330802005001';
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

const kb = (n: number) => Math.round((n / 1024) * 10) / 10;

/** The files the service worker keeps (its SHELL list, written at build), and their brotli size as the service sends them. */
function shellOnDisk(): { files: number; raw: number; brotli: number } {
  const dir = join(ROOT, 'dist', 'console');
  const sw = readFileSync(join(dir, 'collect-sw.js'), 'utf8');
  const shell = JSON.parse(/const SHELL = (\[[\s\S]*?\]);/.exec(sw)?.[1] ?? '[]') as string[];
  let raw = 0;
  let brotli = 0;
  for (const path of shell) {
    const file = join(dir, path === '/collect' ? 'index.html' : path.slice(1));
    const size = statSync(file).size;
    raw += size;
    brotli += existsSync(`${file}.br`) ? statSync(`${file}.br`).size : size;
  }
  return { files: shell.length, raw, brotli };
}

/**
 * C4 (issue 31): the grid worker's phone app. A fresh 390 px browser context logs in as a collector and lands on
 * /collect; counted until its service worker controls the page and has filled its cache: the bytes the page received
 * (CDP `encodedDataLength`, headers and compressed bodies; the worker's own install fetches are served from the HTTP
 * cache the page just filled, or are the few files the page did not load), and what the cache then holds (the bodies
 * stored, uncompressed) beside the shell's brotli size on disk, against 300 KB.
 */
export async function benchCollect(stack: BenchStack): Promise<void> {
  await createUser(stack.databaseUrl, 'bench_wg', 'collector', COMMUNITY, 'bench-pass-1');
  const service = await startService(stack);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    let login = 0;
    let collect = 0;
    let requests = 0;
    let onCollect = false;
    cdp.on('Network.loadingFinished', (e) => {
      requests += 1;
      if (onCollect) collect += e.encodedDataLength;
      else login += e.encodedDataLength;
    });
    await cdp.send('Network.enable');
    await page.goto(`${service.url}/login`);
    await page.getByLabel('用户名').fill('bench_wg');
    await page.getByLabel('密码').fill('bench-pass-1');
    await page.waitForLoadState('networkidle');
    onCollect = true;
    await page.getByLabel('密码').press('Enter');
    await page.waitForURL(`${service.url}/collect`);
    await page.getByText('待上传 0 条').waitFor();
    // A function, not a string: the page's CSP forbids eval.
    await page.waitForFunction(
      () => (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null,
      undefined,
      {
        timeout: 30_000,
      },
    );
    await page.waitForLoadState('networkidle');
    const cached = await page.evaluate<{ entries: number; bytes: number; usage: number }>(`(async () => {
      let entries = 0, bytes = 0;
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) { entries++; bytes += (await (await cache.match(request)).blob()).size; }
      }
      const estimate = await navigator.storage.estimate();
      return { entries, bytes, usage: estimate.usage ?? 0 };
    })()`);
    const shell = shellOnDisk();
    report({
      figure: 'C4 /collect first load (collector, from the login page), bytes transferred',
      value: kb(collect),
      unit: 'KB',
      loginPageKb: kb(login),
      requests,
    });
    report({
      figure: 'C4 /collect shell kept by the service worker, brotli as sent (bar 300 KB)',
      value: kb(shell.brotli),
      unit: 'KB',
      bar: 300,
      files: shell.files,
      uncompressedKb: kb(shell.raw),
    });
    report({
      figure: "C4 /collect service worker's cache, bodies stored",
      value: kb(cached.bytes),
      unit: 'KB',
      entries: cached.entries,
      originUsageKb: kb(cached.usage),
    });
    await context.close();
  } finally {
    await browser.close();
    await service.stop();
  }
}
