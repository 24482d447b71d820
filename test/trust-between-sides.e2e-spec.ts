import { ageOn, birthDateOf } from '@/common/identity';
import { todayInShanghai } from '@/common/time';
import { startTestApp, TestApp } from './support/app';
import { certificateBody, inflowBody, outflowBody } from './support/builders';
import { Exchange, settledExchanges } from './support/exchanges';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// Trust between the sides (quality.md, issue 27): thousands of clerks write about the same people; no write by one side
// may silently change what another side sees, or open another side's records. Places of their own (余店镇, 吴店镇, 府山
// and 荷花街道), so the rates compared here move only with this file.
const A = '421381106000'; // 余店镇: holds the household on record
const A_VILLAGE = '421381106201';
const B = '421381107000'; // 吴店镇: another township of the same county
const B_VILLAGE = '421381107200';
const C = '330802006001'; // a community of 府山街道 (衢州)
const D = '330802007001'; // a community of 荷花街道 (衢州)

describe('trust between the sides', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let c: string;
  let d: string;
  let zhejiangSupervisor: string;
  let hubeiAdmin: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const get = (token: string, path: string) => t.http().get(path).set(auth(token));
  const post = (token: string, path: string, body: object) => t.http().post(path).set(auth(token)).send(body);
  const masked = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;
  const personRow = async (idNumber: string) => {
    const [row] = await t.db.query(`SELECT p.id, p.name, p.household_code FROM person p WHERE p.id_masked = $1 ORDER BY p.created_at DESC LIMIT 1`, [
      masked(idNumber),
    ]);
    return row as { id: string; name: string; household_code: string | null };
  };

  beforeAll(async () => {
    t = await startTestApp();
    [a, b, c, d, zhejiangSupervisor, hubeiAdmin] = await Promise.all([
      staffAt(t, A),
      staffAt(t, B),
      staffAt(t, C),
      staffAt(t, D),
      staffAt(t, '330000000000', 'supervisor'),
      staffAt(t, '420000000000', 'admin'),
    ]);
  });
  afterAll(() => t.close());

  it("refuses another township's certificate for a woman whose household is on record elsewhere, and renames nobody", async () => {
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1994-02-03' });
    const first = await post(a, '/api/certificates', certificateBody({ idNumber, name: '刘红' }, { householdCode: A_VILLAGE })).expect(201);

    const refused = await post(b, '/api/certificates', certificateBody({ idNumber, name: '冒名' }, { householdCode: B_VILLAGE })).expect(409);
    expect(refused.body).toMatchObject({ code: 'HOUSEHOLD_ELSEWHERE', details: [{ field: 'householdCode' }] });
    // Naming nothing personal: not the name on record, not the township that holds her.
    expect(JSON.stringify(refused.body)).not.toMatch(/刘红|余店/);

    const verified = await t.http().get(`/api/public/certificates/verify/${first.body.verificationCode}`).expect(200);
    expect(verified.body.status).toBe('valid');
    expect(await personRow(idNumber)).toMatchObject({ name: '刘红', household_code: A_VILLAGE });

    // The holder reissues with a corrected name: the record changes, and the audit log says the person changed.
    const again = await post(a, '/api/certificates', certificateBody({ idNumber, name: '刘虹' }, { householdCode: A_VILLAGE })).expect(201);
    expect(again.body.supersedes).toBe(first.body.id);
    const person = await personRow(idNumber);
    expect(person.name).toBe('刘虹');
    const [audit] = await t.db.query(`SELECT action, detail FROM audit_log WHERE entity = 'person' AND entity_id = $1`, [person.id]);
    expect(audit).toMatchObject({ action: 'update', detail: { fields: ['name'], by: 'certificate' } });
    expect(JSON.stringify(audit.detail)).not.toMatch(/刘/);
  });

  it("refuses a fake outflow for another township's migrant: no case, no full record, no contact, no new household", async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const inflow = await post(c, '/api/inflows', inflowBody({ idNumber, name: '赵刚' }, daysAgo(5), { householdCode: A_VILLAGE, destinationCode: C })).expect(
      201,
    );
    const contactBefore = (await get(b, `/api/rates?jurisdiction=${B}`).expect(200)).body.effectiveContact;

    const refused = await post(b, '/api/outflows', outflowBody({ idNumber, name: '赵刚' }, daysAgo(30), { householdCode: B_VILLAGE })).expect(409);
    expect(refused.body.code).toBe('HOUSEHOLD_ELSEWHERE');

    await get(b, `/api/cases/${inflow.body.caseId}`).expect(404);
    await get(b, `/api/persons/${inflow.body.person.id}`).expect(404);
    await get(b, `/api/inflows/${inflow.body.id}`).expect(404);
    expect((await get(b, `/api/rates?jurisdiction=${B}`).expect(200)).body.effectiveContact).toEqual(contactBefore);
    expect(await personRow(idNumber)).toMatchObject({ household_code: A_VILLAGE });
    // The holder registers it as usual, and the outflow joins the destination's case.
    const own = await post(a, '/api/outflows', outflowBody({ idNumber, name: '赵刚' }, daysAgo(30), { householdCode: A_VILLAGE })).expect(201);
    expect(own.body).toMatchObject({ caseId: inflow.body.caseId, contact: 'effective' });
  });

  it("keeps a registration's other name on its own record, asks the origin, and the holder's correction settles it", async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    await post(a, '/api/outflows', outflowBody({ idNumber, name: '孙伟' }, daysAgo(40), { householdCode: A_VILLAGE })).expect(201);

    const reg = await post(c, '/api/inflows', inflowBody({ idNumber, name: '孙玮' }, daysAgo(3), { householdCode: A_VILLAGE, destinationCode: C })).expect(201);
    expect(reg.body).toMatchObject({ nameMismatch: true, person: { name: '孙玮' } });
    expect(await personRow(idNumber)).toMatchObject({ name: '孙伟', household_code: A_VILLAGE });

    const sent = await settledExchanges(t, c, reg.body.caseId, 2);
    const request = sent.find((e) => e.type === 'verification_request') as Exchange;
    expect(request).toMatchObject({ toCode: A, payload: { nameMismatch: true }, subject: { name: '孙伟' } });

    await post(a, `/api/exchanges/${request.id}/reply`, { outcome: 'corrected', corrections: { name: '孙伟' } }).expect(200);
    const after = await get(c, `/api/inflows/${reg.body.id}`).expect(200);
    expect(after.body).toMatchObject({ nameMismatch: false, person: { name: '孙伟' } });
  });

  it('lets the household move only through its holder: 非本地户籍 clears it, and the new township may then claim her', async () => {
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1992-08-08' });
    const reg = await post(c, '/api/inflows', inflowBody({ idNumber, name: '钱芳' }, daysAgo(3), { householdCode: A_VILLAGE, destinationCode: C })).expect(201);
    await post(b, '/api/certificates', certificateBody({ idNumber, name: '钱芳' }, { householdCode: B_VILLAGE })).expect(409);

    const notice = (await settledExchanges(t, c, reg.body.caseId, 2)).find((e) => e.type === 'inflow_notice') as Exchange;
    await post(a, `/api/exchanges/${notice.id}/reply`, { outcome: 'not_ours' }).expect(200);
    expect((await personRow(idNumber)).household_code).toBeNull();

    await post(b, '/api/certificates', certificateBody({ idNumber, name: '钱芳' }, { householdCode: B_VILLAGE })).expect(201);
    expect((await personRow(idNumber)).household_code).toBe(B_VILLAGE);
    // Now A is the one refused.
    await post(a, '/api/certificates', certificateBody({ idNumber, name: '钱芳' }, { householdCode: A_VILLAGE })).expect(409);
  });

  it("never lets an unsent draft close another destination's live stay; submitting it does", async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const live = await post(d, '/api/inflows', inflowBody({ idNumber, name: '周平' }, daysAgo(20), { householdCode: A_VILLAGE, destinationCode: D })).expect(
      201,
    );
    const draft = await post(
      c,
      '/api/inflows',
      inflowBody({ idNumber, name: '周萍' }, daysAgo(2), { householdCode: A_VILLAGE, destinationCode: C, submit: false }),
    ).expect(201);
    expect(draft.body.status).toBe('draft');

    expect((await get(d, `/api/inflows/${live.body.id}`).expect(200)).body).toMatchObject({ status: 'active', person: { name: '周平' } });
    expect((await personRow(idNumber)).name).toBe('周平');
    // Not even queued: nothing was written for the live stay.
    const [{ n: queued }] = await t.db.query(`SELECT count(*)::int AS n FROM exchange WHERE case_id = $1 AND type = 'departure_notice'`, [live.body.caseId]);
    expect(queued).toBe(0);

    await post(c, `/api/inflows/${draft.body.id}/submit`, {}).expect(200);
    expect((await get(d, `/api/inflows/${live.body.id}`).expect(200)).body.status).toBe('moved_on');
    const departures = await settledExchanges(t, d, live.body.caseId, 3);
    expect(departures.filter((e) => e.type === 'departure_notice').map((e) => e.toCode)).toEqual(expect.arrayContaining(['330802007000', A]));
  });

  it('never shows a birth date beside a masked number: age instead, in every list and view', async () => {
    const birthDate = '1991-05-17';
    const idNumber = newIdNumber({ sex: 'female', birthDate });
    const age = ageOn(birthDate, todayInShanghai());
    await post(a, '/api/certificates', certificateBody({ idNumber, name: '吴静' }, { householdCode: A_VILLAGE })).expect(201);
    await post(a, '/api/outflows', outflowBody({ idNumber, name: '吴静' }, daysAgo(60), { householdCode: A_VILLAGE })).expect(201);
    const reg = await post(c, '/api/inflows', inflowBody({ idNumber, name: '吴静' }, daysAgo(4), { householdCode: A_VILLAGE, destinationCode: C })).expect(201);
    await settledExchanges(t, c, reg.body.caseId, 1);

    const views = [
      reg.body,
      (await get(c, `/api/inflows?q=${idNumber}`).expect(200)).body,
      (await get(a, `/api/outflows?pageSize=100`).expect(200)).body,
      (await get(a, `/api/exchanges/inbox?pageSize=100`).expect(200)).body,
      (await get(c, `/api/exchanges/outbox?pageSize=100`).expect(200)).body,
      (await get(c, `/api/cases/${reg.body.caseId}`).expect(200)).body,
      (await get(c, `/api/certificates?idNumber=${idNumber}`).expect(200)).body,
      (await get(a, `/api/rates/items?jurisdiction=${A}&indicator=feedback&pageSize=100`).expect(200)).body,
      (await get(a, `/api/rates/items?jurisdiction=${A}&indicator=effectiveContact&pageSize=100`).expect(200)).body,
    ];
    for (const view of views) {
      const text = JSON.stringify(view);
      expect(text).toContain(masked(idNumber));
      expect(text).not.toContain(birthDate);
    }
    expect(reg.body.person.age).toBe(age);
    const caseView = views[5] as { person: { age: number }; outflow: { person: { age: number } } };
    expect(caseView.person.age).toBe(age);
    expect(caseView.outflow.person.age).toBe(age);
    expect((views[6] as { holder: { age: number } }).holder.age).toBe(age);

    // The audited full record still has it, for staff of either side.
    const full = await get(c, `/api/inflows/${reg.body.id}`).expect(200);
    expect(full.body.person).toMatchObject({ idNumber, birthDate: birthDateOf(idNumber), age });
    // And a dump holds no birth date beside the masked numbers.
    const columns = await t.db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'person'`);
    expect(columns.map((col: { column_name: string }) => col.column_name)).not.toContain('birth_date');
  });

  it('gives supervisors and admins the masked view of a full record, and audits no full read for them', async () => {
    const birthDate = '1988-11-30';
    const idNumber = newIdNumber({ sex: 'male', birthDate });
    const reg = await post(c, '/api/inflows', inflowBody({ idNumber, name: '郑军' }, daysAgo(4), { householdCode: A_VILLAGE, destinationCode: C })).expect(201);
    for (const token of [zhejiangSupervisor, hubeiAdmin]) {
      for (const path of [`/api/inflows/${reg.body.id}`, `/api/persons/${reg.body.person.id}`, `/api/persons?idNumber=${idNumber}`]) {
        // The 浙江 supervisor sees the destination, the 湖北 admin the household: both are inside the case's subtree.
        const res = await get(token, path).expect(200);
        const text = JSON.stringify(res.body);
        expect(text).not.toContain(idNumber);
        expect(text).not.toContain(birthDate);
        expect(text).toContain(masked(idNumber));
      }
    }
    const reads = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'read' AND entity IN ('inflow', 'person') AND entity_id = ANY($1)`,
      [[reg.body.id, reg.body.person.id]],
    );
    expect(reads[0].n).toBe(0);
    // Staff of the destination still get the full record, audited.
    expect((await get(c, `/api/persons/${reg.body.person.id}`).expect(200)).body.idNumber).toBe(idNumber);
  });

  it('refuses a list of children that holds lists, on registration, certificate and PATCH, and writes nothing', async () => {
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1990-01-01' });
    const body = inflowBody({ idNumber, name: '冯丽' }, daysAgo(3), {
      householdCode: A_VILLAGE,
      destinationCode: C,
      maritalStatus: 'divorced',
      undertaking: true,
    });
    for (const children of [[[]], [[], []], [{ sex: 'female', birthDate: '2015-01-01' }, []]]) {
      const res = await post(c, '/api/inflows', { ...body, children }).expect(400);
      expect(res.body.details).toEqual([{ field: 'children', message: '每一项须为一名子女的性别和出生日期' }]);
      await post(a, '/api/certificates', certificateBody({ idNumber, name: '冯丽' }, { householdCode: A_VILLAGE, children })).expect(400);
    }
    expect(await personRow(idNumber)).toBeUndefined();
    const reg = await post(c, '/api/inflows', body).expect(201);
    await t
      .http()
      .patch(`/api/inflows/${reg.body.id}`)
      .set(auth(c))
      .send({ children: [[]] })
      .expect(400);
    expect((await get(c, `/api/inflows/${reg.body.id}`).expect(200)).body.children).toEqual([]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM exchange WHERE case_id = $1 AND type = 'event_notice'`, [reg.body.caseId]);
    expect(n).toBe(0);
  });

  it.each([
    ['a bidi override', '王\u202e芳'],
    ['a zero-width space', '王\u200b芳'],
    ['a formula', '=HYPERLINK("http://x","王芳")'],
    ['a leading plus', '+王芳'],
    ['a leading at', '@王芳'],
  ])('refuses a name with %s, naming the field', async (_what, name) => {
    const idNumber = newIdNumber({ sex: 'male' });
    const res = await post(c, '/api/inflows', inflowBody({ idNumber, name }, daysAgo(3), { householdCode: A_VILLAGE, destinationCode: C })).expect(400);
    expect(res.body.details).toEqual([{ field: 'person.name', message: expect.stringMatching(/[\u4e00-\u9fff]/) }]);
    expect(await personRow(idNumber)).toBeUndefined();
  });

  it("keeps a draft out of the origin's case until it is submitted, then joins it; a stated other household opens nothing", async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const outflow = await post(a, '/api/outflows', outflowBody({ idNumber, name: '何勇' }, daysAgo(30), { householdCode: A_VILLAGE })).expect(201);
    const draft = await post(
      c,
      '/api/inflows',
      inflowBody({ idNumber, name: '何勇' }, daysAgo(2), { householdCode: A_VILLAGE, destinationCode: C, submit: false }),
    ).expect(201);
    expect(draft.body.caseId).not.toBe(outflow.body.caseId);
    // The destination of an unsent draft cannot read the origin's outflow or its thread; the origin cannot read the draft.
    await get(c, `/api/cases/${outflow.body.caseId}`).expect(404);
    await get(a, `/api/inflows/${draft.body.id}`).expect(404);

    const submitted = await post(c, `/api/inflows/${draft.body.id}/submit`, {}).expect(200);
    expect(submitted.body.caseId).toBe(outflow.body.caseId);
    expect((await get(a, '/api/outflows?pageSize=100').expect(200)).body.items.find((o: { id: string }) => o.id === outflow.body.id)).toMatchObject({
      caseId: outflow.body.caseId,
      contact: 'effective',
    });

    // Another destination registers the person stating B's household: A's outflow stays on A's case, B reads none of it,
    // and the moved-on notice of the earlier stay goes to that stay's own origin (A), not to B.
    const elsewhere = await post(
      d,
      '/api/inflows',
      inflowBody({ idNumber, name: '何勇' }, daysAgo(1), { householdCode: B_VILLAGE, destinationCode: D }),
    ).expect(201);
    expect(elsewhere.body.caseId).not.toBe(outflow.body.caseId);
    await get(b, `/api/cases/${outflow.body.caseId}`).expect(404);
    const moved = await t.db.query(`SELECT to_code FROM exchange WHERE case_id = $1 AND type = 'departure_notice' ORDER BY to_code`, [outflow.body.caseId]);
    expect(moved.map((e: { to_code: string }) => e.to_code)).toEqual(['330802006000', A]);
  });

  it('answers two stays of one person submitted at once one after the other, never with a server error', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const body = (destinationCode: string) => inflowBody({ idNumber, name: '韩磊' }, daysAgo(2), { householdCode: A_VILLAGE, destinationCode, submit: false });
    const [atC, atD] = await Promise.all([post(c, '/api/inflows', body(C)).expect(201), post(d, '/api/inflows', body(D)).expect(201)]);
    const answers = await Promise.all([post(c, `/api/inflows/${atC.body.id}/submit`, {}), post(d, `/api/inflows/${atD.body.id}/submit`, {})]);
    // The first submitted moves the person on from the other stay, whose submit then finds it ended (409, in words).
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 409)?.body).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/[\u4e00-\u9fff]/) });
    const [first, second] = await Promise.all([get(c, `/api/inflows/${atC.body.id}`), get(d, `/api/inflows/${atD.body.id}`)]);
    expect([first.body.status, second.body.status].sort()).toEqual(['active', 'moved_on']);
  });

  it("renames nobody on a corrected reply from a township that does not hold the household, and lists only the caller's cases", async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    await post(a, '/api/outflows', outflowBody({ idNumber, name: '曹军' }, daysAgo(30), { householdCode: A_VILLAGE })).expect(201);
    // Registered at D stating B's household: the notice goes to B, which does not hold it.
    const reg = await post(d, '/api/inflows', inflowBody({ idNumber, name: '曹军' }, daysAgo(2), { householdCode: B_VILLAGE, destinationCode: D })).expect(201);
    const notice = (await settledExchanges(t, d, reg.body.caseId, 1))[0];
    expect(notice.toCode).toBe(B);
    await post(b, `/api/exchanges/${notice.id}/reply`, { outcome: 'corrected', corrections: { name: '曹俊' } }).expect(200);
    expect((await personRow(idNumber)).name).toBe('曹军');
    // The registration took B's word; the mismatch shows, and a search by the name the list shows finds it.
    expect((await get(d, `/api/inflows/${reg.body.id}`).expect(200)).body).toMatchObject({ nameMismatch: true, person: { name: '曹俊' } });
    const found = await get(d, `/api/inflows?q=${encodeURIComponent('曹俊')}&pageSize=100`).expect(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).toContain(reg.body.id);
    // B (a side of D's case only) sees that case in the person's record, not A's outflow case.
    const record = await get(b, `/api/persons/${reg.body.person.id}`).expect(200);
    expect(record.body.cases.map((k: { caseId: string }) => k.caseId)).toEqual([reg.body.caseId]);
  });
});
