import { MigrationInterface, QueryRunner } from 'typeorm';

/** 催办 (reminders.md): a supervisor's reminder to a place, at most once per supervisor, place, indicator and Beijing day. */
export class Reminders1795394400000 implements MigrationInterface {
  name = 'Reminders1795394400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reminder (
        id                 uuid NOT NULL DEFAULT gen_random_uuid(),
        jurisdiction_code  varchar(12) NOT NULL,
        indicator          varchar(20),
        note               varchar(500),
        counts             jsonb NOT NULL,
        recipients         integer NOT NULL,
        sent_by            uuid NOT NULL,
        sent_at            timestamptz NOT NULL DEFAULT now(),
        day                date NOT NULL,
        CONSTRAINT reminder_pkey PRIMARY KEY (id),
        CONSTRAINT reminder_sent_by_fk FOREIGN KEY (sent_by) REFERENCES app_user (id),
        CONSTRAINT reminder_jurisdiction_fk FOREIGN KEY (jurisdiction_code) REFERENCES jurisdiction (code),
        CONSTRAINT reminder_indicator_check CHECK (indicator IN ('submission', 'feedback', 'effectiveContact'))
      )`);
    await q.query(`CREATE UNIQUE INDEX reminder_once_a_day ON reminder (sent_by, jurisdiction_code, COALESCE(indicator, ''), day)`);
    await q.query(`CREATE INDEX reminder_place_idx ON reminder (jurisdiction_code, sent_at DESC)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reminder`);
  }
}
