import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Time limits in working days (reminders.md): the calendar as a table (every day 2000–2100, whether it is a working day
 * and how many working days there have been up to it, so the n-th working day after a day is one index look-up), filled
 * and kept by the service from the national calendar and HOLIDAYS_FILE (src/common/working-calendar.sync.ts). An
 * exchange keeps its reply limit as written (`P30D`, `15WD`) instead of milliseconds; the due instant is fixed on
 * delivery by time_limit_end (helpers.sql). The functions that took milliseconds are dropped here and defined anew,
 * taking the limit as text, by the SQL sources.
 */
export class WorkingDays1795394200000 implements MigrationInterface {
  name = 'WorkingDays1795394200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE working_day (
        day      date NOT NULL,
        working  boolean NOT NULL,
        seq      integer NOT NULL,
        CONSTRAINT working_day_pkey PRIMARY KEY (day)
      )`);
    await q.query(`CREATE UNIQUE INDEX working_day_seq_idx ON working_day (seq) WHERE working`);
    await q.query(`CREATE TABLE working_day_source (id boolean PRIMARY KEY DEFAULT true CHECK (id), checksum varchar(64) NOT NULL)`);
    await q.query(`ALTER TABLE exchange ADD COLUMN reply_limit varchar(24)`);
    await q.query(`UPDATE exchange SET reply_limit = reply_limit_ms || ' milliseconds' WHERE reply_limit_ms IS NOT NULL`);
    await q.query(`DROP FUNCTION IF EXISTS inflow_submission_notices(uuid, uuid, timestamptz, bigint, bigint)`);
    await q.query(`DROP FUNCTION IF EXISTS submission_notices(uuid[], uuid, timestamptz, bigint, bigint)`);
    await q.query(`ALTER TABLE exchange DROP COLUMN reply_limit_ms`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE exchange ADD COLUMN reply_limit_ms bigint`);
    await q.query(`UPDATE exchange SET reply_limit_ms = extract(epoch FROM reply_limit::interval) * 1000 WHERE reply_limit ~ '^P|milliseconds$'`);
    await q.query(`ALTER TABLE exchange DROP COLUMN reply_limit`);
    await q.query(`DROP TABLE working_day_source`);
    await q.query(`DROP TABLE working_day`);
  }
}
