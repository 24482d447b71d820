import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';
import { inboxOf, settledExchanges } from './support/exchanges';
import { HEADER, importFinished, line, uploadRegister } from './support/imports';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// Dead letters: a delivery the database keeps refusing ends as a dead letter an admin can see and send again, and the
// other messages sent with it are delivered.

const YANGZHAI = '421381101000';

describe('exchanges (信息交换): dead letters', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const register = (token: string, overrides: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/api/inflows')
      .set(auth(token))
      .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '周强' }, daysAgo(3), overrides));
  const delivered = (caseId: string, count: number) => settledExchanges(t, dest, caseId, count);
  const inbox = (token: string, query = '') => inboxOf(t, token, query);
  /** Real failure: while the trigger test_refuse_one exists, the database refuses to deliver the notice of a registration at `address`. */
  const refuseDeliveryAt = async (address: string) => {
    await t.owner.query(`CREATE OR REPLACE FUNCTION test_refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inflow WHERE id::text = NEW.payload->>'inflowId' AND address = '${address}') THEN
          RAISE EXCEPTION 'inbox unavailable (test)';
        END IF;
        RETURN NEW;
      END $$`);
    await t.owner.query(
      `CREATE TRIGGER test_refuse_one BEFORE UPDATE ON exchange FOR EACH ROW WHEN (NEW.status = 'delivered') EXECUTE FUNCTION test_refuse_one()`,
    );
  };

  beforeAll(async () => {
    t = await startTestApp({ REPLY_TIME_LIMIT: 'PT2S', REPLY_TIME_LIMIT_URGENT: 'PT1S', DELIVERY_ATTEMPTS: '3', DELIVERY_BACKOFF: 'PT0.1S' });
    [dest, origin] = await Promise.all([staffAt(t, QUZHOU_COMMUNITY), staffAt(t, YANGZHAI)]);
  });
  afterAll(() => t.close());

  it('dead-letters a delivery that keeps failing, shows it to admins, and delivers it on retry', async () => {
    // Real failure: the database refuses the delivery while this trigger exists.
    await t.owner.query(`CREATE OR REPLACE FUNCTION test_refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'inbox unavailable (test)'; END $$`);
    await t.owner.query(
      `CREATE TRIGGER test_refuse_delivery BEFORE UPDATE ON exchange FOR EACH ROW WHEN (NEW.status = 'delivered') EXECUTE FUNCTION test_refuse_delivery()`,
    );
    let reg;
    try {
      reg = await register(dest).expect(201);
      const [failed] = await delivered(reg.body.caseId, 1);
      expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringContaining('inbox unavailable') });
    } finally {
      await t.owner.query(`DROP TRIGGER test_refuse_delivery ON exchange`);
    }
    const [failed] = await delivered(reg.body.caseId, 1);
    const health = await t.http().get('/api/health').expect(200);
    expect(health.body.queues['exchange-delivery'].failed).toBeGreaterThanOrEqual(1);

    await t.http().post(`/api/exchanges/${failed.id}/retry`).set(auth(dest)).expect(403);
    const retried = await t
      .http()
      .post(`/api/exchanges/${failed.id}/retry`)
      .set(auth(await t.token()))
      .expect(200);
    expect(retried.body.status).toMatch(/queued|delivered/);
    const [ok] = await waitFor(
      async () => {
        const list = await delivered(reg.body.caseId, 1);
        return list[0].status === 'delivered' ? list : undefined;
      },
      15_000,
      'retried delivery',
    );
    expect(ok).toMatchObject({ status: 'delivered', attempts: 4, lastError: null });
    expect((await inbox(origin)).map((e) => e.id)).toContain(ok.id);
  });

  it('delivers the other messages sent together when one of them cannot be delivered', async () => {
    // Messages are delivered many to a statement; the database refuses only the notice of the registration at this address.
    await refuseDeliveryAt('无法投递测试地址');
    try {
      const regs = await Promise.all(Array.from({ length: 12 }, (_, i) => register(dest, i === 5 ? { address: '无法投递测试地址' } : {}).expect(201)));
      const outcomes = await Promise.all(regs.map(async (reg) => (await delivered(reg.body.caseId, 1))[0]));
      expect(outcomes[5]).toMatchObject({ status: 'failed', lastError: expect.stringContaining('inbox unavailable') });
      const others = outcomes.filter((_, i) => i !== 5);
      expect(others.map((e) => e.status)).toEqual(Array(11).fill('delivered'));
      const inboxIds = (await inbox(origin)).map((e) => e.id);
      for (const e of others) expect(inboxIds).toContain(e.id);
    } finally {
      await t.owner.query(`DROP TRIGGER test_refuse_one ON exchange`);
    }
  });

  it("delivers an import's notices together, and one that cannot be delivered goes on alone to a dead letter", async () => {
    await refuseDeliveryAt('无法投递测试地址');
    try {
      const rows = Array.from({ length: 12 }, (_, i) => line(newIdNumber({ sex: 'male' }), i === 7 ? { address: '无法投递测试地址' } : {}));
      const upload = await uploadRegister(t, dest, [HEADER, ...rows].join('\n')).expect(202);
      expect(await importFinished(t, dest, upload.body.importId)).toMatchObject({ status: 'done', succeeded: 12, failed: 0 });
      const cases: { case_id: string; address: string }[] = await t.db.query(
        `SELECT case_id, address FROM inflow WHERE import_id = $1 ORDER BY registered_at`,
        [upload.body.importId],
      );
      const outcomes = await Promise.all(cases.map(async (c) => ({ address: c.address, notice: (await delivered(c.case_id, 1))[0] })));
      const refused = outcomes.filter((o) => o.address === '无法投递测试地址').map((o) => o.notice);
      expect(refused).toEqual([expect.objectContaining({ status: 'failed', attempts: 3, lastError: expect.stringContaining('inbox unavailable') })]);
      const others = outcomes.filter((o) => o.address !== '无法投递测试地址').map((o) => o.notice);
      expect(others.map((e) => e.status)).toEqual(Array(11).fill('delivered'));
      const inboxIds = (await inbox(origin)).map((e) => e.id);
      for (const e of others) expect(inboxIds).toContain(e.id);
    } finally {
      await t.owner.query(`DROP TRIGGER test_refuse_one ON exchange`);
    }
  });
});
