import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A password change, a password reset by an admin and a reactivation end every earlier token of the account (issue 27,
 * quality.md "Trust between the sides"). Each token carries the account's `token_generation` as it was at login; the
 * change adds one, and the auth guard refuses a token whose generation is not the account's. A counter, not the token's
 * `iat`: two events within one second would tie on seconds.
 *
 * Tokens signed before this migration carry no generation and are refused: everyone signs in once after the upgrade
 * (a token issued before a reset can no longer be told apart from one issued after it).
 */
export class AccountTokenGeneration1795393300000 implements MigrationInterface {
  name = 'AccountTokenGeneration1795393300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN token_generation integer NOT NULL DEFAULT 0`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN token_generation`);
  }
}
