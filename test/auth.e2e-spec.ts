import { createHmac } from 'node:crypto';
import { startTestApp, TestApp, uniqueName } from './support/app';
import { BOOTSTRAP_ADMIN } from './support/env';

function b64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

describe('login and tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('logs in with the right password and returns a bearer token and the user', async () => {
    const res = await t.http().post('/api/auth/login').send(BOOTSTRAP_ADMIN).expect(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 8 * 3600 });
    expect(res.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(res.body.user).toMatchObject({ username: 'admin', role: 'admin', jurisdiction: { code: '000000000000', name: '全国', level: 'country' } });
    expect(res.body.user.passwordHash).toBeUndefined();

    const me = await t.http().get('/api/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ username: 'admin', role: 'admin', jurisdiction: { code: '000000000000' } });
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrong = await t.http().post('/api/auth/login').send({ username: 'admin', password: 'not-the-password' }).expect(401);
    const unknown = await t
      .http()
      .post('/api/auth/login')
      .send({ username: uniqueName('nobody'), password: 'whatever1' })
      .expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED', message: '用户名或密码错误' });
  });

  it('throttles repeated attempts on one account (429)', async () => {
    const username = uniqueName('target');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(
        (
          await t
            .http()
            .post('/api/auth/login')
            .send({ username, password: `guess-${i}` })
        ).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const body = (await t.http().post('/api/auth/login').send({ username, password: 'x' })).body;
    expect(body).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
  });

  it('requires a token everywhere but login, health and docs', async () => {
    const res = await t.http().get('/api/me').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    await t.http().get('/api/users').set('Authorization', 'Basic YWRtaW46eA==').expect(401);
  });

  it('refuses a tampered, a re-signed, an alg:none and an expired token (401)', async () => {
    const token = await t.token();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());

    const tampered = `${header}.${b64url({ ...claims, sub: '00000000-0000-0000-0000-000000000000' })}.${signature}`;
    const wrongKey = `${header}.${payload}.${createHmac('sha256', 'x'.repeat(40)).update(`${header}.${payload}`).digest('base64url')}`;
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const expiredPayload = b64url({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 });
    const expired = `${header}.${expiredPayload}.${createHmac('sha256', t.config.jwtSecret).update(`${header}.${expiredPayload}`).digest('base64url')}`;

    for (const bad of [tampered, wrongKey, none, expired, 'not-a-jwt']) {
      const res = await t.http().get('/api/me').set('Authorization', `Bearer ${bad}`);
      expect({ token: bad, status: res.status }).toEqual({ token: bad, status: 401 });
    }
    // The genuine token still works, so the refusals above are about the changes, not the setup.
    await t.http().get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
  });
});
