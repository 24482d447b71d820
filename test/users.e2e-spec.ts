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

  it('lets an admin manage accounts strictly below its level: not another admin of its own place', async () => {
    const auth = { Authorization: `Bearer ${provinceAdmin.token}` };
    const peer = await createUser(root, { username: uniqueName('hubei_admin2'), role: 'admin', jurisdictionCode: HUBEI }).expect(201);
    const peerToken = await t.token(peer.body.username, password);

    // The peer: visible, but neither reset, deactivated nor edited by the other admin of 湖北省.
    await t.http().get(`/api/users/${peer.body.id}`).set(auth).expect(200);
    for (const change of [{ password: 'taken-over-pass-1' }, { active: false }, { displayName: '改名' }, { role: 'staff' }]) {
      const res = await t.http().patch(`/api/users/${peer.body.id}`).set(auth).send(change);
      expect({ change, status: res.status, code: res.body.code }).toEqual({ change, status: 403, code: 'PEER_ADMIN' });
    }
    await t.http().get('/api/me').set('Authorization', `Bearer ${peerToken}`).expect(200);
    const [row] = await t.db.query(`SELECT display_name, active FROM app_user WHERE id = $1`, [peer.body.id]);
    expect(row).toEqual({ display_name: peer.body.displayName, active: true });

    // Nor made: neither created at 湖北省 nor promoted there.
    const made = uniqueName('hubei_admin3');
    await createUser(provinceAdmin.token, { username: made, role: 'admin', jurisdictionCode: HUBEI }).expect(403);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM app_user WHERE username = $1`, [made]))[0].n).toBe(0);
    const clerk = await createUser(provinceAdmin.token, { username: uniqueName('hubei_clerk'), role: 'staff', jurisdictionCode: HUBEI }).expect(201);
    await t.http().patch(`/api/users/${clerk.body.id}`).set(auth).send({ displayName: '省级工作人员' }).expect(200);
    const promote = await t.http().patch(`/api/users/${clerk.body.id}`).set(auth).send({ role: 'admin' }).expect(403);
    expect(promote.body).toMatchObject({ statusCode: 403, code: 'PEER_ADMIN', message: expect.stringContaining('上级') });
    await t.http().patch(`/api/users/${clerk.body.id}`).set(auth).send({ active: false }).expect(200);

    // An admin below (广水市) is the province admin's to manage; the root manages the province's admins.
    const below = await createUser(provinceAdmin.token, { username: uniqueName('gs_admin'), role: 'admin', jurisdictionCode: GUANGSHUI }).expect(201);
    await t.http().patch(`/api/users/${below.body.id}`).set(auth).send({ password: 'reset-below-pass-1' }).expect(200);
    await t.http().patch(`/api/users/${peer.body.id}`).set('Authorization', `Bearer ${root}`).send({ displayName: '湖北省管理员二' }).expect(200);

    // Its own name and password an admin still changes; deactivating itself stays refused.
    const self = { Authorization: `Bearer ${peerToken}` };
    await t.http().patch(`/api/users/${peer.body.id}`).set(self).send({ displayName: '我自己' }).expect(200);
    await t.http().patch(`/api/users/${peer.body.id}`).set(self).send({ active: false }).expect(409);
    await t.http().patch(`/api/users/${peer.body.id}`).set(self).send({ password: 'my-own-pass-22' }).expect(200);
    await t.http().post('/api/auth/login').send({ username: peer.body.username, password: 'my-own-pass-22' }).expect(200);
  });

  it("sets a place's targets from the level above only: an admin or supervisor cannot change its own place's", async () => {
    const countyAdmin = await t.token(
      (await createUser(provinceAdmin.token, { username: uniqueName('gs_target_admin'), role: 'admin', jurisdictionCode: GUANGSHUI }).expect(201)).body
        .username,
      password,
    );
    const countySupervisor = await t.token(
      (await createUser(provinceAdmin.token, { username: uniqueName('gs_target_sup'), role: 'supervisor', jurisdictionCode: GUANGSHUI }).expect(201)).body
        .username,
      password,
    );
    const put = (token: string, code: string, body: object) => t.http().put(`/api/rates/targets/${code}`).set('Authorization', `Bearer ${token}`).send(body);

    const own = await put(countyAdmin, GUANGSHUI, { submission: 0.5 }).expect(403);
    expect(own.body).toMatchObject({ statusCode: 403, code: 'OWN_TARGET' });
    expect((await put(countySupervisor, GUANGSHUI, { submission: 0.5 }).expect(403)).body.code).toBe('READ_ONLY_ROLE');
    await put(provinceAdmin.token, HUBEI, { submission: 0.5 }).expect(403);
    await put(root, '000000000000', { submission: 0.5 }).expect(403);
    const targets = async () =>
      (await t.http().get(`/api/rates/targets/${GUANGSHUI}`).set('Authorization', `Bearer ${countyAdmin}`).expect(200)).body.targets.submission;
    expect(await targets()).toBe(0.9);

    // The level above sets it; the county sets its townships'.
    await put(provinceAdmin.token, GUANGSHUI, { submission: 0.95 }).expect(200);
    expect(await targets()).toBe(0.95);
    await put(countyAdmin, YANGZHAI, { submission: 0.97 }).expect(200);
    await put(provinceAdmin.token, GUANGSHUI, {}).expect(200);
    await put(countyAdmin, YANGZHAI, {}).expect(200);
  });

  it('keeps the audit log append-only even for a direct SQL change', async () => {
    // The service's own role may not change it at all (test/database-role.e2e-spec.ts); its owner is stopped by the trigger.
    await expect(t.db.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(t.owner.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.owner.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.owner.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });
});
