import { MigrationInterface, QueryRunner } from 'typeorm';

/** How long each day's digest and escalation took and how many statements they ran (operators, and the benchmark). */
export class DigestRunTiming1795394600000 implements MigrationInterface {
  name = 'DigestRunTiming1795394600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE digest_run ADD COLUMN ms integer, ADD COLUMN queries integer`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE digest_run DROP COLUMN ms, DROP COLUMN queries`);
  }
}
