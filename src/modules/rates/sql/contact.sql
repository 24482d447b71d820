-- 有效联系率 (rates.md): each person's contact breakpoints, kept in contact_event and as deltas in rate_delta whenever
-- an outflow, an inflow or the person's household changes.

-- What places a person with a known whereabouts or a known absence: outflows from registration until closed,
-- inflows from submission until closed (drafts tell the origin nothing).
CREATE OR REPLACE VIEW contact_interval AS
  SELECT person_id, registered_at AS starts, closed_at AS ends, false AS located FROM outflow
  UNION ALL
  SELECT person_id, submitted_at, closed_at, true FROM inflow WHERE submitted_at IS NOT NULL;

-- Each person's contact breakpoints: at every start or end, whether any interval (denominator) or any inflow
-- (numerator) is open, and the change from the previous breakpoint. Filtering on person_id is pushed down.
CREATE OR REPLACE VIEW contact_event_source AS
  SELECT person_id, at, d_den, d_num FROM (
    SELECT person_id, at,
           den - coalesce(lag(den) OVER w, 0) AS d_den,
           num - coalesce(lag(num) OVER w, 0) AS d_num
      FROM (
        SELECT pt.person_id, pt.at,
               max((iv.starts <= pt.at AND (iv.ends IS NULL OR iv.ends > pt.at))::int) AS den,
               max((iv.located AND iv.starts <= pt.at AND (iv.ends IS NULL OR iv.ends > pt.at))::int) AS num
          FROM (SELECT person_id, starts AS at FROM contact_interval
                UNION SELECT person_id, ends FROM contact_interval WHERE ends IS NOT NULL) pt
          JOIN contact_interval iv ON iv.person_id = pt.person_id
         GROUP BY pt.person_id, pt.at) state
    WINDOW w AS (PARTITION BY person_id ORDER BY at)) change
  WHERE d_den <> 0 OR d_num <> 0;

-- Whether a person is located now (the numerator of 有效联系率 at this instant): a submitted registration of theirs is
-- open. The outflow list's 联系状态 asks this (OutflowsService), so the list and the rate cannot disagree.
CREATE OR REPLACE FUNCTION person_located(p uuid) RETURNS boolean
  LANGUAGE sql STABLE
  RETURN EXISTS (SELECT 1 FROM contact_interval iv WHERE iv.person_id = p AND iv.located AND iv.ends IS NULL);

-- The household a person counts under: the person's own, else that of their latest record.
CREATE OR REPLACE FUNCTION person_household(p uuid)
 RETURNS character varying
 LANGUAGE sql
 STABLE
RETURN COALESCE((SELECT person.household_code FROM person WHERE (person.id = person_household.p)), (SELECT r.household_code FROM (SELECT outflow.household_code, outflow.registered_at FROM outflow WHERE (outflow.person_id = person_household.p) UNION ALL SELECT inflow.household_code, inflow.registered_at FROM inflow WHERE (inflow.person_id = person_household.p)) r ORDER BY r.registered_at DESC LIMIT 1));

-- A person's breakpoints recomputed from their records: the old ones taken back, the new ones added, both as deltas.
CREATE OR REPLACE FUNCTION rate_contact_refresh(p uuid)
 RETURNS void
 LANGUAGE plpgsql
AS $$
  DECLARE
    household varchar(12) := person_household(p);
  BEGIN
    WITH gone AS (DELETE FROM contact_event WHERE person_id = p RETURNING code, at, d_den, d_num)
    INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
    SELECT 'c', code, shanghai_day(at), shanghai_day(at), -d_den, -d_num, 0 FROM gone;
    IF household IS NULL THEN RETURN; END IF;
    WITH added AS (
      INSERT INTO contact_event (person_id, code, at, d_den, d_num)
      SELECT p, household, at, d_den, d_num FROM contact_event_source WHERE person_id = p
      RETURNING code, at, d_den, d_num)
    INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
    SELECT 'c', code, shanghai_day(at), shanghai_day(at), d_den, d_num, 0 FROM added;
  END
$$;

-- An outflow written, closed, moved or deleted: the people it was and is about.
CREATE OR REPLACE FUNCTION rate_person_records_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM rate_contact_refresh(OLD.person_id); END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.person_id <> OLD.person_id) THEN PERFORM rate_contact_refresh(NEW.person_id); END IF;
    RETURN NULL;
  END
$$;

CREATE OR REPLACE TRIGGER outflow_rates_ins AFTER INSERT OR DELETE ON outflow
  FOR EACH ROW
  EXECUTE FUNCTION rate_person_records_changed();

CREATE OR REPLACE TRIGGER outflow_rates_upd AFTER UPDATE ON outflow
  FOR EACH ROW
  WHEN (((old.registered_at IS DISTINCT FROM new.registered_at) OR (old.closed_at IS DISTINCT FROM new.closed_at) OR (old.person_id IS DISTINCT FROM new.person_id)))
  EXECUTE FUNCTION rate_person_records_changed();

-- A household changed: the person counts under another code.
CREATE OR REPLACE FUNCTION rate_person_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  BEGIN
    PERFORM rate_contact_refresh(NEW.id);
    RETURN NULL;
  END
$$;

CREATE OR REPLACE TRIGGER person_rates_upd AFTER UPDATE ON person
  FOR EACH ROW
  WHEN (((old.household_code)::text IS DISTINCT FROM (new.household_code)::text))
  EXECUTE FUNCTION rate_person_changed();
