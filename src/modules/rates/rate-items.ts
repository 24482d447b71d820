import { DataSource } from 'typeorm';
import { subtreeRange } from '@/common/division-code';
import { Errors } from '@/common/errors';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { bounds, Period } from './rate-period';
import { FLOW_SOURCES, stillCounted } from './rate-queries';
import { FlowIndicator, ItemState } from './rate-math';
import { ItemsQuery } from './rates.dto';
import type { RateItemView } from './rates.dto';

// The drill-down of a rate (GET /api/rates/items): the items behind a count, exactly as classified at T, with masked
// ID numbers. Run by RatesService on the dashboards' read source.

/** One item behind a count (its shape: RateItemView, rates.dto.ts). */
export type RateItem = RateItemView;

/** An item before its place is named (one look-up per page). */
export type UnnamedItem = Omit<RateItem, 'jurisdictionName'>;

/** A person's age in whole years from the encrypted ID number (never the birth date beside the masked number). */
export type AgeOf = (idCipher: string) => number;

/** The inflows (信息提交) or the exchanges that need a reply (反馈) behind a flow rate, in a subtree and period. */
export async function flowItems(
  db: DataSource,
  ageOf: AgeOf,
  indicator: FlowIndicator,
  code: string,
  period: Period,
  asOf: Date,
  query: ItemsQuery,
): Promise<Page<UnnamedItem>> {
  const s = FLOW_SOURCES[indicator];
  const [low, high] = subtreeRange(code);
  const b = bounds(period, asOf);
  const stateSql: Record<string, string> = {
    onTime: `x.${s.done} <= $5 AND x.${s.done} <= x.${s.due}`,
    late: `x.${s.done} <= $5 AND x.${s.done} > x.${s.due}`,
    overdue: `(x.${s.done} IS NULL OR x.${s.done} > $5) AND x.${s.due} <= $5`,
    pending: `(x.${s.done} IS NULL OR x.${s.done} > $5) AND x.${s.due} > $5`,
    none: 'false',
  };
  const where = `${s.filter ? `x.${s.filter}` : 'true'} AND x.${s.code} BETWEEN $1 AND $2 AND x.${s.start} >= $3 AND x.${s.start} < $4 AND x.${s.start} <= $5
    AND ${stillCounted(indicator, '$5')} ${query.state ? `AND ${stateSql[query.state]}` : ''}`;
  const personJoin =
    indicator === 'submission' ? 'JOIN person p ON p.id = x.person_id' : 'JOIN migrant_case c ON c.id = x.case_id JOIN person p ON p.id = c.person_id';
  const type = indicator === 'submission' ? `'inflow_registration'` : 'x.type';
  const params = [low, high, b.periodStart, b.periodEnd, asOf];
  const [{ total }]: { total: string }[] = await db.query(`SELECT count(*) AS total FROM ${s.table} x WHERE ${where}`, params);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT x.id, x.case_id, ${type} AS type, p.id AS person_id, p.name, p.id_masked, p.id_cipher, x.${s.code} AS code,
            x.${s.start} AS started_at, x.${s.due} AS due_at, CASE WHEN x.${s.done} <= $5 THEN x.${s.done} END AS done_at
       FROM ${s.table} x ${personJoin}
      WHERE ${where}
      ORDER BY x.${s.due}, x.id
      LIMIT $6 OFFSET $7`,
    [...params, query.pageSize, offsetOf(query)],
  );
  const items = rows.map((r) => {
    const dueAt = r.due_at as Date;
    const doneAt = (r.done_at as Date | null) ?? null;
    const state: ItemState = doneAt ? (doneAt <= dueAt ? 'onTime' : 'late') : dueAt <= asOf ? 'overdue' : 'pending';
    return {
      indicator,
      id: r.id as string,
      caseId: r.case_id as string,
      type: r.type as string,
      person: { id: r.person_id as string, name: r.name as string, idNumber: r.id_masked as string, age: ageOf(r.id_cipher as string) },
      jurisdictionCode: r.code as string,
      startedAt: (r.started_at as Date).toISOString(),
      dueAt: dueAt.toISOString(),
      doneAt: doneAt?.toISOString() ?? null,
      state,
    };
  });
  return pageOf(items, Number(total), query);
}

/** The people behind the effective-contact rate: counted in the subtree at T, with or without contact. */
export async function contactItems(db: DataSource, ageOf: AgeOf, code: string, asOf: Date, query: ItemsQuery): Promise<Page<UnnamedItem>> {
  if (query.state && query.state !== 'none' && query.state !== 'onTime') {
    throw Errors.validation([{ field: 'state', message: '有效联系率只能按 none（未有效联系）或 onTime（已有效联系）查看' }]);
  }
  const [low, high] = subtreeRange(code);
  const having = query.state === 'none' ? 'AND sum(e.d_num) = 0' : query.state === 'onTime' ? 'AND sum(e.d_num) > 0' : '';
  const stock = `SELECT e.person_id, min(e.code) AS code, sum(e.d_num) AS num FROM contact_event e
                  WHERE e.code BETWEEN $1 AND $2 AND e.at <= $3 GROUP BY e.person_id HAVING sum(e.d_den) > 0 ${having}`;
  const [{ total }]: { total: string }[] = await db.query(`SELECT count(*) AS total FROM (${stock}) s`, [low, high, asOf]);
  const rows: { person_id: string; code: string; num: string; name: string; id_masked: string; id_cipher: string }[] = await db.query(
    `SELECT s.person_id, s.code, s.num, p.name, p.id_masked, p.id_cipher FROM (${stock}) s JOIN person p ON p.id = s.person_id
      ORDER BY s.code, p.id LIMIT $4 OFFSET $5`,
    [low, high, asOf, query.pageSize, offsetOf(query)],
  );
  const items = rows.map((r) => ({
    indicator: 'effectiveContact' as const,
    id: r.person_id,
    caseId: null,
    type: 'person',
    person: { id: r.person_id, name: r.name, idNumber: r.id_masked, age: ageOf(r.id_cipher) },
    jurisdictionCode: r.code,
    startedAt: null,
    dueAt: null,
    doneAt: null,
    state: (Number(r.num) > 0 ? 'onTime' : 'none') as ItemState,
  }));
  return pageOf(items, Number(total), query);
}
