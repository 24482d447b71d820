import { EntityManager } from 'typeorm';
import { levelOf, subtreeRange } from '@/common/division-code';
import { endOfShanghaiDay, startOfShanghaiDay, todayInShanghai } from '@/common/time';
import { addContact, addFlow, ContactCounts, FLOW_INDICATORS, FlowCounts, FlowIndicator, NO_CONTACT, NO_FLOW } from './rate-math';

// The exact counts of rates.md for a jurisdiction and its children (docs/rates.md).
//
// A township or village holds few enough items to count from the raw rows (countFromRows). Above that the counts come
// from the roll-up (countFromRollup):
//
// rate_rollup + rate_delta hold, per jurisdiction at every level, day of the item and day it falls due: the items, and
// those done on time and late by now. What changes with the as-of instant T is corrected from the raw rows, which for
// T = now (the dashboard) are a handful of index probes:
//   - items that began after T (they do not count yet) and items done after T (not done at T), which the roll-up
//     counts as they are now: subtracted there, and added back with their state at T;
//   - items not done that fall due on T's own day: the roll-up only knows the day, so they are classified here.
// Every other item not done is overdue at T if it fell due on an earlier day, and pending if on a later one.
// Effective contact is a stock: the sum of each person's breakpoints up to T's day, less those later on that day.

/** Where a flow indicator's items live (rates.md): what starts them, what is due, what does them. */
export const FLOW_SOURCES: Record<FlowIndicator, { key: string; table: string; code: string; start: string; due: string; done: string; filter: string | null }> = {
  submission: { key: 's', table: 'inflow', code: 'destination_code', start: 'registered_at', due: 'submission_due_at', done: 'submitted_at', filter: null },
  feedback: { key: 'f', table: 'exchange', code: 'to_unit_code', start: 'delivered_at', due: 'due_at', done: 'replied_at', filter: 'needs_reply' },
};

export interface Period {
  /** YYYY-MM-DD, Asia/Shanghai, inclusive. */
  from: string;
  to: string;
}

export interface Counts {
  submission: FlowCounts;
  feedback: FlowCounts;
  effectiveContact: ContactCounts;
}

interface Bucket {
  code: string;
  low: string;
  high: string;
}

interface RollupRow {
  indicator: 's' | 'f' | 'c';
  code: string;
  total: string;
  on_time: string;
  late: string;
  nd_before: string | null;
  nd_after: string | null;
  contact_den: string | null;
  contact_num: string | null;
}

interface CorrectionRow {
  code: string;
  cur_on_time: string;
  cur_late: string;
  cur_nd_before: string;
  cur_nd_after: string;
  t_on_time: string;
  t_late: string;
  t_overdue: string;
  t_pending: string;
}

const n = (v: string | number | null | undefined): number => Number(v ?? 0);

/** Instant bounds the queries need: the period [start, end) and the Shanghai day of T. */
export function bounds(period: Period, asOf: Date) {
  const asOfDay = todayInShanghai(asOf);
  return {
    periodStart: startOfShanghaiDay(period.from),
    periodEnd: endOfShanghaiDay(period.to),
    asOfDay,
    asOfDayStart: startOfShanghaiDay(asOfDay),
    asOfDayEnd: endOfShanghaiDay(asOfDay),
  };
}

/**
 * Counts for each code (its whole subtree) over the period at the as-of instant; codes[0] is the jurisdiction asked
 * for, the others lie inside it. Must run inside one REPEATABLE READ transaction so the roll-up, the unfolded deltas
 * and the raw rows are one snapshot.
 */
export function countRates(manager: EntityManager, codes: string[], period: Period, asOf: Date, contactAsOf: Date = asOf): Promise<Map<string, Counts>> {
  const level = levelOf(codes[0]);
  return level === 'township' || level === 'village' ? countFromRows(manager, codes, period, asOf, contactAsOf) : countFromRollup(manager, codes, period, asOf, contactAsOf);
}

function bucketsOf(codes: string[]) {
  const buckets: Bucket[] = codes.map((code) => {
    const [low, high] = subtreeRange(code);
    return { code, low, high };
  });
  return {
    buckets,
    params: [buckets.map((x) => x.code), buckets.map((x) => x.low), buckets.map((x) => x.high)],
    sql: `SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]) AS b(code, low, high)`,
    empty: () => new Map<string, Counts>(codes.map((c) => [c, { submission: { ...NO_FLOW }, feedback: { ...NO_FLOW }, effectiveContact: { ...NO_CONTACT } }])),
  };
}

/** The definition of rates.md applied to the raw rows of the subtree: each item's state at T, counted. */
export async function countFromRows(manager: EntityManager, codes: string[], period: Period, asOf: Date, contactAsOf: Date = asOf): Promise<Map<string, Counts>> {
  const { buckets, params, sql, empty } = bucketsOf(codes);
  const result = empty();
  const b = bounds(period, asOf);
  for (const indicator of FLOW_INDICATORS) {
    const s = FLOW_SOURCES[indicator];
    const rows: { code: string; on_time: string; late: string; overdue: string; pending: string }[] = await manager.query(
      `WITH b AS (${sql})
       SELECT b.code,
              count(*) FILTER (WHERE x.${s.done} <= $8 AND x.${s.done} <= x.${s.due}) AS on_time,
              count(*) FILTER (WHERE x.${s.done} <= $8 AND x.${s.done} > x.${s.due}) AS late,
              count(*) FILTER (WHERE (x.${s.done} IS NULL OR x.${s.done} > $8) AND x.${s.due} <= $8) AS overdue,
              count(*) FILTER (WHERE (x.${s.done} IS NULL OR x.${s.done} > $8) AND x.${s.due} > $8) AS pending
         FROM ${s.table} x JOIN b ON x.${s.code} BETWEEN b.low AND b.high
        WHERE ${s.filter ? `x.${s.filter}` : 'true'} AND x.${s.code} BETWEEN $4 AND $5 AND x.${s.start} >= $6 AND x.${s.start} < $7 AND x.${s.start} <= $8
        GROUP BY b.code`,
      [...params, buckets[0].low, buckets[0].high, b.periodStart, b.periodEnd, asOf],
    );
    for (const row of rows) {
      const counts = result.get(row.code);
      if (counts) counts[indicator] = { onTime: n(row.on_time), late: n(row.late), overdue: n(row.overdue), pending: n(row.pending) };
    }
  }
  const contact: { code: string; den: string; num: string }[] = await manager.query(
    `WITH b AS (${sql})
     SELECT b.code, sum(e.d_den) AS den, sum(e.d_num) AS num
       FROM contact_event e JOIN b ON e.code BETWEEN b.low AND b.high
      WHERE e.code BETWEEN $4 AND $5 AND e.at <= $6
      GROUP BY b.code`,
    [...params, buckets[0].low, buckets[0].high, contactAsOf],
  );
  for (const row of contact) {
    const counts = result.get(row.code);
    if (counts) counts.effectiveContact = { numerator: n(row.num), denominator: n(row.den) };
  }
  return result;
}

/** The same counts from the roll-up, corrected from the raw rows for what changed around T. */
export async function countFromRollup(
  manager: EntityManager,
  codes: string[],
  period: Period,
  asOf: Date,
  contactAsOf: Date = asOf,
): Promise<Map<string, Counts>> {
  const { buckets, params: bucketParams, sql: bucketsSql, empty } = bucketsOf(codes);
  const result = empty();
  const b = bounds(period, asOf);
  const contact = bounds(period, contactAsOf);

  const rollup: RollupRow[] = await manager.query(
    `WITH b AS (${bucketsSql}),
     rows AS (
       SELECT indicator, code, day, due_day, total, on_time, late FROM rate_rollup
        WHERE indicator = 's' AND code = ANY($1) AND day BETWEEN $4 AND $5
       UNION ALL
       SELECT indicator, code, day, due_day, total, on_time, late FROM rate_rollup
        WHERE indicator = 'f' AND code = ANY($1) AND day BETWEEN $4 AND $5
       UNION ALL
       SELECT indicator, code, day, due_day, total, on_time, late FROM rate_rollup
        WHERE indicator = 'c' AND code = ANY($1) AND day <= $7
       UNION ALL
       SELECT d.indicator, b.code, d.day, d.due_day, d.total, d.on_time, d.late FROM rate_delta d JOIN b ON d.code BETWEEN b.low AND b.high
        WHERE (d.indicator <> 'c' AND d.day BETWEEN $4 AND $5) OR (d.indicator = 'c' AND d.day <= $7))
     SELECT indicator, code, sum(total) AS total, sum(on_time) AS on_time, sum(late) AS late,
            sum(total - on_time - late) FILTER (WHERE due_day < $6) AS nd_before,
            sum(total - on_time - late) FILTER (WHERE due_day > $6) AS nd_after,
            sum(total) FILTER (WHERE indicator = 'c') AS contact_den,
            sum(on_time) FILTER (WHERE indicator = 'c') AS contact_num
       FROM rows GROUP BY indicator, code`,
    [...bucketParams, period.from, period.to, b.asOfDay, contact.asOfDay],
  );
  for (const row of rollup) {
    const counts = result.get(row.code);
    if (!counts) continue;
    if (row.indicator === 'c') {
      counts.effectiveContact = { numerator: n(row.contact_num), denominator: n(row.contact_den) };
    } else {
      const key: FlowIndicator = row.indicator === 's' ? 'submission' : 'feedback';
      counts[key] = { onTime: n(row.on_time), late: n(row.late), overdue: n(row.nd_before), pending: n(row.nd_after) };
    }
  }

  const [low, high] = [buckets[0].low, buckets[0].high];
  for (const indicator of FLOW_INDICATORS) {
    const s = FLOW_SOURCES[indicator];
    const inScope = `${s.filter ?? 'true'} AND ${s.code} BETWEEN $4 AND $5 AND ${s.start} >= $6 AND ${s.start} < $7`;
    const corrections: CorrectionRow[] = await manager.query(
      `WITH b AS (${bucketsSql}),
       z AS (
         SELECT ${s.code} AS code, ${s.start} AS start, ${s.due} AS due, ${s.done} AS done FROM ${s.table}
          WHERE ${inScope} AND ${s.start} > $8
         UNION ALL
         SELECT ${s.code}, ${s.start}, ${s.due}, ${s.done} FROM ${s.table}
          WHERE ${inScope} AND ${s.done} > $8 AND ${s.start} <= $8
         UNION ALL
         SELECT ${s.code}, ${s.start}, ${s.due}, ${s.done} FROM ${s.table}
          WHERE ${inScope} AND ${s.done} IS NULL AND ${s.due} >= $9 AND ${s.due} < $10 AND ${s.start} <= $8)
       SELECT b.code,
              count(*) FILTER (WHERE done <= due) AS cur_on_time,
              count(*) FILTER (WHERE done > due) AS cur_late,
              count(*) FILTER (WHERE done IS NULL AND due < $9) AS cur_nd_before,
              count(*) FILTER (WHERE done IS NULL AND due >= $10) AS cur_nd_after,
              count(*) FILTER (WHERE start <= $8 AND done <= $8 AND done <= due) AS t_on_time,
              count(*) FILTER (WHERE start <= $8 AND done <= $8 AND done > due) AS t_late,
              count(*) FILTER (WHERE start <= $8 AND (done IS NULL OR done > $8) AND due <= $8) AS t_overdue,
              count(*) FILTER (WHERE start <= $8 AND (done IS NULL OR done > $8) AND due > $8) AS t_pending
         FROM z JOIN b ON z.code BETWEEN b.low AND b.high
        GROUP BY b.code`,
      [...bucketParams, low, high, b.periodStart, b.periodEnd, asOf, b.asOfDayStart, b.asOfDayEnd],
    );
    for (const row of corrections) {
      const counts = result.get(row.code);
      if (!counts) continue;
      const now: FlowCounts = { onTime: n(row.cur_on_time), late: n(row.cur_late), overdue: n(row.cur_nd_before), pending: n(row.cur_nd_after) };
      const atT: FlowCounts = { onTime: n(row.t_on_time), late: n(row.t_late), overdue: n(row.t_overdue), pending: n(row.t_pending) };
      counts[indicator] = addFlow(addFlow(counts[indicator], now, -1), atT);
    }
  }

  const later: { code: string; den: string; num: string }[] = await manager.query(
    `WITH b AS (${bucketsSql})
     SELECT b.code, sum(e.d_den) AS den, sum(e.d_num) AS num
       FROM contact_event e JOIN b ON e.code BETWEEN b.low AND b.high
      WHERE e.at > $4 AND e.at < $5 AND e.code BETWEEN $6 AND $7
      GROUP BY b.code`,
    [...bucketParams, contactAsOf, contact.asOfDayEnd, low, high],
  );
  for (const row of later) {
    const counts = result.get(row.code);
    if (counts) counts.effectiveContact = addContact(counts.effectiveContact, { numerator: n(row.num), denominator: n(row.den) }, -1);
  }
  return result;
}
