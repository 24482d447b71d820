import { startTestApp, TestApp } from './support/app';
import { inflowBody, outflowBody } from './support/builders';
import { Exchange, inboxOf, settledExchanges } from './support/exchanges';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// The destination corrects 户籍地 (and 姓名) after registering (issue 32, api.md PATCH /api/inflows/:id): a household in
// another township re-routes the case — what waits for the wrong township's reply is withdrawn (gone from its 待反馈,
// counted in no rate from that instant, rates.md), the notice and the 协查 go to the right township with fresh time
// limits, one audit entry. Places of their own: 北杨寨乡 (安徽宿州埇桥区, the wrong pick), 蔡河镇 (广水), 杭州西湖区.
const WRONG = '341302209000'; // 安徽省宿州市埇桥区北杨寨乡
const WRONG_VILLAGE = '341302209201';
const WRONG_COUNTY = '341302000000';
const RIGHT = '421381109000'; // 湖北省随州市广水市蔡河镇
const RIGHT_VILLAGE = '421381109201';
const RIGHT_OTHER_VILLAGE = '421381109202';
const DEST = '330106002051'; // 浙江省杭州市西湖区 上保社区
const DAY = 86_400_000;

describe('PATCH householdCode: the destination corrects 户籍地 and the case is re-routed', () => {
  let t: TestApp;
  let dest: string;
  let wrong: string;
  let right: string;
  let anhuiSupervisor: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const post = (token: string, path: string, body: object) => t.http().post(path).set(auth(token)).send(body);
  const patch = (token: string, path: string, body: object) => t.http().patch(path).set(auth(token)).send(body);
  const get = (token: string, path: string) => t.http().get(path).set(auth(token));
  const feedbackAt = async (token: string, code: string, asOf: Date) => {
    const res = await get(token, `/api/rates?jurisdiction=${code}&from=${daysAgo(1)}&to=${daysAgo(0)}&asOf=${asOf.toISOString()}`).expect(200);
    const { onTime, late, overdue, pending } = res.body.feedback as Record<string, number>;
    return { onTime, late, overdue, pending };
  };

  beforeAll(async () => {
    t = await startTestApp();
    [dest, wrong, right, anhuiSupervisor] = await Promise.all([
      staffAt(t, DEST),
      staffAt(t, WRONG),
      staffAt(t, RIGHT),
      staffAt(t, '340000000000', 'supervisor'),
    ]);
  });
  afterAll(() => t.close());

  it('withdraws what waits for the wrong township, sends the notice and the 协查 to the right one, and moves the rates', async () => {
    // A woman of 30 without a certificate: a key target, so submitting sends an inflow notice and a 协查.
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1996-04-04' });
    const reg = await post(
      dest,
      '/api/inflows',
      inflowBody({ idNumber, name: '王芳' }, daysAgo(2), { householdCode: WRONG_VILLAGE, destinationCode: DEST }),
    ).expect(201);
    expect(reg.body).toMatchObject({ keyTarget: true, originTownshipCode: WRONG });
    const first = await settledExchanges(t, dest, reg.body.caseId, 2);
    expect(first.map((e) => [e.type, e.toCode, e.status]).sort()).toEqual([
      ['inflow_notice', WRONG, 'delivered'],
      ['verification_request', WRONG, 'delivered'],
    ]);
    expect((await inboxOf(t, wrong, '&needsReply=true')).map((e) => e.id).sort()).toEqual(first.map((e) => e.id).sort());
    const waiting = { onTime: 0, late: 0, overdue: 0, pending: 2 };
    expect(await feedbackAt(wrong, WRONG, new Date())).toEqual(waiting);

    const beforeCorrection = new Date();
    const corrected = await patch(dest, `/api/inflows/${reg.body.id}`, { householdCode: RIGHT_VILLAGE }).expect(200);
    const correctedAt = Date.now();
    expect(corrected.body).toMatchObject({ householdCode: RIGHT_VILLAGE, originTownshipCode: RIGHT, submittedAt: reg.body.submittedAt, status: 'active' });

    // The wrong township owes nothing any more: gone from its 待反馈, shown as 已撤回, a reply refused.
    expect(await inboxOf(t, wrong, '&needsReply=true')).toEqual([]);
    expect(await inboxOf(t, wrong, '&status=delivered')).toEqual([]);
    const all = await inboxOf(t, wrong);
    expect(all.map((e) => e.status)).toEqual(['withdrawn', 'withdrawn']);
    expect((await inboxOf(t, wrong, '&status=withdrawn')).length).toBe(2);
    const refused = await post(wrong, `/api/exchanges/${first[0].id}/reply`, { outcome: 'not_ours' }).expect(409);
    expect(refused.body.code).toBe('WITHDRAWN');
    // Nor is it a side of the case now.
    await get(wrong, `/api/cases/${reg.body.caseId}`).expect(404);

    // The right township gets the notice and the 协查, with time limits from the correction.
    const thread = await settledExchanges(t, dest, reg.body.caseId, 4);
    const fresh = thread.filter((e) => e.toCode === RIGHT);
    expect(fresh.map((e) => [e.type, e.status]).sort()).toEqual([
      ['inflow_notice', 'delivered'],
      ['verification_request', 'delivered'],
    ]);
    for (const e of fresh) expect(Date.parse(e.dueAt as string)).toBeGreaterThanOrEqual(correctedAt - 1_000 + 30 * DAY);
    expect((await inboxOf(t, right, '&needsReply=true')).map((e) => e.id).sort()).toEqual(fresh.map((e) => e.id).sort());
    await get(right, `/api/cases/${reg.body.caseId}`).expect(200);

    // One audit entry for the whole correction.
    const audit: { detail: Record<string, unknown> }[] = await t.db.query(
      `SELECT detail FROM audit_log WHERE entity = 'inflow' AND entity_id = $1 AND action = 'update'`,
      [reg.body.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].detail).toMatchObject({ fields: ['householdCode'], rerouted: { from: WRONG, to: RIGHT } });
    expect((audit[0].detail.withdrawn as string[]).sort()).toEqual(first.map((e) => e.id).sort());
    const exchangeAudits = await t.db.query(`SELECT 1 FROM audit_log WHERE entity = 'exchange' AND entity_id = ANY($1)`, [thread.map((e) => e.id)]);
    expect(exchangeAudits).toEqual([]);

    // The feedback rate at T before the withdrawal shows what a supervisor saw then; from the withdrawal on, nothing —
    // at the township (counted from the rows) and the county (from the roll-up).
    expect(await feedbackAt(wrong, WRONG, beforeCorrection)).toEqual(waiting);
    expect(await feedbackAt(wrong, WRONG, new Date())).toEqual({ onTime: 0, late: 0, overdue: 0, pending: 0 });
    expect(await feedbackAt(anhuiSupervisor, WRONG_COUNTY, beforeCorrection)).toEqual(waiting);
    expect(await feedbackAt(anhuiSupervisor, WRONG_COUNTY, new Date())).toEqual({ onTime: 0, late: 0, overdue: 0, pending: 0 });
    const items = await get(anhuiSupervisor, `/api/rates/items?jurisdiction=${WRONG}&indicator=feedback&from=${daysAgo(1)}&to=${daysAgo(0)}`).expect(200);
    expect(items.body.total).toBe(0);
    expect(await feedbackAt(right, RIGHT, new Date())).toEqual(waiting);
    // The submission item keeps its first submission instant: still on time at the destination.
    const submission = (await get(dest, `/api/rates?jurisdiction=${DEST}&from=${daysAgo(1)}&to=${daysAgo(0)}`).expect(200)).body.submission;
    expect(submission).toMatchObject({ onTime: 1, late: 0, overdue: 0 });

    // The registration was all the service knew of her: her household on record follows, so 蔡河镇 holds her now.
    const [person] = await t.db.query(`SELECT household_code, name FROM person WHERE id = $1`, [reg.body.person.id]);
    expect(person).toEqual({ household_code: RIGHT_VILLAGE, name: '王芳' });
  });

  it('keeps the case where it is for another village of the same township: an event notice with the new place', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const reg = await post(
      dest,
      '/api/inflows',
      inflowBody({ idNumber, name: '李强' }, daysAgo(2), { householdCode: RIGHT_VILLAGE, destinationCode: DEST }),
    ).expect(201);
    const [notice] = await settledExchanges(t, dest, reg.body.caseId, 1);
    await patch(dest, `/api/inflows/${reg.body.id}`, { householdCode: RIGHT_OTHER_VILLAGE }).expect(200);
    const thread = await settledExchanges(t, dest, reg.body.caseId, 2);
    expect(thread.find((e) => e.id === notice.id)?.status).toBe('delivered');
    const event = thread.find((e) => e.type === 'event_notice') as Exchange;
    expect(event).toMatchObject({
      toCode: RIGHT,
      needsReply: false,
      payload: { fields: ['householdCode'], changes: { householdCode: { code: RIGHT_OTHER_VILLAGE, name: '湖北省随州市广水市蔡河镇牛车湾村' } } },
    });
  });

  it("changes only the registration's own name when the person is someone else's record too, and asks the origin", async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    await post(right, '/api/outflows', outflowBody({ idNumber, name: '周明' }, daysAgo(30), { householdCode: RIGHT_VILLAGE })).expect(201);
    const reg = await post(
      dest,
      '/api/inflows',
      inflowBody({ idNumber, name: '周明' }, daysAgo(2), { householdCode: RIGHT_VILLAGE, destinationCode: DEST }),
    ).expect(201);
    await settledExchanges(t, dest, reg.body.caseId, 1);
    const renamed = await patch(dest, `/api/inflows/${reg.body.id}`, { name: '周鸣' }).expect(200);
    expect(renamed.body).toMatchObject({ nameMismatch: true, person: { name: '周鸣' } });
    const [person] = await t.db.query(`SELECT name FROM person WHERE id = $1`, [reg.body.person.id]);
    expect(person.name).toBe('周明');
    const event = (await settledExchanges(t, dest, reg.body.caseId, 2)).find((e) => e.type === 'event_notice') as Exchange;
    expect(event).toMatchObject({ toCode: RIGHT, needsReply: true, payload: { nameMismatch: true, changes: { name: '周鸣' } } });
    // The holder answers with the name it knows: the registration takes it, and agrees with the record again.
    await post(right, `/api/exchanges/${event.id}/reply`, { outcome: 'corrected', corrections: { name: '周明' } }).expect(200);
    expect((await get(dest, `/api/inflows/${reg.body.id}`).expect(200)).body).toMatchObject({ nameMismatch: false, person: { name: '周明' } });

    // Its household on record is the holder's too: a correction to another township re-routes the case but leaves it.
    await patch(dest, `/api/inflows/${reg.body.id}`, { householdCode: WRONG_VILLAGE }).expect(200);
    const [after] = await t.db.query(`SELECT household_code FROM person WHERE id = $1`, [reg.body.person.id]);
    expect(after.household_code).toBe(RIGHT_VILLAGE);
  });

  it('re-routes a draft without sending anything, and refuses a household that is no place or no migration', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const reg = await post(
      dest,
      '/api/inflows',
      inflowBody({ idNumber, name: '孙亮' }, daysAgo(2), { householdCode: WRONG_VILLAGE, destinationCode: DEST, submit: false }),
    ).expect(201);
    const moved = await patch(dest, `/api/inflows/${reg.body.id}`, { householdCode: RIGHT_VILLAGE, name: '孙靓' }).expect(200);
    expect(moved.body).toMatchObject({
      status: 'draft',
      householdCode: RIGHT_VILLAGE,
      originTownshipCode: RIGHT,
      person: { name: '孙靓' },
      nameMismatch: false,
    });
    const kase = await get(dest, `/api/cases/${reg.body.caseId}`).expect(200);
    expect(kase.body).toMatchObject({ origin: { code: RIGHT }, exchanges: [] });

    const url = `/api/inflows/${reg.body.id}`;
    expect((await patch(dest, url, { householdCode: '421381000000' }).expect(400)).body.details).toEqual([
      { field: 'householdCode', message: '须为乡镇（街道）或村（居）级代码' },
    ]);
    expect((await patch(dest, url, { householdCode: '421381999999' }).expect(400)).body.details).toEqual([
      { field: 'householdCode', message: '行政区划代码不存在' },
    ]);
    const local = await patch(dest, url, { householdCode: '330106002052' }).expect(422);
    expect(local.body).toMatchObject({ code: 'NOT_A_MIGRANT', details: [{ field: 'householdCode' }] });
    expect((await patch(dest, url, { name: '=HYPERLINK("x")' }).expect(400)).body.details[0].field).toBe('name');
    // Only the destination edits; the township it was wrongly addressed to no longer sees the registration at all.
    await patch(wrong, url, { householdCode: WRONG_VILLAGE }).expect(404);
  });
});
