import { MigrationInterface, QueryRunner } from 'typeorm';

export class Imports1795392400000 implements MigrationInterface {
  name = 'Imports1795392400000';

  public async up(q: QueryRunner): Promise<void> {
    // A bulk register upload: the file itself is kept, and `processed` is the checkpoint a restarted worker resumes from.
    await q.query(`
      CREATE TABLE import_job (
        id                uuid NOT NULL DEFAULT gen_random_uuid(),
        created_by        uuid NOT NULL,
        jurisdiction_code varchar(12) COLLATE "C" NOT NULL,
        filename          varchar(200) NOT NULL,
        format            varchar(8) NOT NULL,
        file              bytea NOT NULL,
        legacy            boolean NOT NULL DEFAULT false,
        status            varchar(10) NOT NULL DEFAULT 'queued',
        total             integer NOT NULL DEFAULT 0,
        processed         integer NOT NULL DEFAULT 0,
        succeeded         integer NOT NULL DEFAULT 0,
        failed            integer NOT NULL DEFAULT 0,
        skipped           integer NOT NULL DEFAULT 0,
        error             varchar(500),
        created_at        timestamptz NOT NULL DEFAULT now(),
        started_at        timestamptz,
        finished_at       timestamptz,
        CONSTRAINT import_job_pkey PRIMARY KEY (id),
        CONSTRAINT import_job_status_chk CHECK (status IN ('queued', 'running', 'done', 'failed')),
        CONSTRAINT import_job_format_chk CHECK (format IN ('csv', 'xlsx'))
      )`);
    await q.query(`CREATE INDEX import_job_jurisdiction_code_idx ON import_job (jurisdiction_code, created_at DESC)`);
    await q.query(`
      CREATE TABLE import_row_error (
        import_id uuid NOT NULL,
        row       integer NOT NULL,
        field     varchar(40) NOT NULL,
        message   varchar(300) NOT NULL,
        CONSTRAINT import_row_error_pkey PRIMARY KEY (import_id, row, field),
        CONSTRAINT import_row_error_import_fk FOREIGN KEY (import_id) REFERENCES import_job (id) ON DELETE CASCADE
      )`);
    // Which import registered an inflow: a resumed import recognises its own rows, a re-import skips them.
    await q.query(`ALTER TABLE inflow ADD COLUMN import_id uuid`);
    await q.query(`CREATE INDEX inflow_person_arrival_idx ON inflow (person_id, destination_code, arrival_date)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX inflow_person_arrival_idx`);
    await q.query(`ALTER TABLE inflow DROP COLUMN import_id`);
    await q.query(`DROP TABLE import_row_error`);
    await q.query(`DROP TABLE import_job`);
  }
}
