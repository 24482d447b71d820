import { MigrationInterface, QueryRunner } from 'typeorm';

export class Certificates1795392300000 implements MigrationInterface {
  name = 'Certificates1795392300000';

  public async up(q: QueryRunner): Promise<void> {
    // 流动人口婚育证明 (Art. 7): the legal content only. Superseded and revoked certificates stay as history.
    await q.query(`
      CREATE TABLE certificate (
        id                uuid NOT NULL DEFAULT gen_random_uuid(),
        number            varchar(32) NOT NULL,
        person_id         uuid NOT NULL,
        issuer_code       varchar(12) COLLATE "C" NOT NULL,
        household_code    varchar(12) COLLATE "C" NOT NULL,
        holder_name       varchar(50) NOT NULL,
        marital_status    varchar(16) NOT NULL,
        spouse_name       varchar(50),
        spouse_id_cipher  text,
        spouse_id_masked  varchar(18),
        children          jsonb NOT NULL DEFAULT '[]',
        contraception     varchar(16) NOT NULL,
        status            varchar(12) NOT NULL DEFAULT 'valid',
        issued_at         timestamptz NOT NULL DEFAULT now(),
        issued_by         uuid,
        supersedes_id     uuid,
        superseded_at     timestamptz,
        revoked_at        timestamptz,
        revoke_reason     varchar(200),
        revoked_by        uuid,
        CONSTRAINT certificate_pkey PRIMARY KEY (id),
        CONSTRAINT certificate_person_fk FOREIGN KEY (person_id) REFERENCES person (id),
        CONSTRAINT certificate_supersedes_fk FOREIGN KEY (supersedes_id) REFERENCES certificate (id),
        CONSTRAINT certificate_status_chk CHECK (status IN ('valid', 'superseded', 'revoked'))
      )`);
    await q.query(`CREATE UNIQUE INDEX certificate_number_key ON certificate (number)`);
    await q.query(`CREATE INDEX certificate_person_id_idx ON certificate (person_id, issued_at DESC)`);
    // At most one certificate in force per woman: issuing again supersedes.
    await q.query(`CREATE UNIQUE INDEX certificate_person_valid_key ON certificate (person_id) WHERE status = 'valid'`);

    // Gap-free serials per issuing township and year: the counter row is locked by the issuing transaction.
    await q.query(`
      CREATE TABLE certificate_serial (
        issuer_code varchar(12) COLLATE "C" NOT NULL,
        year        integer NOT NULL,
        last        integer NOT NULL,
        CONSTRAINT certificate_serial_pkey PRIMARY KEY (issuer_code, year)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE certificate_serial`);
    await q.query(`DROP TABLE certificate`);
  }
}
