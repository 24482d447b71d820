import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rates triggers of the batched write paths run once per statement (issue 16): inserting inflows (a bulk import's
 * batch is one INSERT of hundreds), inserting exchanges, and updating exchanges (the delivery worker marks a batch of
 * notices delivered in one UPDATE). They read the statement's rows from its transition tables and write one
 * `rate_delta` row per unit, day and due day instead of one per record; the fold sums deltas, so the roll-ups are the
 * same. Deletes, and updates of inflows (rare, one at a time), keep their row triggers. PostgreSQL allows transition
 * tables on single-event triggers only, hence one trigger per event.
 */
export class StatementRateTriggers1795392900000 implements MigrationInterface {
  name = 'StatementRateTriggers1795392900000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION rate_inflows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refresh uuid[];
        p uuid;
      BEGIN
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 's', n.destination_code, shanghai_day(n.registered_at), shanghai_day(n.submission_due_at), count(*),
               count(*) FILTER (WHERE n.submitted_at <= n.submission_due_at), count(*) FILTER (WHERE n.submitted_at > n.submission_due_at)
          FROM new_rows n GROUP BY 2, 3, 4;
        -- People with another record (a contact breakpoint, an outflow, another submitted inflow) have their breakpoints
        -- recomputed; for everyone else the only contact interval is this inflow's own (from submission until closed),
        -- whose breakpoints are written directly — the same events, a fraction of the work.
        refresh := ARRAY(
          SELECT DISTINCT n.person_id FROM new_rows n
           WHERE EXISTS (SELECT 1 FROM contact_event e WHERE e.person_id = n.person_id)
              OR EXISTS (SELECT 1 FROM outflow o WHERE o.person_id = n.person_id)
              OR EXISTS (SELECT 1 FROM inflow i WHERE i.person_id = n.person_id AND i.id <> n.id AND i.submitted_at IS NOT NULL));
        FOREACH p IN ARRAY refresh LOOP
          PERFORM rate_contact_refresh(p);
        END LOOP;
        WITH own AS (
          SELECT n.person_id, person_household(n.person_id) AS household, n.submitted_at, n.closed_at
            FROM new_rows n
           WHERE n.submitted_at IS NOT NULL AND (n.closed_at IS NULL OR n.closed_at > n.submitted_at) AND n.person_id <> ALL (refresh)
        ), added AS (
          INSERT INTO contact_event (person_id, code, at, d_den, d_num)
          SELECT person_id, household, submitted_at, 1, 1 FROM own WHERE household IS NOT NULL
          UNION ALL
          SELECT person_id, household, closed_at, -1, -1 FROM own WHERE household IS NOT NULL AND closed_at IS NOT NULL
          RETURNING code, at, d_den, d_num)
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 'c', code, shanghai_day(at), shanghai_day(at), sum(d_den), sum(d_num), 0 FROM added GROUP BY 2, 3;
        RETURN NULL;
      END $$`);
    // A feedback item is an exchange that needs a reply, from its delivery on (as rate_exchange_changed).
    await q.query(`
      CREATE FUNCTION rate_exchanges_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 'f', n.to_unit_code, shanghai_day(n.delivered_at), shanghai_day(n.due_at), count(*),
               count(*) FILTER (WHERE n.replied_at <= n.due_at), count(*) FILTER (WHERE n.replied_at > n.due_at)
          FROM new_rows n WHERE n.needs_reply AND n.delivered_at IS NOT NULL GROUP BY 2, 3, 4;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION rate_exchanges_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH changed AS (
          SELECT o.needs_reply AS o_needs, o.to_unit_code AS o_unit, o.delivered_at AS o_delivered, o.due_at AS o_due, o.replied_at AS o_replied,
                 n.needs_reply AS n_needs, n.to_unit_code AS n_unit, n.delivered_at AS n_delivered, n.due_at AS n_due, n.replied_at AS n_replied
            FROM old_rows o JOIN new_rows n ON n.id = o.id
           WHERE o.delivered_at IS DISTINCT FROM n.delivered_at OR o.replied_at IS DISTINCT FROM n.replied_at
              OR o.due_at IS DISTINCT FROM n.due_at OR o.to_unit_code IS DISTINCT FROM n.to_unit_code
              OR o.needs_reply IS DISTINCT FROM n.needs_reply
        ), item AS (
          SELECT o_unit AS unit, o_delivered AS delivered, o_due AS due, o_replied AS replied, -1 AS sign FROM changed WHERE o_needs AND o_delivered IS NOT NULL
          UNION ALL
          SELECT n_unit, n_delivered, n_due, n_replied, 1 FROM changed WHERE n_needs AND n_delivered IS NOT NULL
        )
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 'f', unit, shanghai_day(delivered), shanghai_day(due), sum(sign),
               sum(sign * (replied IS NOT NULL AND replied <= due)::int), sum(sign * (replied IS NOT NULL AND replied > due)::int)
          FROM item GROUP BY 2, 3, 4
        HAVING sum(sign) <> 0 OR sum(sign * (replied IS NOT NULL AND replied <= due)::int) <> 0
            OR sum(sign * (replied IS NOT NULL AND replied > due)::int) <> 0;
        RETURN NULL;
      END $$`);

    await q.query(`DROP TRIGGER inflow_rates_ins ON inflow`);
    await q.query(`CREATE TRIGGER inflow_rates_del AFTER DELETE ON inflow FOR EACH ROW EXECUTE FUNCTION rate_inflow_changed()`);
    await q.query(
      `CREATE TRIGGER inflow_rates_ins AFTER INSERT ON inflow REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rate_inflows_inserted()`,
    );
    await q.query(`DROP TRIGGER exchange_rates_ins ON exchange`);
    await q.query(`DROP TRIGGER exchange_rates_upd ON exchange`);
    await q.query(`CREATE TRIGGER exchange_rates_del AFTER DELETE ON exchange FOR EACH ROW EXECUTE FUNCTION rate_exchange_changed()`);
    await q.query(
      `CREATE TRIGGER exchange_rates_ins AFTER INSERT ON exchange REFERENCING NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION rate_exchanges_inserted()`,
    );
    await q.query(
      `CREATE TRIGGER exchange_rates_upd AFTER UPDATE ON exchange REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION rate_exchanges_updated()`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER exchange_rates_upd ON exchange`);
    await q.query(`DROP TRIGGER exchange_rates_ins ON exchange`);
    await q.query(`DROP TRIGGER exchange_rates_del ON exchange`);
    await q.query(`CREATE TRIGGER exchange_rates_ins AFTER INSERT OR DELETE ON exchange FOR EACH ROW EXECUTE FUNCTION rate_exchange_changed()`);
    await q.query(`
      CREATE TRIGGER exchange_rates_upd AFTER UPDATE ON exchange FOR EACH ROW
        WHEN (OLD.delivered_at IS DISTINCT FROM NEW.delivered_at OR OLD.replied_at IS DISTINCT FROM NEW.replied_at
           OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.to_unit_code IS DISTINCT FROM NEW.to_unit_code
           OR OLD.needs_reply IS DISTINCT FROM NEW.needs_reply)
        EXECUTE FUNCTION rate_exchange_changed()`);
    await q.query(`DROP TRIGGER inflow_rates_ins ON inflow`);
    await q.query(`DROP TRIGGER inflow_rates_del ON inflow`);
    await q.query(`CREATE TRIGGER inflow_rates_ins AFTER INSERT OR DELETE ON inflow FOR EACH ROW EXECUTE FUNCTION rate_inflow_changed()`);
    await q.query(`DROP FUNCTION rate_exchanges_updated()`);
    await q.query(`DROP FUNCTION rate_exchanges_inserted()`);
    await q.query(`DROP FUNCTION rate_inflows_inserted()`);
  }
}
