import { startTestApp, TestApp } from './support/app';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { inflowBody, outflowBody, QUZHOU_COMMUNITY, YANGZHAI_VILLAGE } from './support/builders';

const YANGZHAI = '421381101000';
const CHENXIANG = '421381102000';

describe('outflow registration (流出登记) and linkage', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  let unrelated: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const inflow = (idNumber: string, extra: object = {}) =>
    t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(inflowBody({ idNumber, name: '陈明' }, daysAgo(5), extra));
  const outflow = (token: string, idNumber: string, extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/api/outflows')
      .set(auth(token))
      .send(outflowBody({ idNumber, name: '陈明' }, daysAgo(30), extra));

  beforeAll(async () => {
    t = await startTestApp();
    [dest, origin, unrelated] = await Promise.all([staffAt(t, QUZHOU_COMMUNITY), staffAt(t, YANGZHAI), staffAt(t, CHENXIANG)]);
  });
  afterAll(() => t.close());

  it('links an outflow at once to the active submitted inflow of the same person: one case, effective contact', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const inflowRes = await inflow(idNumber).expect(201);
    const res = await outflow(origin, idNumber, { expectedDestinationCode: QUZHOU_COMMUNITY }).expect(201);
    expect(res.body).toMatchObject({
      caseId: inflowRes.body.caseId,
      householdCode: YANGZHAI_VILLAGE,
      departureDate: daysAgo(30),
      expectedDestinationCode: QUZHOU_COMMUNITY,
      // Linked at once: the destination already knows the person, nobody needs telling.
      notified: false,
      status: 'active',
      contact: 'effective',
      person: { idNumber: `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`, name: '陈明' },
    });
    const caseView = await t.http().get(`/api/cases/${res.body.caseId}`).set(auth(dest)).expect(200);
    expect(caseView.body).toMatchObject({ inflow: { id: inflowRes.body.id }, outflow: { id: res.body.id, contact: 'effective' } });
  });

  it('starts a case of its own when the person is not registered anywhere, and the later inflow joins it', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const res = await outflow(origin, idNumber).expect(201);
    expect(res.body.contact).toBe('none');
    const later = await inflow(idNumber).expect(201);
    expect(later.body.caseId).toBe(res.body.caseId);
    const list = await t.http().get(`/api/outflows?contact=effective&pageSize=100`).set(auth(origin)).expect(200);
    expect(list.body.items.map((o: { id: string }) => o.id)).toContain(res.body.id);
  });

  it.each([
    ['county (柯城区)', '330802000000'],
    ['city (衢州市)', '330800000000'],
    ['province (浙江省)', '330000000000'],
  ])('records an outflow to a %s without a notice (notified: false); a registration inside it links the case', async (_place, code) => {
    const idNumber = newIdNumber({ sex: 'male' });
    const res = await outflow(origin, idNumber, { expectedDestinationCode: code }).expect(201);
    expect(res.body).toMatchObject({ expectedDestinationCode: code, notified: false, status: 'active', contact: 'none' });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM exchange WHERE case_id = $1 OR payload->>'outflowId' = $2`, [
      res.body.caseId,
      res.body.id,
    ]);
    expect(n).toBe(0);

    // The person is registered at a community of 柯城区 (inside each): the registration joins the outflow's case.
    const later = await inflow(idNumber).expect(201);
    expect(later.body.caseId).toBe(res.body.caseId);
    const effective = await t.http().get('/api/outflows?contact=effective&pageSize=100').set(auth(origin)).expect(200);
    expect(effective.body.items.find((o: { id: string }) => o.id === res.body.id)).toMatchObject({ notified: false, contact: 'effective' });
    const caseView = await t.http().get(`/api/cases/${res.body.caseId}`).set(auth(origin)).expect(200);
    expect(caseView.body).toMatchObject({ inflow: { id: later.body.id }, outflow: { id: res.body.id, notified: false, contact: 'effective' } });
  });

  it('notifies a township or village destination (notified: true), and refuses 全国 or a code that does not exist', async () => {
    const res = await outflow(origin, newIdNumber({ sex: 'male' }), { expectedDestinationCode: QUZHOU_COMMUNITY }).expect(201);
    expect(res.body).toMatchObject({ expectedDestinationCode: QUZHOU_COMMUNITY, notified: true, contact: 'none' });
    const notices = await t.db.query(`SELECT type, to_unit_code FROM exchange WHERE payload->>'outflowId' = $1`, [res.body.id]);
    expect(notices).toEqual([{ type: 'outflow_notice', to_unit_code: QUZHOU_COMMUNITY }]);

    const country = await outflow(origin, newIdNumber(), { expectedDestinationCode: '000000000000' }).expect(400);
    expect(country.body.details).toEqual([{ field: 'expectedDestinationCode', message: '不能是全国，请至少选到省' }]);
    const unknown = await outflow(origin, newIdNumber(), { expectedDestinationCode: '330899000000' }).expect(400);
    expect(unknown.body.details).toEqual([{ field: 'expectedDestinationCode', message: '行政区划代码不存在' }]);
  });

  it('finds residents away by the start of the name or the full ID number (姓名或身份证号), never by a part of the number', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const res = await t
      .http()
      .post('/api/outflows')
      .set(auth(origin))
      .send(outflowBody({ idNumber, name: '欧阳修远' }, daysAgo(9)))
      .expect(201);
    const found = async (q: string) =>
      ((await t.http().get('/api/outflows').query({ q, pageSize: 100 }).set(auth(origin)).expect(200)).body.items as { id: string }[]).map((o) => o.id);
    expect(await found('欧阳')).toContain(res.body.id);
    expect(await found(idNumber)).toEqual([res.body.id]);
    expect(await found(idNumber.toLowerCase())).toEqual([res.body.id]);
    expect(await found('修远')).not.toContain(res.body.id);
    expect(await found(idNumber.slice(0, 14))).toEqual([]);
    const tooLong = await t
      .http()
      .get('/api/outflows')
      .query({ q: '名'.repeat(51) })
      .set(auth(origin))
      .expect(400);
    expect(tooLong.body.details[0].field).toBe('q');
  });

  it('counts a draft inflow as no contact until it is submitted', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const draft = await inflow(idNumber, { submit: false }).expect(201);
    const res = await outflow(origin, idNumber).expect(201);
    // A draft is the destination's own until it is submitted: the outflow does not join its case yet.
    expect(res.body.caseId).not.toBe(draft.body.caseId);
    expect(res.body.contact).toBe('none');
    const none = await t.http().get('/api/outflows?contact=none&pageSize=100').set(auth(origin)).expect(200);
    expect(none.body.items.map((o: { id: string }) => o.id)).toContain(res.body.id);
    const submitted = await t.http().post(`/api/inflows/${draft.body.id}/submit`).set(auth(dest)).expect(200);
    expect(submitted.body.caseId).toBe(res.body.caseId);
    const effective = await t.http().get('/api/outflows?contact=effective&pageSize=100').set(auth(origin)).expect(200);
    expect(effective.body.items.map((o: { id: string }) => o.id)).toContain(res.body.id);
  });

  it('keeps outflows to the household side: others cannot register, list or close them', async () => {
    const idNumber = newIdNumber();
    const refused = await outflow(unrelated, idNumber).expect(403);
    expect(refused.body.details).toEqual([{ field: 'householdCode', message: expect.any(String) }]);
    const created = await outflow(origin, idNumber).expect(201);
    const other = await t.http().get('/api/outflows?pageSize=100').set(auth(unrelated)).expect(200);
    expect(other.body.items.map((o: { id: string }) => o.id)).not.toContain(created.body.id);
    await t
      .http()
      .post(`/api/outflows/${created.body.id}/close`)
      .set(auth(unrelated))
      .send({ kind: 'returned', date: daysAgo(1) })
      .expect(404);
  });

  it('refuses a second active outflow of the same person, and closes one once', async () => {
    const idNumber = newIdNumber();
    const created = await outflow(origin, idNumber).expect(201);
    const dup = await outflow(origin, idNumber).expect(409);
    expect(dup.body).toMatchObject({ code: 'ALREADY_REGISTERED', details: [{ existingId: created.body.id }] });
    const closed = await t
      .http()
      .post(`/api/outflows/${created.body.id}/close`)
      .set(auth(origin))
      .send({ kind: 'returned', date: daysAgo(1) })
      .expect(200);
    expect(closed.body).toMatchObject({ status: 'returned', closeDate: daysAgo(1), contact: 'none' });
    await t
      .http()
      .post(`/api/outflows/${created.body.id}/close`)
      .set(auth(origin))
      .send({ kind: 'returned', date: daysAgo(1) })
      .expect(409);
    const returned = await t.http().get('/api/outflows?status=returned&pageSize=100').set(auth(origin)).expect(200);
    expect(returned.body.items.map((o: { id: string }) => o.id)).toContain(created.body.id);
    await outflow(origin, idNumber, { departureDate: daysAgo(0) }).expect(201);
  });

  it('finds a person by exact ID number for either side only, audited', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const created = await inflow(idNumber).expect(201);
    const found = await t.http().get(`/api/persons?idNumber=${idNumber}`).set(auth(origin)).expect(200);
    expect(found.body).toMatchObject({
      id: created.body.person.id,
      idNumber,
      householdCode: YANGZHAI_VILLAGE,
      cases: [{ caseId: created.body.caseId, destinationCode: QUZHOU_COMMUNITY, status: 'active' }],
    });
    await t.http().get(`/api/persons?idNumber=${idNumber}`).set(auth(unrelated)).expect(404);
    await t.http().get(`/api/persons/${created.body.person.id}`).set(auth(unrelated)).expect(404);
    const partial = await t
      .http()
      .get(`/api/persons?idNumber=${idNumber.slice(0, 10)}`)
      .set(auth(origin))
      .expect(400);
    expect(partial.body.details[0].field).toBe('idNumber');
    const audit = await t.db.query(`SELECT action FROM audit_log WHERE entity = 'person' AND entity_id = $1`, [created.body.person.id]);
    expect(audit).toEqual([{ action: 'lookup' }]);
  });
});
