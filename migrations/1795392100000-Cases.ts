import { MigrationInterface, QueryRunner } from 'typeorm';

export class Cases1795392100000 implements MigrationInterface {
  name = 'Cases1795392100000';

  public async up(q: QueryRunner): Promise<void> {
    // One identity per ID number. The number itself is only ever stored encrypted (AES-256-GCM);
    // id_hash (HMAC-SHA-256) finds it, id_masked (421381********0026) shows it in lists.
    await q.query(`
      CREATE TABLE person (
        id             uuid NOT NULL DEFAULT gen_random_uuid(),
        id_hash        char(64) NOT NULL,
        id_cipher      text NOT NULL,
        id_masked      varchar(18) NOT NULL,
        name           varchar(50) NOT NULL,
        sex            varchar(6) NOT NULL,
        birth_date     date NOT NULL,
        household_code varchar(12) COLLATE "C",
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT person_pkey PRIMARY KEY (id),
        CONSTRAINT person_sex_chk CHECK (sex IN ('male', 'female'))
      )`);
    await q.query(`CREATE UNIQUE INDEX person_id_hash_key ON person (id_hash)`);
    await q.query(`CREATE INDEX person_name_idx ON person (name)`);

    // A case is one stay away from home: the origin's outflow and the destination's inflow share it.
    await q.query(`
      CREATE TABLE migrant_case (
        id                        uuid NOT NULL DEFAULT gen_random_uuid(),
        person_id                 uuid NOT NULL,
        origin_township_code      varchar(12) COLLATE "C" NOT NULL,
        destination_township_code varchar(12) COLLATE "C",
        opened_at                 timestamptz NOT NULL DEFAULT now(),
        closed_at                 timestamptz,
        CONSTRAINT migrant_case_pkey PRIMARY KEY (id),
        CONSTRAINT migrant_case_person_fk FOREIGN KEY (person_id) REFERENCES person (id)
      )`);
    await q.query(`CREATE INDEX migrant_case_person_id_idx ON migrant_case (person_id)`);

    await q.query(`
      CREATE TABLE inflow (
        id                        uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id                   uuid NOT NULL,
        person_id                 uuid NOT NULL,
        household_code            varchar(12) COLLATE "C" NOT NULL,
        destination_code          varchar(12) COLLATE "C" NOT NULL,
        origin_township_code      varchar(12) COLLATE "C" NOT NULL,
        destination_township_code varchar(12) COLLATE "C" NOT NULL,
        address                   varchar(200) NOT NULL,
        phone                     varchar(20),
        arrival_date              date NOT NULL,
        reason                    varchar(10) NOT NULL,
        marital_status            varchar(16) NOT NULL,
        spouse_name               varchar(50),
        spouse_id_cipher          text,
        spouse_id_masked          varchar(18),
        children                  jsonb NOT NULL DEFAULT '[]',
        contraception             varchar(16) NOT NULL,
        pregnant                  boolean NOT NULL DEFAULT false,
        certificate_number        varchar(40),
        undertaking               boolean NOT NULL DEFAULT false,
        certificate_check         varchar(16) NOT NULL,
        key_target                boolean NOT NULL DEFAULT false,
        legacy                    boolean NOT NULL DEFAULT false,
        status                    varchar(10) NOT NULL,
        registered_at             timestamptz NOT NULL DEFAULT now(),
        submitted_at              timestamptz,
        submission_due_at         timestamptz NOT NULL,
        closed_at                 timestamptz,
        departure_date            date,
        created_by                uuid,
        updated_at                timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inflow_pkey PRIMARY KEY (id),
        CONSTRAINT inflow_case_fk FOREIGN KEY (case_id) REFERENCES migrant_case (id),
        CONSTRAINT inflow_person_fk FOREIGN KEY (person_id) REFERENCES person (id),
        CONSTRAINT inflow_status_chk CHECK (status IN ('draft', 'active', 'moved_on', 'departed', 'returned')),
        CONSTRAINT inflow_submitted_chk CHECK ((status = 'draft') = (submitted_at IS NULL) OR status IN ('moved_on', 'departed', 'returned')),
        CONSTRAINT inflow_reason_chk CHECK (reason IN ('work', 'business', 'family', 'study', 'other')),
        CONSTRAINT inflow_marital_status_chk
          CHECK (marital_status IN ('unmarried', 'first_married', 'remarried', 'divorced', 'widowed')),
        CONSTRAINT inflow_contraception_chk
          CHECK (contraception IN ('none', 'iud', 'implant', 'sterilization', 'pill', 'condom', 'other'))
      )`);
    // Lists are scoped by destination subtree and sorted newest first.
    await q.query(`CREATE INDEX inflow_destination_code_idx ON inflow (destination_code, registered_at DESC)`);
    await q.query(`CREATE INDEX inflow_household_code_idx ON inflow (household_code)`);
    await q.query(`CREATE INDEX inflow_case_id_idx ON inflow (case_id)`);
    await q.query(`CREATE INDEX inflow_person_id_idx ON inflow (person_id, status)`);
    // One open registration of a person per destination township: the race the service check cannot see.
    await q.query(`
      CREATE UNIQUE INDEX inflow_person_township_open_key ON inflow (person_id, destination_township_code)
      WHERE status IN ('draft', 'active')`);

    await q.query(`
      CREATE TABLE outflow (
        id                        uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id                   uuid NOT NULL,
        person_id                 uuid NOT NULL,
        household_code            varchar(12) COLLATE "C" NOT NULL,
        origin_township_code      varchar(12) COLLATE "C" NOT NULL,
        departure_date            date NOT NULL,
        expected_destination_code varchar(12) COLLATE "C",
        status                    varchar(12) NOT NULL DEFAULT 'active',
        registered_at             timestamptz NOT NULL DEFAULT now(),
        closed_at                 timestamptz,
        close_date                date,
        created_by                uuid,
        CONSTRAINT outflow_pkey PRIMARY KEY (id),
        CONSTRAINT outflow_case_fk FOREIGN KEY (case_id) REFERENCES migrant_case (id),
        CONSTRAINT outflow_person_fk FOREIGN KEY (person_id) REFERENCES person (id),
        CONSTRAINT outflow_status_chk CHECK (status IN ('active', 'returned', 'deregistered'))
      )`);
    await q.query(`CREATE INDEX outflow_household_code_idx ON outflow (household_code, registered_at DESC)`);
    await q.query(`CREATE INDEX outflow_case_id_idx ON outflow (case_id)`);
    await q.query(`CREATE UNIQUE INDEX outflow_person_active_key ON outflow (person_id) WHERE status = 'active'`);

    // Idempotency-Key: the first response to a (caller, key) is replayed to every retry with the same body.
    await q.query(`
      CREATE TABLE idempotency_key (
        scope        varchar(64) NOT NULL,
        key          varchar(200) NOT NULL,
        request_hash char(64) NOT NULL,
        status_code  integer,
        response     jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_key_pkey PRIMARY KEY (scope, key)
      )`);
    await q.query(`CREATE INDEX idempotency_key_created_at_idx ON idempotency_key (created_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_key`);
    await q.query(`DROP TABLE outflow`);
    await q.query(`DROP TABLE inflow`);
    await q.query(`DROP TABLE migrant_case`);
    await q.query(`DROP TABLE person`);
  }
}
