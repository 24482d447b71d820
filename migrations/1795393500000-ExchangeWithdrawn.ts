import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Withdrawn exchanges (issue 32, api.md PATCH /api/inflows/:id): a destination that corrects a registration's household
 * to another township re-routes the case, and every exchange still waiting for the wrong township's reply turns
 * `withdrawn` at that instant (`withdrawn_at`).
 *
 * rates.md: a withdrawn exchange stops being a feedback item at the withdrawal instant — for any T after it, it counts
 * nowhere; for a T before it, it counts as it did then. The roll-up holds the items as they are now, so the triggers
 * take a withdrawn exchange out of it (as if deleted); a rate at a T before the withdrawal adds it back from the raw
 * rows (rate-queries.ts, the corrections). `rate_rebuild` leaves withdrawn exchanges out likewise.
 *
 * The inflow's row trigger also fires when its household changes: a person without a household on record counts under
 * the household of their latest record (`person_household`), so a corrected household moves their contact breakpoints.
 */
export class ExchangeWithdrawn1795393500000 implements MigrationInterface {
  name = 'ExchangeWithdrawn1795393500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE exchange ADD COLUMN withdrawn_at timestamptz`);
    await q.query(`ALTER TABLE exchange DROP CONSTRAINT exchange_status_chk`);
    await q.query(`ALTER TABLE exchange ADD CONSTRAINT exchange_status_chk CHECK (status IN ('queued', 'delivered', 'replied', 'failed', 'withdrawn'))`);
    await q.query(`ALTER TABLE exchange ADD CONSTRAINT exchange_withdrawn_chk CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))`);
    // The rates' corrections for a T before a withdrawal: the few withdrawn feedback items, by withdrawal instant.
    await q.query(
      `CREATE INDEX exchange_withdrawn_at_idx ON exchange (withdrawn_at) WHERE needs_reply AND delivered_at IS NOT NULL AND withdrawn_at IS NOT NULL`,
    );

    await q.query(`
      CREATE OR REPLACE FUNCTION rate_exchange_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.needs_reply AND OLD.delivered_at IS NOT NULL AND OLD.withdrawn_at IS NULL THEN
          PERFORM rate_flow_delta('f', OLD.to_unit_code, OLD.delivered_at, OLD.due_at, OLD.replied_at, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.needs_reply AND NEW.delivered_at IS NOT NULL AND NEW.withdrawn_at IS NULL THEN
          PERFORM rate_flow_delta('f', NEW.to_unit_code, NEW.delivered_at, NEW.due_at, NEW.replied_at, 1);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_exchanges_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 'f', n.to_unit_code, shanghai_day(n.delivered_at), shanghai_day(n.due_at), count(*),
               count(*) FILTER (WHERE n.replied_at <= n.due_at), count(*) FILTER (WHERE n.replied_at > n.due_at)
          FROM new_rows n WHERE n.needs_reply AND n.delivered_at IS NOT NULL AND n.withdrawn_at IS NULL GROUP BY 2, 3, 4;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_exchanges_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH changed AS (
          SELECT o.needs_reply AND o.withdrawn_at IS NULL AS o_needs, o.to_unit_code AS o_unit, o.delivered_at AS o_delivered, o.due_at AS o_due,
                 o.replied_at AS o_replied,
                 n.needs_reply AND n.withdrawn_at IS NULL AS n_needs, n.to_unit_code AS n_unit, n.delivered_at AS n_delivered, n.due_at AS n_due,
                 n.replied_at AS n_replied
            FROM old_rows o JOIN new_rows n ON n.id = o.id
           WHERE o.delivered_at IS DISTINCT FROM n.delivered_at OR o.replied_at IS DISTINCT FROM n.replied_at
              OR o.due_at IS DISTINCT FROM n.due_at OR o.to_unit_code IS DISTINCT FROM n.to_unit_code
              OR o.needs_reply IS DISTINCT FROM n.needs_reply OR o.withdrawn_at IS DISTINCT FROM n.withdrawn_at
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
    await q.query(REBUILD.replace('FEEDBACK_ITEMS', 'needs_reply AND delivered_at IS NOT NULL AND withdrawn_at IS NULL'));

    await q.query(`DROP TRIGGER inflow_rates_upd ON inflow`);
    await q.query(`
      CREATE TRIGGER inflow_rates_upd AFTER UPDATE ON inflow FOR EACH ROW
        WHEN (OLD.destination_code IS DISTINCT FROM NEW.destination_code OR OLD.registered_at IS DISTINCT FROM NEW.registered_at
           OR OLD.submission_due_at IS DISTINCT FROM NEW.submission_due_at OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at
           OR OLD.closed_at IS DISTINCT FROM NEW.closed_at OR OLD.person_id IS DISTINCT FROM NEW.person_id
           OR OLD.household_code IS DISTINCT FROM NEW.household_code)
        EXECUTE FUNCTION rate_inflow_changed()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM exchange WHERE status = 'withdrawn'`);
    if (n > 0) throw new Error(`1795393500000-ExchangeWithdrawn: ${n} withdrawn exchanges have no status before this migration; restore a backup instead`);
    await q.query(`DROP TRIGGER inflow_rates_upd ON inflow`);
    await q.query(`
      CREATE TRIGGER inflow_rates_upd AFTER UPDATE ON inflow FOR EACH ROW
        WHEN (OLD.destination_code IS DISTINCT FROM NEW.destination_code OR OLD.registered_at IS DISTINCT FROM NEW.registered_at
           OR OLD.submission_due_at IS DISTINCT FROM NEW.submission_due_at OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at
           OR OLD.closed_at IS DISTINCT FROM NEW.closed_at OR OLD.person_id IS DISTINCT FROM NEW.person_id)
        EXECUTE FUNCTION rate_inflow_changed()`);
    await q.query(REBUILD.replace('FEEDBACK_ITEMS', 'needs_reply AND delivered_at IS NOT NULL'));
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_exchanges_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_exchanges_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 'f', n.to_unit_code, shanghai_day(n.delivered_at), shanghai_day(n.due_at), count(*),
               count(*) FILTER (WHERE n.replied_at <= n.due_at), count(*) FILTER (WHERE n.replied_at > n.due_at)
          FROM new_rows n WHERE n.needs_reply AND n.delivered_at IS NOT NULL GROUP BY 2, 3, 4;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_exchange_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.needs_reply AND OLD.delivered_at IS NOT NULL THEN
          PERFORM rate_flow_delta('f', OLD.to_unit_code, OLD.delivered_at, OLD.due_at, OLD.replied_at, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.needs_reply AND NEW.delivered_at IS NOT NULL THEN
          PERFORM rate_flow_delta('f', NEW.to_unit_code, NEW.delivered_at, NEW.due_at, NEW.replied_at, 1);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`DROP INDEX exchange_withdrawn_at_idx`);
    await q.query(`ALTER TABLE exchange DROP CONSTRAINT exchange_withdrawn_chk`);
    await q.query(`ALTER TABLE exchange DROP CONSTRAINT exchange_status_chk`);
    await q.query(`ALTER TABLE exchange ADD CONSTRAINT exchange_status_chk CHECK (status IN ('queued', 'delivered', 'replied', 'failed'))`);
    await q.query(`ALTER TABLE exchange DROP COLUMN withdrawn_at`);
  }
}

/** `rate_rebuild` as migration 1795392500000 made it, with the feedback items' condition left as FEEDBACK_ITEMS. */
const REBUILD = `
      CREATE OR REPLACE FUNCTION rate_rebuild(contacts boolean DEFAULT true) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('rate_fold'));
        TRUNCATE rate_delta, rate_rollup, rate_rollup_month, rate_month_due;
        IF contacts THEN
          TRUNCATE contact_event;
          INSERT INTO contact_event (person_id, code, at, d_den, d_num)
          SELECT person_id, code, at, d_den, d_num FROM (
            SELECT s.person_id, coalesce(p.household_code, person_household(s.person_id)) AS code, s.at, s.d_den, s.d_num
              FROM contact_event_source s JOIN person p ON p.id = s.person_id) e
           WHERE code IS NOT NULL;
        END IF;
        INSERT INTO rate_rollup (indicator, code, day, due_day, total, on_time, late)
        SELECT leaf.indicator, a.code, leaf.day, leaf.due_day, sum(leaf.total), sum(leaf.on_time), sum(leaf.late)
          FROM (
            SELECT 's' AS indicator, destination_code AS code, shanghai_day(registered_at) AS day, shanghai_day(submission_due_at) AS due_day,
                   count(*) AS total, count(*) FILTER (WHERE submitted_at <= submission_due_at) AS on_time,
                   count(*) FILTER (WHERE submitted_at > submission_due_at) AS late
              FROM inflow GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT 'f', to_unit_code, shanghai_day(delivered_at), shanghai_day(due_at), count(*),
                   count(*) FILTER (WHERE replied_at <= due_at), count(*) FILTER (WHERE replied_at > due_at)
              FROM exchange WHERE FEEDBACK_ITEMS GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT 'c', code, shanghai_day(at), shanghai_day(at), sum(d_den), sum(d_num), 0 FROM contact_event GROUP BY 1, 2, 3, 4) leaf
          CROSS JOIN LATERAL rollup_codes(leaf.code) AS a(code)
         GROUP BY 1, 2, 3, 4
         ORDER BY 1, 2, 3, 4;
        INSERT INTO rate_rollup_month (indicator, code, month, total, on_time, late)
        SELECT indicator, code, date_trunc('month', day)::date, sum(total), sum(on_time), sum(late) FROM rate_rollup
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
        INSERT INTO rate_month_due (indicator, month, max_due_day)
        SELECT indicator, date_trunc('month', day)::date, max(due_day) FROM rate_rollup GROUP BY 1, 2;
      END $$`;
