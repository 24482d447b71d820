import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// 待办 (console.md 工作台): what waits for a clerk, most urgent first, each with where to do it. This file's own places:
// 白云社区 registers people from 李店镇 (some of whom 李店镇 does not know; they belong to 武胜关镇).
const DEST = '330802009002'; // 浙江省衢州市柯城区白云街道白云社区
const ORIGIN = '421381110000'; // 湖北省随州市广水市李店镇
const ORIGIN_VILLAGE = '421381110201';
const RIGHT_VILLAGE = '421381100001'; // 武胜关镇武阳社区

interface Item {
  kind: string;
  id: string;
  title: string;
  subject: { name: string; idNumber: string } | null;
  dueAt: string | null;
  link: string;
}

describe('worklist (待办)', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const worklist = async (token: string) => (await t.http().get('/api/worklist').set(auth(token)).expect(200)).body as { items: Item[]; total: number };
  const register = (name: string, submit = true) =>
    registerInflow(
      t,
      dest,
      inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name }, daysAgo(2), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST, submit }),
    );
  const noticeOf = (caseId: string) =>
    waitFor(
      async () => {
        const rows: { id: string; status: string }[] = await t.db.query(`SELECT id, status FROM exchange WHERE case_id = $1 AND type = 'inflow_notice'`, [
          caseId,
        ]);
        return rows.find((r) => r.status === 'delivered');
      },
      15_000,
      'notice delivered',
    );

  beforeAll(async () => {
    t = await startTestApp();
    [dest, origin] = await Promise.all([staffAt(t, DEST), staffAt(t, ORIGIN)]);
  });
  afterAll(() => t.close());

  it('lists the replies owed, the drafts and the answers to check, most urgent first, each with where to act', async () => {
    const early = await register('冯早');
    const late = await register('冯晚');
    const draft = await register('冯稿', false);
    const [earlyNotice, lateNotice] = [await noticeOf(early.caseId), await noticeOf(late.caseId)];
    // 冯晚's reply is overdue by now; 冯早's falls due in two days.
    await t.db.query(`UPDATE exchange SET due_at = now() - interval '1 hour' WHERE id = $1`, [lateNotice.id]);
    await t.db.query(`UPDATE exchange SET due_at = now() + interval '2 days' WHERE id = $1`, [earlyNotice.id]);

    const owed = (await worklist(origin)).items.filter((i) => i.kind === 'reply');
    expect(owed.map((i) => i.id)).toEqual([lateNotice.id, earlyNotice.id]);
    expect(owed[0]).toMatchObject({
      title: '流入通报 · 来自 浙江省衢州市柯城区白云街道',
      subject: { name: '冯晚', idNumber: expect.stringMatching(/^\d{6}\*{8}[\dX]{4}$/) },
      link: `/exchanges/${lateNotice.id}`,
    });
    // The destination owes none of them; its draft is its own to submit.
    const mine = await worklist(dest);
    expect(mine.items.filter((i) => i.kind === 'reply')).toEqual([]);
    expect(mine.items.find((i) => i.kind === 'draft')).toMatchObject({ id: draft.id, link: `/inflows/${draft.id}`, subject: { name: '冯稿' } });

    // 李店镇 answers 非本地户籍 about 冯早: the destination is to check and correct 户籍地, and the item stays until it does.
    await t.http().post(`/api/exchanges/${earlyNotice.id}/reply`).set(auth(origin)).send({ outcome: 'not_ours', note: '本镇无此人户籍' }).expect(200);
    expect((await worklist(origin)).items.map((i) => i.id)).not.toContain(earlyNotice.id);
    const check = (await worklist(dest)).items.find((i) => i.kind === 'check_household');
    expect(check).toMatchObject({ id: earlyNotice.id, title: '湖北省随州市广水市李店镇 回复“非本地户籍”，请核对户籍地', link: `/exchanges/${earlyNotice.id}` });
    await t.http().patch(`/api/inflows/${early.id}`).set(auth(dest)).send({ householdCode: RIGHT_VILLAGE }).expect(200);
    expect((await worklist(dest)).items.map((i) => i.id)).not.toContain(earlyNotice.id);

    // Answered, a reply leaves the list; submitted, a draft does.
    await t.http().post(`/api/exchanges/${lateNotice.id}/reply`).set(auth(origin)).send({ outcome: 'confirmed' }).expect(200);
    expect((await worklist(origin)).items.map((i) => i.id)).not.toContain(lateNotice.id);
    await t.http().post(`/api/inflows/${draft.id}/submit`).set(auth(dest)).expect(200);
    expect((await worklist(dest)).items.map((i) => i.id)).not.toContain(draft.id);
  });

  it('is a clerk’s own: a supervisor has none to ask for', async () => {
    const supervisor = await staffAt(t, '421381000000', 'supervisor');
    await t.http().get('/api/worklist').set(auth(supervisor)).expect(403);
  });
});
