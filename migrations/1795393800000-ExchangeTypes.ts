import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `exchange_type` (issue 28): the kinds of message, as the one table in src/common/exchange-types.ts has them,
 * seeded here and kept equal to it by `npm run setup`, so the SQL reads whether a type needs a reply from the same
 * place the service and the console do; a foreign key replaces the CHECK list of types.
 */
export class ExchangeTypes1795393800000 implements MigrationInterface {
  name = 'ExchangeTypes1795393800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange_type (
        type        varchar(24) NOT NULL,
        needs_reply boolean NOT NULL,
        manual      boolean NOT NULL,
        CONSTRAINT exchange_type_pkey PRIMARY KEY (type)
      )`);
    await q.query(`
      INSERT INTO exchange_type (type, needs_reply, manual) VALUES
        ('inflow_notice', true, false), ('verification_request', true, true), ('event_notice', false, true),
        ('departure_notice', false, false), ('outflow_notice', true, false)`);
    await q.query(`ALTER TABLE exchange DROP CONSTRAINT exchange_type_chk`);
    await q.query(`ALTER TABLE exchange ADD CONSTRAINT exchange_type_fkey FOREIGN KEY (type) REFERENCES exchange_type (type)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE exchange DROP CONSTRAINT exchange_type_fkey`);
    await q.query(`
      ALTER TABLE exchange ADD CONSTRAINT exchange_type_chk
        CHECK (type IN ('inflow_notice', 'verification_request', 'event_notice', 'departure_notice', 'outflow_notice'))`);
    await q.query(`DROP TABLE exchange_type`);
  }
}
