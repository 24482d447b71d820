import { startTestApp, TestApp, uniqueName } from './support/app';
import { userBody } from './support/builders';

const HUBEI = '420000000000';
const GUANGSHUI = '421381000000';
const YANGZHAI = '421381101000'; // 杨寨镇
const ZHEJIANG = '330000000000';

describe('users and jurisdiction scope', () => {
  let t: TestApp;
  let root: string;
  let provinceAdmin: { username: string; token: string; id: string };
  const password = 'secret-pass-1';

  function createUser(token: string, body: Record<string, unknown>) {
    return t
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${token}`)
      .send(userBody(body.username as string, body.jurisdictionCode as string, { password, ...body }));
  }

  beforeAll(async () => {
    t = await startTestApp();
    root = await t.token();
    const username = uniqueName('hubei_admin');
    const res = await createUser(root, { username, role: 'admin', jurisdictionCode: HUBEI }).expect(201);
    expect(res.body).toMatchObject({ username, role: 'admin', active: true, jurisdiction: { code: HUBEI, name: '湖北省', level: 'province' } });
    provinceAdmin = { username, id: res.body.id, token: await t.token(username, password) };
  });
  afterAll(() => t.close());

  it('lets a province admin create staff inside the province', async () => {
    const username = uniqueName('yangzhai');
    const res = await createUser(provinceAdmin.token, { username, role: 'staff', jurisdictionCode: YANGZHAI }).expect(201);
    expect(res.body.jurisdiction).toEqual({ code: YANGZHAI, name: '杨寨镇', level: 'township' });
    const login = await t.http().post('/api/auth/login').send({ username, password }).expect(200);
    expect(login.body.user.role).toBe('staff');
  });

  it('refuses a province admin creating a user in another province (403), and writes nothing', async () => {
    const username = uniqueName('zj');
    const res = await createUser(provinceAdmin.token, { username, role: 'staff', jurisdictionCode: ZHEJIANG }).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, code: 'OUT_OF_JURISDICTION', details: [{ field: 'jurisdictionCode' }] });
    const [{ count }] = await t.db.query('SELECT count(*)::int AS count FROM app_user WHERE username = $1', [username]);
    expect(count).toBe(0);
  });

  it('lists only the users of the admin subtree', async () => {
    const outside = uniqueName('zj_staff');
    await createUser(root, { username: outside, role: 'staff', jurisdictionCode: '330802000000' }).expect(201);
    const res = await t.http().get('/api/users?pageSize=100&q=_').set('Authorization', `Bearer ${provinceAdmin.token}`).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((u: { jurisdiction: { code: string } }) => u.jurisdiction.code.startsWith('42'))).toBe(true);
    expect(res.body.items.map((u: { username: string }) => u.username)).not.toContain(outside);
    const rootList = await t.http().get(`/api/users?q=${outside}`).set('Authorization', `Bearer ${root}`).expect(200);
    expect(rootList.body).toMatchObject({ total: 1, page: 1, pageSize: 20, items: [{ username: outside }] });
  });

  it('keeps supervisors read-only and staff out of administration', async () => {
    const sup = uniqueName('sup');
    const staff = uniqueName('staff');
    await createUser(provinceAdmin.token, { username: sup, role: 'supervisor', jurisdictionCode: GUANGSHUI }).expect(201);
    await createUser(provinceAdmin.token, { username: staff, role: 'staff', jurisdictionCode: YANGZHAI }).expect(201);
    const supToken = await t.token(sup, password);
    const staffToken = await t.token(staff, password);

    const write = await createUser(supToken, { username: uniqueName('x'), role: 'staff', jurisdictionCode: YANGZHAI }).expect(403);
    expect(write.body.code).toBe('READ_ONLY_ROLE');
    await t.http().get('/api/jurisdictions/421381000000').set('Authorization', `Bearer ${supToken}`).expect(200);

    const admin = await t.http().get('/api/users').set('Authorization', `Bearer ${staffToken}`).expect(403);
    expect(admin.body.code).toBe('ROLE_NOT_ALLOWED');
    await createUser(staffToken, { username: uniqueName('y'), role: 'staff', jurisdictionCode: YANGZHAI }).expect(403);
  });

  it('refuses a taken username (409) and an unknown jurisdiction (400)', async () => {
    const dup = await createUser(root, { username: provinceAdmin.username.toUpperCase(), role: 'staff', jurisdictionCode: YANGZHAI }).expect(409);
    expect(dup.body).toMatchObject({ code: 'USERNAME_TAKEN', details: [{ field: 'username' }] });
    const bad = await createUser(root, { username: uniqueName('z'), role: 'staff', jurisdictionCode: '421381999000' }).expect(400);
    expect(bad.body.details).toEqual([{ field: 'jurisdictionCode', message: '行政区划代码不存在' }]);
  });

  it('names every bad field, in Chinese, and refuses unknown fields', async () => {
    const res = await createUser(root, { username: 'a', role: 'boss', jurisdictionCode: '42', isRoot: true }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['isRoot', 'jurisdictionCode', 'role', 'username']);
    expect(res.body.details.find((d: { field: string }) => d.field === 'isRoot').message).toBe('不允许的字段');
  });

  it('deactivating a user locks out its existing token; admins outside cannot see or edit it', async () => {
    const username = uniqueName('leaver');
    const created = await createUser(provinceAdmin.token, { username, role: 'staff', jurisdictionCode: YANGZHAI }).expect(201);
    const token = await t.token(username, password);
    await t.http().get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);

    const zjAdmin = uniqueName('zj_admin');
    await createUser(root, { username: zjAdmin, role: 'admin', jurisdictionCode: ZHEJIANG }).expect(201);
    const zjToken = await t.token(zjAdmin, password);
    await t.http().patch(`/api/users/${created.body.id}`).set('Authorization', `Bearer ${zjToken}`).send({ active: false }).expect(404);

    const res = await t.http().patch(`/api/users/${created.body.id}`).set('Authorization', `Bearer ${provinceAdmin.token}`).send({ active: false }).expect(200);
    expect(res.body.active).toBe(false);
    await t.http().get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
    await t.http().post('/api/auth/login').send({ username, password }).expect(401);
  });

  it('records who created and changed users in the audit log, visible to admins of the subtree only', async () => {
    const username = uniqueName('audited');
    const created = await createUser(provinceAdmin.token, { username, role: 'staff', jurisdictionCode: YANGZHAI }).expect(201);
    await t
      .http()
      .patch(`/api/users/${created.body.id}`)
      .set('Authorization', `Bearer ${provinceAdmin.token}`)
      .send({ displayName: '新名字', password: 'another-pass-2' })
      .expect(200);

    const res = await t.http().get(`/api/audit?entity=user&entityId=${created.body.id}`).set('Authorization', `Bearer ${provinceAdmin.token}`).expect(200);
    expect(res.body.items.map((a: { action: string }) => a.action)).toEqual(['update', 'create']);
    expect(res.body.items[0]).toMatchObject({
      userId: provinceAdmin.id,
      username: provinceAdmin.username,
      jurisdictionCode: HUBEI,
      entity: 'user',
      detail: { fields: ['displayName', 'password'] },
    });
    expect(res.body.items[0].ip).toMatch(/127\.0\.0\.1|::1/);
    expect(JSON.stringify(res.body)).not.toContain('another-pass-2');

    const zjAdmin = uniqueName('zj_admin2');
    await createUser(root, { username: zjAdmin, role: 'admin', jurisdictionCode: ZHEJIANG }).expect(201);
    const other = await t
      .http()
      .get(`/api/audit?entity=user&entityId=${created.body.id}`)
      .set('Authorization', `Bearer ${await t.token(zjAdmin, password)}`)
      .expect(200);
    expect(other.body.total).toBe(0);
  });

  it('keeps the audit log append-only even for a direct SQL change', async () => {
    await expect(t.db.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });
});
