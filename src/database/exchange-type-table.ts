import type { ClientBase } from 'pg';
import { EXCHANGE_TYPE_RULES } from '@/common/exchange-types';

/**
 * Keeps the `exchange_type` table equal to the one table of exchange types (src/common/exchange-types.ts): the SQL
 * reads from it whether a type needs a reply, and the foreign key on `exchange.type` admits exactly these types.
 * Run by `npm run setup` before the SQL sources; returns the rows added or changed.
 */
export async function syncExchangeTypes(client: ClientBase): Promise<number> {
  const types = Object.keys(EXCHANGE_TYPE_RULES) as (keyof typeof EXCHANGE_TYPE_RULES)[];
  const { rowCount } = await client.query(
    `INSERT INTO exchange_type (type, needs_reply, manual)
     SELECT * FROM unnest($1::text[], $2::boolean[], $3::boolean[])
     ON CONFLICT (type) DO UPDATE SET needs_reply = excluded.needs_reply, manual = excluded.manual
      WHERE (exchange_type.needs_reply, exchange_type.manual) IS DISTINCT FROM (excluded.needs_reply, excluded.manual)`,
    [types, types.map((t) => EXCHANGE_TYPE_RULES[t].needsReply), types.map((t) => EXCHANGE_TYPE_RULES[t].manual)],
  );
  return rowCount ?? 0;
}
