import { startTestApp, TestApp } from './support/app';
import { testConfig } from './support/env';
import { Logger } from '@nestjs/common';
import { createApp } from '@/configure-app';

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
    // Files (PDF, XLSX, CSV) are described by their media types; health and targets are for operators and admins' scripts.
    expect(undescribed.sort()).toEqual([
      'GET /api/certificates/{id}/pdf',
      'GET /api/health',
      'GET /api/inflows/import/template.xlsx',
      'GET /api/rates/export',
      'GET /api/rates/targets/{code}',
      'PUT /api/rates/targets/{code}',
    ]);
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
