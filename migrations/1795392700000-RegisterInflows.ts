import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A bulk import's batch in one round trip (issue 16): `register_inflows(rows jsonb)` runs `register_inflow` on each
 * element in order, in the caller's transaction. A row refused as already registered is answered as
 * `{ refused, detail }` (its own work undone by a savepoint) and the others go on; any other error fails the batch.
 * Each other element is answered as `{ ok: <register_inflow's answer> }`.
 */
export class RegisterInflows1795392700000 implements MigrationInterface {
  name = 'RegisterInflows1795392700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION register_inflows(rows jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
      DECLARE
        r jsonb;
        answers jsonb[] := '{}';
        refusal text;
        existing text;
      BEGIN
        FOR r IN SELECT value FROM jsonb_array_elements(rows) LOOP
          BEGIN
            answers := answers || jsonb_build_object('ok', register_inflow(r));
          EXCEPTION WHEN SQLSTATE 'LD409' THEN
            GET STACKED DIAGNOSTICS refusal = MESSAGE_TEXT, existing = PG_EXCEPTION_DETAIL;
            answers := answers || jsonb_build_object('refused', refusal, 'detail', existing);
          END;
        END LOOP;
        RETURN to_jsonb(answers);
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION register_inflows(jsonb)`);
  }
}
