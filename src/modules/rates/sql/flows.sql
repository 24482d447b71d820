-- 信息提交率 and 反馈率 (rates.md): every registration and every delivered message that needs a reply is an item;
-- these triggers append its signed delta to rate_delta in the transaction that changes it, so no path (service,
-- import, a fix-up by hand) can bypass them. Inserts are per statement (a batch of 500 imported rows is one trigger
-- call); updates of inflows are per row, of exchanges per statement.

-- One item in or out of a flow: day registered or delivered, day due, done on time or late.
CREATE OR REPLACE FUNCTION rate_flow_delta(ind character, unit character varying, reg timestamp with time zone, due timestamp with time zone, done timestamp with time zone, sign integer)
 RETURNS void
 LANGUAGE sql
AS $$
  INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
  VALUES (ind, unit, shanghai_day(reg), shanghai_day(due), sign,
          sign * (done IS NOT NULL AND done <= due)::int, sign * (done IS NOT NULL AND done > due)::int)
$$;

-- Registrations inserted: submission items, and the contact breakpoints of the people they are about.
CREATE OR REPLACE FUNCTION rate_inflows_inserted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  DECLARE
    refresh uuid[];
    p uuid;
  BEGIN
    WITH submission AS (
      INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
      SELECT 's', n.destination_code, shanghai_day(n.registered_at), shanghai_day(n.submission_due_at), count(*),
             count(*) FILTER (WHERE n.submitted_at <= n.submission_due_at), count(*) FILTER (WHERE n.submitted_at > n.submission_due_at)
        FROM new_rows n GROUP BY 2, 3, 4
    ), own AS (
      -- People with another record (a contact breakpoint, an outflow, another submitted inflow) have their
      -- breakpoints recomputed below; for everyone else the only contact interval is this inflow's own (from
      -- submission until closed), whose breakpoints are written here — the same events, a fraction of the work.
      SELECT n.person_id, coalesce(person.household_code, person_household(n.person_id)) AS household, n.submitted_at, n.closed_at,
             EXISTS (SELECT 1 FROM contact_event e WHERE e.person_id = n.person_id)
               OR EXISTS (SELECT 1 FROM outflow o WHERE o.person_id = n.person_id)
               OR EXISTS (SELECT 1 FROM inflow i WHERE i.person_id = n.person_id AND i.id <> n.id AND i.submitted_at IS NOT NULL) AS other_record
        FROM new_rows n JOIN person ON person.id = n.person_id
    ), interval AS (
      SELECT * FROM own
       WHERE NOT other_record AND household IS NOT NULL AND submitted_at IS NOT NULL AND (closed_at IS NULL OR closed_at > submitted_at)
    ), added AS (
      INSERT INTO contact_event (person_id, code, at, d_den, d_num)
      SELECT person_id, household, submitted_at, 1, 1 FROM interval
      UNION ALL
      SELECT person_id, household, closed_at, -1, -1 FROM interval WHERE closed_at IS NOT NULL
      RETURNING code, at, d_den, d_num
    ), contact AS (
      INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
      SELECT 'c', code, shanghai_day(at), shanghai_day(at), sum(d_den), sum(d_num), 0 FROM added GROUP BY 2, 3
    )
    SELECT coalesce(array_agg(DISTINCT person_id) FILTER (WHERE other_record), '{}') INTO refresh FROM own;
    FOREACH p IN ARRAY refresh LOOP
      PERFORM rate_contact_refresh(p);
    END LOOP;
    RETURN NULL;
  END
$$;

CREATE OR REPLACE TRIGGER inflow_rates_ins AFTER INSERT ON inflow
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION rate_inflows_inserted();

-- A registration updated or deleted: its submission item taken back and written again, its person's contact recomputed.
CREATE OR REPLACE FUNCTION rate_inflow_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  BEGIN
    -- Inserts are rate_inflows_inserted's (per statement); this is an update or a delete.
    PERFORM rate_flow_delta('s', OLD.destination_code, OLD.registered_at, OLD.submission_due_at, OLD.submitted_at, -1);
    PERFORM rate_contact_refresh(OLD.person_id);
    IF TG_OP = 'UPDATE' THEN
      PERFORM rate_flow_delta('s', NEW.destination_code, NEW.registered_at, NEW.submission_due_at, NEW.submitted_at, 1);
      IF NEW.person_id <> OLD.person_id THEN PERFORM rate_contact_refresh(NEW.person_id); END IF;
    END IF;
    RETURN NULL;
  END
$$;

CREATE OR REPLACE TRIGGER inflow_rates_upd AFTER UPDATE ON inflow
  FOR EACH ROW
  WHEN ((((old.destination_code)::text IS DISTINCT FROM (new.destination_code)::text) OR (old.registered_at IS DISTINCT FROM new.registered_at) OR (old.submission_due_at IS DISTINCT FROM new.submission_due_at) OR (old.submitted_at IS DISTINCT FROM new.submitted_at) OR (old.closed_at IS DISTINCT FROM new.closed_at) OR (old.person_id IS DISTINCT FROM new.person_id) OR ((old.household_code)::text IS DISTINCT FROM (new.household_code)::text)))
  EXECUTE FUNCTION rate_inflow_changed();

CREATE OR REPLACE TRIGGER inflow_rates_del AFTER DELETE ON inflow
  FOR EACH ROW
  EXECUTE FUNCTION rate_inflow_changed();

-- Messages inserted: those delivered and needing a reply are feedback items (a withdrawn one counts nowhere).
CREATE OR REPLACE FUNCTION rate_exchanges_inserted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  BEGIN
    INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
    SELECT 'f', n.to_unit_code, shanghai_day(n.delivered_at), shanghai_day(n.due_at), count(*),
           count(*) FILTER (WHERE n.replied_at <= n.due_at), count(*) FILTER (WHERE n.replied_at > n.due_at)
      FROM new_rows n WHERE n.needs_reply AND n.delivered_at IS NOT NULL AND n.withdrawn_at IS NULL GROUP BY 2, 3, 4;
    RETURN NULL;
  END
$$;

CREATE OR REPLACE TRIGGER exchange_rates_ins AFTER INSERT ON exchange
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION rate_exchanges_inserted();

-- Messages updated (delivered, answered, withdrawn, re-addressed): the items before taken back, the items after added.
CREATE OR REPLACE FUNCTION rate_exchanges_updated()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
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
  END
$$;

CREATE OR REPLACE TRIGGER exchange_rates_upd AFTER UPDATE ON exchange
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT
  EXECUTE FUNCTION rate_exchanges_updated();

-- A message deleted: its item taken back.
CREATE OR REPLACE FUNCTION rate_exchange_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  BEGIN
    IF TG_OP <> 'INSERT' AND OLD.needs_reply AND OLD.delivered_at IS NOT NULL AND OLD.withdrawn_at IS NULL THEN
      PERFORM rate_flow_delta('f', OLD.to_unit_code, OLD.delivered_at, OLD.due_at, OLD.replied_at, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.needs_reply AND NEW.delivered_at IS NOT NULL AND NEW.withdrawn_at IS NULL THEN
      PERFORM rate_flow_delta('f', NEW.to_unit_code, NEW.delivered_at, NEW.due_at, NEW.replied_at, 1);
    END IF;
    RETURN NULL;
  END
$$;

CREATE OR REPLACE TRIGGER exchange_rates_del AFTER DELETE ON exchange
  FOR EACH ROW
  EXECUTE FUNCTION rate_exchange_changed();
