import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outflow.notified` (issue 32, api.md Outflow registration): whether registering the outflow sent an outflow notice.
 * An expected destination may now be any level from province down; coarser than a township no notice is sent (there
 * is no office to address), and the outflow waits for the person's registration there. The clerk is told which it was.
 *
 * Outflows registered before: notified when an outflow notice names them (every one before this had a township or
 * village destination, so a missing notice meant it had linked at once or named no destination).
 */
export class OutflowNotified1795393600000 implements MigrationInterface {
  name = 'OutflowNotified1795393600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outflow ADD COLUMN notified boolean NOT NULL DEFAULT false`);
    await q.query(`
      UPDATE outflow o SET notified = true
       WHERE EXISTS (SELECT 1 FROM exchange e WHERE e.type = 'outflow_notice' AND e.payload->>'outflowId' = o.id::text)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outflow DROP COLUMN notified`);
  }
}
