import { MigrationInterface, QueryRunner } from 'typeorm';

// Roll-ups for the three assessment rates (rates.md; design in docs/rates.md).
//
// Triggers on inflow, exchange, outflow and person append signed deltas to rate_delta in the same transaction as the
// change, so no code path (service, import, SQL fix-up) can bypass them and inserts never contend for a row.
// A fold (rate_fold, run every second by the worker) moves the deltas into rate_rollup, one row per
// (indicator, jurisdiction from township up to 全国, day, due day). A query reads rate_rollup plus the unfolded deltas in one
// snapshot, so the counts are exact whether or not the fold has run.
export class Rates1795392500000 implements MigrationInterface {
  name = 'Rates1795392500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION shanghai_day(ts timestamptz) RETURNS date
        LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN (ts AT TIME ZONE 'Asia/Shanghai')::date`);
    // The levels a code is rolled up to: its township and every ancestor up to 全国 (division codes are prefixes padded
    // with zeros). Villages are not rolled up: a township's items are few enough to count from the raw rows.
    await q.query(`
      CREATE FUNCTION rollup_codes(code varchar) RETURNS SETOF varchar
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT DISTINCT c FROM unnest(ARRAY[rpad(left(code, 9), 12, '0'), rpad(left(code, 6), 12, '0'),
                                            rpad(left(code, 4), 12, '0'), rpad(left(code, 2), 12, '0'), '000000000000']) AS c
      $$`);

    // indicator: s = 信息提交 (submission), f = 反馈 (feedback), c = 有效联系 (effective contact).
    // Flows: total items, on_time and late (done); total - on_time - late are not done yet, due on due_day.
    // Contact (a stock): total = change of the denominator, on_time = change of the numerator; due_day = day.
    await q.query(`
      CREATE TABLE rate_delta (
        id        bigint GENERATED ALWAYS AS IDENTITY,
        indicator char(1) NOT NULL,
        code      varchar(12) COLLATE "C" NOT NULL,
        day       date NOT NULL,
        due_day   date NOT NULL,
        total     integer NOT NULL,
        on_time   integer NOT NULL,
        late      integer NOT NULL,
        CONSTRAINT rate_delta_pkey PRIMARY KEY (id),
        CONSTRAINT rate_delta_indicator_chk CHECK (indicator IN ('s', 'f', 'c'))
      )`);
    await q.query(`
      CREATE TABLE rate_rollup (
        indicator char(1) NOT NULL,
        code      varchar(12) COLLATE "C" NOT NULL,
        day       date NOT NULL,
        due_day   date NOT NULL,
        total     integer NOT NULL,
        on_time   integer NOT NULL,
        late      integer NOT NULL,
        CONSTRAINT rate_rollup_pkey PRIMARY KEY (indicator, code, day, due_day)
      )`);
    // The same per calendar month, so a year is read as ~12 rows per jurisdiction instead of ~365. A month's rows can
    // stand for its days once every item in it fell due before T's day (then whatever is not done is overdue):
    // rate_month_due keeps the latest due day folded into each month, an upper bound that only grows.
    await q.query(`
      CREATE TABLE rate_rollup_month (
        indicator char(1) NOT NULL,
        code      varchar(12) COLLATE "C" NOT NULL,
        month     date NOT NULL,
        total     integer NOT NULL,
        on_time   integer NOT NULL,
        late      integer NOT NULL,
        CONSTRAINT rate_rollup_month_pkey PRIMARY KEY (indicator, code, month)
      )`);
    await q.query(`
      CREATE TABLE rate_month_due (
        indicator   char(1) NOT NULL,
        month       date NOT NULL,
        max_due_day date NOT NULL,
        CONSTRAINT rate_month_due_pkey PRIMARY KEY (indicator, month)
      )`);
    // Effective contact: each person's breakpoints, recomputed from their outflows and inflows on every change.
    // The person counts in the denominator at T when sum(d_den) over at <= T is 1, in the numerator when sum(d_num) is.
    await q.query(`
      CREATE TABLE contact_event (
        person_id uuid NOT NULL,
        code      varchar(12) COLLATE "C" NOT NULL,
        at        timestamptz NOT NULL,
        d_den     smallint NOT NULL,
        d_num     smallint NOT NULL,
        CONSTRAINT contact_event_pkey PRIMARY KEY (person_id, at)
      )`);
    await q.query(`CREATE INDEX contact_event_at_idx ON contact_event (at)`);
    await q.query(`CREATE INDEX contact_event_code_idx ON contact_event (code, at)`);

    // Targets per jurisdiction and indicator; a jurisdiction without its own inherits the nearest ancestor's.
    await q.query(`
      CREATE TABLE rate_target (
        code       varchar(12) COLLATE "C" NOT NULL,
        indicator  varchar(20) NOT NULL,
        target     numeric(5, 4) NOT NULL,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT rate_target_pkey PRIMARY KEY (code, indicator),
        CONSTRAINT rate_target_indicator_chk CHECK (indicator IN ('submission', 'feedback', 'effectiveContact')),
        CONSTRAINT rate_target_range_chk CHECK (target >= 0 AND target <= 1)
      )`);

    // The raw corrections of a query (items registered, done or due after the as-of instant) are index range scans.
    // The items not done that fall due on the as-of day are a province's whole day of them (a thousand or more at
    // 10 M inflows): their indexes carry the code and start, so the scan never visits the table (index-only).
    await q.query(`CREATE INDEX inflow_registered_at_idx ON inflow (registered_at)`);
    await q.query(`CREATE INDEX inflow_submitted_at_idx ON inflow (submitted_at) WHERE submitted_at IS NOT NULL`);
    await q.query(`CREATE INDEX inflow_unsubmitted_due_idx ON inflow (submission_due_at) INCLUDE (destination_code, registered_at) WHERE submitted_at IS NULL`);
    await q.query(`CREATE INDEX exchange_delivered_at_idx ON exchange (delivered_at) WHERE needs_reply AND delivered_at IS NOT NULL`);
    await q.query(`CREATE INDEX exchange_replied_at_idx ON exchange (replied_at) WHERE needs_reply AND replied_at IS NOT NULL`);
    await q.query(
      `CREATE INDEX exchange_unreplied_due_idx ON exchange (due_at) INCLUDE (to_unit_code, delivered_at) WHERE needs_reply AND replied_at IS NULL AND delivered_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX outflow_person_id_idx ON outflow (person_id)`);

    // What places a person with a known whereabouts or a known absence: outflows from registration until closed,
    // inflows from submission until closed (drafts tell the origin nothing).
    await q.query(`
      CREATE VIEW contact_interval AS
        SELECT person_id, registered_at AS starts, closed_at AS ends, false AS located FROM outflow
        UNION ALL
        SELECT person_id, submitted_at, closed_at, true FROM inflow WHERE submitted_at IS NOT NULL`);
    // Each person's contact breakpoints: at every start or end, whether any interval (denominator) or any inflow
    // (numerator) is open, and the change from the previous breakpoint. Filtering on person_id is pushed down.
    await q.query(`
      CREATE VIEW contact_event_source AS
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
        WHERE d_den <> 0 OR d_num <> 0`);
    // The household a person counts under: the person's own, else that of their latest record.
    await q.query(`
      CREATE FUNCTION person_household(p uuid) RETURNS varchar
        LANGUAGE sql STABLE
        RETURN coalesce((SELECT household_code FROM person WHERE id = p),
                        (SELECT household_code FROM (SELECT household_code, registered_at FROM outflow WHERE person_id = p
                                                      UNION ALL SELECT household_code, registered_at FROM inflow WHERE person_id = p) r
                          ORDER BY registered_at DESC LIMIT 1))`);

    await q.query(`
      CREATE FUNCTION rate_flow_delta(ind char, unit varchar, reg timestamptz, due timestamptz, done timestamptz, sign integer)
        RETURNS void LANGUAGE sql AS $$
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        VALUES (ind, unit, shanghai_day(reg), shanghai_day(due), sign,
                sign * (done IS NOT NULL AND done <= due)::int, sign * (done IS NOT NULL AND done > due)::int)
      $$`);
    await q.query(`
      CREATE FUNCTION rate_contact_refresh(p uuid) RETURNS void LANGUAGE plpgsql AS $$
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
      END $$`);

    await q.query(`
      CREATE FUNCTION rate_inflow_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          PERFORM rate_flow_delta('s', OLD.destination_code, OLD.registered_at, OLD.submission_due_at, OLD.submitted_at, -1);
          PERFORM rate_contact_refresh(OLD.person_id);
        END IF;
        IF TG_OP <> 'DELETE' THEN
          PERFORM rate_flow_delta('s', NEW.destination_code, NEW.registered_at, NEW.submission_due_at, NEW.submitted_at, 1);
          IF TG_OP = 'INSERT' OR NEW.person_id <> OLD.person_id THEN PERFORM rate_contact_refresh(NEW.person_id); END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER inflow_rates_ins AFTER INSERT OR DELETE ON inflow FOR EACH ROW EXECUTE FUNCTION rate_inflow_changed()`);
    await q.query(`
      CREATE TRIGGER inflow_rates_upd AFTER UPDATE ON inflow FOR EACH ROW
        WHEN (OLD.destination_code IS DISTINCT FROM NEW.destination_code OR OLD.registered_at IS DISTINCT FROM NEW.registered_at
           OR OLD.submission_due_at IS DISTINCT FROM NEW.submission_due_at OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at
           OR OLD.closed_at IS DISTINCT FROM NEW.closed_at OR OLD.person_id IS DISTINCT FROM NEW.person_id)
        EXECUTE FUNCTION rate_inflow_changed()`);

    // A feedback item is an exchange that needs a reply, from its delivery on.
    await q.query(`
      CREATE FUNCTION rate_exchange_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.needs_reply AND OLD.delivered_at IS NOT NULL THEN
          PERFORM rate_flow_delta('f', OLD.to_unit_code, OLD.delivered_at, OLD.due_at, OLD.replied_at, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.needs_reply AND NEW.delivered_at IS NOT NULL THEN
          PERFORM rate_flow_delta('f', NEW.to_unit_code, NEW.delivered_at, NEW.due_at, NEW.replied_at, 1);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER exchange_rates_ins AFTER INSERT OR DELETE ON exchange FOR EACH ROW EXECUTE FUNCTION rate_exchange_changed()`);
    await q.query(`
      CREATE TRIGGER exchange_rates_upd AFTER UPDATE ON exchange FOR EACH ROW
        WHEN (OLD.delivered_at IS DISTINCT FROM NEW.delivered_at OR OLD.replied_at IS DISTINCT FROM NEW.replied_at
           OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.to_unit_code IS DISTINCT FROM NEW.to_unit_code
           OR OLD.needs_reply IS DISTINCT FROM NEW.needs_reply)
        EXECUTE FUNCTION rate_exchange_changed()`);

    await q.query(`
      CREATE FUNCTION rate_person_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM rate_contact_refresh(OLD.person_id); END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.person_id <> OLD.person_id) THEN PERFORM rate_contact_refresh(NEW.person_id); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER outflow_rates_ins AFTER INSERT OR DELETE ON outflow FOR EACH ROW EXECUTE FUNCTION rate_person_records_changed()`);
    await q.query(`
      CREATE TRIGGER outflow_rates_upd AFTER UPDATE ON outflow FOR EACH ROW
        WHEN (OLD.registered_at IS DISTINCT FROM NEW.registered_at OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
           OR OLD.person_id IS DISTINCT FROM NEW.person_id)
        EXECUTE FUNCTION rate_person_records_changed()`);
    await q.query(`
      CREATE FUNCTION rate_person_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM rate_contact_refresh(NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER person_rates_upd AFTER UPDATE ON person FOR EACH ROW
        WHEN (OLD.household_code IS DISTINCT FROM NEW.household_code) EXECUTE FUNCTION rate_person_changed()`);

    // Moves up to max_rows deltas into the roll-up, at the township and every ancestor. Folds are
    // serialised; a delta still uncommitted is simply left for the next fold. Returns the deltas moved.
    await q.query(`
      CREATE FUNCTION rate_fold(max_rows integer) RETURNS integer LANGUAGE plpgsql AS $$
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
      END $$`);

    // Recomputes every roll-up from the raw rows: for bulk loads done with triggers off (bench/seed.ts), or repair.
    // Safe while the service runs: TRUNCATE waits for every transaction holding deltas, and later ones wait for this.
    // With contacts = false the contact breakpoints are kept (a bulk load that wrote them itself).
    await q.query(`
      CREATE FUNCTION rate_rebuild(contacts boolean DEFAULT true) RETURNS void LANGUAGE plpgsql AS $$
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
              FROM exchange WHERE needs_reply AND delivered_at IS NOT NULL GROUP BY 1, 2, 3, 4
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
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER person_rates_upd ON person`);
    await q.query(`DROP TRIGGER outflow_rates_upd ON outflow`);
    await q.query(`DROP TRIGGER outflow_rates_ins ON outflow`);
    await q.query(`DROP TRIGGER exchange_rates_upd ON exchange`);
    await q.query(`DROP TRIGGER exchange_rates_ins ON exchange`);
    await q.query(`DROP TRIGGER inflow_rates_upd ON inflow`);
    await q.query(`DROP TRIGGER inflow_rates_ins ON inflow`);
    await q.query(`DROP FUNCTION rate_rebuild(boolean)`);
    await q.query(`DROP FUNCTION rate_fold(integer)`);
    await q.query(`DROP FUNCTION rate_person_changed()`);
    await q.query(`DROP FUNCTION rate_person_records_changed()`);
    await q.query(`DROP FUNCTION rate_exchange_changed()`);
    await q.query(`DROP FUNCTION rate_inflow_changed()`);
    await q.query(`DROP FUNCTION rate_contact_refresh(uuid)`);
    await q.query(`DROP FUNCTION rate_flow_delta(char, varchar, timestamptz, timestamptz, timestamptz, integer)`);
    await q.query(`DROP FUNCTION person_household(uuid)`);
    await q.query(`DROP VIEW contact_event_source`);
    await q.query(`DROP VIEW contact_interval`);
    await q.query(`DROP INDEX outflow_person_id_idx`);
    await q.query(`DROP INDEX exchange_unreplied_due_idx`);
    await q.query(`DROP INDEX exchange_replied_at_idx`);
    await q.query(`DROP INDEX exchange_delivered_at_idx`);
    await q.query(`DROP INDEX inflow_unsubmitted_due_idx`);
    await q.query(`DROP INDEX inflow_submitted_at_idx`);
    await q.query(`DROP INDEX inflow_registered_at_idx`);
    await q.query(`DROP TABLE rate_target`);
    await q.query(`DROP TABLE contact_event`);
    await q.query(`DROP TABLE rate_month_due`);
    await q.query(`DROP TABLE rate_rollup_month`);
    await q.query(`DROP TABLE rate_rollup`);
    await q.query(`DROP TABLE rate_delta`);
    await q.query(`DROP FUNCTION rollup_codes(varchar)`);
    await q.query(`DROP FUNCTION shanghai_day(timestamptz)`);
  }
}
