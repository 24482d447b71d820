import { startTestApp, TestApp } from './support/app';
import { staffAt } from './support/people';

// 催办 (reminders.md): a supervisor reminds a place inside her county; its clerks are told, once a day per indicator.
// This file's own places: 红安县 (a county no other test uses) and two of its townships.
const COUNTY = '421122000000'; // 湖北省黄冈市红安县
const TOWNSHIP = '421122100000'; // 城关镇
const VILLAGE = '421122100001'; // 北门岗社区
const OTHER_TOWNSHIP = '421122101000'; // 七里坪镇

describe('催办 (reminders)', () => {
  let t: TestApp;
  let supervisor: string;
  let clerk: string;
  let villageClerk: string;
  let otherClerk: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const remindersOf = async (token: string) =>
    (
      (await t.http().get('/api/notifications').set(auth(token)).expect(200)).body.items as {
        kind: string;
        title: string;
        body: string;
        link: string;
        id: string;
      }[]
    ).filter((n) => n.kind === 'reminder');

  beforeAll(async () => {
    t = await startTestApp();
    [supervisor, clerk, villageClerk, otherClerk] = await Promise.all([
      staffAt(t, COUNTY, 'supervisor'),
      staffAt(t, TOWNSHIP),
      staffAt(t, VILLAGE),
      staffAt(t, OTHER_TOWNSHIP),
    ]);
  });
  afterAll(() => t.close());

  it('tells every clerk of the place, with its overdue counts then, the note and the sender; once a day per indicator', async () => {
    const rates = (await t.http().get(`/api/rates?jurisdiction=${TOWNSHIP}`).set(auth(supervisor)).expect(200)).body;
    const sent = await t
      .http()
      .post('/api/reminders')
      .set(auth(supervisor))
      .send({ jurisdictionCode: TOWNSHIP, indicator: 'feedback', note: '月底前请处理完' })
      .expect(201);
    expect(sent.body).toMatchObject({
      jurisdiction: { code: TOWNSHIP },
      indicator: 'feedback',
      note: '月底前请处理完',
      counts: {
        submission: rates.submission.overdue,
        feedback: rates.feedback.overdue,
        effectiveContact: rates.effectiveContact.denominator - rates.effectiveContact.numerator,
      },
      recipients: 2,
      read: 0,
      by: { displayName: expect.any(String) },
    });
    for (const token of [clerk, villageClerk]) {
      const [told] = await remindersOf(token);
      expect(told).toMatchObject({ link: '/exchanges/inbox?tab=overdue', body: expect.stringContaining('说明：月底前请处理完') });
      expect(told.title).toMatch(/^催办：湖北省黄冈市红安县城关镇反馈率$/);
      expect(told.body).toContain(`反馈逾期 ${rates.feedback.overdue} 条`);
      expect(told.body).toContain('湖北省黄冈市红安县');
    }
    expect(await remindersOf(otherClerk)).toEqual([]);

    // Again today for the same indicator: refused; another indicator is a reminder of its own.
    const again = await t.http().post('/api/reminders').set(auth(supervisor)).send({ jurisdictionCode: TOWNSHIP, indicator: 'feedback' }).expect(409);
    expect(again.body.code).toBe('ALREADY_REMINDED');
    await t.http().post('/api/reminders').set(auth(supervisor)).send({ jurisdictionCode: TOWNSHIP, indicator: 'submission' }).expect(201);
    expect(await remindersOf(clerk)).toHaveLength(2);

    // The list: who, when, where, the counts then, and how many have read it.
    const [first] = await remindersOf(clerk);
    await t.http().post(`/api/notifications/${first.id}/read`).set(auth(clerk)).expect(200);
    // 待办 lists the unread reminders first; the one read is off it.
    const work = (await t.http().get('/api/worklist').set(auth(clerk)).expect(200)).body.items as { kind: string; title: string; link: string }[];
    expect(work[0]).toMatchObject({ kind: 'reminder', title: expect.stringMatching(/反馈率$/), link: '/notifications' });
    expect(work.filter((w) => w.kind === 'reminder')).toHaveLength(1);
    const list = (await t.http().get(`/api/reminders?jurisdiction=${COUNTY}`).set(auth(supervisor)).expect(200)).body.items as {
      indicator: string;
      read: number;
    }[];
    expect(list.map((r) => r.indicator)).toEqual(['submission', 'feedback']);
    expect(list.find((r) => r.indicator === 'submission')?.read).toBe(1);
    const audit = await t.db.query(`SELECT action FROM audit_log WHERE entity = 'reminder' AND entity_id = $1`, [sent.body.id]);
    expect(audit).toEqual([{ action: 'create' }]);
  });

  it('refuses a place outside the county, the county itself, a clerk sending one, and a note with a phone number', async () => {
    const refuse = async (token: string, body: object, status: number) =>
      (await t.http().post('/api/reminders').set(auth(token)).send(body).expect(status)).body;
    expect((await refuse(supervisor, { jurisdictionCode: '421381101000' }, 403)).code).toBe('OUT_OF_JURISDICTION');
    expect((await refuse(supervisor, { jurisdictionCode: COUNTY }, 400)).details).toEqual([
      { field: 'jurisdictionCode', message: '只能催办本辖区的下级，不能催办本级' },
    ]);
    await refuse(clerk, { jurisdictionCode: VILLAGE }, 403);
    expect((await refuse(supervisor, { jurisdictionCode: OTHER_TOWNSHIP, note: '请联系 13912345678' }, 400)).details[0]).toMatchObject({ field: 'note' });
    expect((await refuse(supervisor, { jurisdictionCode: OTHER_TOWNSHIP, indicator: 'speed' }, 400)).details[0]).toMatchObject({ field: 'indicator' });
    expect(await remindersOf(otherClerk)).toEqual([]);
  });
});
