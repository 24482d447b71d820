import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Grid workers' declarations (field-collection.md): the `collector` role (网格员), and what a collector's phone sends
 * before a clerk registers it. The form as sent is sealed (it holds the full ID number); the columns beside it are what
 * lists, scoping and the worklist need: the destination, the masked number and the name (as person rows keep them).
 */
export class Declarations1795395000000 implements MigrationInterface {
  name = 'Declarations1795395000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP CONSTRAINT app_user_role_chk`);
    await q.query(`ALTER TABLE app_user ADD CONSTRAINT app_user_role_chk CHECK (role IN ('staff', 'supervisor', 'admin', 'collector'))`);
    await q.query(`
      CREATE TABLE declaration (
        id                uuid NOT NULL DEFAULT gen_random_uuid(),
        collector_id      uuid NOT NULL,
        status            varchar(10) NOT NULL DEFAULT 'pending',
        destination_code  varchar(12) COLLATE "C" NOT NULL,
        household_code    varchar(12) COLLATE "C" NOT NULL,
        name              varchar(50) NOT NULL,
        id_masked         varchar(18) NOT NULL,
        id_hash           char(64) NOT NULL,
        form              text NOT NULL,
        collected_at      timestamptz NOT NULL,
        received_at       timestamptz NOT NULL DEFAULT now(),
        pending_since     timestamptz NOT NULL DEFAULT now(),
        reviewed_by       uuid,
        reviewed_at       timestamptz,
        return_reason     varchar(200),
        inflow_id         uuid,
        updated_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT declaration_pkey PRIMARY KEY (id),
        CONSTRAINT declaration_collector_fk FOREIGN KEY (collector_id) REFERENCES app_user (id),
        CONSTRAINT declaration_reviewed_by_fk FOREIGN KEY (reviewed_by) REFERENCES app_user (id),
        CONSTRAINT declaration_inflow_fk FOREIGN KEY (inflow_id) REFERENCES inflow (id),
        CONSTRAINT declaration_status_chk CHECK (status IN ('pending', 'accepted', 'returned', 'withdrawn')),
        CONSTRAINT declaration_accepted_chk CHECK ((status = 'accepted') = (inflow_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX declaration_collector_idx ON declaration (collector_id, status, received_at DESC)`);
    // One open declaration of a person per destination township: a phone that resends a form under a new key (or two
    // grid workers who met the same person) does not queue it twice.
    await q.query(
      `CREATE UNIQUE INDEX declaration_open_person_idx ON declaration (id_hash, left(destination_code, 9)) WHERE status IN ('pending', 'returned')`,
    );
    await q.query(`CREATE INDEX declaration_destination_idx ON declaration (destination_code, status, received_at DESC)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE declaration`);
    await q.query(`DELETE FROM app_user WHERE role = 'collector'`);
    await q.query(`ALTER TABLE app_user DROP CONSTRAINT app_user_role_chk`);
    await q.query(`ALTER TABLE app_user ADD CONSTRAINT app_user_role_chk CHECK (role IN ('staff', 'supervisor', 'admin'))`);
  }
}
