import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795392000000 implements MigrationInterface {
  name = 'Foundation1795392000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    // Codes use the C collation so that a subtree is one btree range scan (code BETWEEN low AND high).
    await q.query(`
      CREATE TABLE jurisdiction (
        code        varchar(12) COLLATE "C" NOT NULL,
        name        text NOT NULL,
        level       varchar(10) NOT NULL,
        parent_code varchar(12) COLLATE "C",
        CONSTRAINT jurisdiction_pkey PRIMARY KEY (code),
        CONSTRAINT jurisdiction_code_format_chk CHECK (code ~ '^[0-9]{12}$'),
        CONSTRAINT jurisdiction_level_chk
          CHECK (level IN ('country', 'province', 'city', 'county', 'township', 'village')),
        CONSTRAINT jurisdiction_parent_fk FOREIGN KEY (parent_code) REFERENCES jurisdiction (code),
        CONSTRAINT jurisdiction_root_chk CHECK ((parent_code IS NULL) = (code = '000000000000'))
      )`);
    await q.query(`CREATE INDEX jurisdiction_parent_code_idx ON jurisdiction (parent_code, code)`);
    await q.query(`CREATE INDEX jurisdiction_name_trgm_idx ON jurisdiction USING gin (name gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE app_user (
        id                uuid NOT NULL DEFAULT gen_random_uuid(),
        username          varchar(64) NOT NULL,
        password_hash     text NOT NULL,
        display_name      varchar(100) NOT NULL,
        role              varchar(16) NOT NULL,
        jurisdiction_code varchar(12) COLLATE "C" NOT NULL,
        active            boolean NOT NULL DEFAULT true,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT app_user_pkey PRIMARY KEY (id),
        CONSTRAINT app_user_role_chk CHECK (role IN ('staff', 'supervisor', 'admin')),
        CONSTRAINT app_user_jurisdiction_fk FOREIGN KEY (jurisdiction_code) REFERENCES jurisdiction (code)
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_username_key ON app_user (lower(username))`);
    await q.query(`CREATE INDEX app_user_jurisdiction_code_idx ON app_user (jurisdiction_code)`);

    await q.query(`
      CREATE TABLE audit_log (
        id                bigint GENERATED ALWAYS AS IDENTITY,
        at                timestamptz NOT NULL DEFAULT now(),
        user_id           uuid,
        username          varchar(64),
        action            varchar(32) NOT NULL,
        entity            varchar(32) NOT NULL,
        entity_id         varchar(64),
        jurisdiction_code varchar(12) COLLATE "C",
        ip                varchar(64),
        detail            jsonb,
        CONSTRAINT audit_log_pkey PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at)`);
    await q.query(`CREATE INDEX audit_log_user_id_idx ON audit_log (user_id, at)`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    await q.query(`CREATE INDEX audit_log_jurisdiction_code_idx ON audit_log (jurisdiction_code, at)`);
    // Append-only for the application: the log is evidence, so nothing may rewrite or erase it.
    await q.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_refuse_change()`);
    await q.query(`DROP TABLE app_user`);
    await q.query(`DROP TABLE jurisdiction`);
  }
}
