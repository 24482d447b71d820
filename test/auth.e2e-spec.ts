import { createHmac } from 'node:crypto';
import { startTestApp, TestApp, uniqueName } from './support/app';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';
import { BOOTSTRAP_ADMIN } from './support/env';
import { account, daysAgo, newIdNumber, PASSWORD } from './support/people';

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

// An app of its own: its logins count against fresh throttle counters (30 a minute from one address).
describe('trust between the sides: earlier tokens end, stored answers are sealed, failed logins are seen (issue 27)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const login = (username: string, password: string, key?: string) => {
    const req = t.http().post('/api/auth/login');
    if (key) req.set('Idempotency-Key', key);
    return req.send({ username, password });
  };
  const me = (token: string) => t.http().get('/api/me').set('Authorization', `Bearer ${token}`);
  const patch = async (token: string, id: string, body: object) =>
    t.http().patch(`/api/users/${id}`).set('Authorization', `Bearer ${token}`).send(body).expect(200);

  async function staff(): Promise<{ username: string; id: string; token: string }> {
    const username = await account(t, QUZHOU_COMMUNITY);
    const res = await login(username, PASSWORD).expect(200);
    return { username, id: res.body.user.id, token: res.body.accessToken };
  }

  it('a reset by an admin: the old tokens are refused (401), the new password signs in', async () => {
    const user = await staff();
    // Two tokens of the same second: the reset must end both, whatever their iat.
    const second = (await login(user.username, PASSWORD).expect(200)).body.accessToken as string;
    await me(user.token).expect(200);
    await patch(await t.token(), user.id, { password: 'reset-by-admin-1' });
    for (const old of [user.token, second]) {
      const res = await me(old).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    }
    await login(user.username, PASSWORD).expect(401);
    const fresh = await login(user.username, 'reset-by-admin-1').expect(200);
    await me(fresh.body.accessToken).expect(200);
    // A change of name alone ends nothing.
    await patch(await t.token(), user.id, { displayName: '改名' });
    await me(fresh.body.accessToken).expect(200);
  });

  it('deactivation and reactivation: a token from before stays refused after the account is active again', async () => {
    const user = await staff();
    const root = await t.token();
    await patch(root, user.id, { active: false });
    await me(user.token).expect(401);
    await patch(root, user.id, { active: true });
    await me(user.token).expect(401);
    const fresh = await login(user.username, PASSWORD).expect(200);
    await me(fresh.body.accessToken).expect(200);
  });

  it("an admin's change of its own password ends its own earlier tokens too", async () => {
    const username = await account(t, '330000000000', { role: 'admin' });
    const first = await login(username, PASSWORD).expect(200);
    const other = (await login(username, PASSWORD).expect(200)).body.accessToken as string;
    await patch(first.body.accessToken, first.body.user.id, { password: 'my-own-new-pass-1' });
    await me(first.body.accessToken).expect(401);
    await me(other).expect(401);
    const fresh = await login(username, 'my-own-new-pass-1').expect(200);
    await me(fresh.body.accessToken).expect(200);
  });

  it('a login is never answered from an Idempotency-Key: the key re-sent with the old password is 401', async () => {
    const username = await account(t, QUZHOU_COMMUNITY);
    const first = await login(username, PASSWORD, 'login-key-1').expect(200);
    const [{ id }] = await t.db.query(`SELECT id FROM app_user WHERE username = $1`, [username]);
    await patch(await t.token(), id, { password: 'after-reset-pass-1' });
    const replay = await login(username, PASSWORD, 'login-key-1');
    expect({ status: replay.status, replayed: replay.headers['idempotent-replayed'], token: replay.body.accessToken }).toEqual({
      status: 401,
      replayed: undefined,
      token: undefined,
    });
    await me(first.body.accessToken).expect(401);
    // The same key with the new password is simply a login.
    const fresh = await login(username, 'after-reset-pass-1', 'login-key-1').expect(200);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    await me(fresh.body.accessToken).expect(200);
  });

  it('stored answers hold no token, no name and no ID number: the idempotency table dumped as text', async () => {
    const username = await account(t, QUZHOU_COMMUNITY);
    const signedIn = await login(username, PASSWORD, 'dump-login-key').expect(200);
    const token = signedIn.body.accessToken as string;
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1993-04-05' });
    const name = '欧阳慧敏';
    const body = inflowBody({ idNumber, name, phone: '13912345678' }, daysAgo(5));
    const register = () => t.http().post('/api/inflows').set('Authorization', `Bearer ${token}`).set('Idempotency-Key', 'dump-register-key').send(body);
    const created = await register().expect(201);
    // The sealed answer is still replayed as it was.
    const retry = await register().expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(created.body);

    const rows: { row: string }[] = await t.db.query(`SELECT row_to_json(x)::text AS row FROM idempotency_key x`);
    const dump = rows.map((r) => r.row).join('\n');
    expect(rows.length).toBeGreaterThan(0);
    const [header, payload] = token.split('.');
    const found = {
      token: dump.includes(token) || dump.includes(`${header}.${payload}`),
      name: dump.includes(name),
      idNumber: dump.includes(idNumber) || dump.includes(idNumber.slice(6, 14)),
      phone: dump.includes('13912345678'),
    };
    expect(found).toEqual({ token: false, name: false, idNumber: false, phone: false });
  });

  it("files a failed login under the account's place, where its admins see it; an unknown username for the root's admins", async () => {
    const HUBEI = '420000000000';
    const YANGZHAI = '421381101000';
    const zhejiangAdmin = await t.token(await account(t, '330000000000', { role: 'admin' }), PASSWORD);
    const hubeiAdmin = await t.token(await account(t, HUBEI, { role: 'admin' }), PASSWORD);
    const clerk = await account(t, YANGZHAI);
    const unknown = uniqueName('nobody');
    await t.http().post('/api/auth/login').send({ username: clerk, password: 'wrong-password-1' }).expect(401);
    await t.http().post('/api/auth/login').send({ username: unknown, password: 'wrong-password-1' }).expect(401);
    // An ID number typed into the username box is not kept.
    const idNumber = newIdNumber();
    await t.http().post('/api/auth/login').send({ username: idNumber, password: 'wrong-password-1' }).expect(401);

    const failed = async (token: string) => {
      const res = await t.http().get('/api/audit?action=login_failed&pageSize=100').set('Authorization', `Bearer ${token}`).expect(200);
      return (res.body.items as { detail: { username: string }; jurisdictionCode: string | null }[]).map((a) => [a.detail.username, a.jurisdictionCode]);
    };
    expect(await failed(hubeiAdmin)).toContainEqual([clerk, YANGZHAI]);
    expect((await failed(hubeiAdmin)).map(([u]) => u)).not.toContain(unknown);
    expect((await failed(zhejiangAdmin)).map(([u]) => u)).not.toContain(clerk);
    const root = await failed(await t.token());
    expect(root).toContainEqual([clerk, YANGZHAI]);
    expect(root).toContainEqual([unknown, null]);
    expect(root).toContainEqual(['[REDACTED]', null]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE detail::text LIKE $1`, [`%${idNumber}%`]);
    expect(n).toBe(0);
  });
});
