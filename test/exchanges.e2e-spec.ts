import { startTestApp, TestApp, waitFor } from './support/app';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { inflowBody, outflowBody, QUZHOU_COMMUNITY } from './support/builders';
import { Exchange, inboxOf, settledExchanges } from './support/exchanges';

const QUZHOU_TOWNSHIP = '330802005000';
const WUXI_COMMUNITY = '320213021001';
const YANGZHAI = '421381101000';
const CHENXIANG = '421381102000';
const LUODIAN = '421381112000';
const LUODIAN_VILLAGE = '421381112201';

describe('exchanges (信息交换): outbox → BullMQ → inbox, replies, deadlines', () => {
  let t: TestApp;
  let dest: string;
  let wuxi: string;
  let origin: string;
  let unrelated: string;
  let supervisor: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  function register(token: string, overrides: Record<string, unknown> = {}, person: Record<string, unknown> = {}) {
    return t
      .http()
      .post('/api/inflows')
      .set(auth(token))
      .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '周强', ...person }, daysAgo(3), overrides));
  }

  const delivered = (caseId: string, count: number) => settledExchanges(t, dest, caseId, count);
  const inbox = (token: string, query = '') => inboxOf(t, token, query);

  beforeAll(async () => {
    t = await startTestApp({ REPLY_TIME_LIMIT: 'PT2S', REPLY_TIME_LIMIT_URGENT: 'PT1S', DELIVERY_ATTEMPTS: '3', DELIVERY_BACKOFF: 'PT0.1S' });
    [dest, wuxi, origin, unrelated, supervisor] = await Promise.all([
      staffAt(t, QUZHOU_COMMUNITY),
      staffAt(t, WUXI_COMMUNITY),
      staffAt(t, YANGZHAI),
      staffAt(t, CHENXIANG),
      staffAt(t, '421381000000', 'supervisor'),
    ]);
  });
  afterAll(() => t.close());

  it('delivers the inflow notice of a submitted registration into the origin inbox, and nowhere else', async () => {
    const reg = await register(dest).expect(201);
    const [notice] = await delivered(reg.body.caseId, 1);
    expect(notice).toMatchObject({
      type: 'inflow_notice',
      fromCode: QUZHOU_TOWNSHIP,
      toCode: YANGZHAI,
      status: 'delivered',
      needsReply: true,
      urgent: false,
      attempts: 1,
    });
    expect(notice.payload).toMatchObject({ inflowId: reg.body.id });
    expect(JSON.stringify(notice.payload)).not.toContain(reg.body.person.name);
    // A clerk reads the row without opening the case: full place names and whom it is about (ID masked).
    expect(notice).toMatchObject({
      fromName: expect.stringMatching(/^浙江省衢州市柯城区.+(镇|街道|乡)$/),
      toName: '湖北省随州市广水市杨寨镇',
      subject: { personId: reg.body.person.id, name: '周强', idNumber: reg.body.person.idNumber, sex: 'male', age: reg.body.person.age },
    });
    expect(notice.subject.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);

    expect((await inbox(origin)).map((e) => e.id)).toContain(notice.id);
    expect((await inbox(unrelated)).map((e) => e.id)).not.toContain(notice.id);
    expect((await inbox(dest)).map((e) => e.id)).not.toContain(notice.id);
    const outbox = await t.http().get('/api/exchanges/outbox?pageSize=100').set(auth(dest)).expect(200);
    expect(outbox.body.items.map((e: Exchange) => e.id)).toContain(notice.id);
    await t.http().get(`/api/exchanges/${notice.id}`).set(auth(unrelated)).expect(404);
  });

  it('shows the addressee of a 流入通报 the facts to verify and the sender to call back, and nobody else', async () => {
    const caller = await t
      .http()
      .post('/api/users')
      .set(auth(await t.token()))
      .send({
        username: `qzphone${Date.now() % 100000}`,
        password: 'liudong-test-pw',
        displayName: '柯城社区 周丽',
        role: 'staff',
        jurisdictionCode: QUZHOU_COMMUNITY,
        phone: '0570-3021234',
      })
      .expect(201);
    expect(caller.body.phone).toBe('0570-3021234');
    const badPhone = await t
      .http()
      .patch(`/api/users/${caller.body.id}`)
      .set(auth(await t.token()))
      .send({ phone: 'call me' })
      .expect(400);
    expect(badPhone.body.details).toEqual([{ field: 'phone', message: '请填写正确的联系电话（手机或座机，如 0722-6221234）' }]);
    const sender = await t.token(caller.body.username, 'liudong-test-pw');
    const reg = await register(
      sender,
      { address: '衢州市柯城区府山街道 8 号', maritalStatus: 'first_married', spouse: { name: '周妻', idNumber: newIdNumber({ sex: 'female' }) } },
      { name: '周核', phone: '13900001111' },
    ).expect(201);
    const [notice] = await settledExchanges(t, sender, reg.body.caseId, 1);
    const seen = (await t.http().get(`/api/exchanges/${notice.id}`).set(auth(origin)).expect(200)).body;
    expect(seen.facts).toEqual({
      name: '周核',
      sex: 'male',
      age: reg.body.person.age,
      maritalStatus: 'first_married',
      spouse: { name: '周妻', idNumber: expect.stringMatching(/^\d{6}\*{8}[\dX]{4}$/) },
      children: [],
      contraception: 'none',
      pregnant: false,
      destination: { code: QUZHOU_COMMUNITY, name: expect.stringMatching(/^浙江省衢州市柯城区/) },
      address: '衢州市柯城区府山街道 8 号',
      phone: '13900001111',
    });
    expect(seen.sender).toEqual({ displayName: '柯城社区 周丽', jurisdictionName: expect.stringMatching(/^浙江省衢州市柯城区/), phone: '0570-3021234' });
    // The sending side reads its own message without them; so does a supervisor above the addressee.
    expect((await t.http().get(`/api/exchanges/${notice.id}`).set(auth(sender)).expect(200)).body).not.toHaveProperty('facts');
    expect((await t.http().get(`/api/exchanges/${notice.id}`).set(auth(supervisor)).expect(200)).body).not.toHaveProperty('sender');
  });

  it('keeps a draft unsent until it is submitted', async () => {
    const reg = await register(dest, { submit: false }).expect(201);
    await new Promise((r) => setTimeout(r, 500));
    const caseView = await t.http().get(`/api/cases/${reg.body.caseId}`).set(auth(dest)).expect(200);
    expect(caseView.body.exchanges).toEqual([]);
    await t.http().post(`/api/inflows/${reg.body.id}/submit`).set(auth(dest)).expect(200);
    const [notice] = await delivered(reg.body.caseId, 1);
    expect(notice.type).toBe('inflow_notice');
  });

  it('lets only the addressee reply, once, with an outcome that fits the message', async () => {
    const reg = await register(dest).expect(201);
    const [notice] = await delivered(reg.body.caseId, 1);
    const url = `/api/exchanges/${notice.id}/reply`;
    const wrongSide = await t.http().post(url).set(auth(dest)).send({ outcome: 'confirmed' }).expect(403);
    expect(wrongSide.body.code).toBe('NOT_ADDRESSEE');
    await t.http().post(url).set(auth(unrelated)).send({ outcome: 'confirmed' }).expect(404);
    await t.http().post(url).set(auth(supervisor)).send({ outcome: 'confirmed' }).expect(403);
    const badOutcome = await t.http().post(url).set(auth(origin)).send({ outcome: 'arrived' }).expect(400);
    expect(badOutcome.body.details[0].field).toBe('outcome');
    const noCorrections = await t.http().post(url).set(auth(origin)).send({ outcome: 'corrected' }).expect(400);
    expect(noCorrections.body.details[0].field).toBe('corrections');

    const replied = await t
      .http()
      .post(url)
      .set(auth(origin))
      .send({ outcome: 'corrected', note: '婚姻状况有误', corrections: { maritalStatus: 'divorced' } })
      .expect(200);
    expect(replied.body).toMatchObject({
      status: 'replied',
      reply: { outcome: 'corrected', note: '婚姻状况有误', corrections: { maritalStatus: 'divorced' } },
    });
    expect(replied.body.reply.by).toEqual({ id: expect.any(String), displayName: '测试', jurisdictionName: '湖北省随州市广水市杨寨镇' });
    const again = await t.http().post(url).set(auth(origin)).send({ outcome: 'confirmed' }).expect(409);
    expect(again.body.code).toBe('ALREADY_REPLIED');
    // The correction is on the case, for the destination to act on.
    const caseView = await t.http().get(`/api/cases/${reg.body.caseId}`).set(auth(dest)).expect(200);
    expect(caseView.body.exchanges[0].reply.corrections).toEqual({ maritalStatus: 'divorced' });
  });

  it('turns an unanswered notice overdue once its time limit (PT2S) has passed, and replied when answered late', async () => {
    const reg = await register(dest).expect(201);
    const [notice] = await delivered(reg.body.caseId, 1);
    expect(Date.parse(notice.dueAt as string) - Date.parse(notice.deliveredAt as string)).toBe(2000);
    expect((await inbox(origin, '&overdue=true')).map((e) => e.id)).not.toContain(notice.id);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(notice.dueAt as string) - Date.now()) + 100));
    const overdue = await inbox(origin, '&overdue=true');
    expect(overdue.find((e) => e.id === notice.id)?.status).toBe('overdue');
    expect((await inbox(origin, '&status=overdue')).map((e) => e.id)).toContain(notice.id);
    // The deadline job notes the transition for reminders.
    await waitFor(
      async () => (await t.db.query('SELECT overdue_noted_at FROM exchange WHERE id = $1', [notice.id]))[0].overdue_noted_at,
      10_000,
      'overdue noted',
    );
    const late = await t.http().post(`/api/exchanges/${notice.id}/reply`).set(auth(origin)).send({ outcome: 'confirmed' }).expect(200);
    expect(late.body.status).toBe('replied');
  });

  it('gives an urgent verification request (pregnant key target) the shorter time limit', async () => {
    const reg = await register(
      dest,
      { pregnant: true, maritalStatus: 'first_married', contraception: 'none' },
      { idNumber: newIdNumber({ sex: 'female', birthDate: '1994-04-04' }) },
    ).expect(201);
    expect(reg.body).toMatchObject({ keyTarget: true, certificateCheck: 'missing' });
    const exchanges = await delivered(reg.body.caseId, 2);
    const request = exchanges.find((e) => e.type === 'verification_request') as Exchange;
    const notice = exchanges.find((e) => e.type === 'inflow_notice') as Exchange;
    expect(request).toMatchObject({ urgent: true, toCode: YANGZHAI, payload: { certificateCheck: 'missing' } });
    expect(Date.parse(request.dueAt as string) - Date.parse(request.deliveredAt as string)).toBe(1000);
    expect(Date.parse(notice.dueAt as string) - Date.parse(notice.deliveredAt as string)).toBe(2000);
  });

  it('sends departure notices that need no reply and never go overdue', async () => {
    const reg = await register(dest).expect(201);
    await delivered(reg.body.caseId, 1);
    await t
      .http()
      .post(`/api/inflows/${reg.body.id}/depart`)
      .set(auth(dest))
      .send({ date: daysAgo(0), kind: 'returned' })
      .expect(200);
    const exchanges = await delivered(reg.body.caseId, 2);
    const departure = exchanges.find((e) => e.type === 'departure_notice') as Exchange;
    expect(departure).toMatchObject({ needsReply: false, dueAt: null, toCode: YANGZHAI, payload: { kind: 'returned' } });
    await new Promise((r) => setTimeout(r, 2200));
    const later = await t.http().get(`/api/exchanges/${departure.id}`).set(auth(origin)).expect(200);
    expect(later.body.status).toBe('delivered');
  });

  it('lists under needsReply=true only what needs a reply and under needsReply=false the notices that need none (inbox and outbox)', async () => {
    // 骆店镇 is this test's own origin: its inbox holds only these messages.
    const luodian = await staffAt(t, LUODIAN);
    const idNumber = newIdNumber({ sex: 'male' });
    const reg = await register(dest, { householdCode: LUODIAN_VILLAGE }, { idNumber, name: '骆明' }).expect(201);
    await delivered(reg.body.caseId, 1);
    await t
      .http()
      .post(`/api/inflows/${reg.body.id}/depart`)
      .set(auth(dest))
      .send({ date: daysAgo(0), kind: 'returned' })
      .expect(200);
    const exchanges = await delivered(reg.body.caseId, 2);
    const notice = exchanges.find((e) => e.type === 'inflow_notice') as Exchange;
    const departure = exchanges.find((e) => e.type === 'departure_notice') as Exchange;
    const ids = (list: Exchange[]) => list.map((e) => e.id);

    const needing = await inbox(luodian, '&needsReply=true');
    expect(ids(needing)).toEqual([notice.id]);
    const notices = await inbox(luodian, '&needsReply=false');
    expect(ids(notices)).toEqual([departure.id]);
    expect(ids(await inbox(luodian))).toEqual(expect.arrayContaining([notice.id, departure.id]));
    // 待反馈 on the console: delivered, needing a reply (the notice is past its PT2S limit by now or soon: 已逾期).
    const open = await inbox(luodian, '&status=delivered&needsReply=true');
    expect(ids(open)).not.toContain(departure.id);

    const sent = async (query: string) =>
      (await t.http().get(`/api/exchanges/outbox?pageSize=100${query}`).set(auth(dest)).expect(200)).body.items as Exchange[];
    const sentNeeding = await sent('&needsReply=true');
    expect(sentNeeding.every((e) => e.needsReply)).toBe(true);
    expect(ids(sentNeeding)).not.toContain(departure.id);
    const sentNotices = await sent('&needsReply=false');
    expect(sentNotices.every((e) => !e.needsReply)).toBe(true);
    expect(ids(sentNotices)).toContain(departure.id);
    expect(ids(sentNotices)).not.toContain(notice.id);
    // The outbox shows what was sent last first: the departure notice above the inflow notice before it.
    const everything = ids(await sent(''));
    expect(everything.indexOf(departure.id)).toBeLessThan(everything.indexOf(notice.id));
    const times = (await sent('')).map((e) => Date.parse(e.sentAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // 姓名或身份证号: the start of the subject's name, or the full number (never a part of it), in both boxes.
    expect(ids(await inbox(luodian, `&q=${encodeURIComponent('骆')}`))).toEqual(expect.arrayContaining([notice.id, departure.id]));
    expect(ids(await inbox(luodian, `&q=${idNumber}`))).toEqual(expect.arrayContaining([notice.id, departure.id]));
    expect(await inbox(luodian, `&q=${encodeURIComponent('明')}`)).toEqual([]);
    expect(await inbox(luodian, `&q=${idNumber.slice(0, 12)}`)).toEqual([]);
    expect(ids(await sent(`&q=${idNumber}`)).sort()).toEqual([notice.id, departure.id].sort());
    expect(await sent(`&q=${encodeURIComponent('%')}`)).toEqual([]);

    // 即将到期: awaiting a reply and due within N days; past its limit it is 已逾期, not 即将到期.
    await t.db.query(`UPDATE exchange SET due_at = now() + interval '2 days' WHERE id = $1`, [notice.id]);
    expect(ids(await inbox(luodian, '&dueWithinDays=3'))).toEqual([notice.id]);
    expect(ids(await inbox(luodian, '&dueWithinDays=1'))).toEqual([]);
    await t.db.query(`UPDATE exchange SET due_at = now() - interval '1 minute' WHERE id = $1`, [notice.id]);
    expect(ids(await inbox(luodian, '&dueWithinDays=3'))).toEqual([]);
    const tooFar = await t.http().get('/api/exchanges/inbox?dueWithinDays=31').set(auth(luodian)).expect(400);
    expect(tooFar.body.details).toEqual([expect.objectContaining({ field: 'dueWithinDays' })]);

    const refused = await t.http().get('/api/exchanges/inbox?needsReply=maybe').set(auth(luodian)).expect(400);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'needsReply' })]);
  });

  it('tells the previous destination and the origin when a person moves on', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const first = await register(dest, {}, { idNumber }).expect(201);
    await delivered(first.body.caseId, 1);
    await register(wuxi, { destinationCode: WUXI_COMMUNITY }, { idNumber }).expect(201);
    const exchanges = await delivered(first.body.caseId, 3);
    const departures = exchanges.filter((e) => e.type === 'departure_notice');
    expect(departures.map((e) => e.toCode).sort()).toEqual([QUZHOU_TOWNSHIP, YANGZHAI].sort());
    expect(departures.every((e) => e.payload.kind === 'moved_on')).toBe(true);
    expect((await inbox(dest)).map((e) => e.id)).toEqual(expect.arrayContaining([departures.find((e) => e.toCode === QUZHOU_TOWNSHIP)?.id]));
  });

  it('sends an event notice when family facts change; a birth needs a reply', async () => {
    const reg = await register(dest, { maritalStatus: 'first_married' }).expect(201);
    await delivered(reg.body.caseId, 1);
    await t
      .http()
      .patch(`/api/inflows/${reg.body.id}`)
      .set(auth(dest))
      .send({ children: [{ sex: 'male', birthDate: daysAgo(2) }] })
      .expect(200);
    await t.http().patch(`/api/inflows/${reg.body.id}`).set(auth(dest)).send({ address: '新地址 8 号' }).expect(200);
    const exchanges = await delivered(reg.body.caseId, 2);
    expect(exchanges[1]).toMatchObject({
      type: 'event_notice',
      needsReply: true,
      payload: { fields: ['children'], birth: true, changes: { children: [{ sex: 'male', birthDate: daysAgo(2) }] } },
    });
  });

  it('sends an outflow notice to the expected destination, which answers arrived and the case is linked', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const outflow = await t
      .http()
      .post('/api/outflows')
      .set(auth(origin))
      .send(outflowBody({ idNumber, name: '吴亮' }, daysAgo(10), { expectedDestinationCode: QUZHOU_COMMUNITY }))
      .expect(201);
    expect(outflow.body.contact).toBe('none');
    const notice = await waitFor(
      async () => (await inbox(dest)).find((e) => e.type === 'outflow_notice' && e.payload.outflowId === outflow.body.id),
      15_000,
      'outflow notice',
    );
    expect(notice).toMatchObject({ fromCode: YANGZHAI, toCode: QUZHOU_TOWNSHIP, needsReply: true });
    const bad = await t.http().post(`/api/exchanges/${notice.id}/reply`).set(auth(dest)).send({ outcome: 'confirmed' }).expect(400);
    expect(bad.body.details[0].field).toBe('outcome');

    const reg = await register(dest, {}, { idNumber, name: '吴亮' }).expect(201);
    await t.http().post(`/api/exchanges/${notice.id}/reply`).set(auth(dest)).send({ outcome: 'arrived' }).expect(200);
    expect(reg.body.caseId).toBe(outflow.body.caseId);
    const caseView = await t.http().get(`/api/cases/${outflow.body.caseId}`).set(auth(origin)).expect(200);
    expect(caseView.body).toMatchObject({ inflow: { id: reg.body.id }, outflow: { id: outflow.body.id, contact: 'effective' } });
    expect(caseView.body.exchanges.map((e: Exchange) => e.type).sort()).toEqual(['inflow_notice', 'outflow_notice']);
  });

  it('accepts a manual verification request from either side of the case, to the other side only', async () => {
    const reg = await register(dest).expect(201);
    await delivered(reg.body.caseId, 1);
    const fromOrigin = await t
      .http()
      .post('/api/exchanges')
      .set(auth(origin))
      .send({ caseId: reg.body.caseId, type: 'verification_request', payload: { question: '请核实现居住地址' } })
      .expect(201);
    expect(fromOrigin.body).toMatchObject({ fromCode: YANGZHAI, toCode: QUZHOU_TOWNSHIP, type: 'verification_request', urgent: false });
    await waitFor(async () => (await inbox(dest)).some((e) => e.id === fromOrigin.body.id), 15_000, 'request in destination inbox');
    await t.http().post('/api/exchanges').set(auth(unrelated)).send({ caseId: reg.body.caseId, type: 'verification_request', payload: {} }).expect(404);
    await t.http().post('/api/exchanges').set(auth(supervisor)).send({ caseId: reg.body.caseId, type: 'verification_request', payload: {} }).expect(403);
    const badType = await t.http().post('/api/exchanges').set(auth(origin)).send({ caseId: reg.body.caseId, type: 'inflow_notice', payload: {} }).expect(400);
    expect(badType.body.details[0].field).toBe('type');
  });
});
