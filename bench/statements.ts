import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DESTINATION } from './b1-registrations';
import { importFile } from './b3-import';
import { createUser, login, startBenchStack, startService } from './lib';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findPostgres } = require('../scripts/local-stack/binaries') as { findPostgres: () => { bindir: string } | null };

/**
 * The database's side of an import (bench/README.md, "Write path"): B3's rows through POST /api/inflows/import on a
 * stack with `pg_stat_statements`, then the time of each statement per imported row. Not a benchmark.
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/statements.ts [rows] [--explain]
 * --explain also logs, through auto_explain, the plan of every statement over 40 ms with its triggers' times (nested
 * statements included) in <stack>/pg/server.log. The stack is kept in /tmp/liudong-statements until the next run.
 */
async function main(): Promise<void> {
  const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20_000);
  const dir = '/tmp/liudong-statements';
  rmSync(dir, { recursive: true, force: true });
  const stack = await startBenchStack(dir);
  const admin = async (statements: string[]) => {
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    for (const s of statements) await db.query(s);
    await db.end();
  };
  await admin([`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`]);
  const data = join(dir, 'pg');
  // shared_preload_libraries needs a restart, as the data directory's owner.
  execFileSync(join(findPostgres()!.bindir, 'pg_ctl'), ['-D', data, '-w', '-m', 'fast', '-l', join(data, 'server.log'), 'restart'], {
    uid: statSync(data).uid,
    stdio: 'ignore',
  });
  const explain = process.argv.includes('--explain')
    ? Object.entries({ log_min_duration: '40ms', log_analyze: 'on', log_nested_statements: 'on', log_triggers: 'on' }).map(
        ([k, v]) => `ALTER SYSTEM SET auto_explain.${k} = '${v}'`,
      )
    : [];
  await admin([
    `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`,
    `ALTER SYSTEM SET pg_stat_statements.track = 'all'`,
    ...(explain.length ? [`LOAD 'auto_explain'`, `ALTER SYSTEM SET session_preload_libraries = 'auto_explain'`, ...explain] : []),
    `SELECT pg_reload_conf()`,
  ]);
  await createUser(stack.databaseUrl, 'stmt_dest', 'staff', DESTINATION, 'stmt-pass-1');
  const service = await startService(stack);
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    await db.query(`SELECT pg_stat_statements_reset()`);
    const started = Date.now();
    await importFile(service.url, await login(service.url, 'stmt_dest', 'stmt-pass-1'), rows, DESTINATION);
    console.log(`imported ${rows} rows in ${Date.now() - started} ms`);
    const { rows: statements } = await db.query(
      `SELECT calls, round(total_exec_time::numeric / $1 * 1000, 1) AS us_per_row, toplevel, left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20`,
      [rows],
    );
    console.table(statements);
  } finally {
    await db.end();
    await service.stop();
    await stack.stop();
  }
}

void main();
