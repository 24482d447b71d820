/**
 * Rows of an `UPDATE … RETURNING` or `DELETE … RETURNING` run through TypeORM's `query()`, which answers those
 * commands with `[rows, rowCount]` on PostgreSQL (and with the rows alone for SELECT and INSERT).
 */
export async function returningRows<T>(runner: { query(sql: string, params?: unknown[]): Promise<unknown> }, sql: string, params: unknown[]): Promise<T[]> {
  const result = await runner.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
