import { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's optional contact phone (api.md): shown to the other side of an exchange as the sender's contact. */
export class UserPhone1795393900000 implements MigrationInterface {
  name = 'UserPhone1795393900000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN phone varchar(20)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN phone`);
  }
}
