-- The roll-ups the rates are read from (docs/rates.md): rate_fold moves the deltas into day and month rows for the
-- township and every ancestor; rate_rebuild recomputes everything from the raw rows (after a bulk load, or to check).

-- Run every second by the worker (RateFold): at most max_rows deltas folded, one fold at a time.
CREATE OR REPLACE FUNCTION rate_fold(max_rows integer)
 RETURNS integer
 LANGUAGE plpgsql
AS $$
  DECLARE
    moved integer;
    cutoff bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('rate_fold'));
    -- A range on the primary key: a plan that cannot go quadratic on a large, freshly written delta table.
    SELECT id INTO cutoff FROM rate_delta ORDER BY id OFFSET max_rows - 1 LIMIT 1;
    WITH taken AS (
      DELETE FROM rate_delta WHERE cutoff IS NULL OR id <= cutoff
      RETURNING indicator, code, day, due_day, total, on_time, late),
    up AS (
      SELECT t.indicator, a.code, t.day, t.due_day, sum(t.total) AS total, sum(t.on_time) AS on_time, sum(t.late) AS late
        FROM taken t CROSS JOIN LATERAL rollup_codes(t.code) AS a(code)
       GROUP BY t.indicator, a.code, t.day, t.due_day),
    days AS (
      INSERT INTO rate_rollup AS r (indicator, code, day, due_day, total, on_time, late)
      SELECT indicator, code, day, due_day, total, on_time, late FROM up
      ON CONFLICT (indicator, code, day, due_day) DO UPDATE
        SET total = r.total + excluded.total, on_time = r.on_time + excluded.on_time, late = r.late + excluded.late
      RETURNING 1),
    months AS (
      INSERT INTO rate_rollup_month AS r (indicator, code, month, total, on_time, late)
      SELECT indicator, code, date_trunc('month', day)::date, sum(total), sum(on_time), sum(late) FROM up GROUP BY 1, 2, 3
      ON CONFLICT (indicator, code, month) DO UPDATE
        SET total = r.total + excluded.total, on_time = r.on_time + excluded.on_time, late = r.late + excluded.late
      RETURNING 1),
    dues AS (
      INSERT INTO rate_month_due AS r (indicator, month, max_due_day)
      SELECT indicator, date_trunc('month', day)::date, max(due_day) FROM taken GROUP BY 1, 2
      ON CONFLICT (indicator, month) DO UPDATE SET max_due_day = greatest(r.max_due_day, excluded.max_due_day)
      RETURNING 1)
    SELECT count(*) INTO moved FROM taken;
    RETURN moved;
  END
$$;

CREATE OR REPLACE FUNCTION rate_rebuild(contacts boolean DEFAULT true)
 RETURNS void
 LANGUAGE plpgsql
AS $$
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
          FROM exchange WHERE needs_reply AND delivered_at IS NOT NULL AND withdrawn_at IS NULL GROUP BY 1, 2, 3, 4
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
  END
$$;
