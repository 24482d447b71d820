import { readFileSync } from 'node:fs';
import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { consoleRoot } from '@/console-host';
import { startTestApp, TestApp } from './support/app';
import { inflowBody } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// Weight on the wire (console.md, Quality): township offices have slow links. What such a user's browser gets: the
// console's files and the page compressed the way it accepts (brotli, else gzip, else as they are), large API answers
// compressed, and nothing that would not shrink (a small answer, an XLSX) spent CPU on. Bytes are read as they cross
// the socket (node:http does not decompress), then decompressed here and compared with what the user must end up with.

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes as sent, still encoded. */
  body: Buffer;
}

function raw(base: string, path: string, headers: Record<string, string>, method = 'GET', body?: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The answer as the browser reads it, whatever encoding it came in. */
function decoded(a: RawAnswer): Buffer {
  const encoding = a.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(a.body);
  if (encoding === 'gzip') return gunzipSync(a.body);
  if (encoding === undefined) return a.body;
  throw new Error(`unexpected content-encoding ${encoding}`);
}

// What Chromium sends, and what an old client or a proxy that strips compression sends.
const CHROMIUM = { 'accept-encoding': 'gzip, deflate, br, zstd' };
const GZIP_ONLY = { 'accept-encoding': 'gzip' };

describe('weight on the wire (compression)', () => {
  let t: TestApp;
  let base: string;
  let root: string;

  beforeAll(async () => {
    const built = consoleRoot();
    if (!built) throw new Error('the console is not built: npm run build -w console (after nest build)');
    root = built;
    t = await startTestApp();
    base = await t.app.getUrl();
  });
  afterAll(() => t.close());

  it('sends the console page compressed, the history routes too, with its strict CSP and Vary: Accept-Encoding', async () => {
    const file = readFileSync(join(root, 'index.html'));
    for (const path of ['/', '/login', '/rates']) {
      const page = await raw(base, path, CHROMIUM);
      expect(page.status).toBe(200);
      expect(page.headers['content-encoding']).toBe('br');
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers.vary).toMatch(/accept-encoding/i);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      expect(page.body.length).toBeLessThan(file.length);
      expect(decoded(page).equals(file)).toBe(true);
    }
  });

  it('sends a script as brotli when accepted, else gzip, else as it is; each much smaller than the file and the same once decoded', async () => {
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    const entry = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
    expect(entry).toBeDefined();
    const file = readFileSync(join(root, entry));
    expect(file.length).toBeGreaterThan(20_000);

    const br = await raw(base, entry, CHROMIUM);
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toContain('immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(file.length * 0.45);
    expect(decoded(br).equals(file)).toBe(true);

    const gz = await raw(base, entry, GZIP_ONLY);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/javascript/);
    expect(gz.body.length).toBeLessThan(file.length * 0.5);
    expect(br.body.length).toBeLessThan(gz.body.length);
    expect(decoded(gz).equals(file)).toBe(true);

    const without: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }];
    for (const none of without) {
      const plain = await raw(base, entry, none);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toMatch(/accept-encoding/i);
      expect(plain.body.equals(file)).toBe(true);
    }

    // A script is no document: it keeps the headers that apply to it, not the page's CSP and framing headers.
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(br.headers['cross-origin-resource-policy']).toBe('same-origin');
    for (const pageOnly of ['content-security-policy', 'x-frame-options', 'cross-origin-opener-policy']) expect(br.headers[pageOnly]).toBeUndefined();
    // A missing asset is answered with the page, which keeps all of them.
    const missing = await raw(base, '/assets/missing-0000.js', CHROMIUM);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(missing.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(missing.headers['x-frame-options']).toBe('DENY');

    // The stylesheet the page links to, likewise.
    const css = /<link rel="stylesheet"[^>]* href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1] as string;
    const cssAnswer = await raw(base, css, CHROMIUM);
    expect(cssAnswer.headers['content-encoding']).toBe('br');
    expect(cssAnswer.headers['content-type']).toMatch(/^text\/css/);
    expect(decoded(cssAnswer).equals(readFileSync(join(root, css)))).toBe(true);
  });

  it('compresses a large JSON list answer of the API, and leaves a small one and an XLSX as they are', async () => {
    const token = await t.token();
    const auth = { authorization: `Bearer ${token}` };
    // The place picker's list of a county's townships: several KB of JSON.
    const path = '/api/jurisdictions?parent=421381000000';
    const plain = await raw(base, path, auth);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(2048);

    const br = await raw(base, path, { ...auth, ...CHROMIUM });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^application\/json/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('no-store');
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(decoded(br).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));

    const gz = await raw(base, path, { ...auth, ...GZIP_ONLY });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(decoded(gz).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));

    // Under 1 KB an answer is not worth the CPU: a registration's own answer (B1's load) goes out as it is.
    const staff = await staffAt(t, '330802005001');
    const body = JSON.stringify(inflowBody({ idNumber: newIdNumber(), name: '韦小宝' }, daysAgo(3)));
    const registered = await raw(base, '/api/inflows', { authorization: `Bearer ${staff}`, 'content-type': 'application/json', ...CHROMIUM }, 'POST', body);
    expect(registered.status).toBe(201);
    expect(registered.body.length).toBeLessThan(1024);
    expect(registered.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(registered.body.toString('utf8'))).toHaveProperty('id');

    // An XLSX is a zip already: sent as it is, never compressed again.
    const xlsx = await raw(base, '/api/inflows/import/template.xlsx', { authorization: `Bearer ${staff}`, ...CHROMIUM });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    expect(xlsx.headers['content-encoding']).toBeUndefined();
    expect(xlsx.body.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('does not take compressed request bodies: a gzipped JSON body is refused as unreadable, nothing decompressed', async () => {
    const staff = await staffAt(t, '330802005001');
    const body = gzipSync(JSON.stringify(inflowBody({ idNumber: newIdNumber(), name: '韦小宝' }, daysAgo(3))));
    const res = await raw(
      base,
      '/api/inflows',
      { authorization: `Bearer ${staff}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      'POST',
      body,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ code: 'MALFORMED_REQUEST' });
  });
});
