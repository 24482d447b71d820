import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// Grid workers' declarations (field-collection.md), through the API. This file's own places: a collector of 梅园新村社区
// (南京 玄武区) declares newcomers from 安徽 太和县 城关镇; the community's clerk reviews them.
const DEST = '320102002001'; // 江苏省南京市玄武区梅园新村街道梅园新村社区
const OTHER_COMMUNITY = '320102003001'; // a community of 新街口街道, outside the collector's
const ORIGIN = '341222100000'; // 安徽省阜阳市太和县城关镇
const ORIGIN_VILLAGE = '341222100001';
const ORIGIN_COUNTY = '341222000000';

describe('declarations (网格员采集)', () => {
  let t: TestApp;
  let collector: string;
  let otherCollector: string;
  let clerk: string;
  let originClerk: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const form = (extra: Record<string, unknown> = {}) => ({
    ...inflowBody({ idNumber: newIdNumber({ sex: 'male', county: '341222' }), name: '采集甲' }, daysAgo(3), {
      householdCode: ORIGIN_COUNTY,
      destinationCode: DEST,
      address: '南京市玄武区梅园新村 5 号',
    }),
    collectedAt: new Date(Date.now() - 3600_000).toISOString(),
    ...extra,
  });
  const declare = (token: string, body: object, key: string | null = randomUUID()) => {
    const req = t.http().post('/api/declarations').set(auth(token));
    return (key ? req.set('Idempotency-Key', key) : req).send(body);
  };

  beforeAll(async () => {
    t = await startTestApp();
    [collector, otherCollector, clerk, originClerk] = await Promise.all([
      staffAt(t, DEST, 'collector'),
      staffAt(t, DEST, 'collector'),
      staffAt(t, DEST),
      staffAt(t, ORIGIN),
    ]);
  });
  afterAll(() => t.close());

  it('takes a declaration once per key, masked, with 户籍地 at county level; a clerk completes and accepts it, and the origin is told', async () => {
    const body = form();
    const key = randomUUID();
    const first = await declare(collector, body, key).expect(201);
    expect(first.body).toMatchObject({ status: 'pending', householdCode: ORIGIN_COUNTY, person: { name: '采集甲' }, collector: { displayName: '测试' } });
    expect(first.body.person.idNumber).toMatch(/^341222\*{8}\d{3}[\dX]$/);
    expect(first.body.collectedAt).toBe(body.collectedAt);
    // The phone resends what it could not confirm: the same key is the same declaration.
    const again = await declare(collector, body, key).expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM declaration WHERE id = $1`, [first.body.id]);
    expect(count).toBe(1);
    // The form is sealed at rest: no ID number in the row.
    const [row] = await t.db.query(`SELECT form FROM declaration WHERE id = $1`, [first.body.id]);
    expect(row.form).not.toContain(body.person.idNumber);

    // The collector sees its own; another collector of the same community does not; the clerk does.
    const mine = await t.http().get('/api/declarations?status=pending').set(auth(collector)).expect(200);
    expect(mine.body.items.map((d: { id: string }) => d.id)).toContain(first.body.id);
    const theirs = await t.http().get('/api/declarations').set(auth(otherCollector)).expect(200);
    expect(theirs.body.items).toEqual([]);
    const review = await t.http().get('/api/declarations?status=pending').set(auth(clerk)).expect(200);
    expect(review.body.items.map((d: { id: string }) => d.id)).toContain(first.body.id);

    // Accepting as sent: 户籍地 must first be completed to township or village (the registration's own message).
    const incomplete = await t.http().post(`/api/declarations/${first.body.id}/accept`).set(auth(clerk)).send({}).expect(400);
    expect(incomplete.body.details).toEqual([{ field: 'householdCode', message: '须为乡镇（街道）或村（居）级代码' }]);
    const accepted = await t.http().post(`/api/declarations/${first.body.id}/accept`).set(auth(clerk)).send({ householdCode: ORIGIN_VILLAGE }).expect(201);
    expect(accepted.body).toMatchObject({ status: 'active', householdCode: ORIGIN_VILLAGE, destinationCode: DEST, person: { name: '采集甲' } });
    const done = (await t.http().get('/api/declarations?status=accepted').set(auth(collector)).expect(200)).body.items[0];
    expect(done).toMatchObject({ id: first.body.id, status: 'accepted', inflowId: accepted.body.id });
    // Registered as the clerk, audited with the declaration and its collector; the origin's inbox has the notice.
    const [audit] = await t.db.query(`SELECT detail FROM audit_log WHERE entity = 'declaration' AND entity_id = $1 AND action = 'accept'`, [first.body.id]);
    expect(audit.detail).toMatchObject({ inflowId: accepted.body.id, collectorId: first.body.collector.id });
    await waitFor(
      async () => {
        const inbox = await t.http().get('/api/exchanges/inbox').set(auth(originClerk)).expect(200);
        return (inbox.body.items as { caseId: string }[]).find((e) => e.caseId === accepted.body.caseId);
      },
      15_000,
      'the inflow notice in the origin inbox',
    );
    // Accepted is final: neither accepted again, corrected nor withdrawn.
    await t.http().post(`/api/declarations/${first.body.id}/accept`).set(auth(clerk)).send({}).expect(409);
    await t.http().patch(`/api/declarations/${first.body.id}`).set(auth(collector)).send({ address: '改' }).expect(409);
    await t.http().post(`/api/declarations/${first.body.id}/withdraw`).set(auth(collector)).expect(409);
    // The person is now registered at this township: declaring them again is 409, as for a registration.
    const dup = await declare(collector, { ...form(), person: body.person }).expect(409);
    expect(dup.body.code).toBe('ALREADY_REGISTERED');
  });

  it('returns a declaration with a reason the collector sees; corrected, it is pending again; withdrawn, it is closed', async () => {
    const created = (await declare(collector, form()).expect(201)).body;
    await t.http().post(`/api/declarations/${created.id}/return`).set(auth(clerk)).send({ reason: '  ' }).expect(400);
    await t.http().post(`/api/declarations/${created.id}/return`).set(auth(clerk)).send({ reason: '地址不详，请写到门牌号' }).expect(200);
    const returned = (await t.http().get('/api/declarations?status=returned').set(auth(collector)).expect(200)).body.items;
    expect(returned).toEqual([expect.objectContaining({ id: created.id, status: 'returned', returnReason: '地址不详，请写到门牌号' })]);
    // Another collector cannot touch it; the collector's correction is checked as a registration's.
    await t.http().patch(`/api/declarations/${created.id}`).set(auth(otherCollector)).send({ address: '别人' }).expect(404);
    const bad = await t.http().patch(`/api/declarations/${created.id}`).set(auth(collector)).send({ arrivalDate: '2099-01-01' }).expect(400);
    expect(bad.body.details).toEqual([{ field: 'arrivalDate', message: '不能晚于今天' }]);
    const fixed = await t
      .http()
      .patch(`/api/declarations/${created.id}`)
      .set(auth(collector))
      .send({ address: '南京市玄武区梅园新村 7 号 302 室' })
      .expect(200);
    expect(fixed.body).toMatchObject({ status: 'pending', address: '南京市玄武区梅园新村 7 号 302 室' });
    await t.http().post(`/api/declarations/${created.id}/withdraw`).set(auth(collector)).expect(200);
    await t.http().post(`/api/declarations/${created.id}/accept`).set(auth(clerk)).send({}).expect(409);
  });

  it('refuses bad input from a phone with the registration’s messages, naming the field', async () => {
    // No key: a resend would be a second declaration.
    const noKey = await declare(collector, form(), null).expect(400);
    expect(noKey.body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    const future = await declare(collector, form({ collectedAt: new Date(Date.now() + 3600_000).toISOString() })).expect(400);
    expect(future.body.details).toEqual([{ field: 'collectedAt', message: '不能晚于现在' }]);
    const old = await declare(collector, form({ collectedAt: new Date(Date.now() - 31 * 86_400_000).toISOString() })).expect(400);
    expect(old.body.details).toEqual([{ field: 'collectedAt', message: '不能早于 30 天前' }]);
    const outside = await declare(collector, form({ destinationCode: OTHER_COMMUNITY })).expect(403);
    expect(outside.body).toMatchObject({ code: 'OUT_OF_JURISDICTION', details: [{ field: 'destinationCode', message: '不在本账号的管辖范围内' }] });
    // A wrong check digit: the same message as 流入登记's (the phone catches it before saving).
    const id = newIdNumber({ sex: 'male', county: '341222' });
    const wrong = `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'}`;
    const registration = await t
      .http()
      .post('/api/inflows')
      .set(auth(clerk))
      .send(inflowBody({ idNumber: wrong, name: '校验' }, daysAgo(3), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }))
      .expect(400);
    const declaration = await declare(collector, form({ person: { idNumber: wrong, name: '校验' } })).expect(400);
    expect(declaration.body.details).toEqual(registration.body.details);
    expect(declaration.body.details).toEqual([{ field: 'person.idNumber', message: '公民身份号码无效（校验位、地区码或出生日期不正确）' }]);
    // A 户籍地 above county level; `submit` is a registration's, not a declaration's.
    const province = await declare(collector, form({ householdCode: '340000000000' })).expect(400);
    expect(province.body.details).toEqual([{ field: 'householdCode', message: '须为乡镇（街道）或村（居）级代码' }]);
    await declare(collector, form({ submit: true })).expect(400);
    // A body replayed under a different key (the phone lost the key it used): not a second declaration of the person.
    const body = form();
    const key = randomUUID();
    const kept = await declare(collector, body, key).expect(201);
    const replayed = await declare(collector, body, randomUUID()).expect(409);
    expect(replayed.body).toMatchObject({ code: 'ALREADY_DECLARED', details: [{ field: 'person.idNumber', message: '已有待审核的采集信息' }] });
    // The same key with another body is another request: refused.
    const reused = await declare(collector, { ...body, address: '另一个地址' }, key).expect(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM declaration WHERE id_masked = $1`, [kept.body.person.idNumber]);
    expect(count).toBe(1);
  });

  it('keeps a collector out of everything else, and puts a declaration pending over 3 days on the clerk’s 待办', async () => {
    for (const path of ['/api/inflows', '/api/worklist', '/api/exchanges/inbox', '/api/rates?jurisdiction=' + DEST, '/api/notifications']) {
      const res = await t.http().get(path).set(auth(collector));
      expect([path, res.status]).toEqual([path, 403]);
    }
    await t
      .http()
      .post('/api/inflows')
      .set(auth(collector))
      .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '越权' }, daysAgo(3), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }))
      .expect(403);
    const created = (await declare(collector, form({ person: { idNumber: newIdNumber({ sex: 'male', county: '341222' }), name: '久等' } })).expect(201)).body;
    const onList = async () =>
      ((await t.http().get('/api/worklist').set(auth(clerk)).expect(200)).body.items as { id: string; kind: string; title: string }[]).find(
        (i) => i.id === created.id,
      );
    expect(await onList()).toBeUndefined();
    await t.db.query(`UPDATE declaration SET pending_since = now() - interval '4 days' WHERE id = $1`, [created.id]);
    expect(await onList()).toMatchObject({ kind: 'declaration', title: expect.stringContaining('网格员采集待审核'), link: '/declarations' });
  });
});
