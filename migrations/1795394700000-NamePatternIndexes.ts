import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 姓名 searches (quality.md B7) start from the people so named: prefix matches (`name LIKE '王伟%'`) served by an index
 * whatever the database's collation (text_pattern_ops), on the person and on a registration's own differing name.
 * The plain person_name_idx served no LIKE outside the C collation, and nothing else used it.
 */
export class NamePatternIndexes1795394700000 implements MigrationInterface {
  name = 'NamePatternIndexes1795394700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX person_name_pattern_idx ON person (name text_pattern_ops)`);
    await q.query(`CREATE INDEX inflow_name_pattern_idx ON inflow (name text_pattern_ops) WHERE name IS NOT NULL`);
    await q.query(`DROP INDEX person_name_idx`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX person_name_idx ON person (name)`);
    await q.query(`DROP INDEX inflow_name_pattern_idx`);
    await q.query(`DROP INDEX person_name_pattern_idx`);
  }
}
