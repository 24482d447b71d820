import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';
import { HEADER, importFinished, line, uploadRegister } from './support/imports';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// The import's batches (issue 16): people never seen before are written a batch at a time, the others row by row —
// with the same records either way as a clerk's registration.

const QUZHOU_OTHER_DISTRICT = '330803001001'; // 衢江区

describe('bulk import in batches (批量导入)', () => {
  let t: TestApp;
  let dest: string;
  const upload = (content: string) => uploadRegister(t, dest, content);
  const finished = (importId: string) => importFinished(t, dest, importId);

  beforeAll(async () => {
    t = await startTestApp();
    dest = await staffAt(t, QUZHOU_COMMUNITY);
  });
  afterAll(() => t.close());

  it("writes people new to the system a batch at a time, with the records a clerk's registration makes, and the others row by row", async () => {
    // What one registration leaves behind, without ids and times: the inflow, its case, its notices, audit row and contact breakpoint.
    const recordsOf = async (inflowId: string) => {
      const [inflow] = await t.db.query(
        `SELECT i.status, i.household_code, i.destination_code, i.origin_township_code, i.destination_township_code, i.certificate_check, i.key_target,
                i.pregnant, i.submitted_at = i.registered_at AS submitted, extract(epoch FROM i.submission_due_at - i.registered_at)::int AS due_s,
                c.origin_township_code AS case_origin, c.destination_township_code AS case_destination, c.closed_at IS NULL AS case_open
           FROM inflow i JOIN migrant_case c ON c.id = i.case_id WHERE i.id = $1`,
        [inflowId],
      );
      const exchanges = await t.db.query(
        `SELECT e.type, e.urgent, e.needs_reply, e.reply_limit, e.from_code, e.to_code, e.from_unit_code, e.to_unit_code, e.payload - 'inflowId' AS payload,
                e.payload->>'inflowId' = $1::text AS own, e.sent_at = i.submitted_at AS sent_then, e.case_id = i.case_id AS same_case
           FROM exchange e JOIN inflow i ON i.id::text = $1 WHERE e.case_id = i.case_id ORDER BY e.type`,
        [inflowId],
      );
      const audit = await t.db.query(`SELECT action, detail->'submitted' AS submitted FROM audit_log WHERE entity = 'inflow' AND entity_id = $1`, [inflowId]);
      const contact = await t.db.query(
        `SELECT ce.code, ce.d_den, ce.d_num, ce.at = i.submitted_at AS at_submission
           FROM contact_event ce JOIN inflow i ON i.person_id = ce.person_id WHERE i.id = $1`,
        [inflowId],
      );
      return { inflow, exchanges, audit, contact };
    };
    const inflowOf = async (idNumber: string, status = 'active') =>
      (
        await t.db.query(`SELECT i.id FROM inflow i JOIN person p ON p.id = i.person_id WHERE p.id_masked = $1 AND i.status = $2`, [
          `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`,
          status,
        ])
      )[0]?.id as string;

    // A pregnant woman without a certificate (a key target: an urgent verification request goes with the notice), registered by a clerk…
    const byClerk = newIdNumber({ sex: 'female', birthDate: '1996-03-10' });
    await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${dest}`)
      .send(inflowBody({ idNumber: byClerk, name: '对照' }, daysAgo(4), { pregnant: true }))
      .expect(201);
    // …a person living in 衢江区 who has moved to the community, and a person whose two rows are in the file.
    const movedHere = newIdNumber({ sex: 'male' });
    const elsewhere = await staffAt(t, QUZHOU_OTHER_DISTRICT);
    await t
      .http()
      .post('/api/inflows')
      .set('Authorization', `Bearer ${elsewhere}`)
      .send(inflowBody({ idNumber: movedHere, name: '迁入' }, daysAgo(30), { destinationCode: QUZHOU_OTHER_DISTRICT }))
      .expect(201);
    const twice = newIdNumber({ sex: 'male' });
    const imported = [newIdNumber({ sex: 'female', birthDate: '1996-03-10' }), newIdNumber({ sex: 'male' })];
    const csv = [
      HEADER,
      line(imported[0], { pregnant: '是' }),
      line(twice, { arrivalDate: daysAgo(6) }),
      line(movedHere),
      line(twice, { arrivalDate: daysAgo(3) }),
      line(imported[1]),
    ].join('\n');
    const result = await finished((await upload(csv).expect(202)).body.importId);
    expect(result).toMatchObject({ status: 'done', succeeded: 4, failed: 1 });
    expect(result.errors).toEqual([{ row: 4, sheetRow: 5, name: '导入测试', field: 'idNumber', message: '已有有效登记' }]);

    // The imported woman's records are the clerk's, notice and urgent verification request included.
    const clerks = await recordsOf(await inflowOf(byClerk));
    expect(clerks.inflow).toMatchObject({ key_target: true, pregnant: true, case_open: true });
    expect(clerks.exchanges.map((e: { type: string; urgent: boolean }) => [e.type, e.urgent])).toEqual([
      ['inflow_notice', false],
      ['verification_request', true],
    ]);
    expect(clerks.contact).toEqual([{ code: '421381101201', d_den: 1, d_num: 1, at_submission: true }]);
    expect(await recordsOf(await inflowOf(imported[0]))).toEqual(clerks);
    const plain = await recordsOf(await inflowOf(imported[1]));
    expect(plain.exchanges.map((e: { type: string }) => e.type)).toEqual(['inflow_notice']);
    expect(plain.audit).toEqual([{ action: 'create', submitted: true }]);
    // The person registered in 衢江区 moved on from there, and both ends were told; the repeated person is registered once.
    expect(await inflowOf(movedHere, 'moved_on')).toBeDefined();
    const [{ n: departures }] = await t.db.query(`SELECT count(*)::int AS n FROM exchange WHERE type = 'departure_notice' AND payload->>'inflowId' = $1`, [
      await inflowOf(movedHere, 'moved_on'),
    ]);
    expect(departures).toBe(2);
    expect(await inflowOf(twice)).toBeDefined();
    // Every notice of the import reaches the origin.
    await waitFor(
      async () => {
        const [{ n }] = await t.db.query(
          `SELECT count(*)::int AS n FROM exchange e JOIN inflow i ON i.case_id = e.case_id WHERE i.import_id = $1 AND e.delivered_at IS NULL`,
          [result.id],
        );
        return n === 0 || undefined;
      },
      15_000,
      'notices delivered',
    );
  });
});
