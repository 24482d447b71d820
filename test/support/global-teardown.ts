import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_WORKER_SLOTS, workerDatabaseName } from './env';

// The service's own words: a test person named like one of them (导入, 已登记) is not a finding.
const VOCABULARY = ['src/modules/notifications/messages.ts', 'src/common/labels.ts', 'src/modules/imports/import-limits.ts']
  .map((file) => readFileSync(join(__dirname, '..', '..', file), 'utf8'))
  .join('\n');

/**
 * After every test file: no notification the suite wrote — the text every message on every channel is made of —
 * holds the name of a person the suite registered, their phone, or any run of 11 digits (a phone or an ID number)
 * (reminders.md: a notification may be forwarded into a chat group). Then the throwaway stack is stopped.
 */
async function scanNotifications(databaseUrl: string): Promise<string[]> {
  const found: string[] = [];
  for (let slot = 1; slot <= TEST_WORKER_SLOTS; slot++) {
    const url = new URL(databaseUrl);
    url.pathname = `/${workerDatabaseName(String(slot))}`;
    const db = new Client({ connectionString: url.toString() });
    try {
      await db.connect();
    } catch {
      continue; // a slot no test file used
    }
    try {
      // The words a person reads (the link holds division codes and record ids, never a person).
      const texts: { text: string }[] = (await db.query(`SELECT title || ' ' || body AS text FROM notification`)).rows;
      const personal: string[] = (
        await db.query(
          `SELECT name AS v FROM person UNION SELECT name FROM inflow WHERE name IS NOT NULL UNION SELECT phone FROM inflow WHERE phone IS NOT NULL`,
        )
      ).rows
        .map((r: { v: string }) => r.v)
        .filter((v: string) => v.length >= 2 && !VOCABULARY.includes(v));
      // A 催办 names the clerk who sent it (an account's display name, not a migrant's): a test person named like one
      // of the test accounts (测试) is not a finding.
      const staff = new Set((await db.query(`SELECT DISTINCT display_name AS v FROM app_user`)).rows.map((r: { v: string }) => r.v));
      const hits = texts.flatMap(({ text }) => personal.filter((p) => !staff.has(p) && text.includes(p)).map((name) => ({ text, name })));
      // Nor is a person named like a place (the messages name places): looked up for the few names found only.
      const places = new Set<string>(
        hits.length
          ? (
              await db.query(`SELECT v FROM unnest($1::text[]) AS v WHERE EXISTS (SELECT 1 FROM jurisdiction j WHERE j.name LIKE '%' || v || '%')`, [
                [...new Set(hits.map((h) => h.name))],
              ])
            ).rows.map((r: { v: string }) => r.v)
          : [],
      );
      for (const { text } of texts) if (/\d{11}/.test(text)) found.push(`${url.pathname}: "${text}" holds a run of 11 digits`);
      for (const { text, name } of hits) if (!places.has(name)) found.push(`${url.pathname}: "${text}" holds "${name}", a person's name or phone`);
    } finally {
      await db.end();
    }
  }
  return found;
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __liudongStack?: { stop(): Promise<void> } }).__liudongStack;
  try {
    const databaseUrl = process.env.LIUDONG_TEST_DATABASE_URL;
    const found = databaseUrl ? await scanNotifications(databaseUrl) : [];
    if (found.length) throw new Error(`personal data in notifications:\n${found.slice(0, 20).join('\n')}`);
  } finally {
    if (stack) await stack.stop();
  }
}
