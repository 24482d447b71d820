import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { BenchStack, report, startService } from './lib';
import { seedTo } from './seed';

// R1 (issue 29): the daily digest for 10 000 staff users, each with replies overdue or due within 3 days, as the worker
// runs it at DIGEST_TIME — one run, timed by the service itself and with the count of statements it ran (digest_run
// keeps both). Bar: within a minute on this machine. Method: 200 000 people of 广东 seeded with their notices (the
// unanswered ones are the items due), a tenth of the open items moved to fall due tomorrow, and 10 000 clerks made at
// the villages that owe the most replies (two to a village where there are fewer villages than clerks); the service
// started with DIGEST_TIME 00:00 and today a working day (HOLIDAYS_FILE), so its first look runs the digest.

const PEOPLE = 200_000;
const USERS = 10_000;

async function prepare(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`DELETE FROM digest_run`);
    await db.query(
      `UPDATE exchange SET due_at = now() + interval '1 day'
        WHERE id IN (SELECT id FROM exchange WHERE needs_reply AND replied_at IS NULL AND status = 'delivered' AND id::text LIKE '%0')`,
    );
    const units: string[] = (
      await db.query(
        `SELECT to_unit_code AS code FROM exchange WHERE needs_reply AND replied_at IS NULL AND status = 'delivered'
          GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $1`,
        [USERS],
      )
    ).rows.map((r: { code: string }) => r.code);
    const codes = Array.from({ length: USERS }, (_, i) => units[i % units.length]);
    // One password hash for all: logging in is not what is measured.
    await db.query(
      `INSERT INTO app_user (username, password_hash, display_name, role, jurisdiction_code)
       SELECT 'r1_' || n, (SELECT password_hash FROM app_user ORDER BY created_at LIMIT 1), '提醒测试', 'staff', code
         FROM unnest($1::text[]) WITH ORDINALITY AS u(code, n)
       ON CONFLICT DO NOTHING`,
      [codes],
    );
    return units.length;
  } finally {
    await db.end();
  }
}

export async function benchDigest(stack: BenchStack): Promise<void> {
  await seedTo(stack.databaseUrl, PEOPLE, 'R1');
  const units = await prepare(stack.databaseUrl);
  const holidays = join(mkdtempSync(join(tmpdir(), 'liudong-r1-')), 'holidays.json');
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  writeFileSync(holidays, JSON.stringify({ holidays: [], workdays: [today] }));
  const started = Date.now();
  const service = await startService(stack, { DIGEST_TIME: '00:00', DIGEST_CHECK_EVERY: 'PT1S', HOLIDAYS_FILE: holidays });
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    let run: { notified: number; ms: number; queries: number } | undefined;
    while (!run && Date.now() - started < 300_000) {
      await new Promise((r) => setTimeout(r, 500));
      run = (await db.query(`SELECT notified, ms, queries FROM digest_run WHERE kind = 'digest'`)).rows[0];
    }
    if (!run) throw new Error('[R1] the digest did not run within 5 minutes');
    const [{ users }] = (
      await db.query(`SELECT count(DISTINCT user_id)::int AS users FROM notification WHERE kind IN ('overdue', 'due_soon') AND dedupe_key LIKE 'digest:%'`)
    ).rows;
    report({
      figure: 'R1.digest_ms.10000_users',
      value: run.ms,
      unit: 'ms',
      bar: 60_000,
      notifications: run.notified,
      users_notified: users,
      statements: run.queries,
      villages: units,
      people: PEOPLE,
      note: 'one run; the statements of the run’s transaction',
    });
  } finally {
    await db.end();
    await service.stop();
  }
}
