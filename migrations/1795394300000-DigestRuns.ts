import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily digest and the escalation (reminders.md): a row per working day and kind, written in the transaction of that
 * day's notifications. PostgreSQL decides whether a day's run happened — not a timer, not Redis — so it happens once
 * whatever runs it: two workers, a worker killed mid-run, Redis emptied, the service down at DIGEST_TIME.
 */
export class DigestRuns1795394300000 implements MigrationInterface {
  name = 'DigestRuns1795394300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE digest_run (
        day          date NOT NULL,
        kind         varchar(12) NOT NULL,
        notified     integer NOT NULL,
        finished_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT digest_run_pkey PRIMARY KEY (day, kind),
        CONSTRAINT digest_run_kind_check CHECK (kind IN ('digest', 'escalation'))
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE digest_run`);
  }
}
