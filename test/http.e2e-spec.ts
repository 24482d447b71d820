import { ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { compileErrors, validate } from '@readme/openapi-parser';
import { join } from 'node:path';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import request from 'supertest';
import { serviceAnswering, spawnService, startTestApp, TestApp, waitFor } from './support/app';
import { testConfig } from './support/env';
import { newIdNumber } from './support/people';
import { Logger } from '@nestjs/common';
import { createApp } from '@/configure-app';
import { registerSecurityHeaders } from '@/console-host';

describe('HTTP conventions, health and docs', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  it('reports health without a token', async () => {
    const res = await t.http().get('/api/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', db: 'up', redis: 'up', queues: expect.any(Object) });
  });

  it('answers a malformed JSON body with 400 in the contract error shape', async () => {
    const res = await t
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send('{"username": "x",')
      .expect(400);
    expect(res.body).toEqual({ statusCode: 400, code: 'MALFORMED_REQUEST', message: expect.stringMatching(/JSON/), details: [] });
    await t.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{bad').expect(400);
  });

  // Regressions from bench/fuzz.ts: each of these was a 500.
  it('refuses JSON nested absurdly deep with 400, not a stack overflow', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await t.http().post('/api/users').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send(deep).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'MALFORMED_REQUEST', message: expect.stringMatching(/嵌套/) });
    const nested = await t
      .http()
      .post('/api/exchanges')
      .set('Authorization', `Bearer ${token}`)
      .send({ caseId: 'x', payload: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) });
    expect(nested.status).toBe(400);
  });

  it('refuses null for a field that may be left out but not emptied, naming it', async () => {
    const me = await t.http().get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
    const res = await t.http().patch(`/api/users/${me.body.id}`).set('Authorization', `Bearer ${token}`).send({ active: null }).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['active']);
    const proto = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":"a","password":"b","__proto__":{"x":1}}')
      .expect(400);
    expect(proto.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: '__proto__', message: '不允许的字段' }] });
  });

  it('refuses an oversized body with 413', async () => {
    const huge = JSON.stringify({ username: 'x', password: 'y'.repeat(t.config.bodyLimitBytes) });
    const res = await t.http().post('/api/auth/login').set('Content-Type', 'application/json').send(huge).expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses unknown fields with 400 naming them', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'admin', password: 'x', remember: true }).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'remember', message: '不允许的字段' }] });
  });

  it('answers wrong types and unknown routes without a 500', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ username: ['admin'], password: { $ne: 1 } })
      .expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['password', 'username']);
    const notFound = await t.http().get('/api/nowhere').set('Authorization', `Bearer ${token}`).expect(404);
    expect(notFound.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    await t.http().get('/api/users/not-a-uuid').set('Authorization', `Bearer ${token}`).expect(400);
    await t.http().get('/api/users?pageSize=1000').set('Authorization', `Bearer ${token}`).expect(400);
  });

  it('answers every API request no-store: signed-in lists, details and refusals, and the public ones', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const answers = {
      list: await t.http().get('/api/users').set(auth).expect(200),
      detail: await t.http().get('/api/me').set(auth).expect(200),
      refused: await t.http().get('/api/users/not-a-uuid').set(auth).expect(400),
      absent: await t.http().get('/api/users/00000000-0000-4000-8000-000000000000').set(auth).expect(404),
      unknownRoute: await t.http().get('/api/nowhere').set(auth).expect(404),
      noToken: await t.http().get('/api/inflows').expect(401),
      login: await t.http().post('/api/auth/login').send({ username: 'admin', password: 'not-the-password' }).expect(401),
      health: await t.http().get('/api/health').expect(200),
    };
    const cacheControl = Object.fromEntries(Object.entries(answers).map(([what, res]) => [what, res.headers['cache-control']]));
    expect(cacheControl).toEqual(Object.fromEntries(Object.keys(answers).map((what) => [what, 'no-store'])));
    // The OpenAPI document is the same for everyone: left to the usual caching.
    expect((await t.http().get('/api/docs-json').expect(200)).headers['cache-control']).toBeUndefined();
  });

  it('forbids framing in both headers that say so, and sends HSTS only over TLS (not over plain HTTP)', async () => {
    const res = await t.http().get('/api/health').expect(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('serves the OpenAPI document describing the endpoints', async () => {
    const res = await t.http().get('/api/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/me',
        '/api/users',
        '/api/users/{id}',
        '/api/jurisdictions',
        '/api/jurisdictions/{code}',
        '/api/health',
        '/api/audit',
      ]),
    );
    await t.http().get('/api/docs').expect(200);
    // Responses are described with their fields (the console's client is typed from them), errors once for all.
    const schemas = res.body.components.schemas;
    const inbox = res.body.paths['/api/exchanges/inbox'].get.responses;
    expect(inbox['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ExchangePageView');
    expect(Object.keys(schemas.ExchangeView.properties)).toEqual(expect.arrayContaining(['fromName', 'toName', 'subject', 'reply', 'dueAt']));
    expect(schemas.InflowView.properties.maritalStatus.enum).toEqual(['unmarried', 'first_married', 'remarried', 'divorced', 'widowed']);
    expect(inbox.default.content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorView');
    const undescribed = Object.entries(res.body.paths as Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>)
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })))
      .filter(({ op }) => !Object.entries(op.responses).some(([status, r]) => status.startsWith('2') && r.content))
      .map(({ at }) => at);
    // A standard validator (the OpenAPI 3.0 schema and its rules: unique operationIds, resolvable $refs) accepts it.
    const validation = await validate(structuredClone(res.body));
    expect(validation.valid ? 'valid' : compileErrors(validation)).toBe('valid');
    // Every operation says what it answers: files (PDF, XLSX, CSV) by their media types as binary strings.
    expect(undescribed).toEqual([]);
    const fileOf = (path: string) => res.body.paths[path].get.responses['200'].content;
    for (const path of ['/api/certificates/{id}/pdf', '/api/inflows/{id}/form.pdf']) {
      expect(fileOf(path)).toEqual({ 'application/pdf': { schema: { type: 'string', format: 'binary' } } });
    }
    for (const path of [
      '/api/rates/export',
      '/api/rates/items/export',
      '/api/inflows/export',
      '/api/outflows/export',
      '/api/exchanges/inbox/export',
      '/api/exchanges/outbox/export',
    ]) {
      expect(Object.keys(fileOf(path)).sort()).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv']);
    }
    expect(Object.keys(fileOf('/api/inflows/import/template.xlsx'))).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    expect(res.body.paths['/api/health'].get.responses['503'].content['application/json'].schema.$ref).toBe('#/components/schemas/HealthView');
    expect(res.body.paths['/api/rates/targets/{code}'].put.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/TargetsView');
  });
});

describe('startup', () => {
  it('starts without route-pattern warnings (Nest 11 wildcards)', async () => {
    const said: string[] = [];
    const spies = (['warn', 'error'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        said.push(String(args[0]));
      }),
    );
    const app = await createApp(testConfig());
    try {
      await app.init();
    } finally {
      spies.forEach((s) => s.mockRestore());
      await app.close();
    }
    expect(said.filter((m) => /route path|LegacyRoute|path-to-regexp/i.test(m))).toEqual([]);
  });
});

describe('HSTS over TLS', () => {
  it('is sent when the request came over a TLS socket of the service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liudong-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    // The service's own headers on a bare Fastify instance that listens with TLS.
    const fastify = new FastifyAdapter({
      https: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    }).getInstance();
    registerSecurityHeaders(fastify);
    fastify.get('/api/ping', () => ({ ok: true }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = fastify.server.address() as { port: number };
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        httpsRequest({ host: '127.0.0.1', port, path: '/api/ping', rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.headers);
        })
          .on('error', reject)
          .end();
      });
      expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(headers['cache-control']).toBe('no-store');
    } finally {
      await fastify.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('request logs', () => {
  let t: TestApp;
  let service: ChildProcess;
  let url: string;
  let logged = '';

  beforeAll(async () => {
    // The service as it runs, logging at `info` to its standard output: what an operator's log store receives.
    t = await startTestApp({}, 'api');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = spawnService(
      ['api'],
      { DATABASE_URL: t.config.databaseUrl, REDIS_URL: t.config.redisUrl, REDIS_PREFIX: t.config.redisPrefix, PORT: String(port), LOG_LEVEL: 'info' },
      ['ignore', 'pipe', 'pipe'],
    );
    service.stdout?.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    service.stderr?.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    await serviceAnswering(url);
  }, 90_000);
  afterAll(async () => {
    service?.kill('SIGKILL');
    await t?.close();
  });

  it('masks an ID number or a phone number typed into a path (a 400), and keeps place codes readable', async () => {
    const auth = { Authorization: `Bearer ${await t.token()}` };
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1990-03-07' });
    const oldIdNumber = `${idNumber.slice(0, 6)}${idNumber.slice(8, 17)}`; // the 15-digit form
    const phone = '13912345678';
    for (const value of [idNumber, oldIdNumber, phone]) {
      await request(url).get(`/api/persons/${value}`).set(auth).expect(400);
    }
    await request(url).get('/api/jurisdictions/421381101000').set(auth).expect(200);
    const lines = () => logged.split('\n').filter((line) => line.includes('"path"'));
    await waitFor(
      () => Promise.resolve(lines().filter((line) => line.includes('/api/persons/')).length >= 3 && lines().some((l) => l.includes('421381101000'))),
      10_000,
      'the requests logged',
    );
    const persons = lines().filter((line) => line.includes('/api/persons/'));
    expect(persons.map((line) => (JSON.parse(line) as { req: { path: string } }).req.path)).toEqual(Array(3).fill('/api/persons/[REDACTED]'));
    expect({ idNumber: logged.includes(idNumber), oldIdNumber: logged.includes(oldIdNumber), phone: logged.includes(phone) }).toEqual({
      idNumber: false,
      oldIdNumber: false,
      phone: false,
    });
  });
});

// Last: its Redis clients may still report the refused connection for a moment after the app closed.
describe('health when Redis is down', () => {
  it('answers 503 naming the dependency that is down', async () => {
    const app = await createApp(testConfig({ REDIS_URL: 'redis://127.0.0.1:1' }));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/api/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'error', db: 'up', redis: 'down' });
    } finally {
      await app.close();
    }
  });
});
