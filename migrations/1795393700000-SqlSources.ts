import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `sql_source` (issue 28): the checksum of each SQL source file (src/database/sql-sources.ts) as last applied by
 * `npm run setup`, so an unchanged file is skipped. From here on functions, views and triggers live in those files;
 * migrations keep tables, indexes and data changes, and those already applied stay as history.
 */
export class SqlSources1795393700000 implements MigrationInterface {
  name = 'SqlSources1795393700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sql_source (
        file       text NOT NULL,
        checksum   char(64) NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sql_source_pkey PRIMARY KEY (file)
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sql_source`);
  }
}
