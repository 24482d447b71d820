import { MigrationInterface, QueryRunner } from 'typeorm';

/** A refused import row's number as the spreadsheet shows it and the name it gives (api.md: errors `sheetRow`, `name`). */
export class ImportRowSheetRow1795394000000 implements MigrationInterface {
  name = 'ImportRowSheetRow1795394000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_row_error ADD COLUMN sheet_row integer, ADD COLUMN name varchar(50)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_row_error DROP COLUMN sheet_row, DROP COLUMN name`);
  }
}
