import { randomBytes } from 'node:crypto';
import { startTestApp, TestApp } from './support/app';
import { IdCipher } from '@/common/id-cipher';
import { makeIdNumber } from '@/common/identity';
import { todayInShanghai } from '@/common/time';
import { prng } from './support/builders';
import { bruteForce } from './support/rates-brute-force';

// Property: for random histories of registrations, notices, replies, withdrawals, outflows and closures — written straight into
// the tables, then changed again, with the roll-up folded at random moments — GET /api/rates equals a brute-force
// count over the raw rows, for random jurisdictions, periods and as-of instants.
// Only province 52 (贵州) and 东莞 (4419) are used, and no other test writes there.

const ORIGIN_VILLAGES = ['522601001001', '522601001002', '522601002001', '522601002002'];
// Township codes too: a registration recorded at the township itself is no village's, and must still add up.
// 东莞 (4419) has no counties: its children are townships, so the city's rows are bucketed by a 9-digit prefix.
const DESTINATIONS = ['520102016001', '520102016002', '520102017001', '520102017000', '520103019001', '520103019002', '441900003001', '441900004000'];
const QUERY_CODES = ['520000000000', '520100000000', '520102000000', '520102017000', '522601000000', '522601001000', '520103019001', '441900000000'];
const DAY = 86_400_000;
const SEED = Number(process.env.RATES_SEED ?? Date.now() % 1_000_000);

describe('rates property: the service equals a brute-force count over raw rows', () => {
  let t: TestApp;
  let cipher: IdCipher;
  let token: string;
  const random = prng(SEED);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const chance = (p: number) => random() < p;
  let base: number;

  beforeAll(async () => {
    t = await startTestApp();
    cipher = t.app.get(IdCipher);
    token = await t.token();
    base = Date.now() - 1_000;
  });
  afterAll(() => t.close());

  /** An instant in the last 100 days, never in the future. */
  const past = (maxAgoDays = 100) => new Date(base - Math.floor(random() * maxAgoDays * DAY));
  const after = (from: Date, maxDays: number) => new Date(Math.min(base, from.getTime() + Math.floor(random() * maxDays * DAY)));

  async function writeHistory(people: number): Promise<void> {
    for (let i = 0; i < people; i++) {
      const household = pick(ORIGIN_VILLAGES);
      // A real ciphertext: other test files on this database list these people (an inbox works out their age from it).
      const [person] = await t.db.query(
        `INSERT INTO person (id_hash, id_cipher, id_masked, name, sex, household_code)
         VALUES ($1, $2, '520102********0011', '测试', 'male', $3) RETURNING id`,
        [randomBytes(32).toString('hex'), cipher.encrypt(makeIdNumber('520102', '1990-01-01', 1)), household],
      );
      const [kase] = await t.db.query(`INSERT INTO migrant_case (person_id, origin_township_code) VALUES ($1, $2) RETURNING id`, [
        person.id,
        household.slice(0, 9) + '000',
      ]);
      if (chance(0.5)) {
        const start = past();
        const closed = chance(0.3) ? after(start, 40) : null;
        await t.db.query(
          `INSERT INTO outflow (case_id, person_id, household_code, origin_township_code, departure_date, status, registered_at, closed_at)
           VALUES ($1, $2, $3, $4, '2026-01-01', $5, $6, $7)`,
          [kase.id, person.id, household, household.slice(0, 9) + '000', closed ? 'returned' : 'active', start, closed],
        );
      }
      const used = new Set<string>();
      for (let k = Math.floor(random() * 3); k > 0; k--) {
        const destination = pick(DESTINATIONS);
        const township = destination.slice(0, 9) + '000';
        if (used.has(township)) continue;
        used.add(township);
        const start = past();
        const due = new Date(start.getTime() + Math.floor((0.5 + random() * 10) * DAY));
        const submitted = chance(0.75) ? after(start, 20) : null;
        const closed = submitted && chance(0.3) ? after(submitted, 30) : null;
        const status = !submitted ? 'draft' : closed ? 'departed' : 'active';
        const [inflow] = await t.db.query(
          `INSERT INTO inflow (case_id, person_id, household_code, destination_code, origin_township_code, destination_township_code, address,
                               arrival_date, reason, marital_status, contraception, certificate_check, status, registered_at, submitted_at,
                               submission_due_at, closed_at)
           VALUES ($1, $2, $3, $4, $5, $6, '测试地址', '2026-01-01', 'work', 'unmarried', 'none', 'not_required', $7, $8, $9, $10, $11) RETURNING id`,
          [kase.id, person.id, household, destination, household.slice(0, 9) + '000', township, status, start, submitted, due, closed],
        );
        for (let e = Math.floor(random() * 3); e > 0; e--) {
          const needsReply = chance(0.85);
          const delivered = chance(0.85) ? after(start, 5) : null;
          const dueAt = delivered ? new Date(delivered.getTime() + Math.floor((0.5 + random() * 10) * DAY)) : null;
          const replied = delivered && chance(0.6) ? after(delivered, 20) : null;
          // Undelivered ones are 'failed', so the relay of the running app leaves them alone.
          const exStatus = replied ? 'replied' : delivered ? 'delivered' : 'failed';
          await t.db.query(
            `INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, needs_reply, status, sent_at, delivered_at, due_at,
                                 replied_at, payload)
             VALUES ($1, 'inflow_notice', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
            [
              kase.id,
              township,
              household.slice(0, 9) + '000',
              destination,
              household,
              needsReply,
              exStatus,
              start,
              delivered,
              dueAt,
              replied,
              JSON.stringify({ inflowId: inflow.id }),
            ],
          );
        }
      }
    }
  }

  /** Later changes: drafts submitted, replies recorded, stays closed, a household moved, a record withdrawn. */
  async function changeHistory(): Promise<void> {
    const drafts: { id: string; registered_at: Date }[] = await t.db.query(
      `SELECT id, registered_at FROM inflow WHERE destination_code LIKE '52%' AND submitted_at IS NULL`,
    );
    for (const d of drafts) {
      if (chance(0.5)) await t.db.query(`UPDATE inflow SET status = 'active', submitted_at = $2 WHERE id = $1`, [d.id, after(d.registered_at, 20)]);
    }
    const open: { id: string; delivered_at: Date }[] = await t.db.query(
      `SELECT id, delivered_at FROM exchange WHERE to_unit_code LIKE '52%' AND delivered_at IS NOT NULL AND replied_at IS NULL AND withdrawn_at IS NULL`,
    );
    for (const e of open) {
      if (chance(0.5))
        await t.db.query(`UPDATE exchange SET status = 'replied', replied_at = $2, reply_outcome = 'confirmed' WHERE id = $1`, [
          e.id,
          after(e.delivered_at, 20),
        ]);
      // Withdrawn by its sender (the case's origin corrected) at a random instant after it arrived, before any reply.
      else if (chance(0.3)) await t.db.query(`UPDATE exchange SET status = 'withdrawn', withdrawn_at = $2 WHERE id = $1`, [e.id, after(e.delivered_at, 20)]);
    }
    const active: { id: string; submitted_at: Date }[] = await t.db.query(
      `SELECT id, submitted_at FROM inflow WHERE destination_code LIKE '52%' AND status = 'active'`,
    );
    for (const a of active) {
      if (chance(0.2)) await t.db.query(`UPDATE inflow SET status = 'departed', closed_at = $2 WHERE id = $1`, [a.id, after(a.submitted_at, 30)]);
    }
    const people: { id: string }[] = await t.db.query(`SELECT id FROM person WHERE household_code LIKE '52%'`);
    for (const p of people) {
      if (chance(0.05)) await t.db.query(`UPDATE person SET household_code = $2 WHERE id = $1`, [p.id, pick(ORIGIN_VILLAGES)]);
    }
    if (chance(0.8))
      await t.db.query(`DELETE FROM exchange WHERE id = (SELECT id FROM exchange WHERE to_unit_code LIKE '52%' AND needs_reply ORDER BY id LIMIT 1)`);
  }

  /** An instant within an hour of something that happened: where a wrong boundary would show. */
  async function nearAnEvent(): Promise<Date> {
    const rows: { at: Date }[] = await t.db.query(
      `SELECT at FROM (SELECT registered_at AS at FROM inflow WHERE destination_code LIKE '52%'
                       UNION ALL SELECT submitted_at FROM inflow WHERE destination_code LIKE '52%'
                       UNION ALL SELECT submission_due_at FROM inflow WHERE destination_code LIKE '52%'
                       UNION ALL SELECT closed_at FROM inflow WHERE destination_code LIKE '52%'
                       UNION ALL SELECT delivered_at FROM exchange WHERE to_unit_code LIKE '52%'
                       UNION ALL SELECT due_at FROM exchange WHERE to_unit_code LIKE '52%'
                       UNION ALL SELECT replied_at FROM exchange WHERE to_unit_code LIKE '52%'
                       UNION ALL SELECT withdrawn_at FROM exchange WHERE to_unit_code LIKE '52%'
                       UNION ALL SELECT registered_at FROM outflow WHERE household_code LIKE '52%'
                       UNION ALL SELECT closed_at FROM outflow WHERE household_code LIKE '52%') e
        WHERE at IS NOT NULL ORDER BY at`,
    );
    const at = rows.length ? pick(rows).at.getTime() : base;
    return new Date(Math.min(base, at + Math.floor((random() - 0.5) * 2 * 3_600_000)));
  }

  async function compareOne(round: string, code: string, lo: string, hi: string, asOf: Date): Promise<void> {
    const res = await t
      .http()
      .get('/api/rates')
      .query({ jurisdiction: code, from: lo, to: hi, asOf: asOf.toISOString() })
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const rows = [res.body, ...res.body.children.filter((c: { self?: boolean }) => !c.self)];
    for (const row of rows) {
      const expected = await bruteForce(t.db, row.jurisdiction.code, lo, hi, asOf);
      const got = {
        submission: pickFlow(row.submission),
        feedback: pickFlow(row.feedback),
        effectiveContact: { numerator: row.effectiveContact.numerator, denominator: row.effectiveContact.denominator },
      };
      const context = `seed ${SEED}, ${round}, ${row.jurisdiction.code} ${lo}..${hi} asOf ${asOf.toISOString()}`;
      expect({ context, ...got }).toEqual({ context, ...expected });
    }
  }

  async function compare(round: string): Promise<void> {
    for (let q = 0; q < 10; q++) {
      const code = pick(QUERY_CODES);
      const from = todayInShanghai(past(110));
      const to = chance(0.3) ? todayInShanghai(new Date(base)) : todayInShanghai(past(100));
      const [lo, hi] = from <= to ? [from, to] : [to, from];
      const asOf = chance(0.2) ? new Date(base) : chance(0.3) ? past(100) : await nearAnEvent();
      await compareOne(round, code, lo, hi, asOf);
    }
    // Whole calendar months only (as each point of the monthly trend asks): every month read from its month row
    // once all its items fell due, with no day rows at all.
    const today = todayInShanghai(new Date(base));
    const firstOfMonth = (monthsBack: number) => {
      const d = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1 - monthsBack, 1));
      return d.toISOString().slice(0, 10);
    };
    const lastOfPreviousMonth = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1, 0)).toISOString().slice(0, 10);
    await compareOne(`${round}, whole months`, pick(QUERY_CODES), firstOfMonth(3), lastOfPreviousMonth, new Date(base));
    const trend = await t
      .http()
      .get('/api/rates/trend')
      .query({ jurisdiction: QUERY_CODES[0], from: firstOfMonth(3), to: today })
      .set('Authorization', `Bearer ${token}`);
    expect({ round, status: trend.status }).toEqual({ round, status: 200 });
  }

  /**
   * Just before and at a withdrawal (rates.md): before, the exchange counts as it did then; from the instant on it counts
   * nowhere, at its township and every level above.
   */
  async function aroundWithdrawals(round: string): Promise<void> {
    const withdrawn: { to_unit_code: string; delivered_at: Date; withdrawn_at: Date }[] = await t.db.query(
      `SELECT to_unit_code, delivered_at, withdrawn_at FROM exchange
        WHERE to_unit_code LIKE '52%' AND needs_reply AND withdrawn_at > delivered_at ORDER BY id LIMIT 3`,
    );
    for (const w of withdrawn) {
      const day = todayInShanghai(w.delivered_at);
      const before = new Date(w.withdrawn_at.getTime() - 1);
      for (const prefix of [w.to_unit_code.slice(0, 9), w.to_unit_code.slice(0, 6), '52']) {
        const code = prefix.padEnd(12, '0');
        await compareOne(`${round}, before a withdrawal`, code, day, day, before);
        await compareOne(`${round}, at a withdrawal`, code, day, day, w.withdrawn_at);
        const items = async (asOf: Date) => {
          const res = await t
            .http()
            .get('/api/rates')
            .query({ jurisdiction: code, from: day, to: day, asOf: asOf.toISOString() })
            .set('Authorization', `Bearer ${token}`);
          const f = res.body.feedback as { onTime: number; late: number; overdue: number; pending: number };
          return f.onTime + f.late + f.overdue + f.pending;
        };
        // One PATCH withdraws every unanswered message of the case at one instant (a notice and its 协查): all of them go.
        const [{ together }]: { together: number }[] = await t.db.query(
          `SELECT count(*)::int AS together FROM exchange
            WHERE needs_reply AND withdrawn_at = $1 AND to_unit_code LIKE $2 AND shanghai_day(delivered_at) = $3::date`,
          [w.withdrawn_at, `${prefix}%`, day],
        );
        expect(together).toBeGreaterThanOrEqual(1);
        expect({ round, code, gone: (await items(before)) - (await items(w.withdrawn_at)) }).toEqual({ round, code, gone: together });
      }
    }
  }

  it('matches after random histories, later changes and folds at random moments', async () => {
    await writeHistory(70);
    await compare('history written');
    if (chance(0.5)) await t.db.query(`SELECT rate_fold(1000000)`);
    await changeHistory();
    await compare('history changed');
    await aroundWithdrawals('history changed');
    await t.db.query(`SELECT rate_fold(1000000)`);
    await writeHistory(30);
    await changeHistory();
    await compare('more history');
    // A rebuild from the raw rows gives the same roll-up as the triggers did.
    await t.db.query(`SELECT rate_fold(1000000)`);
    const before = await t.db.query(
      `SELECT indicator, code, day, due_day, total, on_time, late FROM rate_rollup
        WHERE code LIKE '52%' AND (total <> 0 OR on_time <> 0 OR late <> 0) ORDER BY 1, 2, 3, 4`,
    );
    await t.owner.query(`SELECT rate_rebuild()`);
    await t.db.query(`SELECT rate_fold(100000000)`);
    const afterRebuild = await t.db.query(
      `SELECT indicator, code, day, due_day, total, on_time, late FROM rate_rollup
        WHERE code LIKE '52%' AND (total <> 0 OR on_time <> 0 OR late <> 0) ORDER BY 1, 2, 3, 4`,
    );
    expect(afterRebuild).toEqual(before);
    await compare('after rebuild');
    await aroundWithdrawals('after rebuild');
  }, 120_000);
});

function pickFlow(f: { onTime: number; late: number; overdue: number; pending: number }) {
  return { onTime: f.onTime, late: f.late, overdue: f.overdue, pending: f.pending };
}
