import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored Idempotency-Key answers are sealed (AES-256-GCM with a key of their own derived from DATA_KEY) and the request
 * they answer is identified by a keyed hash (HMAC), so a database dump holds neither an answer (names, ID numbers) nor
 * a hash that a guessed body could be checked against. A login is never stored (its answer is a token).
 *
 * Every row written before this migration holds its answer in clear (a login's included the access token) and an
 * unkeyed hash of its body: all are deleted. That is safe: rows only live 24 hours anyway, and a client that retries
 * after the upgrade with a key whose row is gone has its request processed again, where the domain's own duplicate
 * checks (one open registration of a person per destination township, one active outflow per person, …) still refuse
 * a second copy. The service is stopped while `setup` runs the migrations (README), so no request is in flight.
 */
export class IdempotencyAnswersSealed1795393400000 implements MigrationInterface {
  name = 'IdempotencyAnswersSealed1795393400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM idempotency_key`);
    // The sealed answer is text (`v1:<base64>`), no longer JSON.
    await q.query(`ALTER TABLE idempotency_key ALTER COLUMN response TYPE text USING NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Sealed answers cannot be turned back into JSON without the key: the rows (24 hours' worth) are dropped again.
    await q.query(`DELETE FROM idempotency_key`);
    await q.query(`ALTER TABLE idempotency_key ALTER COLUMN response TYPE jsonb USING NULL`);
  }
}
