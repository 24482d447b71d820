import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

// The web console (console/, built by Vite into dist/console) is served by the service itself at `/`, with the same
// origin as /api (console.md): hashed assets cached for a year, the page itself never cached, every path outside /api
// that is not a file answered with the page (history-mode routes), and an unknown /api path still the JSON 404.
// Every text file has brotli and gzip copies made at build (console/vite.config.ts): the one the browser accepts is
// sent (`preCompressed`, with `Vary: Accept-Encoding`), the page itself too. Only a file too small to gain from a copy
// (robots.txt) goes through the on-the-fly compression of createFastifyAdapter.

/** Where the built console is: beside the compiled server (dist/console), or dist/console of the checkout under ts-node. */
export function consoleRoot(): string | null {
  const parent = resolve(__dirname, '..');
  // Compiled: dist/src/console-host.js → dist/console. Under ts-node: src/console-host.ts → dist/console (not console/, the sources).
  const candidates = [basename(parent) === 'dist' ? join(parent, 'console') : join(parent, 'dist', 'console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** What helmet sends that only a document (a page, not a script or stylesheet it loads) reads. */
const DOCUMENT_ONLY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

/** Security headers on every answer, with a strict CSP: scripts only from this origin, no framing. */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // HSTS only on an answer that went out over TLS: over plain HTTP the header is meaningless (and says the wrong thing).
    // With trustProxy off, `protocol` is https only for a TLS socket of this server; a TLS proxy in front sets its own.
    if (request.protocol === 'https') void reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // Answers of the API hold personal data (or a token, or a refusal about someone's record): no cache keeps them. The
    // OpenAPI document is the same for everyone; the console's files keep the caching registerConsole gives them.
    const path = request.url.split('?')[0];
    if ((path === '/api' || path.startsWith('/api/')) && !path.startsWith('/api/docs') && !reply.hasHeader('cache-control')) {
      void reply.header('Cache-Control', 'no-store');
    }
    // The console's hashed scripts and stylesheets are not documents: the headers only a document reads are left off
    // them (about 500 bytes on each of the ~70 answers of a first visit to /rates, issue 33). They keep nosniff,
    // Cross-Origin-Resource-Policy and Referrer-Policy, which apply to them; the page itself keeps every header.
    if (path.startsWith('/assets/') && !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      // helmet writes them on the raw response.
      for (const name of DOCUMENT_ONLY_HEADERS) reply.raw.removeHeader(name);
    }
    done(null, payload);
  });
  // Registered, not awaited: awaiting would start Fastify's plugin loading before Nest has added its own.
  void fastify.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Element Plus sets style attributes (positions of popovers, widths of columns): attributes only, no <style> from elsewhere.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The certificate PDF opens in a new tab from the console; same origin, so the defaults hold.
    crossOriginEmbedderPolicy: false,
    // Said the same way as `frame-ancestors 'none'`: no page may frame these answers, not even one of this origin.
    frameguard: { action: 'deny' },
    // Sent by the hook above, only over TLS.
    strictTransportSecurity: false,
  });
}

const NOT_FOUND = { statusCode: 404, code: 'NOT_FOUND', message: '请求的资源不存在', details: [] };

export function registerConsole(fastify: FastifyInstance, root: string | null): void {
  if (root) {
    void fastify.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      setHeaders: (res, path) => {
        res.header('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  fastify.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path === '/api' || path.startsWith('/api/') || !root) return reply.code(404).send(NOT_FOUND);
    return reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', root);
  });
}
