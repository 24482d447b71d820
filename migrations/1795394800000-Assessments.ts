import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 月度考核 (assessment.md): each jurisdiction's month as frozen at its cut-off, hashed and signed. A stored month never
 * changes: the trigger of src/modules/assessments/sql/assessment.sql refuses any update of its figures or its seal and
 * any delete; only the confirmation is written later, once. `assessment_epoch` holds when the service began freezing
 * months (a month closed before it is frozen on request and marked frozen_late); `assessment_run` the months the
 * scheduled job froze for every jurisdiction.
 */
export class Assessments1795394800000 implements MigrationInterface {
  name = 'Assessments1795394800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE assessment_epoch (
        one    boolean NOT NULL DEFAULT true,
        since  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assessment_epoch_pkey PRIMARY KEY (one),
        CONSTRAINT assessment_epoch_one CHECK (one)
      )`);
    await q.query(`INSERT INTO assessment_epoch DEFAULT VALUES`);
    await q.query(`
      CREATE TABLE assessment (
        id                 uuid NOT NULL DEFAULT gen_random_uuid(),
        jurisdiction_code  varchar(12) NOT NULL,
        month              char(7) NOT NULL,
        frozen_at          timestamptz NOT NULL,
        frozen_late        boolean NOT NULL,
        body               jsonb NOT NULL,
        hash               char(64) NOT NULL,
        signature          text NOT NULL,
        confirmed_at       timestamptz,
        confirmed_by       uuid,
        confirm_note       varchar(500),
        CONSTRAINT assessment_pkey PRIMARY KEY (id),
        CONSTRAINT assessment_month_key UNIQUE (jurisdiction_code, month),
        CONSTRAINT assessment_hash_key UNIQUE (hash),
        CONSTRAINT assessment_jurisdiction_fk FOREIGN KEY (jurisdiction_code) REFERENCES jurisdiction (code),
        CONSTRAINT assessment_confirmed_by_fk FOREIGN KEY (confirmed_by) REFERENCES app_user (id),
        CONSTRAINT assessment_month_check CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
      )`);
    await q.query(`
      CREATE TABLE assessment_run (
        month      char(7) NOT NULL,
        frozen     integer NOT NULL,
        ms         integer NOT NULL,
        ran_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assessment_run_pkey PRIMARY KEY (month)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE assessment_run`);
    await q.query(`DROP TABLE assessment`);
    await q.query(`DROP TABLE assessment_epoch`);
  }
}
