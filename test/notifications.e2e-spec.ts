import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { HEADER, importFinished, line, uploadRegister } from './support/imports';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// 站内消息 (reminders.md): what a clerk is told without opening a list — a reply that asks her township to act, her
// import finished. This file's own places: 下石埠村 (柯城区石室乡) registers people of 广水市广水街道.
const DEST = '330802215201'; // 浙江省衢州市柯城区石室乡下石埠村
const DEST_TOWNSHIP = '330802215000';
const ORIGIN = '421381003000'; // 湖北省随州市广水市广水街道
const ORIGIN_VILLAGE = '421381003002';

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  readAt: string | null;
}

describe('notifications (站内消息)', () => {
  let t: TestApp;
  let clerk: string;
  let townshipClerk: string;
  let origin: string;
  let stranger: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const mine = async (token: string, query = '') =>
    (await t.http().get(`/api/notifications${query}`).set(auth(token)).expect(200)).body as { items: Notice[]; total: number };
  const unread = async (token: string) => (await t.http().get('/api/notifications/unread-count').set(auth(token)).expect(200)).body.count as number;
  const noticeOf = (caseId: string) =>
    waitFor(
      async () => {
        const [row] = await t.db.query(`SELECT id FROM exchange WHERE case_id = $1 AND type = 'inflow_notice' AND status = 'delivered'`, [caseId]);
        return row as { id: string } | undefined;
      },
      15_000,
      'notice delivered',
    );

  beforeAll(async () => {
    t = await startTestApp();
    [clerk, townshipClerk, origin, stranger] = await Promise.all([staffAt(t, DEST), staffAt(t, DEST_TOWNSHIP), staffAt(t, ORIGIN), staffAt(t, '330802005000')]);
  });
  afterAll(() => t.close());

  it('tells every clerk of the registering township of a 查无此人 reply, once, without the person in the text, and lets each read it', async () => {
    const name = '褚知远';
    const idNumber = newIdNumber({ sex: 'male' });
    const inflow = await registerInflow(
      t,
      clerk,
      inflowBody({ idNumber, name, phone: '13912345678' }, daysAgo(2), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }),
    );
    const notice = await noticeOf(inflow.caseId);
    const [before, strangerBefore] = [await unread(clerk), await unread(stranger)];
    await t
      .http()
      .post(`/api/exchanges/${notice.id}/reply`)
      .set(auth(origin))
      .send({ outcome: 'not_found', note: `${name} 不在本镇` })
      .expect(200);
    // A second answer is refused and tells nobody again.
    await t.http().post(`/api/exchanges/${notice.id}/reply`).set(auth(origin)).send({ outcome: 'not_found' }).expect(409);

    for (const token of [clerk, townshipClerk]) {
      const told = (await mine(token)).items.filter((n) => n.link === `/exchanges/${notice.id}`);
      expect(told).toEqual([
        expect.objectContaining({
          kind: 'reply_action',
          title: '反馈“查无此人”：一条登记需要核对',
          body: expect.stringContaining('湖北省随州市广水市广水街道对本乡镇（街道）'),
          readAt: null,
        }),
      ]);
      const text = `${told[0].title}${told[0].body}${told[0].link}`;
      for (const personal of [name, idNumber, idNumber.slice(-4), '13912345678', '不在本镇']) expect(text).not.toContain(personal);
    }
    expect(await unread(clerk)).toBe(before + 1);
    // Another township's clerk and the replying side hear nothing of it.
    expect(await unread(stranger)).toBe(strangerBefore);
    expect((await mine(origin)).items.filter((n) => n.link === `/exchanges/${notice.id}`)).toEqual([]);

    // Read: once by its owner (again is harmless); another clerk cannot touch it; read-all clears the rest.
    const [first] = (await mine(clerk, '?unread=true')).items;
    await t.http().post(`/api/notifications/${first.id}/read`).set(auth(stranger)).expect(404);
    const read = await t.http().post(`/api/notifications/${first.id}/read`).set(auth(clerk)).expect(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    expect((await t.http().post(`/api/notifications/${first.id}/read`).set(auth(clerk)).expect(200)).body.readAt).toBe(read.body.readAt);
    expect(await unread(clerk)).toBe(before);
    expect((await mine(clerk, '?unread=false')).items.map((n) => n.id)).toContain(first.id);
    expect((await mine(townshipClerk, '?unread=true')).total).toBeGreaterThan(0);
    const all = await t.http().post('/api/notifications/read-all').set(auth(townshipClerk)).expect(200);
    expect(all.body.count).toBeGreaterThan(0);
    expect(await unread(townshipClerk)).toBe(0);
    await t.http().get('/api/notifications?unread=maybe').set(auth(clerk)).expect(400);
  });

  it('tells of a 核实无误 reply nothing (nothing to do), and of 非本地户籍 and 信息有误 what to do', async () => {
    const register = async () => {
      const inflow = await registerInflow(
        t,
        clerk,
        inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '褚一' }, daysAgo(2), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }),
      );
      return noticeOf(inflow.caseId);
    };
    const [confirmed, notOurs] = [await register(), await register()];
    await t.http().post(`/api/exchanges/${confirmed.id}/reply`).set(auth(origin)).send({ outcome: 'confirmed' }).expect(200);
    await t.http().post(`/api/exchanges/${notOurs.id}/reply`).set(auth(origin)).send({ outcome: 'not_ours' }).expect(200);
    const links = (await mine(clerk)).items.map((n) => n.link);
    expect(links).not.toContain(`/exchanges/${confirmed.id}`);
    const told = (await mine(clerk)).items.find((n) => n.link === `/exchanges/${notOurs.id}`);
    expect(told).toMatchObject({ title: '反馈“非本地户籍”：一条登记需要核对', body: expect.stringContaining('请核对此人的户籍地') });
  });

  it('tells the uploader, and only her, that her import finished, with its counts', async () => {
    const csv = [HEADER, line(newIdNumber({ sex: 'male' }), { destinationCode: DEST }), line('123', { destinationCode: DEST })].join('\n');
    const accepted = await uploadRegister(t, clerk, csv).expect(202);
    await importFinished(t, clerk, accepted.body.importId);
    const told = await waitFor(async () => (await mine(clerk)).items.find((n) => n.kind === 'import_done'), 10_000, 'import_done');
    expect(told).toMatchObject({ title: '批量导入完成：成功 1 行，未登记 1 行', link: '/imports', body: expect.stringContaining('有 1 行未登记') });
    expect((await mine(townshipClerk)).items.filter((n) => n.kind === 'import_done')).toEqual([]);
  });
});
