import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A bulk import's batch in one round trip (issue 16): `register_inflows(rows jsonb)` runs `register_inflow` on each
 * element in order, in the caller's transaction. A row refused as already registered is answered as
 * `{ refused, detail }`, having written nothing, and the others go on; any other error fails the batch.
 * Each other element is answered as `{ ok: <register_inflow's answer> }`.
 */
export class RegisterInflows1795392700000 implements MigrationInterface {
  name = 'RegisterInflows1795392700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION register_inflows(rows jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
      DECLARE
        r jsonb;
        here uuid;
      BEGIN
        FOR r IN SELECT value FROM jsonb_array_elements(rows) LOOP
          -- The refusal is found before register_inflow writes anything, so no savepoint is
          -- needed: hundreds of subtransactions in one transaction overflow PostgreSQL's per-backend subxid cache and
          -- slow every snapshot. A person registered by someone else between the check and the call makes
          -- register_inflow raise; the batch then fails as a whole and its job runs it again.
          SELECT i.id INTO here FROM inflow i
           WHERE i.person_id = (SELECT p.id FROM person p WHERE p.id_hash = (r->>'idHash')::char(64))
             AND i.status IN ('draft', 'active') AND i.destination_township_code = left(r->>'destinationCode', 9) || '000'
           LIMIT 1;
          IF here IS NOT NULL THEN
            RETURN NEXT jsonb_build_object('refused', 'ALREADY_REGISTERED', 'detail', here);
          ELSE
            RETURN NEXT jsonb_build_object('ok', register_inflow(r));
          END IF;
        END LOOP;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION register_inflows(jsonb)`);
  }
}
