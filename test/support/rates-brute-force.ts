import { DataSource } from 'typeorm';
import { subtreePrefix } from '@/common/division-code';
import { todayInShanghai } from '@/common/time';
import { flowState } from '@/modules/rates/rate-math';

// The rates of rates.md counted the slow, obvious way from the raw rows, for the rates property test to compare with.

interface RawInflow {
  code: string;
  start: Date;
  due: Date;
  done: Date | null;
  closed: Date | null;
  person: string;
}
interface RawExchange {
  code: string;
  start: Date;
  due: Date;
  done: Date | null;
  /** Withdrawn by its sender: counts nowhere from this instant on (rates.md). */
  withdrawn: Date | null;
}
interface RawOutflow {
  person: string;
  start: Date;
  closed: Date | null;
}

/** The counts of `code`'s subtree for the period [from, to] (Shanghai days) at `asOf`, straight from the raw rows. */
export async function bruteForce(db: DataSource, code: string, from: string, to: string, asOf: Date) {
  const prefix = subtreePrefix(code);
  const inPeriod = (d: Date) => {
    const day = todayInShanghai(d);
    return day >= from && day <= to && d <= asOf;
  };
  const count = (items: { start: Date; due: Date; done: Date | null }[]) => {
    const c = { onTime: 0, late: 0, overdue: 0, pending: 0 };
    for (const item of items.filter((i) => inPeriod(i.start))) c[flowState({ dueAt: item.due, doneAt: item.done }, asOf)] += 1;
    return c;
  };
  const inflows: RawInflow[] = (
    await db.query(`SELECT destination_code, registered_at, submission_due_at, submitted_at, closed_at, person_id FROM inflow WHERE destination_code LIKE $1`, [
      `${prefix}%`,
    ])
  ).map((r: Record<string, unknown>) => ({
    code: r.destination_code,
    start: r.registered_at,
    due: r.submission_due_at,
    done: r.submitted_at,
    closed: r.closed_at,
    person: r.person_id,
  }));
  const exchanges: RawExchange[] = (
    await db.query(
      `SELECT to_unit_code, delivered_at, due_at, replied_at, withdrawn_at FROM exchange
        WHERE needs_reply AND delivered_at IS NOT NULL AND to_unit_code LIKE $1`,
      [`${prefix}%`],
    )
  ).map((r: Record<string, unknown>) => ({ code: r.to_unit_code, start: r.delivered_at, due: r.due_at, done: r.replied_at, withdrawn: r.withdrawn_at }));
  const persons: { id: string }[] = await db.query(`SELECT id FROM person WHERE household_code LIKE $1`, [`${prefix}%`]);
  const ids = persons.map((p) => p.id);
  const theirInflows: RawInflow[] = (await db.query(`SELECT person_id, submitted_at, closed_at FROM inflow WHERE person_id = ANY($1)`, [ids])).map(
    (r: Record<string, unknown>) => ({ person: r.person_id, done: r.submitted_at, closed: r.closed_at }),
  );
  const outflows: RawOutflow[] = (await db.query(`SELECT person_id, registered_at, closed_at FROM outflow WHERE person_id = ANY($1)`, [ids])).map(
    (r: Record<string, unknown>) => ({ person: r.person_id, start: r.registered_at, closed: r.closed_at }),
  );
  const openAt = (start: Date | null, closed: Date | null) => !!start && start <= asOf && (!closed || closed > asOf);
  let denominator = 0;
  let numerator = 0;
  for (const id of ids) {
    const located = theirInflows.some((i) => i.person === id && openAt(i.done, i.closed));
    const away = outflows.some((o) => o.person === id && openAt(o.start, o.closed));
    if (located || away) denominator += 1;
    if (located) numerator += 1;
  }
  const stillOwed = exchanges.filter((e) => !e.withdrawn || e.withdrawn > asOf);
  return { submission: count(inflows), feedback: count(stillOwed), effectiveContact: { numerator, denominator } };
}
