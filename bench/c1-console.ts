import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../test/support/browser';
import { BenchStack, report, startService } from './lib';

/**
 * C1 (console.md, Quality): the JavaScript a first visit to `/login` downloads, gzipped (level 9, as a server or CDN
 * would send it), against the 350 KB budget. Measured in Chromium against the built service: every script the page
 * requests until the login form is shown, each fetched again and compressed here (the service itself serves
 * uncompressed; a reverse proxy compresses).
 */
export async function benchConsole(stack: BenchStack): Promise<void> {
  const service = await startService(stack);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const scripts = new Set<string>();
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.add(r.url());
    });
    await page.goto(`${service.url}/login`);
    await page.getByRole('button', { name: '登录' }).waitFor();
    let raw = 0;
    let gzipped = 0;
    for (const url of scripts) {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      raw += body.length;
      gzipped += gzipSync(body, { level: 9 }).length;
    }
    const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
    report({ figure: 'C1 login page JavaScript, gzipped', value: kb(gzipped), unit: 'KB', bar: 350, files: scripts.size, rawKb: kb(raw) });
  } finally {
    await browser.close();
    await service.stop();
  }
}
