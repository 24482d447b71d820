import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { levelOf, subtreePrefix, subtreeRange } from '@/common/division-code';

import { bounds, monthEnd, Period, splitPeriod } from './rate-period';
import { addContact, addFlow, ContactCounts, FLOW_INDICATORS, FlowCounts, FlowIndicator, NO_CONTACT, NO_FLOW } from './rate-math';

// The exact counts of rates.md for a jurisdiction and its children (docs/rates.md). Each path is one SQL statement,
// so it reads one snapshot and costs one round trip.
//
// A township or village holds few enough items to count from the raw rows (countFromRows). Above that the counts come
// from the roll-up (countFromRollup): rate_rollup + rate_delta hold, per jurisdiction from township up, day of the
// item and day it falls due, the items and those done on time and late by now. What changes with the as-of
// instant T is corrected from the raw rows, which for T = now (the dashboard) are a handful of index probes:
//   - items that began after T (they do not count yet) and items done after T (not done at T), which the roll-up
//     counts as they are now: subtracted there, and added back with their state at T;
//   - items not done that fall due on T's own day: the roll-up only knows the day, so they are classified here.
// Every other item not done is overdue at T if it fell due on an earlier day, and pending if on a later one.
// Effective contact is a stock: the sum of each person's breakpoints up to T's day, less those later on that day.

/**
 * Where a flow indicator's items live (rates.md): what starts them, what is due, what does them, and what ends them
 * without their being done (`gone`: an exchange withdrawn by its sender counts nowhere from that instant on).
 */
export const FLOW_SOURCES: Record<
  FlowIndicator,
  { key: 's' | 'f'; table: string; code: string; start: string; due: string; done: string; gone: string | null; filter: string | null }
> = {
  submission: {
    key: 's',
    table: 'inflow',
    code: 'destination_code',
    start: 'registered_at',
    due: 'submission_due_at',
    done: 'submitted_at',
    gone: null,
    filter: null,
  },
  feedback: {
    key: 'f',
    table: 'exchange',
    code: 'to_unit_code',
    start: 'delivered_at',
    due: 'due_at',
    done: 'replied_at',
    gone: 'withdrawn_at',
    filter: 'needs_reply',
  },
};

/** SQL: the item (alias x) has not left the count by `at` (an SQL expression) — it was not withdrawn by then. */
export function stillCounted(indicator: FlowIndicator, at: string): string {
  const gone = FLOW_SOURCES[indicator].gone;
  return gone ? `(x.${gone} IS NULL OR x.${gone} > ${at})` : 'true';
}

/**
 * Runs a statement as a named prepared statement of its connection. These statements are long (a dozen CTE branches),
 * and parsing and analysing them again on every dashboard call cost almost as much as planning and executing them
 * (14 ms a call without, 8 ms with, at 1 M inflows). Each call is still planned with its own parameters
 * (`plan_cache_mode=force_custom_plan` on the service's connections): a generic plan cannot know how few items lie
 * after T, and took 2 s. The texts are few: they differ only in the shape of the period.
 */
async function prepared<T>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const name = `rates_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  // Inside a transaction (the trend's snapshot) the statement must run on that transaction's connection.
  const runner = manager.queryRunner;
  const client: Pool | PoolClient = runner ? ((await runner.connect()) as PoolClient) : ((manager.connection.driver as PostgresDriver).master as Pool);
  return (await client.query({ name, text, values })).rows as T[];
}

export interface Counts {
  submission: FlowCounts;
  feedback: FlowCounts;
  effectiveContact: ContactCounts;
}

/** One result row: what kind of figure, for which indicator and jurisdiction, and up to four numbers. */
interface FigureRow {
  kind: 'state' | 'rollup' | 'now' | 'atT' | 'later';
  indicator: 's' | 'f' | 'c';
  code: string;
  a: string | null;
  b: string | null;
  c: string | null;
  d: string | null;
}

const n = (v: string | number | null | undefined): number => Number(v ?? 0);
const INDICATOR_OF: Record<'s' | 'f', FlowIndicator> = { s: 'submission', f: 'feedback' };

/**
 * Counts for each code (its whole subtree) over the period at the as-of instant; codes[0] is the jurisdiction asked
 * for, the others lie inside it. Effective contact is the stock at contactAsOf (the trend takes it at a month's end).
 */
export function countRates(manager: EntityManager, codes: string[], period: Period, asOf: Date, contactAsOf: Date = asOf): Promise<Map<string, Counts>> {
  const level = levelOf(codes[0]);
  return level === 'township' || level === 'village'
    ? countFromRows(manager, codes, period, asOf, contactAsOf)
    : countFromRollup(manager, codes, period, asOf, contactAsOf);
}

/** $1–$3: the jurisdictions as (code, low, high) code ranges, $4–$5 the range of the first (the whole subtree). */
function buckets(codes: string[]) {
  const ranges = codes.map((code) => subtreeRange(code));
  return {
    params: [codes, ranges.map(([low]) => low), ranges.map(([, high]) => high), ranges[0][0], ranges[0][1]],
    cte: `b AS (SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]) AS b(code, low, high))`,
  };
}

export function emptyCounts(codes: string[]): Map<string, Counts> {
  return new Map(codes.map((c) => [c, { submission: { ...NO_FLOW }, feedback: { ...NO_FLOW }, effectiveContact: { ...NO_CONTACT } }]));
}

const whereFilter = (alias: string, filter: string | null) => (filter ? `${alias}.${filter}` : 'true');

/** The definition of rates.md applied to the raw rows of the subtree: each item's state at T, counted. */
export async function countFromRows(
  manager: EntityManager,
  codes: string[],
  period: Period,
  asOf: Date,
  contactAsOf: Date = asOf,
): Promise<Map<string, Counts>> {
  const { params, cte } = buckets(codes);
  const t = bounds(period, asOf);
  // $6 period start, $7 period end, $8 T, $9 the contact instant.
  const flows = FLOW_INDICATORS.map((indicator) => {
    const s = FLOW_SOURCES[indicator];
    return `SELECT 'state' AS kind, '${s.key}' AS indicator, b.code,
                   count(*) FILTER (WHERE x.${s.done} <= $8 AND x.${s.done} <= x.${s.due}) AS a,
                   count(*) FILTER (WHERE x.${s.done} <= $8 AND x.${s.done} > x.${s.due}) AS b,
                   count(*) FILTER (WHERE (x.${s.done} IS NULL OR x.${s.done} > $8) AND x.${s.due} <= $8) AS c,
                   count(*) FILTER (WHERE (x.${s.done} IS NULL OR x.${s.done} > $8) AND x.${s.due} > $8) AS d
              FROM ${s.table} x JOIN b ON x.${s.code} BETWEEN b.low AND b.high
             WHERE ${whereFilter('x', s.filter)} AND x.${s.code} BETWEEN $4 AND $5 AND x.${s.start} >= $6 AND x.${s.start} < $7 AND x.${s.start} <= $8
               AND ${stillCounted(indicator, '$8')}
             GROUP BY b.code`;
  });
  const rows = await prepared<FigureRow>(
    manager,
    `WITH ${cte}
     ${flows.join('\nUNION ALL\n')}
     UNION ALL
     SELECT 'state', 'c', b.code, sum(e.d_den), sum(e.d_num), NULL, NULL
       FROM contact_event e JOIN b ON e.code BETWEEN b.low AND b.high
      WHERE e.code BETWEEN $4 AND $5 AND e.at <= $9
      GROUP BY b.code`,
    [...params, t.periodStart, t.periodEnd, asOf, contactAsOf],
  );
  const result = emptyCounts(codes);
  for (const row of rows) {
    const counts = result.get(row.code);
    if (!counts) continue;
    if (row.indicator === 'c') counts.effectiveContact = { denominator: n(row.a), numerator: n(row.b) };
    else counts[INDICATOR_OF[row.indicator]] = { onTime: n(row.a), late: n(row.b), overdue: n(row.c), pending: n(row.d) };
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
  const { params, cte } = buckets(codes);
  const t = bounds(period, asOf);
  const contact = bounds(period, contactAsOf);
  // $6 from, $7 to, $8 T's day, $9 the contact instant's day, $10 period start, $11 period end, $12 T,
  // $13–$14 T's day as instants, $15 the contact instant, $16 the end of its day, $17 the first of its month;
  // then the day ranges and months read from the roll-up.
  const values: unknown[] = [
    ...params,
    period.from,
    period.to,
    t.asOfDay,
    contact.asOfDay,
    t.periodStart,
    t.periodEnd,
    asOf,
    t.asOfDayStart,
    t.asOfDayEnd,
    contactAsOf,
    contact.asOfDayEnd,
    `${contact.asOfDay.slice(0, 8)}01`,
  ];
  const param = (value: unknown) => `$${values.push(value)}`;

  // A whole month of the period is read from its month row when everything in it fell due before T's day;
  // every other day of the period from the day rows.
  const { months, dayRanges } = splitPeriod(period);
  const settled: { indicator: 's' | 'f'; month: string }[] = months.length
    ? await prepared(
        manager,
        `SELECT indicator, to_char(month, 'YYYY-MM-DD') AS month FROM rate_month_due
          WHERE indicator IN ('s', 'f') AND month = ANY($1::date[]) AND max_due_day < $2`,
        [months, t.asOfDay],
      )
    : [];
  const flowRows = (indicator: 's' | 'f') => {
    const whole = settled.filter((m) => m.indicator === indicator).map((m) => m.month);
    const ranges = [...dayRanges, ...months.filter((m) => !whole.includes(m)).map((m): [string, string] => [m, monthEnd(m)])];
    const branches = ranges.map(
      ([from, to]) =>
        `SELECT indicator, code, total, on_time, late,
                CASE WHEN due_day < $8 THEN total - on_time - late ELSE 0 END AS nd_before,
                CASE WHEN due_day > $8 THEN total - on_time - late ELSE 0 END AS nd_after
           FROM rate_rollup WHERE indicator = '${indicator}' AND code = ANY($1) AND day BETWEEN ${param(from)}::date AND ${param(to)}::date`,
    );
    if (whole.length) {
      branches.push(
        // Named like the day rows' columns: when every month is whole, this is the first (naming) branch of the union.
        `SELECT indicator, code, total, on_time, late, total - on_time - late AS nd_before, 0 AS nd_after
           FROM rate_rollup_month WHERE indicator = '${indicator}' AND code = ANY($1) AND month = ANY(${param(whole)}::date[])`,
      );
    }
    return branches;
  };
  // The corrections: items whose state at T differs from what the roll-up holds. Each is bucketed by the prefix of
  // the child it lies in (a child's code is its prefix padded with zeros), an equality the database groups by at
  // once, where a range join would compare every item with every child.
  const correctionItems = FLOW_INDICATORS.map((indicator) => {
    const s = FLOW_SOURCES[indicator];
    const inScope = `${whereFilter('x', s.filter)} AND x.${s.code} BETWEEN $4 AND $5 AND x.${s.start} >= $10 AND x.${s.start} < $11`;
    const gone = s.gone ? `x.${s.gone}` : 'NULL::timestamptz';
    const columns = `'${s.key}', x.${s.code}, x.${s.start}, x.${s.due}`;
    const branches = [
      `SELECT ${columns}, x.${s.done}, ${gone} FROM ${s.table} x WHERE ${inScope} AND x.${s.start} > $12`,
      `SELECT ${columns}, x.${s.done}, ${gone} FROM ${s.table} x WHERE ${inScope} AND x.${s.done} > $12 AND x.${s.start} <= $12`,
      `SELECT ${columns}, NULL, ${gone} FROM ${s.table} x
        WHERE ${inScope} AND x.${s.done} IS NULL AND x.${s.due} >= $13 AND x.${s.due} < $14 AND x.${s.start} <= $12`,
    ];
    // Withdrawn after T: the roll-up no longer holds them, but at T they counted (never done: a withdrawn exchange was
    // never answered). Those falling due on T's day are already in the branch above.
    if (s.gone) {
      branches.push(
        `SELECT ${columns}, NULL, x.${s.gone} FROM ${s.table} x
          WHERE ${inScope} AND x.${s.gone} > $12 AND x.${s.start} <= $12 AND NOT (x.${s.due} >= $13 AND x.${s.due} < $14)`,
      );
    }
    return branches.join('\n            UNION ALL\n            ');
  });
  // One grouping per prefix length among the children (one, unless a city has townships and counties side by side);
  // a jurisdiction without children still needs its own total: prefix length 0.
  const lengths = [...new Set(codes.slice(1).map((c) => subtreePrefix(c).length))];
  if (lengths.length === 0) lengths.push(0);
  const correctionRows = lengths.map(
    (length) => `
     SELECT k.kind, g.indicator, g.prefix, k.a, k.b, k.c, k.d
       FROM (SELECT indicator, left(code, ${length}) AS prefix,
                    count(*) FILTER (WHERE gone IS NULL AND done <= due) AS n1, count(*) FILTER (WHERE gone IS NULL AND done > due) AS n2,
                    count(*) FILTER (WHERE gone IS NULL AND done IS NULL AND due < $13) AS n3,
                    count(*) FILTER (WHERE gone IS NULL AND done IS NULL AND due >= $14) AS n4,
                    count(*) FILTER (WHERE kept AND done <= $12 AND done <= due) AS t1,
                    count(*) FILTER (WHERE kept AND done <= $12 AND done > due) AS t2,
                    count(*) FILTER (WHERE kept AND (done IS NULL OR done > $12) AND due <= $12) AS t3,
                    count(*) FILTER (WHERE kept AND (done IS NULL OR done > $12) AND due > $12) AS t4
               FROM (SELECT *, start <= $12 AND (gone IS NULL OR gone > $12) AS kept FROM z) z GROUP BY 1, 2) g
      CROSS JOIN LATERAL (VALUES ('now', g.n1, g.n2, g.n3, g.n4), ('atT', g.t1, g.t2, g.t3, g.t4)) AS k(kind, a, b, c, d)`,
  );
  const rows = await prepared<FigureRow>(
    manager,
    `WITH ${cte},
     r AS (
       ${[...flowRows('s'), ...flowRows('f')].join('\n       UNION ALL ')}
       UNION ALL
       SELECT d.indicator, b.code, d.total, d.on_time, d.late,
              CASE WHEN d.due_day < $8 THEN d.total - d.on_time - d.late ELSE 0 END,
              CASE WHEN d.due_day > $8 THEN d.total - d.on_time - d.late ELSE 0 END
         FROM rate_delta d JOIN b ON d.code BETWEEN b.low AND b.high
        WHERE d.indicator <> 'c' AND d.day BETWEEN $6 AND $7),
     c AS (
       SELECT code, total, on_time FROM rate_rollup_month WHERE indicator = 'c' AND code = ANY($1) AND month < $17
       UNION ALL
       SELECT code, total, on_time FROM rate_rollup WHERE indicator = 'c' AND code = ANY($1) AND day BETWEEN $17 AND $9
       UNION ALL
       SELECT b.code, d.total, d.on_time FROM rate_delta d JOIN b ON d.code BETWEEN b.low AND b.high
        WHERE d.indicator = 'c' AND d.day <= $9),
     z (indicator, code, start, due, done, gone) AS MATERIALIZED (
       ${correctionItems.join('\n       UNION ALL\n')}),
     fix AS (${correctionRows.join('\n     UNION ALL')})
     SELECT 'rollup' AS kind, indicator, code, sum(on_time) AS a, sum(late) AS b, sum(nd_before) AS c, sum(nd_after) AS d
       FROM r GROUP BY indicator, code
     UNION ALL
     SELECT 'rollup', 'c', code, sum(total), sum(on_time), NULL, NULL FROM c GROUP BY code
     UNION ALL
     SELECT kind, indicator, prefix, a, b, c, d FROM fix
     UNION ALL
     SELECT 'later', 'c', b.code, sum(e.d_den), sum(e.d_num), NULL, NULL
       FROM contact_event e JOIN b ON e.code BETWEEN b.low AND b.high
      WHERE e.at > $15 AND e.at < $16 AND e.code BETWEEN $4 AND $5
      GROUP BY b.code`,
    values,
  );
  const result = emptyCounts(codes);
  const childOfPrefix = new Map(codes.slice(1).map((c) => [subtreePrefix(c), c]));
  for (const row of rows) {
    if (row.indicator === 'c') {
      const counts = result.get(row.code);
      if (!counts) continue;
      const stock = { denominator: n(row.a), numerator: n(row.b) };
      counts.effectiveContact = addContact(counts.effectiveContact, stock, row.kind === 'later' ? -1 : 1);
      continue;
    }
    // A correction row is keyed by a prefix: its items are in the jurisdiction (counted once, from the first
    // grouping) and in the child of that prefix, if any (items at the jurisdiction's own code belong to no child).
    const correction = row.kind === 'now' || row.kind === 'atT';
    const targets = correction ? [row.code.length === lengths[0] ? codes[0] : null, childOfPrefix.get(row.code)] : [row.code];
    const indicator = INDICATOR_OF[row.indicator];
    const flow: FlowCounts = { onTime: n(row.a), late: n(row.b), overdue: n(row.c), pending: n(row.d) };
    for (const code of targets) {
      const counts = code ? result.get(code) : undefined;
      if (counts) counts[indicator] = addFlow(counts[indicator], flow, row.kind === 'now' ? -1 : 1);
    }
  }
  return result;
}
